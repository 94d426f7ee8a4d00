#include "stripe_api.hpp"

#include "plugin_support.hpp"
#include "stripe_options.hpp"

namespace stripe {

using nlohmann::json;

std::string form_encoded(const std::string &text) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
        else if (c == ' ') out += '+';
        else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string form_body(const Form &form) {
    std::string body;
    for (const auto &[k, v] : form) body += (body.empty() ? "" : "&") + form_encoded(k) + "=" + form_encoded(v);
    return body;
}

const json &Reply::stripe_error() const {
    static const json none = json::object();
    return body.is_object() && body.contains("error") && body["error"].is_object() ? body["error"] : none;
}

std::string text_of(const json &j, const char *key) {
    if (!j.is_object() || !j.contains(key) || j[key].is_null()) return "";
    return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

Reply call(const provisio::Call &c, const std::string &method, const std::string &path, const Form &form,
           const std::string &idempotency_key, const std::string &log_action) {
    const std::string key(c.server("password"));
    provisio::HttpRequest req;
    req.method = method;
    req.url = provisio::plugin::base_url(c) + path;
    req.headers = {{"Authorization", "Bearer " + key}, {"Accept", "application/json"}};
    if (method == "POST") {
        req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
        req.body = form_body(form);
    } else if (!form.empty()) {
        req.url += "?" + form_body(form);
    }
    if (!idempotency_key.empty()) req.headers.push_back({"Idempotency-Key", idempotency_key});
    const std::string version = provisio::plugin::server_option<StripeOptions>(c, "api_version");
    if (!version.empty()) req.headers.push_back({"Stripe-Version", version});
    const provisio::HttpResponse r = c.http(req);
    Reply out;
    out.transport = r.transport;
    out.status = r.status;
    c.log_call(log_action, method + " " + path + (idempotency_key.empty() ? "" : " [Idempotency-Key " + idempotency_key + "]") + "\n" + req.body,
               r.transport == provisio::Status::ok ? std::to_string(r.status) + (r.header("idempotent-replayed") == "true" ? " (replayed)" : "") +
                                                         "\n" + r.body.substr(0, 4000)
                                                   : r.error,
               {key});
    if (r.transport != provisio::Status::ok) {
        out.error = r.error;
        return out;
    }
    out.body = json::parse(r.body, nullptr, false);
    if (out.body.is_discarded()) out.body = nullptr;
    if (!out.ok()) {
        const json &e = out.stripe_error();
        out.error = "Stripe answered " + std::to_string(r.status) + (e.empty() ? ": " + r.body.substr(0, 300) : ": " + text_of(e, "message"));
        if (const std::string code = text_of(e, "code"); !code.empty()) out.error += " (" + code + ")";
        if (r.status >= 200 && r.status < 300) out.error = "Stripe answered " + std::to_string(r.status) + " with a body that is not a JSON object";
    }
    return out;
}

provisio::PaymentOutcome failure_of(const Reply &r, const std::string &what) {
    if (r.transport != provisio::Status::ok)
        return provisio::PaymentOutcome::retry(what + ": no answer from Stripe (" + r.error + "); asked again later with the same idempotency key");
    if ((r.status >= 200 && r.status < 300) || r.status == 409 || r.status == 429 || r.status >= 500)
        return provisio::PaymentOutcome::retry(what + ": " + r.error + "; asked again later with the same idempotency key");
    return provisio::PaymentOutcome::failure(what + ": " + r.error);
}

}  // namespace stripe
