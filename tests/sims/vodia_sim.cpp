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
        static std::mt19937_64 random{std::random_device{}()};
        const std::string sid = std::to_string(random());
        sessions_.insert(sid);
        ++logins_;
        return {200, json(sid).dump(), "application/json", {{"Set-Cookie", "session=" + sid + "; Path=/; HttpOnly"}}};
    }
    if (!authenticated(r)) return wrong_credentials();
    if (path == "/rest/system/domains" && r.method == "GET") {
        json list = json::array();
        for (const auto &[name, t] : tenants_) list.push_back({{"name", name}, {"accounts", t.accounts.size()}});
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
    json body = json::object();
    if (r.method == "POST") {
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
    if (what == "domain_trunks" && r.method == "GET") {
        json list = json::array();
        for (const auto &tr : t.trunks) list.push_back({{"id", tr.id}, {"name", tr.name}, {"type", "register"}, {"disabled", flag(tr.disabled)}});
        return {200, list.dump()};
    }
    if (what == "edit_trunk") {
        auto tr = std::find_if(t.trunks.begin(), t.trunks.end(), [&](const VodiaTrunk &x) { return x.id == arg; });
        if (tr == t.trunks.end()) return error(404, "trunk " + arg + " does not exist");
        if (auto bad = set_flag(tr->disabled)) return *bad;
        return {200, json{{"name", tr->name}, {"dis", flag(tr->disabled)}}.dump()};
    }
    if (what == "user_settings") {
        auto acc = t.accounts.find(arg);
        if (acc == t.accounts.end()) return error(404, "account " + arg + " does not exist");
        if (auto bad = set_flag(acc->second.disabled)) return *bad;
        return {200, json{{"alias", arg}, {"first_name", acc->second.first_name}, {"dis", flag(acc->second.disabled)}}.dump()};
    }
    if (what == "settings") {
        if (body.contains("max_calls")) {
            if (!body["max_calls"].is_string()) return error(400, "max_calls must be a string");
            t.max_calls = body["max_calls"].get<std::string>();
        }
        return {200, json{{"max_calls", t.max_calls}}.dump()};
    }
    if (what == "cdrs" && r.method == "GET") {
        int64_t from = 0;
        size_t count = 100;
        try {
            if (!r.query("start").empty()) from = std::stoll(r.query("start"));
            if (!r.query("count").empty()) count = std::stoul(r.query("count"));
        } catch (const std::exception &) {
            return error(400, "start and count must be numbers");
        }
        std::vector<const VodiaCdr *> due;
        for (const auto &c : t.cdrs)
            if (c.start >= from) due.push_back(&c);
        std::sort(due.begin(), due.end(), [](auto *a, auto *b) { return std::tie(a->start, a->id) < std::tie(b->start, b->id); });
        json list = json::array();
        for (size_t i = 0; i < due.size() && i < count; ++i)
            list.push_back({{"id", due[i]->id}, {"from", due[i]->from}, {"to", due[i]->to}, {"start", due[i]->start},
                            {"connect", due[i]->connect}, {"end", due[i]->end}});
        return {200, list.dump()};
    }
    return error(404, "no such resource: " + r.method + " " + what);
}

}  // namespace provisio::sims
