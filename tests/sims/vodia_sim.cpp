#include "vodia_sim.hpp"

#include <nlohmann/json.hpp>
#include <md5_hex.hpp>

#include <algorithm>
#include <random>

namespace provisio::sims {

using nlohmann::json;

namespace {

SimResponse error(int status, const std::string &message) { return {status, json{{"error", message}}.dump()}; }
const char *flag(bool b) { return b ? "true" : "false"; }

// Milliseconds → "1595572559.444", as Vodia writes CDR times (text, three decimals).
std::string vodia_time(int64_t ms) {
    char text[32];
    std::snprintf(text, sizeof text, "%lld.%03lld", static_cast<long long>(ms / 1000), static_cast<long long>(ms % 1000));
    return text;
}

std::string base64_decoded(const std::string &in) {
    static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    int bits = 0, value = 0;
    for (char ch : in) {
        const size_t i = alphabet.find(ch);
        if (i == std::string::npos) break;
        value = (value << 6) | static_cast<int>(i);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((value >> bits) & 0xff);
        }
    }
    return out;
}

// A session id of 20 letters and digits: Vodia's API document shows the login answer as
// "Content-Length: 22", the id in quotes; its PHP sample keeps 20 characters of it.
std::string new_session_id() {
    static std::mt19937_64 random{std::random_device{}()};
    static constexpr char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string id;
    for (int i = 0; i < 20; ++i) id += chars[random() % (sizeof chars - 1)];
    return id;
}

}  // namespace

VodiaSim::VodiaSim(std::string user, std::string password, std::optional<TlsFiles> tls, unsigned short port)
    : SimServer(std::move(tls), port), user_(std::move(user)), password_(std::move(password)) {
    start();
}

VodiaSim::~VodiaSim() { stop(); }

void VodiaSim::add_tenant(const std::string &domain, VodiaTenant tenant) {
    std::lock_guard lock(state_mutex_);
    tenants_[domain] = std::move(tenant);
}

std::optional<VodiaTenant> VodiaSim::tenant(const std::string &domain) const {
    std::lock_guard lock(state_mutex_);
    auto it = tenants_.find(domain);
    return it == tenants_.end() ? std::nullopt : std::optional<VodiaTenant>(it->second);
}

void VodiaSim::add_cdr(const std::string &domain, VodiaCdr cdr) {
    std::lock_guard lock(state_mutex_);
    tenants_[domain].cdrs.push_back(std::move(cdr));
}

void VodiaSim::expire_sessions() {
    std::lock_guard lock(state_mutex_);
    sessions_.clear();
}

int VodiaSim::logins() const {
    std::lock_guard lock(state_mutex_);
    return logins_;
}

void VodiaSim::account_flag(bool on) {
    std::lock_guard lock(state_mutex_);
    account_flag_ = on;
}

// Assumption: what Vodia answers to bad credentials is not published; 401 with a message.
SimResponse VodiaSim::wrong_credentials() { return error(401, "Authentication failed"); }

bool VodiaSim::authenticated(const SimRequest &r) const {
    const std::string cookie = r.header("cookie");
    for (size_t at = cookie.find("session="); at != std::string::npos; at = cookie.find("session=", at + 1)) {
        const size_t end = cookie.find(';', at);
        if (sessions_.count(cookie.substr(at + 8, end == std::string::npos ? std::string::npos : end - at - 8))) return true;
    }
    const std::string auth = r.header("authorization");
    return auth.rfind("Basic ", 0) == 0 && base64_decoded(auth.substr(6)) == user_ + ":" + password_;
}

SimResponse VodiaSim::handle(const SimRequest &r) {
    const std::string path = r.path();
    std::lock_guard lock(state_mutex_);
    if (path == "/rest/system/session" && r.method == "PUT") {
        json body;
        try {
            body = json::parse(r.body);
        } catch (const std::exception &) {
            return error(400, "the request body is not JSON");
        }
        if (body.value("name", "") != "auth" || body.value("value", "") != user_ + " " + provisio::plugin::md5_hex(password_)) return wrong_credentials();
        const std::string sid = new_session_id();
        sessions_.insert(sid);
        ++logins_;
        return {200, json(sid).dump()};
    }
    if (!authenticated(r)) return wrong_credentials();
    if (path == "/rest/system/domains" && r.method == "GET") {
        // Keyed by the tenant's id, each with its name and display name (the shape the public
        // Raycast client for Vodia reads).
        json list = json::object();
        int id = 1;
        for (const auto &[name, t] : tenants_)
            list[std::to_string(id++)] = {{"name", name}, {"display", name}, {"alias", json::array({name})}, {"country", "1"}, {"area", ""}};
        return {200, list.dump()};
    }
    const std::string prefix = "/rest/domain/";
    if (path.rfind(prefix, 0) != 0) return error(404, "no such resource: " + path);
    // /rest/domain/D/WHAT[/ARG]
    const std::string rest = path.substr(prefix.size());
    const size_t slash = rest.find('/');
    if (slash == std::string::npos) return error(404, "no such resource: " + path);
    auto it = tenants_.find(rest.substr(0, slash));
    if (it == tenants_.end()) return error(404, "domain " + rest.substr(0, slash) + " does not exist");
    const std::string tail = rest.substr(slash + 1);
    const size_t slash2 = tail.find('/');
    return domain_call(r, it->second, tail.substr(0, slash2), slash2 == std::string::npos ? "" : tail.substr(slash2 + 1));
}

SimResponse VodiaSim::domain_call(const SimRequest &r, VodiaTenant &t, const std::string &what, const std::string &arg) {
    if (r.method != "GET" && r.method != "PUT") return error(405, r.method + " is not how this PBX changes " + what + " (PUT is)");
    json body = json::object();
    if (r.method == "PUT") {
        try {
            body = json::parse(r.body);
        } catch (const std::exception &) {
            return error(400, "the request body is not JSON");
        }
        if (!body.is_object()) return error(400, "the request body is not an object");
    }
    auto set_flag = [&](bool &target) -> std::optional<SimResponse> {
        if (!body.contains("dis")) return std::nullopt;
        const std::string v = body["dis"].is_string() ? body["dis"].get<std::string>() : "";
        if (v != "true" && v != "false") return error(400, "dis must be \"true\" or \"false\"");
        target = v == "true";
        return std::nullopt;
    };
    // Assumption: what Vodia answers to a PUT is not published (its sample checks for 200 only).
    const SimResponse written{200, ""};
    if (what == "domain_trunks" && arg.empty() && r.method == "GET") {
        // Fields as api.vodia.com's trunk page lists them.
        json list = json::array();
        for (const auto &tr : t.trunks)
            list.push_back({{"id", tr.id}, {"name", tr.name}, {"type", "register"}, {"disabled", flag(tr.disabled)}, {"account", ""},
                            {"proxy", ""}, {"registrar", ""}, {"direction", ""}, {"ani", ""}, {"global", "false"},
                            {"status1", tr.status1}, {"status2", tr.status2}});
        return {200, list.dump()};
    }
    if (what == "edit_trunk") {
        auto tr = std::find_if(t.trunks.begin(), t.trunks.end(), [&](const VodiaTrunk &x) { return x.id == arg; });
        if (tr == t.trunks.end()) return error(404, "trunk " + arg + " does not exist");
        if (auto bad = set_flag(tr->disabled)) return *bad;
        if (r.method == "PUT") return written;
        return {200, json{{"name", tr->name}, {"dis", flag(tr->disabled)}, {"domain", "1"}, {"global", "false"}}.dump()};
    }
    if (what == "user_settings") {
        auto acc = t.accounts.find(arg);
        // Assumption: the answer for an account that does not exist is not published.
        if (acc == t.accounts.end()) return error(404, "account " + arg + " does not exist");
        // A PBX without the flag ignores it, as it does any key it does not know (assumption).
        if (account_flag_)
            if (auto bad = set_flag(acc->second.disabled)) return *bad;
        if (body.contains("first_name") && body["first_name"].is_string()) acc->second.first_name = body["first_name"].get<std::string>();
        // Assumption: the SIP password's key is "password" (guides write it so; Vodia's extension
        // page does not list it), an empty one is refused ("Allow empty passwords" is off by
        // default), and a GET never shows it (Vodia stores passwords hashed).
        if (body.contains("password")) {
            if (!body["password"].is_string() || body["password"].get<std::string>().empty())
                return error(400, "the password must not be empty");
            acc->second.password = body["password"].get<std::string>();
        }
        if (r.method == "PUT") return written;
        // A few of the keys api.vodia.com's extension page shows (it lists them alphabetically,
        // with no "dis" between "dial_plan" and "display_name").
        json settings{{"access_level", "0"}, {"block_cid", "false"}, {"cw", "true"}, {"dial_plan", ""},
                      {"display_name", ""}, {"dnd", "false"}, {"first_name", acc->second.first_name}};
        if (account_flag_) settings["dis"] = flag(acc->second.disabled);
        return {200, settings.dump()};
    }
    if (what == "settings") {
        if (body.contains("max_calls")) {
            if (!body["max_calls"].is_string()) return error(400, "max_calls must be a string");
            t.max_calls = body["max_calls"].get<std::string>();
        }
        if (r.method == "PUT") return written;
        // Assumption: the tenant settings' keys are not published; "max_calls" is our reading.
        return {200, json{{"max_calls", t.max_calls}}.dump()};
    }
    if (what == "cdrs" && arg.empty() && r.method == "GET") {
        // page from 1 and size, as the public Vodia dashboard client asks (cdrs?size=400&page=1).
        // Assumption: the default page size; Vodia's "default CDR listing size" is 30.
        size_t page = 1, size = 30;
        try {
            if (!r.query("page").empty()) page = std::stoul(r.query("page"));
            if (!r.query("size").empty()) size = std::stoul(r.query("size"));
        } catch (const std::exception &) {
            return error(400, "page and size must be numbers");
        }
        if (page == 0 || size == 0) return error(400, "page and size start at 1");
        // Newest first, as Vodia's lists of calls are (the public dashboard client's sample).
        std::vector<const VodiaCdr *> all;
        for (const auto &c : t.cdrs) all.push_back(&c);
        std::sort(all.begin(), all.end(), [](auto *a, auto *b) { return std::tie(a->start_ms, a->id) > std::tie(b->start_ms, b->id); });
        json list = json::array();
        for (size_t i = (page - 1) * size; i < all.size() && i < page * size; ++i) {
            const VodiaCdr &c = *all[i];
            // Assumption: an unanswered call's "connect" is empty (the client reads it as text).
            list.push_back({{"id", c.id}, {"call_id", std::to_string(c.id) + "@127.0.0.1"}, {"from", c.from}, {"to", c.to},
                            {"start", c.start_text.empty() ? vodia_time(c.start_ms) : c.start_text}, {"connect", c.connect_ms ? vodia_time(c.connect_ms) : ""},
                            {"end", vodia_time(c.end_ms)}, {"rating", ""}, {"pcap", false}, {"extensions", json::array()},
                            {"trunks", json::array()}});
        }
        return {200, list.dump()};
    }
    return error(404, "no such resource: " + r.method + " " + what);
}

}  // namespace provisio::sims
