#include "lesnet_sim.hpp"

#include <nlohmann/json.hpp>

namespace provisio::sims {

using nlohmann::json;

namespace {

// LesNet's error answer. The codes are ours: the sample client shows the shape, not LesNet's codes.
SimResponse error(const std::string &code, const std::string &detail) {
    return {200, json{{"status", "error"}, {"error", code}, {"error_detail", detail}}.dump()};
}

SimResponse success(json results = json::object()) {
    results["status"] = "success";
    return {200, results.dump()};
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

void LesNetSim::set_balance(std::string balance) {
    std::lock_guard lock(state_mutex_);
    balance_ = std::move(balance);
}

SimResponse LesNetSim::wrong_credentials() { return error("authentication_failed", "unknown apikey or idkey"); }

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
    if (r.method != "POST" || path.rfind("/v1/", 0) != 0) return {404, "no such page\n", "text/plain"};
    std::string endpoint = path.substr(4);
    if (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
    json body;
    try {
        body = json::parse(r.body);
    } catch (const std::exception &) {
        return error("invalid_request", "the request body is not JSON");
    }
    if (!body.is_object()) return error("invalid_request", "the request body is not a JSON object");
    const json auth = body.value("authentication", json::object());
    if (!auth.is_object() || auth.value("apikey", "") != apikey_ || auth.value("idkey", "") != idkey_) return wrong_credentials();
    if (!body.contains("sequence") || !body["sequence"].is_number_integer())
        return error("invalid_request", "the request carries no integer sequence");
    if (endpoint == "account/balance") return success({{"balance", json::parse(balance_)}});
    if (endpoint != "peer/info" && endpoint != "peer/enable" && endpoint != "peer/disable" && endpoint != "peer/update")
        return error("invalid_request", "no such endpoint: " + endpoint);
    const std::string id = body.value("peer", "");
    auto it = peers_.find(id);
    if (it == peers_.end()) return error("peer_not_found", "peer " + id + " does not exist");
    LesNetPeer &p = it->second;
    if (endpoint == "peer/info") return success({{"peer", id}, {"dids", p.dids}, {"max_channels", p.max_channels}});
    if (endpoint == "peer/enable" || endpoint == "peer/disable") {
        p.status = endpoint == "peer/enable" ? "enabled" : "disabled";
        return success();
    }
    if (!body.contains("max_channels") || !body["max_channels"].is_number_integer())
        return error("invalid_request", "max_channels must be a whole number");
    p.max_channels = body["max_channels"].get<int>();
    return success();
}

}  // namespace provisio::sims
