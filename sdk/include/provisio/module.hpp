// provisio SDK — the C++ layer over abi.h.
//
// A module is an ordinary class plus one macro:
//
//   class Hello {
//   public:
//       static constexpr provisio::ModuleInfo info{"hello", "1.0.0", "Says hello", PROVISIO_CAP_PROVISIONING};
//       static constexpr provisio_option options[] = {provisio::text("greeting", "Greeting", "Hello")};
//       explicit Hello(const provisio::Host &host);
//       provisio::Outcome create(provisio::Call &call);      // any subset of the seven
//   };
//   PROVISIO_MODULE(Hello)
//
// The macro builds the descriptor: a lifecycle pointer is set exactly when the class has the
// method, so "not supported" needs no code. Trampolines are noexcept: an exception leaving a
// method becomes an error outcome carrying its what() text; one leaving the constructor refuses
// the module with that text in the host's log. Nothing here allocates across the boundary.
//
// Custom actions (ABI 1.5), the module's own buttons, are a static list and one method that
// tells them apart by call.action():
//
//   static constexpr provisio_custom_action custom_actions[] = {
//       provisio::operator_action("resync", "Resync the account"),
//       provisio::client_action("reboot_phone", "Reboot my phone", "Restarts the registered phone")};
//   provisio::Outcome custom_action(provisio::Call &call);   // call.action() is the name
//
// A payment gateway (ABI 1.6) has `charge` and `parse_webhook`, and may have `start_checkout`
// and `refund`, each `provisio::PaymentOutcome NAME(provisio::Call &, const provisio::PaymentRequest &)`;
// the macro then sets PROVISIO_CAP_GATEWAY. An answer from the gateway (a decline too) is
// PaymentOutcome::answer(result); no known answer is retryable; a request that cannot succeed
// is a failure.
//
// Built with PROVISIO_ABI_TARGET_MINOR (abi.h) set to an older minor, the descriptor reports
// that minor, a method for a hook the minor lacks fails to compile, and the Call methods that
// use a later host function (post_credit, add_usage, set_usage_cursor, tcp_exchange) check the
// host's minor at run time: on an older host they throw, or tcp_exchange returns an error.
#pragma once

#include <provisio/abi.h>

#include <chrono>
#include <concepts>
#include <cstring>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <iterator>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace provisio {

enum class Status : int32_t { ok = PROVISIO_OK, error = PROVISIO_ERROR, retryable = PROVISIO_RETRYABLE };

// What a lifecycle method returns.
struct Outcome {
    Status status = Status::ok;
    std::string message;

    static Outcome success(std::string msg = {}) { return {Status::ok, std::move(msg)}; }
    static Outcome failure(std::string msg) { return {Status::error, std::move(msg)}; }
    static Outcome retry(std::string msg) { return {Status::retryable, std::move(msg)}; }
};

struct ModuleInfo {
    const char *name;
    const char *version;
    const char *description;
    uint64_t capabilities;
};

inline provisio_str to_str(std::string_view s) { return {s.data(), s.size()}; }
inline std::string_view to_view(provisio_str s) {
    return s.data ? std::string_view(s.data, static_cast<size_t>(s.size)) : std::string_view();
}

// ---- Option schema builders (constexpr, so a module's schema is static data) -------------

constexpr provisio_option option(const char *key, const char *label, provisio_option_type type,
                                 const char *default_value = "", const char *description = nullptr,
                                 uint32_t flags = 0, provisio_option_scope scope = PROVISIO_SCOPE_PRODUCT) {
    return provisio_option{key, label, static_cast<uint32_t>(type), static_cast<uint32_t>(scope), flags, 0,
                           nullptr, default_value, description};
}
constexpr provisio_option text(const char *key, const char *label, const char *default_value = "",
                               const char *description = nullptr, uint32_t flags = 0) {
    return option(key, label, PROVISIO_OPTION_TEXT, default_value, description, flags);
}
constexpr provisio_option password(const char *key, const char *label, const char *description = nullptr,
                                   uint32_t flags = 0) {
    return option(key, label, PROVISIO_OPTION_PASSWORD, "", description, flags);
}
constexpr provisio_option yesno(const char *key, const char *label, bool default_value,
                                const char *description = nullptr) {
    return option(key, label, PROVISIO_OPTION_YESNO, default_value ? "yes" : "no", description);
}
constexpr provisio_option number(const char *key, const char *label, const char *default_value = "",
                                 const char *description = nullptr, uint32_t flags = 0) {
    return option(key, label, PROVISIO_OPTION_NUMBER, default_value, description, flags);
}
constexpr provisio_option textarea(const char *key, const char *label, const char *description = nullptr) {
    return option(key, label, PROVISIO_OPTION_TEXTAREA, "", description);
}
template <size_t N>
constexpr provisio_option dropdown(const char *key, const char *label, const char *const (&choices)[N],
                                   const char *default_value, const char *description = nullptr) {
    provisio_option o = option(key, label, PROVISIO_OPTION_DROPDOWN, default_value, description);
    o.choices = choices;
    o.choice_count = static_cast<uint32_t>(N);
    return o;
}
// The same option on the server record instead of the product.
constexpr provisio_option on_server(provisio_option o) {
    o.scope = PROVISIO_SCOPE_SERVER;
    return o;
}

// ---- Custom actions (ABI 1.5) ------------------------------------------------------------

// An action only operators may run (`provisio service call`, the API).
constexpr provisio_custom_action operator_action(const char *name, const char *label, const char *description = nullptr) {
    return provisio_custom_action{name, label, 0, 0, description};
}
// An action the service's client may also run, as a button in the client area.
constexpr provisio_custom_action client_action(const char *name, const char *label, const char *description = nullptr) {
    return provisio_custom_action{name, label, PROVISIO_ACTION_CLIENT, 0, description};
}

// ---- Host services -------------------------------------------------------------------------

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::chrono::milliseconds timeout{0};  // 0: the host's default
};

struct HttpResponse {
    Status transport = Status::ok;  // ok when a response arrived, whatever its HTTP status
    int status = 0;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    std::string error;

    // The header's value, or empty; `name` must be lower case.
    std::string header(const std::string &name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

// A plain-TCP exchange's result (ABI 1.4): what the peer sent before closing.
struct TcpResponse {
    Status transport = Status::ok;
    std::string data;
    std::string error;
};

namespace detail {
inline std::vector<provisio_kv> to_kvs(const std::vector<std::pair<std::string, std::string>> &pairs) {
    std::vector<provisio_kv> kvs;
    kvs.reserve(pairs.size());
    for (const auto &[k, v] : pairs) kvs.push_back({to_str(k), to_str(v)});
    return kvs;
}
inline std::optional<std::string_view> find(provisio_kv_list list, std::string_view key) {
    for (uint32_t i = 0; i < list.count; ++i)
        if (to_view(list.items[i].key) == key) return to_view(list.items[i].value);
    return std::nullopt;
}
}  // namespace detail

// The host as a module sees it outside a call (constructor, logging).
class Host {
public:
    explicit Host(const provisio_host *host) : host_(host) {}
    const provisio_host *raw() const { return host_; }
    void log(provisio_log_level level, std::string_view message) const {
        host_->log(nullptr, level, to_str(message));
    }
    std::chrono::system_clock::time_point now() const {
        return std::chrono::system_clock::time_point(std::chrono::microseconds(host_->now_us(nullptr)));
    }

private:
    const provisio_host *host_;
};

// One lifecycle call: what the host says about the service, and the host's per-call services.
class Call {
public:
    Call(const provisio_host *host, const provisio_call *call) : host_(host), call_(call) {}

    uint64_t service_id() const { return call_->service_id; }
    std::string_view action() const { return to_view(call_->action); }
    std::string_view reason() const { return to_view(call_->reason); }

    // Lookups return the fallback when the key is absent.
    std::string_view setting(std::string_view key, std::string_view fallback = {}) const {
        return detail::find(call_->settings, key).value_or(fallback);
    }
    std::string_view service(std::string_view key, std::string_view fallback = {}) const {
        return detail::find(call_->service, key).value_or(fallback);
    }
    std::string_view custom_field(std::string_view key, std::string_view fallback = {}) const {
        return detail::find(call_->custom_fields, key).value_or(fallback);
    }
    std::string_view server(std::string_view key, std::string_view fallback = {}) const {
        return detail::find(call_->server, key).value_or(fallback);
    }
    std::optional<std::string> state(std::string_view key) const {
        provisio_str value{};
        if (!host_->state_get(call_, to_str(key), &value)) return std::nullopt;
        return std::string(to_view(value));
    }
    void set_state(std::string_view key, std::string_view value) const {
        host_->state_set(call_, to_str(key), to_str(value));
    }
    void erase_state(std::string_view key) const { host_->state_erase(call_, to_str(key)); }

    void log(provisio_log_level level, std::string_view message) const { host_->log(call_, level, to_str(message)); }
    void log_call(std::string_view action, std::string_view request, std::string_view response,
                  std::initializer_list<std::string_view> scrub = {}) const {
        std::vector<provisio_str> s;
        for (auto v : scrub) s.push_back(to_str(v));
        host_->log_call(call_, to_str(action), to_str(request), to_str(response), s.data(),
                        static_cast<uint32_t>(s.size()));
    }
    std::chrono::system_clock::time_point now() const {
        return std::chrono::system_clock::time_point(std::chrono::microseconds(host_->now_us(call_)));
    }

    // Inside generate_credits: one time-credit entry to post (hours as exact decimal text).
    void post_credit(std::string_view kind, std::string_view hours, std::string_view description) const {
        if (host_->abi_minor < 2 || !host_->post_credit) throw std::runtime_error("this host cannot post credits (ABI < 1.2)");
        provisio_credit_entry e{};
        e.struct_size = sizeof e;
        e.kind = to_str(kind);
        e.hours = to_str(hours);
        e.description = to_str(description);
        host_->post_credit(call_, &e);
    }

    // Inside collect_usage (ABI 1.3): one call detail record, and where the next collection
    // starts (must not sort before the previous cursor).
    void add_usage(const struct UsageRecord &record) const;
    void set_usage_cursor(std::string_view cursor) const {
        if (host_->abi_minor < 3 || !host_->set_usage_cursor) throw std::runtime_error("this host cannot collect usage (ABI < 1.3)");
        host_->set_usage_cursor(call_, to_str(cursor));
    }

    HttpResponse http(const HttpRequest &request) const {
        auto headers = detail::to_kvs(request.headers);
        provisio_http_request req{};
        req.struct_size = sizeof req;
        req.timeout_ms = static_cast<uint32_t>(request.timeout.count());
        req.method = to_str(request.method);
        req.url = to_str(request.url);
        req.headers = {headers.data(), static_cast<uint32_t>(headers.size())};
        req.body = to_str(request.body);
        provisio_http_response resp{};
        resp.struct_size = sizeof resp;
        HttpResponse out;
        out.transport = static_cast<Status>(host_->http_request(call_, &req, &resp));
        out.status = resp.status;
        for (uint32_t i = 0; i < resp.headers.count; ++i)
            out.headers.emplace(std::string(to_view(resp.headers.items[i].key)),
                                std::string(to_view(resp.headers.items[i].value)));
        out.body = std::string(to_view(resp.body));
        out.error = std::string(to_view(resp.error));
        return out;
    }

    // ABI 1.4: connect, send `payload`, read until the peer closes (see provisio_tcp_request).
    TcpResponse tcp_exchange(std::string_view host, uint16_t port, std::string_view payload,
                             std::chrono::milliseconds timeout = std::chrono::milliseconds(0)) const {
        if (host_->abi_minor < 4 || !host_->tcp_exchange) return {Status::error, {}, "this host has no TCP exchange (ABI < 1.4)"};
        provisio_tcp_request req{};
        req.struct_size = sizeof req;
        req.timeout_ms = static_cast<uint32_t>(timeout.count());
        req.host = to_str(host);
        req.port = port;
        req.payload = to_str(payload);
        provisio_tcp_response resp{};
        resp.struct_size = sizeof resp;
        TcpResponse out;
        out.transport = static_cast<Status>(host_->tcp_exchange(call_, &req, &resp));
        out.data = std::string(to_view(resp.data));
        out.error = std::string(to_view(resp.error));
        return out;
    }

    const provisio_call *raw() const { return call_; }

private:
    const provisio_host *host_;
    const provisio_call *call_;
};

// An invoice event as a module sees it (ABI 1.1).
struct InvoiceLine {
    std::string description;
    std::string amount;     // exact decimal text
    std::string item_type;  // service, addon, prorata, upgrade, latefee, manual
    uint64_t item_id = 0;
    std::string due_date;
};
struct InvoiceEvent {
    enum Kind { created = PROVISIO_EVENT_INVOICE_CREATED, paid = PROVISIO_EVENT_INVOICE_PAID };
    Kind kind = created;
    uint64_t invoice_id = 0;
    std::string status, invoice_date, due_date, total, currency;
    std::vector<InvoiceLine> lines;
};

// A service's time-credit schedule and one cycle to compute (ABI 1.2).
struct CreditSchedule {
    provisio_credit_trigger trigger = PROVISIO_CREDIT_NONE;
    uint32_t offset = 0;
    bool also_on_paid = false;
};
struct CreditCycle {
    provisio_credit_trigger trigger = PROVISIO_CREDIT_NONE;
    std::string period, period_date, price, billing_cycle, balance;
    std::optional<InvoiceEvent> invoice;
};

// One call detail record for add_usage, and what the host asks for (ABI 1.3). Times are
// ISO 8601 with 'Z' or an offset.
struct UsageRecord {
    std::string id, direction, caller, destination_number, caller_destination, start, answer, end, hangup_cause;
    int64_t duration = 0, billsec = 0;
};
struct UsageRequest {
    std::string cursor;  // empty the first time
    std::string since;   // the first time: calls from this instant on
    uint32_t max_records = 0;
};

inline void Call::add_usage(const UsageRecord &r) const {
    if (host_->abi_minor < 3 || !host_->add_usage) throw std::runtime_error("this host cannot collect usage (ABI < 1.3)");
    provisio_usage_record u{};
    u.struct_size = sizeof u;
    u.id = to_str(r.id);
    u.direction = to_str(r.direction);
    u.caller = to_str(r.caller);
    u.destination_number = to_str(r.destination_number);
    u.caller_destination = to_str(r.caller_destination);
    u.start = to_str(r.start);
    u.answer = to_str(r.answer);
    u.end = to_str(r.end);
    u.duration = r.duration;
    u.billsec = r.billsec;
    u.hangup_cause = to_str(r.hangup_cause);
    host_->add_usage(call_, &u);
}

// What the host asks a payment gateway (ABI 1.6); see provisio_payment_request.
struct PaymentRequest {
    int64_t amount_minor = 0;
    std::string currency, idempotency_key, reference, description, customer, payment_method, payment, email, return_url, cancel_url;
    bool save_method = false;
    std::map<std::string, std::string> headers;  // webhook: names lower-cased
    std::string body;                            // webhook
    // A webhook header's value, or empty; `name` must be lower case.
    std::string header(const std::string &name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

// What the gateway answered; see provisio_payment_result.
struct PaymentResult {
    provisio_payment_state state = PROVISIO_PAYMENT_NONE;
    std::string id, payment, url, reference;
    int64_t amount_minor = 0;
    std::string currency, customer, payment_method, method_label, failure, event_id, event_type;
};

// What a gateway method returns: an answer (status ok, with its result), or no answer.
struct PaymentOutcome {
    Status status = Status::ok;
    std::string message;
    PaymentResult result;

    static PaymentOutcome answer(PaymentResult r, std::string msg = {}) { return {Status::ok, std::move(msg), std::move(r)}; }
    static PaymentOutcome failure(std::string msg) { return {Status::error, std::move(msg), {}}; }
    static PaymentOutcome retry(std::string msg) { return {Status::retryable, std::move(msg), {}}; }
};

namespace detail {

inline PaymentRequest to_payment_request(const provisio_payment_request &r) {
    PaymentRequest out;
    out.amount_minor = r.amount_minor;
    out.currency = std::string(to_view(r.currency));
    out.idempotency_key = std::string(to_view(r.idempotency_key));
    out.reference = std::string(to_view(r.reference));
    out.description = std::string(to_view(r.description));
    out.customer = std::string(to_view(r.customer));
    out.payment_method = std::string(to_view(r.payment_method));
    out.payment = std::string(to_view(r.payment));
    out.email = std::string(to_view(r.email));
    out.return_url = std::string(to_view(r.return_url));
    out.cancel_url = std::string(to_view(r.cancel_url));
    out.save_method = r.save_method != 0;
    for (uint32_t i = 0; i < r.headers.count; ++i)
        out.headers.emplace(std::string(to_view(r.headers.items[i].key)), std::string(to_view(r.headers.items[i].value)));
    out.body = std::string(to_view(r.body));
    return out;
}

inline void set_payment_result(const provisio_host *host, const provisio_call *call, const PaymentResult &r) {
    if (host->abi_minor < 6 || !host->set_payment_result) throw std::runtime_error("this host has no payment gateways (ABI < 1.6)");
    provisio_payment_result out{};
    out.struct_size = sizeof out;
    out.state = static_cast<uint32_t>(r.state);
    out.id = to_str(r.id);
    out.payment = to_str(r.payment);
    out.url = to_str(r.url);
    out.reference = to_str(r.reference);
    out.amount_minor = r.amount_minor;
    out.currency = to_str(r.currency);
    out.customer = to_str(r.customer);
    out.payment_method = to_str(r.payment_method);
    out.method_label = to_str(r.method_label);
    out.failure = to_str(r.failure);
    out.event_id = to_str(r.event_id);
    out.event_type = to_str(r.event_type);
    host->set_payment_result(call, &out);
}

inline InvoiceEvent to_event(const provisio_invoice_event &e) {
    InvoiceEvent out;
    out.kind = static_cast<InvoiceEvent::Kind>(e.kind);
    out.invoice_id = e.invoice_id;
    out.status = std::string(to_view(e.status));
    out.invoice_date = std::string(to_view(e.invoice_date));
    out.due_date = std::string(to_view(e.due_date));
    out.total = std::string(to_view(e.total));
    out.currency = std::string(to_view(e.currency));
    const auto *base = reinterpret_cast<const unsigned char *>(e.lines);
    for (uint32_t i = 0; i < e.line_count; ++i) {
        provisio_invoice_line l{};
        std::memcpy(&l, base + static_cast<size_t>(i) * e.line_struct_size,
                    e.line_struct_size < sizeof l ? e.line_struct_size : sizeof l);
        out.lines.push_back({std::string(to_view(l.description)), std::string(to_view(l.amount)),
                             std::string(to_view(l.item_type)), l.item_id, std::string(to_view(l.due_date))});
    }
    return out;
}

// True when the module targets ABI 1.`minor` or later (PROVISIO_ABI_TARGET_MINOR); dependent
// on M so a hook's check fires only for a class that has the hook.
template <class M>
constexpr bool targets(uint32_t minor) {
    return PROVISIO_ABI_TARGET_MINOR >= minor;
}

template <class M>
struct Adapter {
    static inline const provisio_host *host = nullptr;

    static int32_t init(const provisio_host *h, void **instance) noexcept {
        host = h;
        try {
            *instance = new M(Host(h));
            return PROVISIO_OK;
        } catch (const std::exception &e) {
            h->log(nullptr, PROVISIO_LOG_ERROR, to_str(std::string("module init failed: ") + e.what()));
        } catch (...) {
            h->log(nullptr, PROVISIO_LOG_ERROR, to_str("module init failed: unknown exception"));
        }
        return PROVISIO_ERROR;
    }
    static void fini(void *instance) noexcept { delete static_cast<M *>(instance); }

    template <Outcome (M::*Method)(Call &)>
    static int32_t lifecycle(void *instance, const provisio_call *raw) noexcept {
        Call call(host, raw);
        return guarded(raw, [&] { return (static_cast<M *>(instance)->*Method)(call); });
    }

    static int32_t invoice_event(void *instance, const provisio_call *raw, const provisio_invoice_event *event) noexcept {
        Call call(host, raw);
        return guarded(raw, [&] { return static_cast<M *>(instance)->invoice_event(call, to_event(*event)); });
    }

    template <class Body>
    static int32_t guarded(const provisio_call *raw, Body body) noexcept {
        Outcome outcome;
        try {
            outcome = body();
        } catch (const std::exception &e) {
            outcome = Outcome::failure(std::string("module exception: ") + e.what());
        } catch (...) {
            outcome = Outcome::failure("module exception of unknown type");
        }
        if (!outcome.message.empty()) host->set_message(raw, to_str(outcome.message));
        return static_cast<int32_t>(outcome.status);
    }

    static int32_t validate_settings(void *instance, const provisio_call *raw) noexcept {
        Call call(host, raw);
        return guarded(raw, [&] { return static_cast<M *>(instance)->validate_settings(call); });
    }
    static int32_t credit_schedule(void *instance, const provisio_call *raw, provisio_credit_schedule *out) noexcept {
        Call call(host, raw);
        return guarded(raw, [&] {
            const CreditSchedule s = static_cast<M *>(instance)->credit_schedule(call);
            out->trigger = static_cast<uint32_t>(s.trigger);
            out->offset = s.offset;
            out->also_on_paid = s.also_on_paid ? 1 : 0;
            return Outcome::success();
        });
    }
    static int32_t generate_credits(void *instance, const provisio_call *raw, const provisio_credit_cycle *c) noexcept {
        Call call(host, raw);
        return guarded(raw, [&] {
            CreditCycle cycle;
            cycle.trigger = static_cast<provisio_credit_trigger>(c->trigger);
            cycle.period = std::string(to_view(c->period));
            cycle.period_date = std::string(to_view(c->period_date));
            cycle.price = std::string(to_view(c->price));
            cycle.billing_cycle = std::string(to_view(c->billing_cycle));
            cycle.balance = std::string(to_view(c->balance));
            if (c->invoice) cycle.invoice = to_event(*c->invoice);
            return static_cast<M *>(instance)->generate_credits(call, cycle);
        });
    }

    static int32_t collect_usage(void *instance, const provisio_call *raw, const provisio_usage_request *r) noexcept {
        Call call(host, raw);
        return guarded(raw, [&] {
            UsageRequest request{std::string(to_view(r->cursor)), std::string(to_view(r->since)), r->max_records};
            return static_cast<M *>(instance)->collect_usage(call, request);
        });
    }

    static int32_t custom_action(void *instance, const provisio_call *raw) noexcept {
        Call call(host, raw);
        return guarded(raw, [&] { return static_cast<M *>(instance)->custom_action(call); });
    }

    template <PaymentOutcome (M::*Method)(Call &, const PaymentRequest &)>
    static int32_t payment(void *instance, const provisio_call *raw, const provisio_payment_request *r) noexcept {
        Call call(host, raw);
        return guarded(raw, [&] {
            PaymentOutcome p = (static_cast<M *>(instance)->*Method)(call, to_payment_request(*r));
            if (p.status == Status::ok) set_payment_result(host, raw, p.result);
            return Outcome{p.status, std::move(p.message)};
        });
    }

    static constexpr bool has_gateway() { return requires { &M::charge; } || requires { &M::parse_webhook; }; }
    static constexpr bool has_extensions() { return has_gateway() || requires { M::custom_actions; }; }

    static const provisio_module_descriptor *descriptor() noexcept {
        static const provisio_module_descriptor d = [] {
            provisio_module_descriptor x{};
            x.struct_size = sizeof x;
            x.abi_major = PROVISIO_ABI_MAJOR;
            x.abi_minor = PROVISIO_ABI_TARGET_MINOR;  // the oldest host it loads in
            x.option_struct_size = sizeof(provisio_option);
            x.name = M::info.name;
            x.version = M::info.version;
            x.description = M::info.description;
            x.capabilities = M::info.capabilities;
            if constexpr (requires { M::options; }) {
                x.options = M::options;
                x.option_count = static_cast<uint32_t>(std::size(M::options));
            }
            x.init = &init;
            x.fini = &fini;
            if constexpr (requires { &M::create; }) x.create = &lifecycle<&M::create>;
            if constexpr (requires { &M::suspend; }) x.suspend = &lifecycle<&M::suspend>;
            if constexpr (requires { &M::unsuspend; }) x.unsuspend = &lifecycle<&M::unsuspend>;
            if constexpr (requires { &M::terminate; }) x.terminate = &lifecycle<&M::terminate>;
            if constexpr (requires { &M::change_package; }) x.change_package = &lifecycle<&M::change_package>;
            if constexpr (requires { &M::change_password; }) x.change_password = &lifecycle<&M::change_password>;
            if constexpr (requires { &M::test_connection; }) x.test_connection = &lifecycle<&M::test_connection>;
            if constexpr (requires { &M::invoice_event; }) {
                static_assert(targets<M>(1), "invoice_event needs ABI 1.1: raise PROVISIO_ABI_TARGET_MINOR or drop the method");
                x.invoice_event = &invoice_event;
                x.capabilities |= PROVISIO_CAP_INVOICE_EVENTS;
            }
            if constexpr (requires { &M::validate_settings; }) {
                static_assert(targets<M>(2), "validate_settings needs ABI 1.2: raise PROVISIO_ABI_TARGET_MINOR or drop the method");
                x.validate_settings = &validate_settings;
            }
            if constexpr (requires { &M::generate_credits; }) {
                static_assert(targets<M>(2), "generate_credits needs ABI 1.2: raise PROVISIO_ABI_TARGET_MINOR or drop the method");
                x.credit_schedule = &credit_schedule;
                x.generate_credits = &generate_credits;
                x.capabilities |= PROVISIO_CAP_CREDIT_GENERATION;
            }
            if constexpr (requires { &M::collect_usage; }) {
                static_assert(targets<M>(3), "collect_usage needs ABI 1.3: raise PROVISIO_ABI_TARGET_MINOR or drop the method");
                x.collect_usage = &collect_usage;
                x.capabilities |= PROVISIO_CAP_USAGE;
            }
            if constexpr (requires { M::custom_actions; }) {
                static_assert(targets<M>(5), "custom actions need ABI 1.5: raise PROVISIO_ABI_TARGET_MINOR or drop them");
                static_assert(requires(M &m, Call &c) { { m.custom_action(c) } -> std::same_as<Outcome>; },
                              "a module with custom_actions needs `Outcome custom_action(provisio::Call &)`");
            }
            if constexpr (has_gateway()) {
                static_assert(targets<M>(6), "payment gateways need ABI 1.6: raise PROVISIO_ABI_TARGET_MINOR or drop the methods");
                static_assert(requires { &M::charge; } && requires { &M::parse_webhook; },
                              "a payment gateway needs both `charge` and `parse_webhook`");
                x.capabilities |= PROVISIO_CAP_GATEWAY;
            }
            if constexpr (has_extensions()) {
                static const provisio_module_extensions extensions = [] {
                    provisio_module_extensions e{};
                    e.struct_size = sizeof e;
                    e.custom_action_struct_size = sizeof(provisio_custom_action);
                    if constexpr (requires { M::custom_actions; }) {
                        e.custom_actions = M::custom_actions;
                        e.custom_action_count = static_cast<uint32_t>(std::size(M::custom_actions));
                        e.call_custom_action = &custom_action;
                    }
                    if constexpr (has_gateway()) {
                        e.charge = &payment<&M::charge>;
                        e.parse_webhook = &payment<&M::parse_webhook>;
                        if constexpr (requires { &M::start_checkout; }) e.start_checkout = &payment<&M::start_checkout>;
                        if constexpr (requires { &M::refund; }) e.refund = &payment<&M::refund>;
                    }
                    return e;
                }();
                x.extensions = &extensions;
            }
            return x;
        }();
        return &d;
    }
};

}  // namespace detail
}  // namespace provisio

// Declares `Class` as this shared library's module. Use once per module, at namespace scope.
#define PROVISIO_MODULE(Class)                                                            \
    extern "C" const provisio_module_descriptor *provisio_sdk_entry() noexcept {          \
        return ::provisio::detail::Adapter<Class>::descriptor();                          \
    }                                                                                     \
    PROVISIO_MODULE_ENTRY(provisio_sdk_entry)
