// provisio SDK — a fake host for a module's unit tests.
//
// It implements every host service in memory: a recording logger, a settable clock, scripted
// HTTP replies (and a record of each request), per-service state, and a module-call log. It
// drives a module through its real descriptor, so the tests exercise the same trampolines and
// option schema the host will. No core, database or network is needed.
//
//   provisio::testing::FakeHost host;
//   host.load(provisio::testing::linked_module());   // the module linked into this test
//   host.reply(200, R"({"ok":true})");
//   auto result = host.call("create", {.settings = {{"greeting", "hi"}}});
//   CHECK(result.status == provisio::Status::ok);
//
// What a call receives and what is recorded follow the real host's rules, with the host's own
// code for them (provisio/option_values.hpp, provisio/scrub.hpp):
//  - `settings` are the product's values: each is checked against the module's schema and
//    normalised ("on" reads "yes"), then overlaid on the schema's defaults, and a REQUIRED
//    option left empty refuses the call — so the module sees what the host would hand it.
//    A server's test_connection (service_id 0) gets the defaults alone, as `provisio server
//    test` does. `server` holds the record's fields plus SERVER-scope option values, which get
//    the same treatment when the call has a server (a non-empty `server`).
//  - The call's secrets — the service password, the server's password and access hash, and
//    every PASSWORD option's value — are masked in `calls`, `logs` and the outcome message in
//    every encoding the host recognises, plus the values the module passes to log_call.
//  A setting the schema does not know, or a value it refuses, throws std::invalid_argument
//  with the message the host would print.
//
// FakeHost(minor) plays an older 1.x host: its table ends where that minor's ended, and a
// module built for a newer minor is refused as the host refuses it — to test a module built
// with PROVISIO_ABI_TARGET_MINOR against the hosts it targets.
//
// Not thread-safe: one test, one fake host.
#pragma once

#include <provisio/abi.h>
#include <provisio/module.hpp>
#include <provisio/option_values.hpp>
#include <provisio/scrub.hpp>

#include <cstddef>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

extern "C" const void *provisio_module_entry;  // defined by PROVISIO_MODULE in the module under test

namespace provisio::testing {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// The descriptor of the module linked into the test executable.
inline const provisio_module_descriptor *linked_module() {
    return reinterpret_cast<provisio_entry_fn>(const_cast<void *>(provisio_module_entry))();
}

// What a test passes for one call.
struct CallInput {
    uint64_t service_id = 1;
    Pairs settings;
    Pairs service;
    Pairs custom_fields;
    Pairs server;
    std::string reason;
};

struct CallResult {
    Status status = Status::ok;
    std::string message;
};

struct LogLine {
    int32_t level;
    std::string text;
};

struct LoggedCall {
    std::string action, request, response;
};

struct ScriptedReply {
    int32_t transport = PROVISIO_OK;  // PROVISIO_RETRYABLE simulates a timeout
    int status = 200;
    Pairs headers;
    std::string body;
    std::string error;
};

// One plain-TCP exchange the module made (ABI 1.4), and what the fake host answered.
struct TcpExchange {
    std::string host;
    uint32_t port = 0;
    std::string payload;
};
struct ScriptedTcpReply {
    int32_t transport = PROVISIO_OK;
    std::string data;
    std::string error;
};

class FakeHost {
public:
    // A host speaking ABI 1.`abi_minor` (default: this SDK's): its table ends where that
    // minor's did, and functions later minors added are absent.
    explicit FakeHost(uint32_t abi_minor = PROVISIO_ABI_MINOR) {
        if (abi_minor > PROVISIO_ABI_MINOR)
            throw std::invalid_argument("this SDK knows ABI 1." + std::to_string(PROVISIO_ABI_MINOR) + ", not 1." +
                                        std::to_string(abi_minor));
        host_.abi_major = PROVISIO_ABI_MAJOR;
        host_.abi_minor = abi_minor;
        host_.host_version = to_str("fake");
        host_.log = &log_fn;
        host_.now_us = &now_fn;
        host_.http_request = &http_fn;
        host_.log_call = &log_call_fn;
        host_.state_get = &state_get_fn;
        host_.state_set = &state_set_fn;
        host_.state_erase = &state_erase_fn;
        host_.set_message = &set_message_fn;
        host_.struct_size = offsetof(provisio_host, post_credit);  // ABI 1.0 and 1.1
        if (abi_minor >= 2) {
            host_.post_credit = &post_credit_fn;
            host_.struct_size = offsetof(provisio_host, add_usage);
        }
        if (abi_minor >= 3) {
            host_.add_usage = &add_usage_fn;
            host_.set_usage_cursor = &set_usage_cursor_fn;
            host_.struct_size = offsetof(provisio_host, tcp_exchange);
        }
        if (abi_minor >= 4) {
            host_.tcp_exchange = &tcp_fn;
            host_.struct_size = offsetof(provisio_host, set_payment_result);
        }
        if (abi_minor >= 6) {
            host_.set_payment_result = &set_payment_result_fn;
            host_.struct_size = sizeof host_;
        }
        current() = this;
    }
    ~FakeHost() {
        if (loaded_ && module_.fini) module_.fini(instance_);
        current() = nullptr;
    }
    FakeHost(const FakeHost &) = delete;
    FakeHost &operator=(const FakeHost &) = delete;

    // Reads the descriptor as the host does (a module built for another major or a newer minor
    // is refused; hooks its minor did not define are ignored) and initialises the module.
    // Throws std::runtime_error when the host would refuse it or its init fails.
    void load(const provisio_module_descriptor *module) {
        if (!module) throw std::runtime_error("the entry point returned no descriptor");
        if (module->abi_major != PROVISIO_ABI_MAJOR)
            throw std::runtime_error("module built for ABI " + std::to_string(module->abi_major) + ", this host speaks ABI " +
                                     std::to_string(PROVISIO_ABI_MAJOR));
        if (module->abi_minor > host_.abi_minor)
            throw std::runtime_error("module built for ABI 1." + std::to_string(module->abi_minor) + ", newer than this host's 1." +
                                     std::to_string(host_.abi_minor) + "; upgrade provisio");
        module_ = provisio_module_descriptor{};
        std::memcpy(&module_, module, module->struct_size < sizeof module_ ? module->struct_size : sizeof module_);
        if (module_.abi_minor < 1) module_.invoice_event = nullptr;
        if (module_.abi_minor < 2) module_.validate_settings = nullptr, module_.credit_schedule = nullptr, module_.generate_credits = nullptr;
        if (module_.abi_minor < 3) module_.collect_usage = nullptr;
        read_custom_actions(module_.abi_minor >= 5 ? module_.extensions : nullptr);
        read_gateway(module_.abi_minor >= 6 ? module_.extensions : nullptr);
        module_.extensions = nullptr;
        read_schema(*module);
        if (module_.init && module_.init(&host_, &instance_) != PROVISIO_OK) throw std::runtime_error("module init failed");
        loaded_ = true;
    }

    // The host's table as the module sees it.
    const provisio_host *host_table() const { return &host_; }

    // Runs one lifecycle function by its action name ("create", "suspend", ...).
    CallResult call(const std::string &action, const CallInput &in) {
        provisio_lifecycle_fn fn = lifecycle(action);
        if (!fn) throw std::invalid_argument("module does not implement " + action);
        return with_call(action, in, [&](const provisio_call &c) { return fn(instance_, &c); });
    }

    // ABI 1.6: one payment gateway function by its action name ("charge", "checkout", "refund",
    // "webhook"); on ok, `payment_result` holds what the module reported. The gateway account's
    // fields and options go in `in.server`; service_id is 0 as the host passes it.
    CallResult payment(const std::string &action, const PaymentRequest &request, CallInput in = {}) {
        provisio_payment_fn fn = action == "charge" ? gateway_.charge
                                 : action == "checkout" ? gateway_.start_checkout
                                 : action == "refund" ? gateway_.refund
                                 : action == "webhook" ? gateway_.parse_webhook : nullptr;
        if (!fn) throw std::invalid_argument("module has no payment function for '" + action + "'");
        in.service_id = 0;
        std::vector<provisio_kv> headers;
        for (const auto &[k, v] : request.headers) headers.push_back({to_str(k), to_str(v)});
        provisio_payment_request r{};
        r.struct_size = sizeof r;
        r.amount_minor = request.amount_minor;
        r.currency = to_str(request.currency);
        r.idempotency_key = to_str(request.idempotency_key);
        r.reference = to_str(request.reference);
        r.description = to_str(request.description);
        r.customer = to_str(request.customer);
        r.payment_method = to_str(request.payment_method);
        r.payment = to_str(request.payment);
        r.email = to_str(request.email);
        r.return_url = to_str(request.return_url);
        r.cancel_url = to_str(request.cancel_url);
        r.save_method = request.save_method ? 1 : 0;
        r.headers = {headers.data(), static_cast<uint32_t>(headers.size())};
        r.body = to_str(request.body);
        payment_result.reset();
        return with_call(action, in, [&](const provisio_call &c) { return fn(instance_, &c, &r); });
    }
    std::optional<PaymentResult> payment_result;
    bool is_gateway() const { return gateway_.charge != nullptr; }

    // ABI 1.5: the custom actions the module declares, and one run by its name.
    struct CustomAction {
        std::string name, label, description;
        bool client_visible = false;
    };
    const std::vector<CustomAction> &custom_actions() const { return custom_actions_; }
    CallResult custom(const std::string &name, const CallInput &in) {
        bool declared = false;
        for (const auto &a : custom_actions_) declared = declared || a.name == name;
        if (!declared) throw std::invalid_argument("module has no custom action '" + name + "'");
        return with_call(name, in, [&](const provisio_call &c) { return call_custom_(instance_, &c); });
    }

private:
    struct GatewayFunctions {
        provisio_payment_fn charge = nullptr, start_checkout = nullptr, refund = nullptr, parse_webhook = nullptr;
    } gateway_;
    void read_gateway(const provisio_module_extensions *e) {
        gateway_ = {};
        if (!e || !(module_.capabilities & PROVISIO_CAP_GATEWAY)) return;
        provisio_module_extensions x{};
        std::memcpy(&x, e, e->struct_size < sizeof x ? e->struct_size : sizeof x);
        if (!x.charge || !x.parse_webhook)
            throw std::runtime_error("a payment gateway without charge or parse_webhook (run provisio module check)");
        gateway_ = {x.charge, x.start_checkout, x.refund, x.parse_webhook};
    }

    void read_custom_actions(const provisio_module_extensions *e) {
        custom_actions_.clear();
        call_custom_ = nullptr;
        if (!e) return;
        provisio_module_extensions x{};
        std::memcpy(&x, e, e->struct_size < sizeof x ? e->struct_size : sizeof x);
        if (x.custom_action_count && (!x.custom_actions || !x.call_custom_action))
            throw std::runtime_error("custom actions listed without a list or a call_custom_action (run provisio module check)");
        const auto *base = reinterpret_cast<const unsigned char *>(x.custom_actions);
        for (uint32_t i = 0; i < x.custom_action_count; ++i) {
            provisio_custom_action a{};
            std::memcpy(&a, base + static_cast<size_t>(i) * x.custom_action_struct_size,
                        x.custom_action_struct_size < sizeof a ? x.custom_action_struct_size : sizeof a);
            if (!a.name || !a.label) throw std::runtime_error("custom action #" + std::to_string(i + 1) + " has no name or label (run provisio module check)");
            custom_actions_.push_back({a.name, a.label, a.description ? a.description : "", (a.flags & PROVISIO_ACTION_CLIENT) != 0});
        }
        call_custom_ = x.call_custom_action;
    }

    // An InvoiceEvent laid out as the ABI passes it; the strings stay in the InvoiceEvent.
    struct RawEvent {
        std::vector<provisio_invoice_line> lines;
        provisio_invoice_event event{};
        explicit RawEvent(const InvoiceEvent &e) {
            for (const auto &l : e.lines)
                lines.push_back({to_str(l.description), to_str(l.amount), to_str(l.item_type), l.item_id, to_str(l.due_date)});
            event.struct_size = sizeof event;
            event.kind = static_cast<uint32_t>(e.kind);
            event.invoice_id = e.invoice_id;
            event.status = to_str(e.status);
            event.invoice_date = to_str(e.invoice_date);
            event.due_date = to_str(e.due_date);
            event.total = to_str(e.total);
            event.currency = to_str(e.currency);
            event.lines = lines.data();
            event.line_count = static_cast<uint32_t>(lines.size());
            event.line_struct_size = sizeof(provisio_invoice_line);
        }
    };

    template <class Invoke>
    CallResult with_call(const std::string &action, const CallInput &in, Invoke invoke) {
        const bool server_test = action == "test_connection" && in.service_id == 0;
        if (server_test && !in.settings.empty())
            throw std::invalid_argument("a server's test_connection (service_id 0) gets the option defaults only, as "
                                        "`provisio server test` gives them; pass no settings");
        const Pairs settings_pairs = server_test ? defaults(PROVISIO_SCOPE_PRODUCT) : effective(PROVISIO_SCOPE_PRODUCT, in.settings);
        const Pairs server_pairs = in.server.empty() ? Pairs{} : server_fields(in.server);
        secrets_ = call_secrets(settings_pairs, in.service, server_pairs);
        std::vector<provisio_kv> settings = kvs(settings_pairs), service = kvs(in.service),
                                 custom = kvs(in.custom_fields), server = kvs(server_pairs);
        Pairs state_pairs(state[in.service_id].begin(), state[in.service_id].end());
        std::vector<provisio_kv> state_kvs = kvs(state_pairs);
        provisio_call c{};
        c.struct_size = sizeof c;
        c.service_id = in.service_id;
        c.action = to_str(action);
        c.settings = list(settings);
        c.service = list(service);
        c.custom_fields = list(custom);
        c.server = list(server);
        c.state = list(state_kvs);
        c.reason = to_str(in.reason);
        message_.clear();
        const int32_t rc = invoke(c);
        secrets_.clear();
        return {static_cast<Status>(rc), message_};
    }

    // ---- The option schema, as the host reads it and applies it --------------------------

    struct Option {
        std::string key;
        std::string label;
        provisio_option_type type = PROVISIO_OPTION_TEXT;
        provisio_option_scope scope = PROVISIO_SCOPE_PRODUCT;
        bool required = false;
        std::vector<std::string> choices;
        std::string default_value;
    };

    void read_schema(const provisio_module_descriptor &d) {
        options_.clear();
        const auto *base = reinterpret_cast<const unsigned char *>(d.options);
        for (uint32_t i = 0; i < d.option_count; ++i) {
            provisio_option o{};
            std::memcpy(&o, base + static_cast<size_t>(i) * d.option_struct_size,
                        d.option_struct_size < sizeof o ? d.option_struct_size : sizeof o);
            if (!o.key) throw std::runtime_error("option #" + std::to_string(i + 1) + " has no key (run provisio module check)");
            Option opt{o.key, o.label ? o.label : "", static_cast<provisio_option_type>(o.type),
                       static_cast<provisio_option_scope>(o.scope), (o.flags & PROVISIO_OPTION_REQUIRED) != 0, {}, {}};
            for (uint32_t k = 0; o.choices && k < o.choice_count; ++k) opt.choices.emplace_back(o.choices[k]);
            if (o.default_value && *o.default_value) {
                std::string why;
                auto v = rules::normalise_option_value(opt.type, opt.choices, o.default_value, why);
                if (!v) throw std::runtime_error("option '" + opt.key + "' default is invalid: it " + why + " (run provisio module check)");
                opt.default_value = *v;
            }
            options_.push_back(std::move(opt));
        }
    }

    const Option *option(const std::string &key) const {
        for (const auto &o : options_)
            if (o.key == key) return &o;
        return nullptr;
    }

    std::string owner() const { return std::string("module ") + (module_.name ? module_.name : "?"); }

    // One value the test gave for an option of `scope`, checked and normalised as the host
    // does when an operator saves it.
    std::string checked_value(provisio_option_scope scope, const std::string &key, const std::string &value) const {
        const Option *o = option(key);
        if (!o || o->scope != scope) {
            std::string known;
            for (const auto &opt : options_)
                if (opt.scope == scope) known += (known.empty() ? "" : ", ") + opt.key;
            throw std::invalid_argument(owner() + " has no " + (scope == PROVISIO_SCOPE_SERVER ? "server " : "") + "option '" +
                                        key + "'" + (known.empty() ? " (it has none)" : " (known: " + known + ")"));
        }
        std::string why;
        auto v = rules::normalise_option_value(o->type, o->choices, value, why);
        if (!v)
            throw std::invalid_argument(owner() + " option '" + key + "' (" + rules::option_type_name(o->type) +
                                        "): " + (o->type == PROVISIO_OPTION_PASSWORD ? "the value" : "'" + value + "'") + " " + why);
        return *v;
    }

    Pairs defaults(provisio_option_scope scope) const {
        std::map<std::string, std::string> out;
        for (const auto &o : options_)
            if (o.scope == scope) out[o.key] = o.default_value;
        return Pairs(out.begin(), out.end());
    }

    // Every option of `scope`: its default overlaid by the given value; a REQUIRED one must not
    // be empty. Sorted by key, as the host hands them over.
    Pairs effective(provisio_option_scope scope, const Pairs &given) const {
        std::map<std::string, std::string> values;
        for (const auto &[k, v] : given) values[k] = checked_value(scope, k, v);
        std::map<std::string, std::string> out;
        for (const auto &o : options_) {
            if (o.scope != scope) continue;
            auto it = values.find(o.key);
            const std::string v = it == values.end() ? o.default_value : it->second;
            if (o.required && v.empty())
                throw std::invalid_argument(owner() + (scope == PROVISIO_SCOPE_SERVER ? " server" : "") + " option '" + o.key +
                                            "' (" + o.label + ") is required but has no value");
            out[o.key] = v;
        }
        return Pairs(out.begin(), out.end());
    }

    // The server as a call sees it: its SERVER-scope options (defaults filled in) and the
    // record's own fields (name, hostname, password, ...), which are not options.
    Pairs server_fields(const Pairs &given) const {
        static const char *const record[] = {"name", "hostname", "ip", "port", "username", "password", "access_hash", "secure"};
        Pairs options, fields;
        for (const auto &kv : given) {
            bool is_record = false;
            for (const char *r : record) is_record = is_record || kv.first == r;
            (is_record ? fields : options).push_back(kv);
        }
        std::map<std::string, std::string> out;
        for (const auto &[k, v] : effective(PROVISIO_SCOPE_SERVER, options)) out[k] = v;
        for (const auto &[k, v] : fields) out[k] = v;
        return Pairs(out.begin(), out.end());
    }

    // What the host masks in this call's recorded text.
    std::vector<std::string> call_secrets(const Pairs &settings, const Pairs &service, const Pairs &server) const {
        std::vector<std::string> out;
        auto add = [&](const std::string &v) {
            if (!v.empty()) out.push_back(v);
        };
        for (const auto &[k, v] : service)
            if (k == "password") add(v);
        for (const auto &[k, v] : server)
            if (k == "password" || k == "access_hash") add(v);
        for (const auto &[k, v] : settings)
            if (const Option *o = option(k); o && o->type == PROVISIO_OPTION_PASSWORD) add(v);
        for (const auto &[k, v] : server)
            if (const Option *o = option(k); o && o->scope == PROVISIO_SCOPE_SERVER && o->type == PROVISIO_OPTION_PASSWORD) add(v);
        return out;
    }

public:

    // Delivers an invoice event for the service in `in` through the module's invoice_event.
    CallResult event(const InvoiceEvent &e, const CallInput &in) {
        if (!module_.invoice_event) throw std::invalid_argument("module does not take invoice events");
        RawEvent raw(e);
        const char *action = e.kind == InvoiceEvent::paid ? "invoice_paid" : "invoice_created";  // as the host names it
        return with_call(action, in, [&](const provisio_call &c) { return module_.invoice_event(instance_, &c, &raw.event); });
    }

    // ABI 1.2: the module's settings check, credit schedule, and one credit cycle (the entries
    // it posts land in `credits`, cleared at each call).
    CallResult validate(const CallInput &in) {
        if (!module_.validate_settings) throw std::invalid_argument("module does not validate settings");
        return with_call("validate_settings", in, [&](const provisio_call &c) { return module_.validate_settings(instance_, &c); });
    }
    provisio_credit_schedule schedule(const CallInput &in) {
        if (!module_.credit_schedule) throw std::invalid_argument("module has no credit schedule");
        provisio_credit_schedule s{};
        s.struct_size = sizeof s;
        const CallResult r = with_call("credit_schedule", in, [&](const provisio_call &c) { return module_.credit_schedule(instance_, &c, &s); });
        if (r.status != Status::ok) throw std::runtime_error("credit_schedule failed: " + r.message);
        return s;
    }
    CallResult generate(const CreditCycle &cycle, const CallInput &in) {
        if (!module_.generate_credits) throw std::invalid_argument("module does not generate credits");
        provisio_credit_cycle c{};
        c.struct_size = sizeof c;
        c.trigger = static_cast<uint32_t>(cycle.trigger);
        c.period = to_str(cycle.period);
        c.period_date = to_str(cycle.period_date);
        c.price = to_str(cycle.price);
        c.billing_cycle = to_str(cycle.billing_cycle);
        c.balance = to_str(cycle.balance);
        std::optional<RawEvent> raw;
        if (cycle.invoice) {
            raw.emplace(*cycle.invoice);
            c.invoice = &raw->event;
        }
        credits.clear();
        return with_call("generate_credits", in, [&](const provisio_call &call) { return module_.generate_credits(instance_, &call, &c); });
    }

    struct PostedCredit {
        std::string kind, hours, description;
    };
    std::vector<PostedCredit> credits;

    // One usage collection (ABI 1.3): the records land in `usage`, the cursor in `usage_cursor`.
    CallResult collect(const UsageRequest &request, const CallInput &in) {
        if (!module_.collect_usage) throw std::invalid_argument("module does not collect usage");
        provisio_usage_request r{};
        r.struct_size = sizeof r;
        r.cursor = to_str(request.cursor);
        r.since = to_str(request.since);
        r.max_records = request.max_records;
        usage.clear();
        usage_cursor.reset();
        return with_call("collect_usage", in, [&](const provisio_call &call) { return module_.collect_usage(instance_, &call, &r); });
    }
    std::vector<UsageRecord> usage;
    std::optional<std::string> usage_cursor;

    // Queue a reply for the next HTTP request; requests with no queued reply get a 599 error.
    void reply(int status, std::string body, Pairs headers = {}) {
        replies.push_back({PROVISIO_OK, status, std::move(headers), std::move(body), {}});
    }
    void reply(ScriptedReply r) { replies.push_back(std::move(r)); }
    // Queue what the next TCP exchange reads; exchanges with none queued fail as refused.
    void tcp_reply(std::string data) { tcp_replies.push_back({PROVISIO_OK, std::move(data), {}}); }
    void tcp_reply(ScriptedTcpReply r) { tcp_replies.push_back(std::move(r)); }
    std::vector<TcpExchange> tcp_requests;
    std::deque<ScriptedTcpReply> tcp_replies;

    int64_t now_us = 1767225600000000;  // 2026-01-01T00:00:00Z; tests set it freely
    std::vector<LogLine> logs;
    std::vector<LoggedCall> calls;
    std::vector<HttpRequest> requests;
    std::deque<ScriptedReply> replies;
    std::map<uint64_t, std::map<std::string, std::string>> state;  // service id -> key -> value

private:
    static FakeHost *&current() {
        static FakeHost *host = nullptr;
        return host;
    }
    static std::vector<provisio_kv> kvs(const Pairs &pairs) {
        std::vector<provisio_kv> out;
        for (const auto &[k, v] : pairs) out.push_back({to_str(k), to_str(v)});
        return out;
    }
    static provisio_kv_list list(const std::vector<provisio_kv> &v) {
        return {v.data(), static_cast<uint32_t>(v.size())};
    }
    provisio_lifecycle_fn lifecycle(const std::string &action) const {
        if (action == "create") return module_.create;
        if (action == "suspend") return module_.suspend;
        if (action == "unsuspend") return module_.unsuspend;
        if (action == "terminate") return module_.terminate;
        if (action == "change_package") return module_.change_package;
        if (action == "change_password") return module_.change_password;
        if (action == "test_connection") return module_.test_connection;
        return nullptr;
    }

    static void log_fn(const provisio_call *call, int32_t level, provisio_str m) {
        FakeHost &self = *current();
        std::string text(to_view(m));
        if (call) text = rules::scrub_secrets(std::move(text), self.secrets_);
        self.logs.push_back({level, std::move(text)});
    }
    static int64_t now_fn(const provisio_call *) { return current()->now_us; }
    // Writes a field of a response struct the module allocated only when the struct_size the
    // module gave covers it, as a host must: a module built against an older header has a
    // smaller struct.
    template <class S, class F>
    static void put(S *response, F S::*field, F value) {
        const auto at = reinterpret_cast<const char *>(&(response->*field)) - reinterpret_cast<const char *>(response);
        if (static_cast<size_t>(at) + sizeof(F) <= response->struct_size) response->*field = value;
    }
    static int32_t http_fn(const provisio_call *, const provisio_http_request *req, provisio_http_response *resp) {
        FakeHost &self = *current();
        HttpRequest r;
        r.method = std::string(to_view(req->method));
        r.url = std::string(to_view(req->url));
        for (uint32_t i = 0; i < req->headers.count; ++i)
            r.headers.emplace_back(std::string(to_view(req->headers.items[i].key)),
                                   std::string(to_view(req->headers.items[i].value)));
        r.body = std::string(to_view(req->body));
        r.timeout = std::chrono::milliseconds(req->timeout_ms);
        self.requests.push_back(std::move(r));
        if (self.replies.empty()) {
            self.served_.push_back({PROVISIO_ERROR, 0, {}, {}, "fake host: no scripted reply for " + self.requests.back().url});
        } else {
            self.served_.push_back(std::move(self.replies.front()));
            self.replies.pop_front();
        }
        const ScriptedReply &s = self.served_.back();
        self.served_headers_.push_back(kvs(s.headers));
        put(resp, &provisio_http_response::status, int32_t{s.status});
        put(resp, &provisio_http_response::headers, list(self.served_headers_.back()));
        put(resp, &provisio_http_response::body, to_str(s.body));
        put(resp, &provisio_http_response::error, to_str(s.error));
        return s.transport;
    }
    static int32_t tcp_fn(const provisio_call *, const provisio_tcp_request *req, provisio_tcp_response *resp) {
        FakeHost &self = *current();
        self.tcp_requests.push_back({std::string(to_view(req->host)), req->port, std::string(to_view(req->payload))});
        if (self.tcp_replies.empty())
            self.tcp_served_.push_back({PROVISIO_RETRYABLE, {}, "fake host: connection refused (no scripted TCP reply)"});
        else {
            self.tcp_served_.push_back(std::move(self.tcp_replies.front()));
            self.tcp_replies.pop_front();
        }
        const ScriptedTcpReply &s = self.tcp_served_.back();
        put(resp, &provisio_tcp_response::data, to_str(s.data));
        put(resp, &provisio_tcp_response::error, to_str(s.error));
        return s.transport;
    }
    static void log_call_fn(const provisio_call *, provisio_str action, provisio_str request, provisio_str response,
                            const provisio_str *scrub, uint32_t scrub_count) {
        FakeHost &self = *current();
        std::vector<std::string> secrets = self.secrets_;
        for (uint32_t i = 0; scrub && i < scrub_count; ++i)
            if (scrub[i].size) secrets.emplace_back(to_view(scrub[i]));
        self.calls.push_back({std::string(to_view(action)), rules::scrub_secrets(std::string(to_view(request)), secrets),
                              rules::scrub_secrets(std::string(to_view(response)), secrets)});
    }
    static int32_t state_get_fn(const provisio_call *call, provisio_str key, provisio_str *value) {
        auto &m = current()->state[call->service_id];
        auto it = m.find(std::string(to_view(key)));
        if (it == m.end()) return 0;
        *value = to_str(it->second);
        return 1;
    }
    static void state_set_fn(const provisio_call *call, provisio_str key, provisio_str value) {
        current()->state[call->service_id][std::string(to_view(key))] = std::string(to_view(value));
    }
    static void state_erase_fn(const provisio_call *call, provisio_str key) {
        current()->state[call->service_id].erase(std::string(to_view(key)));
    }
    static void post_credit_fn(const provisio_call *, const provisio_credit_entry *e) {
        current()->credits.push_back({std::string(to_view(e->kind)), std::string(to_view(e->hours)), std::string(to_view(e->description))});
    }
    static void add_usage_fn(const provisio_call *, const provisio_usage_record *u) {
        current()->usage.push_back({std::string(to_view(u->id)), std::string(to_view(u->direction)), std::string(to_view(u->caller)),
                                    std::string(to_view(u->destination_number)), std::string(to_view(u->caller_destination)),
                                    std::string(to_view(u->start)), std::string(to_view(u->answer)), std::string(to_view(u->end)),
                                    std::string(to_view(u->hangup_cause)), u->duration, u->billsec});
    }
    static void set_usage_cursor_fn(const provisio_call *, provisio_str cursor) {
        current()->usage_cursor = std::string(to_view(cursor));
    }
    static void set_payment_result_fn(const provisio_call *, const provisio_payment_result *r) {
        PaymentResult out;
        out.state = static_cast<provisio_payment_state>(r->state);
        out.id = std::string(to_view(r->id));
        out.payment = std::string(to_view(r->payment));
        out.url = std::string(to_view(r->url));
        out.reference = std::string(to_view(r->reference));
        out.amount_minor = r->amount_minor;
        out.currency = std::string(to_view(r->currency));
        out.customer = std::string(to_view(r->customer));
        out.payment_method = std::string(to_view(r->payment_method));
        out.method_label = std::string(to_view(r->method_label));
        out.failure = std::string(to_view(r->failure));
        out.event_id = std::string(to_view(r->event_id));
        out.event_type = std::string(to_view(r->event_type));
        current()->payment_result = std::move(out);
    }
    static void set_message_fn(const provisio_call *, provisio_str message) {
        FakeHost &self = *current();
        self.message_ = rules::scrub_secrets(std::string(to_view(message)), self.secrets_);
    }

    provisio_host host_{};
    provisio_module_descriptor module_{};  // as the host read it
    bool loaded_ = false;
    std::vector<Option> options_;
    std::vector<std::string> secrets_;  // of the call in progress
    void *instance_ = nullptr;
    std::vector<CustomAction> custom_actions_;
    provisio_custom_action_fn call_custom_ = nullptr;
    std::string message_;
    std::deque<ScriptedReply> served_;  // deque: replies stay put while the module reads them
    std::deque<std::vector<provisio_kv>> served_headers_;
    std::deque<ScriptedTcpReply> tcp_served_;
};

}  // namespace provisio::testing
