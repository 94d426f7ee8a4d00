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
// Not thread-safe: one test, one fake host.
#pragma once

#include <provisio/abi.h>
#include <provisio/module.hpp>

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
    FakeHost() {
        host_.struct_size = sizeof host_;
        host_.abi_major = PROVISIO_ABI_MAJOR;
        host_.abi_minor = PROVISIO_ABI_MINOR;
        host_.host_version = to_str("fake");
        host_.log = &log_fn;
        host_.now_us = &now_fn;
        host_.http_request = &http_fn;
        host_.log_call = &log_call_fn;
        host_.state_get = &state_get_fn;
        host_.state_set = &state_set_fn;
        host_.state_erase = &state_erase_fn;
        host_.set_message = &set_message_fn;
        host_.post_credit = &post_credit_fn;
        host_.add_usage = &add_usage_fn;
        host_.set_usage_cursor = &set_usage_cursor_fn;
        host_.tcp_exchange = &tcp_fn;
        current() = this;
    }
    ~FakeHost() {
        if (module_ && module_->fini) module_->fini(instance_);
        current() = nullptr;
    }
    FakeHost(const FakeHost &) = delete;
    FakeHost &operator=(const FakeHost &) = delete;

    // Initialises the module; throws when its init fails.
    void load(const provisio_module_descriptor *module) {
        module_ = module;
        if (module_->init && module_->init(&host_, &instance_) != PROVISIO_OK)
            throw std::runtime_error("module init failed");
    }

    // Runs one lifecycle function by its action name ("create", "suspend", ...).
    CallResult call(const std::string &action, const CallInput &in) {
        provisio_lifecycle_fn fn = lifecycle(action);
        if (!fn) throw std::invalid_argument("module does not implement " + action);
        return with_call(action, in, [&](const provisio_call &c) { return fn(instance_, &c); });
    }

private:
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
        std::vector<provisio_kv> settings = kvs(in.settings), service = kvs(in.service),
                                 custom = kvs(in.custom_fields), server = kvs(in.server);
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
        return {static_cast<Status>(rc), message_};
    }

public:

    // Delivers an invoice event for the service in `in` through the module's invoice_event.
    CallResult event(const InvoiceEvent &e, const CallInput &in) {
        if (!module_->invoice_event) throw std::invalid_argument("module does not take invoice events");
        RawEvent raw(e);
        return with_call("invoice_event", in, [&](const provisio_call &c) { return module_->invoice_event(instance_, &c, &raw.event); });
    }

    // ABI 1.2: the module's settings check, credit schedule, and one credit cycle (the entries
    // it posts land in `credits`, cleared at each call).
    CallResult validate(const CallInput &in) {
        if (!module_->validate_settings) throw std::invalid_argument("module does not validate settings");
        return with_call("validate_settings", in, [&](const provisio_call &c) { return module_->validate_settings(instance_, &c); });
    }
    provisio_credit_schedule schedule(const CallInput &in) {
        if (!module_->credit_schedule) throw std::invalid_argument("module has no credit schedule");
        provisio_credit_schedule s{};
        s.struct_size = sizeof s;
        const CallResult r = with_call("credit_schedule", in, [&](const provisio_call &c) { return module_->credit_schedule(instance_, &c, &s); });
        if (r.status != Status::ok) throw std::runtime_error("credit_schedule failed: " + r.message);
        return s;
    }
    CallResult generate(const CreditCycle &cycle, const CallInput &in) {
        if (!module_->generate_credits) throw std::invalid_argument("module does not generate credits");
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
        return with_call("generate_credits", in, [&](const provisio_call &call) { return module_->generate_credits(instance_, &call, &c); });
    }

    struct PostedCredit {
        std::string kind, hours, description;
    };
    std::vector<PostedCredit> credits;

    // One usage collection (ABI 1.3): the records land in `usage`, the cursor in `usage_cursor`.
    CallResult collect(const UsageRequest &request, const CallInput &in) {
        if (!module_->collect_usage) throw std::invalid_argument("module does not collect usage");
        provisio_usage_request r{};
        r.struct_size = sizeof r;
        r.cursor = to_str(request.cursor);
        r.since = to_str(request.since);
        r.max_records = request.max_records;
        usage.clear();
        usage_cursor.reset();
        return with_call("collect_usage", in, [&](const provisio_call &call) { return module_->collect_usage(instance_, &call, &r); });
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
        if (action == "create") return module_->create;
        if (action == "suspend") return module_->suspend;
        if (action == "unsuspend") return module_->unsuspend;
        if (action == "terminate") return module_->terminate;
        if (action == "change_package") return module_->change_package;
        if (action == "change_password") return module_->change_password;
        if (action == "test_connection") return module_->test_connection;
        return nullptr;
    }

    static void log_fn(const provisio_call *, int32_t level, provisio_str m) {
        current()->logs.push_back({level, std::string(to_view(m))});
    }
    static int64_t now_fn(const provisio_call *) { return current()->now_us; }
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
        resp->status = s.status;
        resp->headers = list(self.served_headers_.back());
        resp->body = to_str(s.body);
        resp->error = to_str(s.error);
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
        resp->data = to_str(s.data);
        resp->error = to_str(s.error);
        return s.transport;
    }
    static void log_call_fn(const provisio_call *, provisio_str action, provisio_str request, provisio_str response,
                            const provisio_str *scrub, uint32_t scrub_count) {
        LoggedCall c{std::string(to_view(action)), std::string(to_view(request)), std::string(to_view(response))};
        for (uint32_t i = 0; i < scrub_count; ++i) {
            const std::string secret(to_view(scrub[i]));
            if (secret.empty()) continue;
            for (std::string *s : {&c.request, &c.response})
                for (size_t p = s->find(secret); p != std::string::npos; p = s->find(secret, p))
                    s->replace(p, secret.size(), "********");
        }
        current()->calls.push_back(std::move(c));
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
    static void set_message_fn(const provisio_call *, provisio_str message) {
        current()->message_ = std::string(to_view(message));
    }

    provisio_host host_{};
    const provisio_module_descriptor *module_ = nullptr;
    void *instance_ = nullptr;
    std::string message_;
    std::deque<ScriptedReply> served_;  // deque: replies stay put while the module reads them
    std::deque<std::vector<provisio_kv>> served_headers_;
    std::deque<ScriptedTcpReply> tcp_served_;
};

}  // namespace provisio::testing
