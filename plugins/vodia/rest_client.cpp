#include "rest_client.hpp"

#include "md5_hex.hpp"
#include "plugin_support.hpp"

namespace vodia {

namespace {

using nlohmann::json;
using provisio::Outcome;

std::string base64(std::string_view in) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    uint32_t value = 0;
    int bits = 0;
    for (unsigned char ch : in) {
        value = (value << 8) | ch;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += alphabet[(value >> bits) & 63];
        }
    }
    if (bits > 0) out += alphabet[(value << (6 - bits)) & 63];
    while (out.size() % 4) out += '=';
    return out;
}

std::string cookie_value(const std::string &set_cookie, const std::string &name) {
    const size_t at = set_cookie.find(name + "=");
    if (at == std::string::npos) return "";
    const size_t from = at + name.size() + 1, end = set_cookie.find(';', from);
    return set_cookie.substr(from, end == std::string::npos ? std::string::npos : end - from);
}

}  // namespace

std::string excerpt(const std::string &text, size_t n) {
    if (text.empty()) return "(nothing)";
    return "'" + (text.size() > n ? text.substr(0, n) + "…" : text) + "'";
}

std::string RestClient::session_key(const provisio::Call &c) const {
    return provisio::plugin::base_url(c) + " " + std::string(c.server("username"));
}

Reply RestClient::call(provisio::Call &c, bool basic, const std::string &method, const std::string &path,
                       const std::optional<json> &body) {
    std::string session;
    bool fresh = false;
    if (!basic) {
        session = cached_session(c);
        if (session.empty()) {
            Reply login = log_in(c);
            if (login.failed) return login;
            session = login.text;
            fresh = true;
        }
    }
    for (int attempt = 0;; ++attempt) {
        provisio::HttpRequest req;
        req.method = method;
        req.url = provisio::plugin::base_url(c) + path;
        req.headers = {{"Accept", "application/json"}};
        if (basic)
            req.headers.emplace_back("Authorization", "Basic " + base64(std::string(c.server("username")) + ":" + std::string(c.server("password"))));
        else req.headers.emplace_back("Cookie", "session=" + session);
        if (body) {
            req.headers.emplace_back("Content-Type", "application/json");
            req.body = body->dump();
        }
        const provisio::HttpResponse r = c.http(req);
        const std::string request = method + " " + path + (req.body.empty() ? "" : " " + req.body);
        c.log_call(method, request,
                   r.transport == provisio::Status::ok ? std::to_string(r.status) + " " + r.body.substr(0, 2000) : r.error,
                   {c.server("password"), session});
        if (!basic && !fresh && r.transport == provisio::Status::ok && (r.status == 401 || r.status == 403) && attempt == 0) {
            forget_session(c, session);  // expired: log in again once
            Reply login = log_in(c);
            if (login.failed) return login;
            session = login.text;
            fresh = true;
            continue;
        }
        return sorted(r, method + " " + path, method != "GET");
    }
}

// Vodia answers the login with the session id as a JSON string (its API document shows
// "Content-Length: 22": 20 characters in quotes; its PHP sample reads the body). Some public
// clients also look for a Set-Cookie header; the module takes either and logs which it used.
Reply RestClient::log_in(provisio::Call &c) {
    const std::string user(c.server("username"));
    const std::string hash = provisio::plugin::md5_hex(c.server("password"));
    provisio::HttpRequest req;
    req.method = "PUT";
    req.url = provisio::plugin::base_url(c) + "/rest/system/session";
    req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
    req.body = json{{"name", "auth"}, {"value", user + " " + hash}}.dump();
    const provisio::HttpResponse r = c.http(req);
    std::string session, source;
    if (r.transport == provisio::Status::ok && r.status == 200) {
        try {
            const json j = json::parse(r.body);
            if (j.is_string()) {
                session = j.get<std::string>();
                source = "the answer's body (as Vodia documents it)";
            }
        } catch (const std::exception &) {
        }
        if (session.empty()) {
            session = cookie_value(r.header("set-cookie"), "session");
            if (!session.empty()) source = "its Set-Cookie header (the body was " + excerpt(r.body, 60) + ")";
        }
    }
    c.log_call("login", "PUT /rest/system/session " + req.body,
               r.transport == provisio::Status::ok ? std::to_string(r.status) + " " + r.body.substr(0, 2000) : r.error, {hash, session});
    Reply out = sorted(r, "login", false);  // the answer must be JSON: the id as a string
    if (out.failed) return out;
    if (session.empty()) {
        // No session is a refusal we do not recognise: say what the PBX said.
        out.failed = Outcome::failure("the Vodia PBX answered the login with " + excerpt(r.body) +
                                      " and no session id (expected the id as a JSON string): check the server's username and password");
        return out;
    }
    c.log(PROVISIO_LOG_INFO, "Vodia login: session id taken from " + source);
    std::lock_guard lock(mutex_);
    sessions_[session_key(c)] = session;
    out.text = session;
    return out;
}

std::string RestClient::cached_session(const provisio::Call &c) {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session_key(c));
    return it == sessions_.end() ? "" : it->second;
}

void RestClient::forget_session(const provisio::Call &c, const std::string &session) {
    std::lock_guard lock(mutex_);
    auto it = sessions_.find(session_key(c));
    if (it != sessions_.end() && it->second == session) sessions_.erase(it);
}

Reply RestClient::sorted(const provisio::HttpResponse &r, const std::string &what, bool write) {
    Reply out;
    out.status = r.status;
    out.text = r.body;
    if (r.transport != provisio::Status::ok) {
        out.failed = r.transport == provisio::Status::retryable ? Outcome::retry("Vodia PBX unreachable: " + r.error)
                                                                : Outcome::failure("Vodia PBX: " + r.error);
        return out;
    }
    if (r.status == 401 || r.status == 403) {
        out.failed = Outcome::failure("the Vodia PBX refused the credentials (" + what + ", HTTP " + std::to_string(r.status) +
                                      "): check the server's username and password");
        return out;
    }
    if (r.status >= 500) {
        out.failed = Outcome::retry("the Vodia PBX answered HTTP " + std::to_string(r.status) + " to " + what + ": " + excerpt(r.body));
        return out;
    }
    bool parsed = true;
    try {
        out.body = r.body.empty() ? json() : json::parse(r.body);
    } catch (const std::exception &) {
        parsed = false;
    }
    if (r.status < 200 || r.status >= 300) {
        const std::string message = parsed && out.body.is_object() && out.body.contains("error") && out.body["error"].is_string()
                                        ? out.body["error"].get<std::string>()
                                        : excerpt(r.body);
        out.failed = Outcome::failure("the Vodia PBX answered HTTP " + std::to_string(r.status) + " to " + what + ": " + message);
        return out;
    }
    // A write is done when the PBX says 200 (Vodia's PHP sample checks nothing else); what it
    // reads back is in the call log.
    if (!parsed && !write)
        out.failed = Outcome::retry("the Vodia PBX answered " + what + " with HTTP " + std::to_string(r.status) +
                                    " and a body that is not JSON: " + excerpt(r.body));
    return out;
}

}  // namespace vodia
