// The module host: finds *.so files in the modules directory, loads each (Boost.DLL,
// rtld_now | rtld_local), reads and checks its descriptor, initialises it, and dispatches
// lifecycle calls into it. A refused module is recorded with its reason and never stops the
// others. Modules stay loaded until the host is destroyed at process exit.
//
// Contained (the default for provisio's commands): each module is loaded and called in runner
// processes (runner_pool.hpp), never in this one — a module that crashes, exits or hangs, at
// load or in a call, costs that load or call and nothing else. Modules listed as inline, the
// runner itself and `module check`'s child load modules in their own process.
#pragma once

#include "modulehost/descriptor.hpp"
#include "modulehost/host_services.hpp"
#include "modulehost/runner_process.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

enum class Action { create, suspend, unsuspend, terminate, change_package, change_password, test_connection };

const char *action_name(Action action);            // "create", "change_package", ...
std::optional<Action> action_from_name(std::string_view name);

class RunnerPool;
class DescriptorCache;

struct LoadedModule {
    std::filesystem::path file;
    ModuleDescription description;
    void *instance = nullptr;
    RunnerPool *runners = nullptr;  // set when the module runs in runner processes
    const std::string &name() const { return description.name; }
    provisio_lifecycle_fn function(Action action) const;
};

struct RefusedModule {
    std::filesystem::path file;
    std::string name;    // when the descriptor could be read that far
    std::string reason;
};

// What the host passes a module for one call.
struct CallInput {
    uint64_t service_id = 0;
    Settings settings;
    Settings service;
    Settings custom_fields;
    Settings server;
    Settings state;
    std::string reason;
    bool tls_verify = true;
    std::vector<std::string> secrets;  // masked in everything the module's text reaches
};

// What came back from one call.
struct CallOutcome {
    provisio_status status = PROVISIO_OK;
    std::string message;
    Settings state;             // the state after the call; read it only when state_changed (through a runner an unchanged state does not travel back)
    bool state_changed = false;
    std::vector<LoggedExchange> exchanges;
    std::vector<PostedCredit> credits;  // generate_credits: the entries to post (only when ok)
    std::vector<CollectedUsage> usage;  // collect_usage: the records (only when ok)
    std::optional<std::string> usage_cursor;  // collect_usage: where the next collection starts
    std::optional<GatewayResult> payment;     // a gateway function: what the gateway answered (only when ok)
    std::chrono::microseconds duration{0};
    // Set when the call never finished inside the module: its runner hung past the deadline
    // (timeout) or died (crash: a signal, abort, any exit). The status is then retryable, nothing
    // of the call is to be committed, and quarantine counts it.
    enum class Abort { none, timeout, crash } aborted = Abort::none;
};

// ABI 1.6: what the host asks a payment gateway to do (provisio_payment_request, owned).
enum class GatewayOp : uint32_t { charge = 1, checkout, refund, webhook };
const char *gateway_op_name(GatewayOp op);  // "charge", "checkout", "refund", "webhook": the call's action
struct GatewayRequest {
    GatewayOp op = GatewayOp::charge;
    int64_t amount_minor = 0;
    std::string currency, idempotency_key, reference, description, customer, payment_method, payment, email, return_url, cancel_url;
    bool save_method = false;
    Settings headers;  // webhook: names lower-cased
    std::string body;  // webhook
};

// Where modules run when the host contains them.
struct Containment {
    RunnerSetup runner;                       // the program, limits, load timeout and default call timeout
    std::vector<std::string> inline_modules;  // trusted modules loaded and called in this process
    std::map<std::string, std::chrono::milliseconds> call_timeouts;  // per module, over runner.call_timeout
    size_t runners_per_module = 8;  // at most this many runners per module ([modules] workers)
    size_t calls_per_runner = 16;   // calls one runner serves at once ([modules] calls_per_runner)
    std::filesystem::path descriptor_cache;  // where descriptions are cached (descriptor_cache.hpp); empty: not cached
};

class ModuleHost {
public:
    // Every module in this process (the runner, `module check`'s child, unit tests).
    explicit ModuleHost(HostServices &services);
    // Modules in runners, but for `containment.inline_modules`.
    ModuleHost(HostServices &services, Containment containment);
    ~ModuleHost();
    ModuleHost(const ModuleHost &) = delete;
    ModuleHost &operator=(const ModuleHost &) = delete;

    // Loads every *.so in `dir` in file-name order. A directory that is missing yields nothing;
    // one with unsafe permissions refuses all its modules with the reason.
    void load_directory(const std::filesystem::path &dir);
    // Loads one file; the result is in loaded() or refused(). `check_permissions` is off only
    // for `provisio module check`, which inspects a file before it is installed.
    void load_file(const std::filesystem::path &file, bool check_permissions = true);

    const std::vector<std::unique_ptr<LoadedModule>> &loaded() const { return loaded_; }
    const std::vector<RefusedModule> &refused() const { return refused_; }
    const LoadedModule *find(std::string_view name) const;
    // The module or Error(not_found) naming it and, if it was refused, why.
    const LoadedModule &require(std::string_view name) const;

    // Calls the module. Never throws for the module's failures: a missing function, an
    // exception, a broken ABI rule or an unknown status all become an error outcome.
    CallOutcome invoke(const LoadedModule &module, Action action, const CallInput &input) const;
    // Delivers an invoice event (ABI 1.1) for the service in `input`, with the same guarantees.
    CallOutcome invoke_event(const LoadedModule &module, const CallInput &input, const provisio_invoice_event &event) const;
    // ABI 1.2: the module's whole-settings check; its credit schedule (nullopt plus the
    // outcome's message when the module has none or failed); one credit cycle.
    CallOutcome invoke_validate(const LoadedModule &module, const CallInput &input) const;
    std::optional<provisio_credit_schedule> invoke_schedule(const LoadedModule &module, const CallInput &input,
                                                            std::string &error) const;
    CallOutcome invoke_generate(const LoadedModule &module, const CallInput &input, const provisio_credit_cycle &cycle) const;
    // Several credit cycles of one module, an outcome each, in order. In runners they travel as
    // one request (a round trip per batch, not per cycle; the batch has the module's call
    // deadline). nullopt, with `why`, when the batch did not come back whole (its runner died or
    // hung): the caller then makes the cycles one at a time, so each outcome is its own.
    struct GenerateCall {
        const CallInput *input;
        const provisio_credit_cycle *cycle;
    };
    std::optional<std::vector<CallOutcome>> invoke_generate_many(const LoadedModule &module, const std::vector<GenerateCall> &calls,
                                                                 std::string &why) const;
    // ABI 1.3: one collection of a service's usage records after `request.cursor`.
    CallOutcome invoke_usage(const LoadedModule &module, const CallInput &input, const provisio_usage_request &request) const;

    // ABI 1.5: the module's custom action `action` (one it declares; the caller checks who may
    // run it). A name the module does not declare is an error outcome, not a call.
    CallOutcome invoke_custom(const LoadedModule &module, std::string_view action, const CallInput &input) const;

    // ABI 1.6: one payment gateway function. An OK outcome always carries `payment` (a module
    // that returned OK without a result is an error outcome); a function the module lacks is an
    // error outcome, not a call.
    CallOutcome invoke_payment(const LoadedModule &module, const CallInput &input, const GatewayRequest &request) const;

    // Whether modules run in runners (not counting inline ones).
    bool contained() const { return containment_.has_value(); }

private:
    struct Library;
    struct PendingLoad;
    PendingLoad start_load(const std::filesystem::path &file, bool check_permissions);
    void finish_load(PendingLoad pending);
    void add_contained(const std::filesystem::path &file, ModuleDescription description, std::unique_ptr<RunnerProcess> runner);
    void load_here(const std::filesystem::path &file);
    template <class Invoke>
    CallOutcome run_call(const LoadedModule &module, const char *action, const CallInput &input, Invoke invoke,
                         Collects collects = Collects::nothing, uint32_t usage_limit = 0) const;
    HostServices &services_;
    std::vector<std::unique_ptr<Library>> libraries_;
    std::vector<std::unique_ptr<LoadedModule>> loaded_;
    std::vector<RefusedModule> refused_;
    std::optional<Containment> containment_;
    std::vector<std::unique_ptr<RunnerPool>> pools_;
    std::unique_ptr<DescriptorCache> cache_;
};

}  // namespace provisio
