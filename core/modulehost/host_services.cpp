#include "modulehost/host_services.hpp"

#include "foundation/error.hpp"
#include "foundation/text.hpp"
#include "money/money.hpp"
#include "net/http_client.hpp"
#include "net/tcp_exchange.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

namespace provisio {

namespace {

HostServices *g_host = nullptr;
thread_local std::vector<std::string> *g_init_lines = nullptr;

CallContext *context_of(const provisio_call *call) {
    return call ? static_cast<CallContext *>(call->host_context) : nullptr;
}

// Reads a string the module passed in, enforcing the ABI's rules; a violation is recorded on
// the call (if any) and the string is replaced by what can safely be used.
std::string_view checked(const provisio_call *call, provisio_str s, uint64_t limit, std::string_view what) {
    auto *ctx = context_of(call);
    if (!s.data && s.size) {
        if (ctx) ctx->violations.push_back(std::string(what) + " was a null pointer with size " + std::to_string(s.size));
        return {};
    }
    if (s.size > limit) {
        if (ctx)
            ctx->violations.push_back(std::string(what) + " was " + std::to_string(s.size) + " bytes, over the limit of " +
                                      std::to_string(limit));
        return std::string_view(s.data, limit);
    }
    return s.data ? std::string_view(s.data, s.size) : std::string_view();
}

// A text the module hands back as part of its outcome (message, state, credit entry, usage
// record, cursor) must also be UTF-8, or the call broke the ABI. What is kept has the bad bytes
// replaced, so nothing stored or printed ever holds them.
std::string checked_text(const provisio_call *call, provisio_str s, uint64_t limit, const std::string &what) {
    const std::string_view text = checked(call, s, limit, what);
    const std::string why = utf8_problem(text);
    if (why.empty()) return std::string(text);
    if (auto *ctx = context_of(call)) ctx->violations.push_back(what + " is not UTF-8 text (" + why + ")");
    return repair_utf8(text);
}

// A text the module only logs (a log line, a recorded exchange) may quote foreign bytes — a
// PBX's reply in Latin-1 — without failing the call: they are kept as U+FFFD.
std::string logged_text(const provisio_call *call, provisio_str s, uint64_t limit, std::string_view what) {
    return repair_utf8(checked(call, s, limit, what));
}

provisio_str hand_out(CallContext &ctx, std::string value) {
    ctx.arena.push_back(std::move(value));
    return {ctx.arena.back().data(), ctx.arena.back().size()};
}

void host_log(const provisio_call *call, int32_t level, provisio_str message) {
    const std::string text = logged_text(call, message, PROVISIO_MAX_MESSAGE_BYTES, "log message");
    auto *ctx = context_of(call);
    const std::string line = ctx ? ctx->scrub(text) : text;
    if (!ctx && g_init_lines) g_init_lines->push_back(line);
    const std::string who = ctx ? ctx->module + (ctx->service_id ? " service " + std::to_string(ctx->service_id) : "")
                                : std::string("module");
    switch (level) {
    case PROVISIO_LOG_DEBUG: spdlog::debug("[{}] {}", who, line); break;
    case PROVISIO_LOG_INFO: spdlog::info("[{}] {}", who, line); break;
    case PROVISIO_LOG_WARNING: spdlog::warn("[{}] {}", who, line); break;
    default: spdlog::error("[{}] {}", who, line); break;
    }
}

int64_t host_now_us(const provisio_call *) {
    return g_host ? g_host->config().clock.now().time_since_epoch().count() : 0;
}

// A response struct filled in full here and handed to the module only as far as its struct_size
// says (abi.h): a module built against an older, smaller struct keeps the memory after it.
template <class T>
class ResponseFor {
public:
    explicit ResponseFor(T *module_struct) : out_(module_struct), size_(module_struct->struct_size) { value.struct_size = size_; }
    ~ResponseFor() { std::memcpy(out_, &value, std::min<size_t>(size_, sizeof(T))); }
    ResponseFor(const ResponseFor &) = delete;
    ResponseFor &operator=(const ResponseFor &) = delete;
    T value{};

private:
    T *out_;
    uint32_t size_;
};

int32_t host_http(const provisio_call *call, const provisio_http_request *req, provisio_http_response *module_resp) {
    auto *ctx = context_of(call);
    if (!ctx || !req || !module_resp) return PROVISIO_ERROR;
    ResponseFor<provisio_http_response> response(module_resp);
    provisio_http_response *resp = &response.value;
    if (req->struct_size < sizeof(provisio_http_request)) {
        ctx->violations.push_back("http_request given a struct_size smaller than ABI 1.0's");
        resp->error = hand_out(*ctx, "bad request struct");
        return PROVISIO_ERROR;
    }
    HttpExchange x;
    x.method = std::string(checked(call, req->method, 16, "HTTP method"));
    x.url = std::string(checked(call, req->url, PROVISIO_MAX_TEXT_BYTES, "HTTP URL"));
    for (uint32_t i = 0; i < req->headers.count; ++i)
        x.headers.emplace_back(std::string(checked(call, req->headers.items[i].key, PROVISIO_MAX_TEXT_BYTES, "HTTP header name")),
                               std::string(checked(call, req->headers.items[i].value, PROVISIO_MAX_TEXT_BYTES, "HTTP header")));
    x.body = std::string(checked(call, req->body, 64u << 20, "HTTP body"));
    x.timeout = req->timeout_ms ? std::chrono::milliseconds(req->timeout_ms) : g_host->config().http_timeout;
    x.verify_tls = ctx->tls_verify;
    x.ca_file = g_host->config().http_ca_file;

    const auto started = std::chrono::steady_clock::now();
    HttpResult r = http_exchange(x);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    spdlog::debug("[{}] {} {} -> {} ({} ms)", ctx->module, x.method, ctx->scrub(x.url),
                  r.kind == HttpResult::Kind::response ? std::to_string(r.status) : ctx->scrub(r.error), ms.count());

    resp->status = r.status;
    auto &headers = ctx->kv_arena.emplace_back();
    for (auto &[k, v] : r.headers) {
        const provisio_str key = hand_out(*ctx, std::move(k));
        headers.push_back({key, hand_out(*ctx, std::move(v))});
    }
    resp->headers = {headers.data(), static_cast<uint32_t>(headers.size())};
    resp->body = hand_out(*ctx, std::move(r.body));
    resp->error = hand_out(*ctx, ctx->scrub(std::move(r.error)));
    switch (r.kind) {
    case HttpResult::Kind::response: return PROVISIO_OK;
    case HttpResult::Kind::retryable_failure: return PROVISIO_RETRYABLE;
    case HttpResult::Kind::failure: return PROVISIO_ERROR;
    }
    return PROVISIO_ERROR;
}

int32_t host_tcp(const provisio_call *call, const provisio_tcp_request *req, provisio_tcp_response *module_resp) {
    auto *ctx = context_of(call);
    if (!ctx || !req || !module_resp) return PROVISIO_ERROR;
    ResponseFor<provisio_tcp_response> response(module_resp);
    provisio_tcp_response *resp = &response.value;
    if (req->struct_size < sizeof(provisio_tcp_request) || req->port > 65535) {
        ctx->violations.push_back("tcp_exchange given a bad request (struct_size or port)");
        resp->error = hand_out(*ctx, "bad request struct");
        return PROVISIO_ERROR;
    }
    TcpExchange x;
    x.host = std::string(checked(call, req->host, 255, "TCP host"));
    x.port = static_cast<uint16_t>(req->port);
    x.payload = std::string(checked(call, req->payload, 16u << 20, "TCP payload"));
    x.timeout = req->timeout_ms ? std::chrono::milliseconds(req->timeout_ms) : g_host->config().http_timeout;
    if (req->max_bytes) x.max_bytes = std::min<size_t>(req->max_bytes, x.max_bytes);

    const auto started = std::chrono::steady_clock::now();
    TcpResult r = tcp_exchange(x);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    spdlog::debug("[{}] tcp {}:{} -> {} bytes{} ({} ms)", ctx->module, x.host, x.port, r.data.size(),
                  r.error.empty() ? "" : ", " + ctx->scrub(r.error), ms.count());
    resp->data = hand_out(*ctx, std::move(r.data));
    resp->error = hand_out(*ctx, ctx->scrub(std::move(r.error)));
    switch (r.kind) {
    case TcpResult::Kind::closed: return PROVISIO_OK;
    case TcpResult::Kind::retryable_failure: return PROVISIO_RETRYABLE;
    case TcpResult::Kind::failure: return PROVISIO_ERROR;
    }
    return PROVISIO_ERROR;
}

void host_log_call(const provisio_call *call, provisio_str action, provisio_str request, provisio_str response,
                   const provisio_str *scrub, uint32_t scrub_count) {
    auto *ctx = context_of(call);
    if (!ctx) return;
    std::vector<std::string> extra;
    for (uint32_t i = 0; scrub && i < scrub_count; ++i) {
        std::string s(checked(call, scrub[i], PROVISIO_MAX_TEXT_BYTES, "scrub value"));
        if (!s.empty()) extra.push_back(std::move(s));
    }
    std::vector<std::string> all = ctx->secrets;
    all.insert(all.end(), extra.begin(), extra.end());
    ctx->exchanges.push_back({logged_text(call, action, PROVISIO_MAX_NAME_BYTES, "log_call action"),
                              scrub_secrets(logged_text(call, request, PROVISIO_MAX_STATE_BYTES, "log_call request"), all),
                              scrub_secrets(logged_text(call, response, PROVISIO_MAX_STATE_BYTES, "log_call response"), all)});
}

int32_t host_state_get(const provisio_call *call, provisio_str key, provisio_str *value) {
    auto *ctx = context_of(call);
    if (!ctx || !value) return 0;
    auto it = ctx->state.find(std::string(checked(call, key, PROVISIO_MAX_NAME_BYTES, "state key")));
    if (it == ctx->state.end()) return 0;
    *value = hand_out(*ctx, it->second);
    return 1;
}

void host_state_set(const provisio_call *call, provisio_str key, provisio_str value) {
    auto *ctx = context_of(call);
    if (!ctx) return;
    const std::string k = checked_text(call, key, PROVISIO_MAX_NAME_BYTES, "state key");
    if (k.empty()) {
        ctx->violations.push_back("state_set with an empty key");
        return;
    }
    ctx->state[k] = checked_text(call, value, PROVISIO_MAX_STATE_BYTES, "state value '" + k + "'");
    ctx->state_changed = true;
}

void host_state_erase(const provisio_call *call, provisio_str key) {
    auto *ctx = context_of(call);
    if (!ctx) return;
    if (ctx->state.erase(std::string(checked(call, key, PROVISIO_MAX_NAME_BYTES, "state key")))) ctx->state_changed = true;
}

void host_post_credit(const provisio_call *call, const provisio_credit_entry *entry) {
    auto *ctx = context_of(call);
    if (!ctx || !entry) return;
    if (ctx->collects != Collects::credits) {
        ctx->violations.push_back("post_credit called outside generate_credits");
        return;
    }
    const std::string kind = checked_text(call, entry->kind, PROVISIO_MAX_NAME_BYTES, "credit kind");
    const std::string hours = checked_text(call, entry->hours, 64, "credit hours");
    const std::string description = checked_text(call, entry->description, PROVISIO_MAX_TEXT_BYTES, "credit description");
    bool kind_ok = !kind.empty();
    for (char c : kind) kind_ok &= (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!kind_ok) {
        ctx->violations.push_back("credit kind '" + kind + "' must match [a-z0-9_]+");
        return;
    }
    for (const auto &c : ctx->credits)
        if (c.kind == kind) {
            ctx->violations.push_back("credit kind '" + kind + "' posted twice in one cycle");
            return;
        }
    try {
        ctx->credits.push_back({kind, Money::parse(hours, "hours").micros(), description});
    } catch (const Error &) {
        ctx->violations.push_back("credit hours '" + hours + "' is not a decimal number with at most 6 places");
    }
}

void host_add_usage(const provisio_call *call, const provisio_usage_record *record) {
    auto *ctx = context_of(call);
    if (!ctx || !record) return;
    if (ctx->collects != Collects::usage) {
        ctx->violations.push_back("add_usage called outside collect_usage");
        return;
    }
    if (record->struct_size < sizeof(provisio_usage_record)) {
        ctx->violations.push_back("usage record struct_size " + std::to_string(record->struct_size) + " is smaller than ABI 1.3's");
        return;
    }
    if (ctx->usage.size() >= ctx->usage_limit) {
        ctx->violations.push_back("more usage records than the request's max_records (" + std::to_string(ctx->usage_limit) + ")");
        return;
    }
    auto text = [&](provisio_str s, const char *what) { return checked_text(call, s, PROVISIO_MAX_TEXT_BYTES, what); };
    ctx->usage.push_back({text(record->id, "usage id"), text(record->direction, "usage direction"), text(record->caller, "usage caller"),
                          text(record->destination_number, "usage destination_number"),
                          text(record->caller_destination, "usage caller_destination"), text(record->start, "usage start"),
                          text(record->answer, "usage answer"), text(record->end, "usage end"),
                          text(record->hangup_cause, "usage hangup_cause"), record->duration, record->billsec});
}

void host_set_usage_cursor(const provisio_call *call, provisio_str cursor) {
    auto *ctx = context_of(call);
    if (!ctx) return;
    if (ctx->collects != Collects::usage) {
        ctx->violations.push_back("set_usage_cursor called outside collect_usage");
        return;
    }
    ctx->usage_cursor = checked_text(call, cursor, PROVISIO_MAX_STATE_BYTES, "usage cursor");
}

void host_set_payment_result(const provisio_call *call, const provisio_payment_result *result) {
    auto *ctx = context_of(call);
    if (!ctx || !result) return;
    if (ctx->collects != Collects::payment) {
        ctx->violations.push_back("set_payment_result called outside a payment gateway function");
        return;
    }
    if (result->struct_size < sizeof(provisio_payment_result)) {
        ctx->violations.push_back("payment result struct_size " + std::to_string(result->struct_size) + " is smaller than ABI 1.6's");
        return;
    }
    if (result->state > PROVISIO_PAYMENT_EXPIRED) {
        ctx->violations.push_back("payment result state " + std::to_string(result->state) + " is not a provisio_payment_state");
        return;
    }
    auto text = [&](provisio_str s, const char *what) { return checked_text(call, s, PROVISIO_MAX_TEXT_BYTES, what); };
    GatewayResult r;
    r.state = static_cast<provisio_payment_state>(result->state);
    r.id = text(result->id, "payment id");
    r.payment = text(result->payment, "payment payment");
    r.url = text(result->url, "payment url");
    r.reference = text(result->reference, "payment reference");
    r.amount_minor = result->amount_minor;
    r.currency = text(result->currency, "payment currency");
    r.customer = text(result->customer, "payment customer");
    r.payment_method = text(result->payment_method, "payment payment_method");
    r.method_label = text(result->method_label, "payment method_label");
    r.failure = ctx->scrub(text(result->failure, "payment failure"));
    r.event_id = text(result->event_id, "payment event_id");
    r.event_type = text(result->event_type, "payment event_type");
    ctx->payment = std::move(r);
}

void host_set_message(const provisio_call *call, provisio_str message) {
    auto *ctx = context_of(call);
    if (!ctx) return;
    ctx->message = ctx->scrub(checked_text(call, message, PROVISIO_MAX_MESSAGE_BYTES, "outcome message"));
}

}  // namespace

InitLogCapture::InitLogCapture() { g_init_lines = &lines_; }
InitLogCapture::~InitLogCapture() { g_init_lines = nullptr; }

HostServices::HostServices(HostConfig config) : config_(std::move(config)) {
    vtable_.struct_size = sizeof vtable_;
    vtable_.abi_major = PROVISIO_ABI_MAJOR;
    vtable_.abi_minor = PROVISIO_ABI_MINOR;
    static const char version[] = "provisio 0.1.0";
    vtable_.host_version = {version, sizeof version - 1};
    vtable_.log = &host_log;
    vtable_.now_us = &host_now_us;
    vtable_.http_request = &host_http;
    vtable_.log_call = &host_log_call;
    vtable_.state_get = &host_state_get;
    vtable_.state_set = &host_state_set;
    vtable_.state_erase = &host_state_erase;
    vtable_.set_message = &host_set_message;
    vtable_.post_credit = &host_post_credit;
    vtable_.add_usage = &host_add_usage;
    vtable_.set_usage_cursor = &host_set_usage_cursor;
    vtable_.tcp_exchange = &host_tcp;
    vtable_.set_payment_result = &host_set_payment_result;
    g_host = this;
}

HostServices::~HostServices() {
    if (g_host == this) g_host = nullptr;
}

}  // namespace provisio
