#include "stripe_sim.hpp"

#include <openssl/hmac.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <stdexcept>
#include <thread>

namespace provisio::sims {

namespace {

using json = nlohmann::json;

std::string random_id(const std::string &prefix) {
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::string id = prefix;
    for (int i = 0; i < 24; ++i) id += alphabet[rng() % (sizeof alphabet - 1)];
    return id;
}

int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string form_decoded(const std::string &s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// application/x-www-form-urlencoded → {"key[with][brackets]": "value"}, flat, as Stripe's
// clients send nested parameters.
json parse_form(const std::string &body) {
    json out = json::object();
    size_t at = 0;
    while (at <= body.size() && !body.empty()) {
        const size_t amp = body.find('&', at);
        const std::string part = body.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
        if (!part.empty()) {
            const size_t eq = part.find('=');
            out[form_decoded(part.substr(0, eq))] = eq == std::string::npos ? "" : form_decoded(part.substr(eq + 1));
        }
        if (amp == std::string::npos) break;
        at = amp + 1;
    }
    return out;
}

std::string text(const json &form, const std::string &key) { return form.contains(key) ? form[key].get<std::string>() : ""; }

// metadata[k]=v (under `prefix`) → {"k": "v"}.
json metadata_of(const json &form, const std::string &prefix = "metadata") {
    json m = json::object();
    const std::string open = prefix + "[";
    for (const auto &[k, v] : form.items())
        if (k.rfind(open, 0) == 0 && k.back() == ']' && k.find('[', open.size()) == std::string::npos)
            m[k.substr(open.size(), k.size() - open.size() - 1)] = v;
    return m;
}

std::string hmac_sha256_hex(const std::string &key, const std::string &payload) {
    unsigned char digest[32];
    unsigned int length = sizeof digest;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char *>(payload.data()), payload.size(),
         digest, &length);
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

std::string base64_decoded(const std::string &in) {
    static const std::string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    int value = 0, bits = -8;
    for (char c : in) {
        const size_t at = chars.find(c);
        if (at == std::string::npos) break;
        value = (value << 6) + static_cast<int>(at);
        bits += 6;
        if (bits >= 0) {
            out += static_cast<char>((value >> bits) & 0xFF);
            bits -= 8;
        }
    }
    return out;
}

SimResponse answer(const json &body, int status = 200) { return {status, body.dump(2)}; }

// Stripe's error envelope: {"error": {"type", "message", "code"?, "param"?, ...}}.
SimResponse error(int status, const std::string &type, const std::string &message, const std::string &code = "",
                  const std::string &param = "", json extra = json::object()) {
    json e = extra;
    e["type"] = type;
    e["message"] = message;
    if (!code.empty()) e["code"] = code;
    if (!param.empty()) e["param"] = param;
    return answer(json{{"error", e}}, status);
}

SimResponse missing(const std::string &param) {
    return error(400, "invalid_request_error", "Missing required param: " + param + ".", "parameter_missing", param);
}

SimResponse no_such(const std::string &what, const std::string &id) {
    return error(404, "invalid_request_error", "No such " + what + ": '" + id + "'", "resource_missing", what == "payment_intent" ? "intent" : "id");
}

// A positive whole number of minor units, as Stripe reads `amount`; nullopt otherwise.
std::optional<int64_t> positive_amount(const std::string &s) {
    if (s.empty() || s.size() > 12 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    const int64_t v = std::stoll(s);
    return v > 0 ? std::optional<int64_t>(v) : std::nullopt;
}

bool valid_currency(const std::string &c) {
    if (c.size() != 3) return false;
    for (char ch : c)
        if (!std::isalpha(static_cast<unsigned char>(ch))) return false;
    return true;
}

std::string lower(std::string s) {
    for (auto &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Stripe's test payment methods and what a charge on each does.
struct TestCard {
    std::string brand, last4, decline_code;  // decline_code "": succeeds
};
const std::map<std::string, TestCard> &test_cards() {
    static const std::map<std::string, TestCard> cards = {
        {"pm_card_visa", {"visa", "4242", ""}},
        {"pm_card_mastercard", {"mastercard", "4444", ""}},
        {"pm_card_chargeDeclined", {"visa", "0002", "generic_decline"}},
        {"pm_card_chargeDeclinedInsufficientFunds", {"visa", "9995", "insufficient_funds"}},
        {"pm_card_authenticationRequired", {"visa", "3184", "authentication_required"}},
    };
    return cards;
}

const char *decline_message(const std::string &code) {
    if (code == "insufficient_funds") return "Your card has insufficient funds.";
    if (code == "authentication_required") return "Your card was declined. This transaction requires authentication.";
    return "Your card was declined.";
}

// http://HOST:PORT/PATH → its parts (loopback endpoints only: the simulator never leaves the host).
struct Endpoint {
    std::string host, path;
    unsigned short port = 80;
};
Endpoint parse_endpoint(const std::string &url) {
    const std::string scheme = "http://";
    if (url.rfind(scheme, 0) != 0) throw std::invalid_argument("webhook endpoint must be http://127.0.0.1:PORT/...: " + url);
    const size_t slash = url.find('/', scheme.size());
    const std::string authority = url.substr(scheme.size(), slash - scheme.size());
    Endpoint e;
    e.path = slash == std::string::npos ? "/" : url.substr(slash);
    const size_t colon = authority.rfind(':');
    e.host = authority.substr(0, colon);
    if (colon != std::string::npos) e.port = static_cast<unsigned short>(std::stoi(authority.substr(colon + 1)));
    if (e.host == "localhost") e.host = "127.0.0.1";
    return e;
}

// One HTTP/1.1 POST; the status code the endpoint answered, 0 when none came.
int http_post(const std::string &url, const std::string &body, const std::vector<std::pair<std::string, std::string>> &headers) {
    const Endpoint e = parse_endpoint(url);
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(e.port);
    if (::inet_pton(AF_INET, e.host.c_str(), &addr.sin_addr) != 1 || ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return 0;
    }
    std::string request = "POST " + e.path + " HTTP/1.1\r\nHost: " + e.host + ":" + std::to_string(e.port) +
                          "\r\nUser-Agent: Stripe/1.0 (+https://stripe.com/docs/webhooks)\r\nContent-Type: application/json; charset=utf-8\r\n"
                          "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n";
    for (const auto &[k, v] : headers) request += k + ": " + v + "\r\n";
    request += "\r\n" + body;
    size_t sent = 0;
    while (sent < request.size()) {
        const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
    }
    std::string reply;
    char buf[4096];
    while (reply.find("\r\n") == std::string::npos) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        reply.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    // "HTTP/1.1 200 OK"
    const size_t space = reply.find(' ');
    if (space == std::string::npos || reply.size() < space + 4) return 0;
    try {
        return std::stoi(reply.substr(space + 1, 3));
    } catch (const std::exception &) {
        return 0;
    }
}

}  // namespace

StripeSim::StripeSim(std::string secret_key, std::string webhook_secret, unsigned short port)
    : SimServer(std::nullopt, port), secret_key_(std::move(secret_key)), webhook_secret_(std::move(webhook_secret)) {
    start();
}

StripeSim::~StripeSim() { stop(); }

void StripeSim::set_webhook_endpoint(const std::string &url) {
    std::lock_guard lock(state_mutex_);
    endpoint_ = url;
}

void StripeSim::answer_late(int ms, int count) {
    std::lock_guard lock(state_mutex_);
    late_ms_ = ms;
    late_count_ = count;
}

SimResponse StripeSim::wrong_credentials() {
    return error(401, "invalid_request_error", "Invalid API Key provided: " + secret_key_.substr(0, 8) + "****");
}

SimResponse StripeSim::handle(const SimRequest &r) {
    const std::string path = r.path();
    if (path.rfind("/c/pay/", 0) == 0) return hosted_page(r);
    // Authorization: Bearer KEY, or Basic base64(KEY:).
    const std::string auth = r.header("authorization");
    std::string key;
    if (auth.rfind("Bearer ", 0) == 0) key = auth.substr(7);
    else if (auth.rfind("Basic ", 0) == 0) {
        const std::string user_password = base64_decoded(auth.substr(6));
        key = user_password.substr(0, user_password.find(':'));
    }
    if (key.empty())
        return error(401, "invalid_request_error",
                     "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth.");
    if (key != secret_key_) return wrong_credentials();

    const std::string idempotency_key = r.method == "POST" ? r.header("idempotency-key") : "";
    const std::string fingerprint = r.method + " " + r.target + "\n" + r.body;
    SimResponse out;
    int late = 0;
    {
        std::lock_guard lock(state_mutex_);
        auto kept = idempotency_key.empty() ? idempotency_.end() : idempotency_.find(idempotency_key);
        if (kept != idempotency_.end()) {
            if (kept->second.fingerprint != fingerprint)
                return error(400, "idempotency_error",
                             "Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a "
                             "key other than '" + idempotency_key + "' if you meant to execute a different request.");
            out = kept->second.response;
            out.headers.push_back({"Idempotent-Replayed", "true"});
            out.headers.push_back({"Idempotency-Key", idempotency_key});
        } else {
            out = api(r);
            out.headers.push_back({"Request-Id", random_id("req_").substr(0, 18)});
            if (!idempotency_key.empty()) {
                out.headers.push_back({"Idempotency-Key", idempotency_key});
                idempotency_[idempotency_key] = {fingerprint, out};
            }
        }
        if (late_count_ > 0) {
            --late_count_;
            late = late_ms_;
        }
    }
    if (late > 0) std::this_thread::sleep_for(std::chrono::milliseconds(late));
    return out;
}

SimResponse StripeSim::api(const SimRequest &r) {
    const std::string path = r.path();
    const json form = r.method == "POST" ? parse_form(r.body) : parse_form(r.target.find('?') == std::string::npos ? "" : r.target.substr(r.target.find('?') + 1));
    auto segment = [&](const std::string &prefix) { return path.substr(prefix.size()); };
    if (r.method == "GET" && path == "/v1/balance")
        return answer(json{{"object", "balance"}, {"available", json::array({{{"amount", 0}, {"currency", "usd"}}})}, {"livemode", false},
                           {"pending", json::array()}});
    if (r.method == "POST" && path == "/v1/customers") return create_customer(form);
    if (r.method == "POST" && path.rfind("/v1/payment_methods/", 0) == 0 && path.size() > 27 && path.substr(path.size() - 7) == "/attach")
        return attach_method(path.substr(20, path.size() - 27), form);
    if (r.method == "GET" && path.rfind("/v1/payment_methods/", 0) == 0) {
        const std::string id = segment("/v1/payment_methods/");
        json m = method_object(id);
        return m.is_null() ? no_such("payment_method", id) : answer(m);
    }
    if (r.method == "POST" && path == "/v1/payment_intents") return create_payment_intent(form);
    if (r.method == "GET" && path.rfind("/v1/payment_intents/", 0) == 0) {
        const std::string id = segment("/v1/payment_intents/");
        auto it = intents_.find(id);
        if (it == intents_.end()) return no_such("payment_intent", id);
        json pi = it->second;
        if (text(form, "expand[]") == "payment_method" && pi["payment_method"].is_string()) pi["payment_method"] = method_object(pi["payment_method"]);
        return answer(pi);
    }
    if (r.method == "POST" && path == "/v1/refunds") return create_refund(form);
    if (r.method == "POST" && path == "/v1/checkout/sessions") return create_session(form);
    if (r.method == "GET" && path.rfind("/v1/checkout/sessions/", 0) == 0) {
        const std::string id = segment("/v1/checkout/sessions/");
        auto it = sessions_.find(id);
        return it == sessions_.end() ? no_such("checkout.session", id) : answer(it->second);
    }
    return error(404, "invalid_request_error", "Unrecognized request URL (" + r.method + ": " + path + ").");
}

json StripeSim::method_object(const std::string &pm) const {
    auto it = methods_.find(pm);
    if (it != methods_.end()) return it->second;
    auto card = test_cards().find(pm);
    if (card == test_cards().end()) return nullptr;
    return json{{"id", pm}, {"object", "payment_method"}, {"type", "card"}, {"customer", nullptr},
                {"card", {{"brand", card->second.brand}, {"last4", card->second.last4}, {"exp_month", 12}, {"exp_year", 2034}}}};
}

SimResponse StripeSim::create_customer(const json &form) {
    json c{{"id", random_id("cus_").substr(0, 18)}, {"object", "customer"}, {"email", form.contains("email") ? json(text(form, "email")) : json(nullptr)},
           {"name", form.contains("name") ? json(text(form, "name")) : json(nullptr)}, {"metadata", metadata_of(form)}, {"created", unix_now()},
           {"livemode", false}};
    customers_[c["id"]] = c;
    return answer(c);
}

SimResponse StripeSim::attach_method(const std::string &pm, const json &form) {
    const std::string customer = text(form, "customer");
    if (customer.empty()) return missing("customer");
    if (!customers_.count(customer)) return no_such("customer", customer);
    json m = method_object(pm);
    if (m.is_null()) return no_such("payment_method", pm);
    if (test_cards().count(pm)) {  // a test token attaches as a new method, as Stripe's do
        m["id"] = random_id("pm_");
        m["metadata"] = {{"test_card", pm}};
    }
    m["customer"] = customer;
    methods_[m["id"]] = m;
    return answer(m);
}

// The test card behind a payment method id, or nullptr.
static const TestCard *card_of(const json &method) {
    if (method.is_null()) return nullptr;
    std::string token = method["id"];
    if (method.contains("metadata") && method["metadata"].contains("test_card")) token = method["metadata"]["test_card"];
    auto it = test_cards().find(token);
    return it == test_cards().end() ? nullptr : &it->second;
}

json StripeSim::charge_card(json pi, const std::string &pm, bool off_session, std::string &error_code) {
    const TestCard *card = card_of(method_object(pm));
    error_code.clear();
    if (!card || (card->decline_code == "authentication_required" && !off_session) || card->decline_code.empty()) {
        pi["status"] = "succeeded";
        pi["amount_received"] = pi["amount"];
        pi["latest_charge"] = random_id("ch_");
        pi["last_payment_error"] = nullptr;
        return pi;
    }
    error_code = card->decline_code == "authentication_required" ? "authentication_required" : "card_declined";
    pi["status"] = "requires_payment_method";
    json err{{"type", "card_error"}, {"code", error_code}, {"message", decline_message(card->decline_code)}, {"payment_method", method_object(pm)}};
    if (error_code == "card_declined") err["decline_code"] = card->decline_code;
    if (error_code == "authentication_required") err["decline_code"] = "authentication_required";
    pi["last_payment_error"] = err;
    return pi;
}

SimResponse StripeSim::create_payment_intent(const json &form) {
    const auto amount = positive_amount(text(form, "amount"));
    if (!form.contains("amount")) return missing("amount");
    if (!amount) return error(400, "invalid_request_error", "Invalid positive integer", "parameter_invalid_integer", "amount");
    const std::string currency = lower(text(form, "currency"));
    if (currency.empty()) return missing("currency");
    if (!valid_currency(currency)) return error(400, "invalid_request_error", "Invalid currency: " + currency + ".", "", "currency");
    const std::string customer = text(form, "customer"), pm = text(form, "payment_method");
    if (!customer.empty() && !customers_.count(customer)) return no_such("customer", customer);
    if (!pm.empty() && method_object(pm).is_null()) return no_such("payment_method", pm);
    const bool confirm = text(form, "confirm") == "true", off_session = text(form, "off_session") == "true";
    if (off_session && !confirm)
        return error(400, "invalid_request_error", "You may only specify `off_session` when `confirm` is true.", "", "off_session");
    if (confirm && pm.empty())
        return error(400, "invalid_request_error", "You cannot confirm this PaymentIntent because it's missing a payment method.",
                     "payment_intent_unexpected_state");
    json pi{{"id", random_id("pi_")}, {"object", "payment_intent"}, {"amount", *amount}, {"amount_received", 0}, {"currency", currency},
            {"customer", customer.empty() ? json(nullptr) : json(customer)}, {"payment_method", pm.empty() ? json(nullptr) : json(pm)},
            {"description", form.contains("description") ? json(text(form, "description")) : json(nullptr)}, {"metadata", metadata_of(form)},
            {"status", pm.empty() ? "requires_payment_method" : "requires_confirmation"}, {"latest_charge", nullptr},
            {"last_payment_error", nullptr}, {"created", unix_now()}, {"livemode", false}, {"amount_refunded_sim", 0}};
    if (confirm) {
        std::string code;
        pi = charge_card(pi, pm, off_session, code);
        intents_[pi["id"]] = pi;
        if (!code.empty()) {
            emit("payment_intent.payment_failed", pi);
            json err = pi["last_payment_error"];
            err["payment_intent"] = pi;
            err["doc_url"] = "https://docs.stripe.com/error-codes/" + std::string(code == "card_declined" ? "card-declined" : "authentication-required");
            return answer(json{{"error", err}}, 402);
        }
        emit("payment_intent.succeeded", pi);
        return answer(pi);
    }
    intents_[pi["id"]] = pi;
    return answer(pi);
}

SimResponse StripeSim::create_refund(const json &form) {
    std::string id = text(form, "payment_intent");
    if (id.empty()) return missing("payment_intent");
    auto it = intents_.find(id);
    if (it == intents_.end()) return no_such("payment_intent", id);
    json &pi = it->second;
    if (pi["status"] != "succeeded")
        return error(400, "invalid_request_error", "This PaymentIntent does not have a successful charge to refund.", "", "payment_intent");
    const int64_t refunded = pi["amount_refunded_sim"], remaining = pi["amount"].get<int64_t>() - refunded;
    if (remaining <= 0)
        return error(400, "invalid_request_error", "Charge " + pi["latest_charge"].get<std::string>() + " has already been refunded.",
                     "charge_already_refunded");
    int64_t amount = remaining;
    if (form.contains("amount")) {
        const auto a = positive_amount(text(form, "amount"));
        if (!a) return error(400, "invalid_request_error", "Invalid positive integer", "parameter_invalid_integer", "amount");
        if (*a > remaining)
            return error(400, "invalid_request_error",
                         "Refund amount (" + std::to_string(*a) + ") is greater than unrefunded amount on charge (" + std::to_string(remaining) + ")",
                         "amount_too_large", "amount");
        amount = *a;
    }
    pi["amount_refunded_sim"] = refunded + amount;
    json refund{{"id", random_id("re_")}, {"object", "refund"}, {"amount", amount}, {"currency", pi["currency"]}, {"payment_intent", pi["id"]},
                {"charge", pi["latest_charge"]}, {"status", "succeeded"}, {"metadata", metadata_of(form)}, {"created", unix_now()}};
    refunds_[refund["id"]] = refund;
    json charge{{"id", pi["latest_charge"]}, {"object", "charge"}, {"amount", pi["amount"]}, {"amount_refunded", pi["amount_refunded_sim"]},
                {"currency", pi["currency"]}, {"payment_intent", pi["id"]}, {"refunded", pi["amount_refunded_sim"] == pi["amount"]},
                {"metadata", pi["metadata"]}};
    emit("charge.refunded", charge);
    return answer(refund);
}

SimResponse StripeSim::create_session(const json &form) {
    if (text(form, "mode").empty()) return missing("mode");
    if (text(form, "mode") != "payment") return error(400, "invalid_request_error", "This simulator serves mode=payment only.", "", "mode");
    if (text(form, "success_url").empty()) return missing("success_url");
    const std::string item = "line_items[0]";
    const auto unit = positive_amount(text(form, item + "[price_data][unit_amount]"));
    if (!unit) return missing(item + "[price_data][unit_amount]");
    const std::string currency = lower(text(form, item + "[price_data][currency]"));
    if (!valid_currency(currency)) return missing(item + "[price_data][currency]");
    const auto quantity = positive_amount(text(form, item + "[quantity]"));
    if (!quantity) return missing(item + "[quantity]");
    const std::string customer = text(form, "customer");
    if (!customer.empty() && !customers_.count(customer)) return no_such("customer", customer);
    const std::string id = random_id("cs_test_");
    json s{{"id", id}, {"object", "checkout.session"}, {"mode", "payment"}, {"url", url("/c/pay/" + id)}, {"status", "open"},
           {"payment_status", "unpaid"}, {"amount_total", *unit * *quantity}, {"currency", currency},
           {"customer", customer.empty() ? json(nullptr) : json(customer)},
           {"customer_email", form.contains("customer_email") ? json(text(form, "customer_email")) : json(nullptr)},
           {"client_reference_id", form.contains("client_reference_id") ? json(text(form, "client_reference_id")) : json(nullptr)},
           {"metadata", metadata_of(form)}, {"payment_intent", nullptr}, {"success_url", text(form, "success_url")},
           {"cancel_url", form.contains("cancel_url") ? json(text(form, "cancel_url")) : json(nullptr)},
           {"expires_at", unix_now() + 86400}, {"created", unix_now()}, {"livemode", false},
           {"product_name_sim", text(form, item + "[price_data][product_data][name]")},
           {"setup_future_usage_sim", text(form, "payment_intent_data[setup_future_usage]")},
           {"payment_intent_metadata_sim", metadata_of(form, "payment_intent_data[metadata]")}};
    sessions_[id] = s;
    return answer(s);
}

std::string StripeSim::complete_checkout(const std::string &session_id, const std::string &payment_method) {
    std::lock_guard lock(state_mutex_);
    return complete_locked(session_id, payment_method);
}

std::string StripeSim::complete_locked(const std::string &session_id, const std::string &payment_method) {
    auto it = sessions_.find(session_id);
    if (it == sessions_.end()) throw std::invalid_argument("no checkout session " + session_id);
    json &s = it->second;
    if (s["status"] != "open") throw std::invalid_argument("checkout session " + session_id + " is " + s["status"].get<std::string>());
    if (!test_cards().count(payment_method)) throw std::invalid_argument("not a test card: " + payment_method);
    const bool save = s["setup_future_usage_sim"] == "off_session";
    std::string customer = s["customer"].is_string() ? s["customer"].get<std::string>() : "";
    if (customer.empty() && save) {
        json form{{"email", s["customer_email"].is_string() ? s["customer_email"].get<std::string>() : ""}};
        customer = json::parse(create_customer(form).body)["id"];
        s["customer"] = customer;
    }
    std::string pm = payment_method;
    if (save) pm = json::parse(attach_method(payment_method, json{{"customer", customer}}).body)["id"];
    json pi{{"id", random_id("pi_")}, {"object", "payment_intent"}, {"amount", s["amount_total"]}, {"amount_received", 0}, {"currency", s["currency"]},
            {"customer", customer.empty() ? json(nullptr) : json(customer)}, {"payment_method", pm}, {"description", s["product_name_sim"]},
            {"metadata", s["payment_intent_metadata_sim"]}, {"status", "requires_confirmation"}, {"latest_charge", nullptr},
            {"last_payment_error", nullptr}, {"created", unix_now()}, {"livemode", false}, {"amount_refunded_sim", 0},
            {"setup_future_usage", save ? json("off_session") : json(nullptr)}};
    std::string code;
    pi = charge_card(pi, pm, false, code);  // on-session: the page completes 3-D Secure
    intents_[pi["id"]] = pi;
    if (!code.empty()) {
        emit("payment_intent.payment_failed", pi);
        throw std::runtime_error(pi["last_payment_error"]["message"].get<std::string>());
    }
    s["status"] = "complete";
    s["payment_status"] = "paid";
    s["payment_intent"] = pi["id"];
    emit("payment_intent.succeeded", pi);
    emit("checkout.session.completed", s);
    std::string back = s["success_url"];
    const std::string marker = "{CHECKOUT_SESSION_ID}";
    if (const size_t at = back.find(marker); at != std::string::npos) back.replace(at, marker.size(), session_id);
    return back;
}

std::pair<std::string, std::string> StripeSim::save_card(const std::string &test_card, const std::string &email) {
    std::lock_guard lock(state_mutex_);
    const std::string customer = json::parse(create_customer(json{{"email", email}}).body)["id"];
    const SimResponse attached = attach_method(test_card, json{{"customer", customer}});
    if (attached.status != 200) throw std::invalid_argument("not a test card: " + test_card);
    return {customer, json::parse(attached.body)["id"]};
}

void StripeSim::seed_cards(int count) {
    std::lock_guard lock(state_mutex_);
    for (int i = 1; i <= count; ++i) {
        const std::string customer = "cus_sim" + std::to_string(i), method = "pm_sim" + std::to_string(i);
        customers_[customer] = json{{"id", customer}, {"object", "customer"}, {"email", nullptr}, {"metadata", json::object()}, {"livemode", false}};
        json m = method_object("pm_card_visa");
        m["id"] = method;
        m["customer"] = customer;
        m["metadata"] = {{"test_card", "pm_card_visa"}};
        methods_[method] = m;
    }
}

void StripeSim::expire_checkout(const std::string &session_id) {
    std::lock_guard lock(state_mutex_);
    auto it = sessions_.find(session_id);
    if (it == sessions_.end() || it->second["status"] != "open") throw std::invalid_argument("no open checkout session " + session_id);
    it->second["status"] = "expired";
    emit("checkout.session.expired", it->second);
}

SimResponse StripeSim::hosted_page(const SimRequest &r) {
    const std::string id = r.path().substr(7);
    std::lock_guard lock(state_mutex_);
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return {404, "<!doctype html><title>Not found</title><p>This checkout session does not exist.</p>", "text/html"};
    const json &s = it->second;
    if (r.method == "POST") {
        const json form = parse_form(r.body);
        try {
            const std::string back = complete_locked(id, text(form, "card").empty() ? "pm_card_visa" : text(form, "card"));
            SimResponse out{303, "", "text/html"};
            out.headers.push_back({"Location", back});
            return out;
        } catch (const std::exception &e) {
            return {402, std::string("<!doctype html><title>Payment failed</title><p id=\"error\">") + e.what() + "</p>", "text/html"};
        }
    }
    const int64_t amount = s["amount_total"];
    const std::string page = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Pay " + s["currency"].get<std::string>() +
                             "</title></head><body><h1 id=\"product\">" + s["product_name_sim"].get<std::string>() + "</h1><p id=\"amount\">" +
                             std::to_string(amount) + " " + s["currency"].get<std::string>() + " (minor units)</p><p id=\"status\">" +
                             s["status"].get<std::string>() + "</p><form method=\"post\"><select name=\"card\" id=\"card\">"
                             "<option>pm_card_visa</option><option>pm_card_chargeDeclined</option>"
                             "<option>pm_card_chargeDeclinedInsufficientFunds</option><option>pm_card_authenticationRequired</option>"
                             "</select><button id=\"pay\" type=\"submit\">Pay</button></form></body></html>";
    return {200, page, "text/html"};
}

std::string StripeSim::dispute(const std::string &payment_intent, const std::string &reason) {
    std::lock_guard lock(state_mutex_);
    auto it = intents_.find(payment_intent);
    if (it == intents_.end() || it->second["status"] != "succeeded") throw std::invalid_argument("no succeeded PaymentIntent " + payment_intent);
    const json &pi = it->second;
    json d{{"id", random_id("dp_")}, {"object", "dispute"}, {"amount", pi["amount"]}, {"currency", pi["currency"]}, {"charge", pi["latest_charge"]},
           {"payment_intent", pi["id"]}, {"reason", reason}, {"status", "needs_response"}, {"created", unix_now()}, {"livemode", false}};
    disputes_[d["id"]] = d;
    emit("charge.dispute.created", d);
    return d["id"];
}

void StripeSim::close_dispute(const std::string &dispute_id, bool won) {
    std::lock_guard lock(state_mutex_);
    auto it = disputes_.find(dispute_id);
    if (it == disputes_.end()) throw std::invalid_argument("no dispute " + dispute_id);
    it->second["status"] = won ? "won" : "lost";
    emit("charge.dispute.closed", it->second);
}

void StripeSim::emit(const std::string &type, const json &object) {
    json o = object;
    for (const char *internal : {"amount_refunded_sim", "product_name_sim", "setup_future_usage_sim", "payment_intent_metadata_sim"}) o.erase(internal);
    events_.push_back(json{{"id", random_id("evt_")}, {"object", "event"}, {"api_version", "2024-06-20"}, {"created", unix_now()},
                           {"data", {{"object", o}}}, {"livemode", false}, {"pending_webhooks", 1},
                           {"request", {{"id", nullptr}, {"idempotency_key", nullptr}}}, {"type", type}});
    undelivered_.push_back(events_.size() - 1);
}

int StripeSim::post_event(const json &event, bool bad_signature) {
    std::string endpoint;
    {
        std::lock_guard lock(state_mutex_);
        endpoint = endpoint_;
    }
    if (endpoint.empty()) return 0;
    const std::string body = event.dump(2);
    const std::string t = std::to_string(unix_now());
    const std::string v1 = hmac_sha256_hex(bad_signature ? webhook_secret_ + "-wrong" : webhook_secret_, t + "." + body);
    const int status = http_post(endpoint, body, {{"Stripe-Signature", "t=" + t + ",v1=" + v1}});
    std::lock_guard lock(state_mutex_);
    delivery_statuses_.push_back(status);
    return status;
}

int StripeSim::deliver(bool reversed) {
    std::vector<json> batch;
    {
        std::lock_guard lock(state_mutex_);
        for (size_t i : undelivered_) batch.push_back(events_[i]);
        undelivered_.clear();
    }
    if (reversed) std::reverse(batch.begin(), batch.end());
    int ok = 0;
    for (const auto &e : batch) {
        const int status = post_event(e, false);
        if (status >= 200 && status < 300) ++ok;
    }
    return ok;
}

int StripeSim::resend(const std::string &event_id, bool bad_signature) {
    json event;
    {
        std::lock_guard lock(state_mutex_);
        for (const auto &e : events_)
            if (e["id"] == event_id) event = e;
    }
    if (event.is_null()) throw std::invalid_argument("no event " + event_id);
    return post_event(event, bad_signature);
}

json StripeSim::events() const {
    std::lock_guard lock(state_mutex_);
    return events_;
}

json StripeSim::payment_intents() const {
    std::lock_guard lock(state_mutex_);
    json out = json::object();
    for (const auto &[id, pi] : intents_) out[id] = pi;
    return out;
}

json StripeSim::refunds() const {
    std::lock_guard lock(state_mutex_);
    json out = json::array();
    for (const auto &[id, r] : refunds_) out.push_back(r);
    return out;
}

json StripeSim::checkout_session(const std::string &id) const {
    std::lock_guard lock(state_mutex_);
    auto it = sessions_.find(id);
    return it == sessions_.end() ? json(nullptr) : it->second;
}

std::vector<int> StripeSim::delivery_statuses() const {
    std::lock_guard lock(state_mutex_);
    return delivery_statuses_;
}

}  // namespace provisio::sims
