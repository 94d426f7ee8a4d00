#include "api.hpp"

#include "plugin_support.hpp"

#include <chrono>

namespace lesnet {

using nlohmann::json;
using provisio::Outcome;

namespace {

// A member's text: a string as it is, anything else as JSON; "" when absent.
std::string text_of(const json &object, const char *name) {
    if (!object.is_object() || !object.contains(name)) return "";
    const json &v = object[name];
    return v.is_string() ? v.get<std::string>() : v.dump();
}

std::string credentials_refused(const std::string &detail) {
    return "LesNet refused the credentials (the server's username is the idkey, its password the apikey): " + detail;
}

}  // namespace

bool Answer::confirmed() const { return body.is_object() && body.contains("status") && body["status"] == "success"; }

bool Answer::has_results() const { return body.is_object() && (!body.contains("status") || confirmed()); }

const json *Answer::member(const std::string &name, bool *from_data) const {
    if (from_data) *from_data = false;
    if (!body.is_object()) return nullptr;
    if (auto it = body.find(name); it != body.end()) return &*it;
    if (auto data = body.find("data"); data != body.end() && data->is_object())
        if (auto it = data->find(name); it != data->end()) {
            if (from_data) *from_data = true;
            return &*it;
        }
    return nullptr;
}

std::string quoted(std::string_view text, std::string_view secret) {
    std::string out(text);
    if (!secret.empty())
        for (size_t p = out.find(secret); p != std::string::npos; p = out.find(secret, p)) out.replace(p, secret.size(), "********");
    constexpr size_t limit = 300;
    if (out.size() <= limit) return out;
    size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
    return out.substr(0, cut) + "…";
}

Outcome unknown_shape(const provisio::Call &c, const Answer &a, std::string_view expected) {
    return Outcome::failure("LesNet API (" + a.endpoint + ") answered in a shape this module does not know (expected " +
                            std::string(expected) + "): " + quoted(a.raw, c.server("password")));
}

Answer call_api(const provisio::Call &c, const std::string &api_path, const std::string &endpoint, json params) {
    const std::string_view apikey = c.server("password");
    std::string path = api_path;
    if (path.empty() || path.back() != '/') path += '/';
    params["authentication"] = {{"apikey", std::string(apikey)}, {"idkey", std::string(c.server("username"))}};
    // The sample client's sequence is time(): the Unix time in seconds, from the host's clock
    // here so a replayed run (--now) sends what it sent.
    params["sequence"] = std::chrono::duration_cast<std::chrono::seconds>(c.now().time_since_epoch()).count();
    provisio::HttpRequest req;
    req.method = "POST";
    req.url = provisio::plugin::base_url(c) + path + endpoint + "/";
    req.headers = {{"Content-Type", "application/json"}};
    req.body = params.dump();
    const provisio::HttpResponse r = c.http(req);
    c.log_call(endpoint, "POST " + path + endpoint + "/ " + req.body,
               r.transport == provisio::Status::ok ? std::to_string(r.status) + " " + r.body : r.error, {apikey});

    Answer a;
    a.endpoint = endpoint;
    a.raw = r.body;
    const std::string where = "LesNet API (" + endpoint + ")";
    if (r.transport != provisio::Status::ok) {
        a.failed = r.transport == provisio::Status::retryable ? Outcome::retry(where + " unreachable: " + r.error)
                                                              : Outcome::failure(where + ": " + r.error);
        return a;
    }
    const std::string http = "HTTP " + std::to_string(r.status);
    if (r.status >= 500) {
        a.failed = Outcome::retry(where + " answered " + http + (r.body.empty() ? "" : ": " + quoted(r.body, apikey)));
        return a;
    }
    const bool refused = r.status == 401 || r.status == 403;
    try {
        a.body = json::parse(r.body);
    } catch (const std::exception &) {
        const std::string what = where + " answered " + http + " with a body that is not JSON: " + quoted(r.body, apikey);
        // A proxy's or load balancer's page in front of LesNet: usually passing, so retried.
        a.failed = refused ? Outcome::failure(credentials_refused(what)) : Outcome::retry(what);
        return a;
    }
    // LesNet's documented error answer, whatever the HTTP status (the sample client never looks at it).
    if (a.body.is_object() && a.body.contains("status") && a.body["status"] == "error") {
        const std::string error = text_of(a.body, "error"), detail = text_of(a.body, "error_detail");
        const std::string said = error.empty() && detail.empty() ? "an error without \"error\" or \"error_detail\": " + quoted(r.body, apikey)
                                                                 : quoted(error + (detail.empty() ? "" : ": " + detail), apikey);
        a.failed = Outcome::failure(refused ? credentials_refused(said) : where + " answered an error: " + said);
        return a;
    }
    if (refused) {
        a.failed = Outcome::failure(credentials_refused(where + " answered " + http + ": " + quoted(r.body, apikey)));
        return a;
    }
    if (r.status < 200 || r.status > 299) {
        a.failed = Outcome::failure(where + " answered " + http + ": " + quoted(r.body, apikey));
        return a;
    }
    return a;
}

}  // namespace lesnet
