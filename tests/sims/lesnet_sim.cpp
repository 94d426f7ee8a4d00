#include "lesnet_sim.hpp"

#include <nlohmann/json.hpp>

namespace provisio::sims {

using nlohmann::json;

namespace {

SimResponse error(int status, const std::string &message) {
    return {status, json{{"status", "error"}, {"message", message}}.dump()};
}

}  // namespace

LesNetSim::LesNetSim(std::string apikey, std::string idkey, std::optional<TlsFiles> tls, unsigned short port)
    : SimServer(std::move(tls), port), apikey_(std::move(apikey)), idkey_(std::move(idkey)) {
    start();
}

LesNetSim::~LesNetSim() { stop(); }

void LesNetSim::add_peer(const std::string &peer, LesNetPeer p) {
    std::lock_guard lock(state_mutex_);
    peers_[peer] = std::move(p);
}

std::optional<LesNetPeer> LesNetSim::peer(const std::string &peer) const {
    std::lock_guard lock(state_mutex_);
    auto it = peers_.find(peer);
    return it == peers_.end() ? std::nullopt : std::optional<LesNetPeer>(it->second);
}

void LesNetSim::set_cdr_file(const std::string &name, std::string text, const std::string &last_modified) {
    std::lock_guard lock(state_mutex_);
    files_[name] = {std::move(text), "\"v" + std::to_string(++versions_) + "\"", last_modified};
}

int LesNetSim::cdr_downloads() const {
    std::lock_guard lock(state_mutex_);
    return downloads_;
}

SimResponse LesNetSim::wrong_credentials() { return error(401, "authentication failed: unknown apikey or idkey"); }

SimResponse LesNetSim::handle(const SimRequest &r) {
    const std::string path = r.path();
    std::lock_guard lock(state_mutex_);
    if (r.method == "GET" && path.rfind("/cdr/", 0) == 0) {
        auto it = files_.find(path.substr(5));
        if (it == files_.end()) return {404, "no such file\n", "text/plain"};
        const CdrFile &f = it->second;
        if ((!r.header("if-none-match").empty() && r.header("if-none-match") == f.etag) ||
            (r.header("if-none-match").empty() && !r.header("if-modified-since").empty() && r.header("if-modified-since") == f.last_modified))
            return {304, "", "text/plain", {{"ETag", f.etag}, {"Last-Modified", f.last_modified}}};
        ++downloads_;
        return {200, f.text, "text/plain", {{"ETag", f.etag}, {"Last-Modified", f.last_modified}}};
    }
    if (r.method != "POST" || path.rfind("/v1/", 0) != 0) return error(404, "no such endpoint: " + r.method + " " + path);
    std::string endpoint = path.substr(4);
    if (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
    json body;
    try {
        body = json::parse(r.body);
    } catch (const std::exception &) {
        return error(400, "the request body is not JSON");
    }
    const json auth = body.value("authentication", json::object());
    if (!auth.is_object() || auth.value("apikey", "") != apikey_ || auth.value("idkey", "") != idkey_)
        return wrong_credentials();
    if (endpoint == "account/info") return {200, json{{"status", "success"}, {"data", {{"account", idkey_}}}}.dump()};
    const std::string id = body.value("peer", "");
    auto it = peers_.find(id);
    if (it == peers_.end()) return error(404, "peer " + id + " not found");
    LesNetPeer &p = it->second;
    if (endpoint == "peer/info")
        return {200, json{{"status", "success"},
                          {"data", {{"peer", id}, {"status", p.status}, {"dids", p.dids}, {"max_channels", p.max_channels}}}}
                         .dump()};
    if (endpoint == "peer/enable" || endpoint == "peer/disable") {
        p.status = endpoint == "peer/enable" ? "enabled" : "disabled";
        return {200, json{{"status", "success"}}.dump()};
    }
    if (endpoint == "peer/update") {
        if (!body.contains("max_channels") || !body["max_channels"].is_number_integer()) return error(400, "max_channels must be a number");
        p.max_channels = body["max_channels"].get<int>();
        return {200, json{{"status", "success"}}.dump()};
    }
    return error(404, "no such endpoint: " + endpoint);
}

}  // namespace provisio::sims
