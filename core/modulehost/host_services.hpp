// The services the host gives modules (the provisio_host vtable), and the per-call context
// behind provisio_call::host_context.
//
// A call's context collects everything the module hands back — message, state changes, logged
// exchanges, ABI violations — without touching the database, so dispatch stays fast and can
// run on worker threads; the provisioning layer persists the result in one transaction.
#pragma once

#include "foundation/clock.hpp"
#include "modulehost/option_schema.hpp"

#include <provisio/abi.h>

#include <chrono>
#include <deque>
#include <optional>
#include <filesystem>
#include <string>
#include <vector>

namespace provisio {

struct HostConfig {
    Clock clock;
    std::chrono::milliseconds http_timeout{15000};
    std::filesystem::path http_ca_file;
};

// One exchange a module recorded with log_call, already scrubbed.
struct LoggedExchange {
    std::string action;
    std::string request;
    std::string response;
};

// Replaces every occurrence of each secret in `text` by ********: as is, JSON-escaped,
// URL-encoded, XML-escaped, and inside base64 (HTTP Basic credentials), whichever the module's
// encoder produced. Overlapping occurrences are masked as one. (modulehost/scrub.cpp)
std::string scrub_secrets(std::string text, const std::vector<std::string> &secrets);

// A time-credit entry a module posted during generate_credits (ABI 1.2), checked.
struct PostedCredit {
    std::string kind;
    int64_t micro_hours = 0;
    std::string description;
};

// A call detail record a module added during collect_usage (ABI 1.3), as text: the core's
// usage path checks the fields and reports a record it cannot read.
struct CollectedUsage {
    std::string id, direction, caller, destination_number, caller_destination, start, answer, end, hangup_cause;
    int64_t duration = 0, billsec = 0;
};

// What a payment gateway answered (ABI 1.6), checked and copied: see provisio_payment_result.
struct GatewayResult {
    provisio_payment_state state = PROVISIO_PAYMENT_NONE;
    std::string id, payment, url, reference;
    int64_t amount_minor = 0;
    std::string currency, customer, payment_method, method_label, failure, event_id, event_type;
};

// What a call may hand back besides its outcome.
enum class Collects { nothing, credits, usage, payment };

// Everything about one call that the host tracks while the module runs.
struct CallContext {
    std::string module;
    uint64_t service_id = 0;
    bool tls_verify = true;                 // from the server record
    Settings state;                         // current, with the module's changes applied
    bool state_changed = false;
    std::string message;
    std::vector<std::string> violations;    // ABI rules the module broke during the call
    std::vector<LoggedExchange> exchanges;
    Collects collects = Collects::nothing;
    std::vector<PostedCredit> credits;      // generate_credits only
    std::vector<CollectedUsage> usage;      // collect_usage only
    uint32_t usage_limit = 0;
    std::optional<std::string> usage_cursor;
    std::optional<GatewayResult> payment;   // gateway functions only
    std::vector<std::string> secrets;       // masked wherever the module's text is recorded
    std::deque<std::string> arena;          // strings handed to the module for this call
    std::deque<std::vector<provisio_kv>> kv_arena;

    std::string scrub(std::string text) const { return scrub_secrets(std::move(text), secrets); }
};

// While alive, lines modules log outside a call (during init) on this thread are also
// collected here, so a failed init can be reported with the module's own words.
class InitLogCapture {
public:
    InitLogCapture();
    ~InitLogCapture();
    const std::vector<std::string> &lines() const { return lines_; }

private:
    std::vector<std::string> lines_;
};

class HostServices {
public:
    // Installs itself as the process's host: there is one per process.
    explicit HostServices(HostConfig config);
    ~HostServices();
    HostServices(const HostServices &) = delete;
    HostServices &operator=(const HostServices &) = delete;

    const provisio_host *vtable() const { return &vtable_; }
    const HostConfig &config() const { return config_; }

private:
    HostConfig config_;
    provisio_host vtable_{};
};

}  // namespace provisio
