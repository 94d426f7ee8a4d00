#include "http/router.hpp"

#include "foundation/error.hpp"
#include "http/idempotency.hpp"
#include "http/serve_context.hpp"
#include "http/url_encoding.hpp"

#include <spdlog/spdlog.h>

namespace provisio {

using json = nlohmann::ordered_json;

namespace {

bool is_parameter(const std::string &segment) { return segment.size() > 2 && segment.front() == '{' && segment.back() == '}'; }

// The path's {parameters} when its segments `got` match the pattern's, `want`.
std::optional<std::map<std::string, std::string>> match(const std::vector<std::string> &want, const std::vector<std::string> &got) {
    if (want.size() != got.size()) return std::nullopt;
    std::map<std::string, std::string> params;
    for (size_t i = 0; i < want.size(); ++i) {
        if (is_parameter(want[i])) {
            if (got[i].empty()) return std::nullopt;
            params[want[i].substr(1, want[i].size() - 2)] = got[i];
        } else if (want[i] != got[i]) {
            return std::nullopt;
        }
    }
    return params;
}

struct ProblemKind {
    int status;
    const char *type, *title;
};

ProblemKind problem_of(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::invalid_input: return {400, "invalid-input", "The request is not valid"};
    case ErrorKind::not_found: return {404, "not-found", "No such resource"};
    case ErrorKind::refused: return {409, "refused", "Refused in the current state"};
    case ErrorKind::conflict: return {409, "conflict", "Conflicts with an existing resource"};
    case ErrorKind::module_failed: return {502, "module-failed", "The module reported an error"};
    case ErrorKind::module_retry: return {202, "queued", "Queued for retry"};
    case ErrorKind::storage: return {503, "storage", "The database is not available"};
    case ErrorKind::internal: break;
    }
    return {500, "internal", "Internal error"};
}

// Every response: no sniffing, no caching of what may be private, no referrer leaks.
void secure(HttpResponse &r) {
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Cache-Control", "no-store");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
}

// An exception as the problem it is: the error's kind decides the status and type.
HttpResponse problem_for(const HttpRequest &request, const std::exception &e) {
    if (const auto *error = dynamic_cast<const Error *>(&e)) {
        const ProblemKind k = problem_of(error->kind());
        if (k.status >= 500) spdlog::error("{} {}: {}", request.method, request.path, e.what());
        return problem_response(k.status, k.type, k.title, k.status == 500 ? "" : e.what());
    }
    // The detail stays in the log: an internal error's text may say more than a client should see.
    spdlog::error("{} {}: {}", request.method, request.path, e.what());
    return problem_response(500, "internal", "Internal error", "");
}

HttpResponse handle_caught(const Route &route, RouteCall &call) {
    try {
        return route.handle(call);
    } catch (const std::exception &e) {
        return problem_for(call.request, e);
    }
}

}  // namespace

HttpResponse json_response(const json &body, int status) {
    HttpResponse r;
    r.status = status;
    r.body = body.dump();
    return r;
}

HttpResponse problem_response(int status, const std::string &type, const std::string &title, const std::string &detail) {
    HttpResponse r;
    r.status = status;
    r.content_type = "application/problem+json";
    json body{{"type", "urn:provisio:problem:" + type}, {"title", title}, {"status", status}};
    if (!detail.empty()) body["detail"] = detail;
    r.body = body.dump();
    return r;
}

std::optional<int64_t> query_integer(const HttpRequest &request, const std::string &name, int64_t min, int64_t max) {
    const auto it = request.query.find(name);
    if (it == request.query.end()) return std::nullopt;
    const std::string &v = it->second;
    if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos || std::stoll(v) < min || std::stoll(v) > max)
        fail(ErrorKind::invalid_input, "query parameter " + name + " '" + v + "' must be a whole number from " + std::to_string(min) +
                                           " to " + std::to_string(max));
    return std::stoll(v);
}

bool query_flag(const HttpRequest &request, const std::string &name) {
    const auto it = request.query.find(name);
    if (it == request.query.end() || it->second.empty() || it->second == "false") return false;
    if (it->second == "true") return true;
    fail(ErrorKind::invalid_input, "query parameter " + name + " '" + it->second + "' must be true or false");
}

Page page_of(const HttpRequest &request) {
    Page page;
    if (const auto limit = query_integer(request, "limit", 1, 1000)) page.limit = *limit;
    if (const auto cursor = query_integer(request, "cursor", 0, INT64_MAX)) page.after = *cursor;
    return page;
}

json page_json(json items, const Page &page, int64_t last_id) {
    const bool full = static_cast<int64_t>(items.size()) == page.limit;
    return {{"data", std::move(items)}, {"next_cursor", full ? json(std::to_string(last_id)) : json()}};
}

int64_t path_id(const RouteCall &call, const std::string &name) { return id_in_path(call.path.at(name)); }

void Router::add(Route route) {
    patterns_.push_back(path_segments(route.pattern));
    routes_.push_back(std::move(route));
}

HttpResponse Router::dispatch(const HttpRequest &request, ServeContext &context) const {
    const auto started = std::chrono::steady_clock::now();
    HttpResponse response;
    const Route *found = nullptr;
    try {
        std::map<std::string, std::string> params;
        std::string allowed;
        const std::vector<std::string> path = path_segments(request.path);
        for (size_t i = 0; i < routes_.size(); ++i) {
            const Route &r = routes_[i];
            auto m = match(patterns_[i], path);
            if (!m) continue;
            if (r.method == request.method || (request.method == "HEAD" && r.method == "GET")) {
                found = &r;
                params = std::move(*m);
                break;
            }
            allowed += (allowed.empty() ? "" : ", ") + r.method;
        }
        if (!found && !allowed.empty()) {
            response = problem_response(405, "method-not-allowed", "Method not allowed", request.method + " is not served here; use " + allowed);
            response.headers.emplace_back("Allow", allowed);
        } else if (!found) {
            response = problem_response(404, "not-found", "No such resource", "nothing is served at " + request.path);
        } else {
            ServeLease lease = context.lease();
            const std::string now = lease.repo().now_text();
            std::optional<ApiCaller> caller;
            bool permitted = !found->permission;
            if (found->permission) {
                const std::string auth = request.header("authorization");
                const std::string bearer = auth.size() > 7 && (auth.compare(0, 7, "Bearer ") == 0 || auth.compare(0, 7, "bearer ") == 0)
                                               ? auth.substr(7)
                                               : "";
                if (!bearer.empty()) caller = ApiKeys(lease.db()).authenticate(bearer, request.remote_address, now);
                permitted = caller && role_grants(caller->role, *found->permission);
                if (!caller) {
                    response = problem_response(401, "unauthenticated", "Credentials required",
                                                "send a live API key from an address it allows: Authorization: Bearer pv_…");
                    response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"provisio\"");
                } else if (!permitted) {
                    response = problem_response(403, "forbidden", "Not permitted",
                                                "API key " + std::to_string(caller->key_id) + " has role " + caller->role + ", which lacks the " +
                                                    permission_name(*found->permission) + " permission this needs");
                }
            }
            if (permitted) {
                RouteCall call{*this, request, std::move(params), caller ? &*caller : nullptr, context, lease};
                const std::string key = request.method == "POST" && caller ? request.header("idempotency-key") : "";
                std::optional<HttpResponse> earlier;
                if (!key.empty()) earlier = Idempotency(lease.db()).claim(caller->key_id, key, request, now);
                if (earlier) {
                    response = std::move(*earlier);
                } else {
                    response = handle_caught(*found, call);
                    if (!key.empty()) Idempotency(lease.db()).keep(caller->key_id, key, response);
                }
            }
        }
    } catch (const std::exception &e) {
        response = problem_for(request, e);
    }
    if (request.method == "HEAD") response.body.clear();
    secure(response);
    metrics_->record(request.method, found ? found->pattern : "unmatched", response.status,
                     std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
    return response;
}

json Router::openapi(const std::string &version) const {
    json paths = json::object();
    for (const auto &r : routes_) {
        json op{{"summary", r.summary}, {"tags", {r.tag}}, {"operationId", r.method + " " + r.pattern}};
        json parameters = json::array();
        for (const auto &segment : path_segments(r.pattern))
            if (is_parameter(segment))
                parameters.push_back({{"name", segment.substr(1, segment.size() - 2)}, {"in", "path"}, {"required", true},
                                      {"schema", {{"type", "string"}}}});
        for (const auto &q : r.query)
            parameters.push_back({{"name", q.name}, {"in", "query"}, {"required", false}, {"description", q.description},
                                  {"schema", {{"type", q.type}}}});
        if (!parameters.empty()) op["parameters"] = parameters;
        json responses{{"200", {{"description", "OK"}, {"content", {{"application/json", json::object()}}}}},
                       {"default", {{"description", "A problem (RFC 9457)"}, {"content", {{"application/problem+json", json::object()}}}}}};
        if (r.permission) {
            op["security"] = json::array({{{"bearer", json::array()}}});
            op["x-permission"] = permission_name(*r.permission);
            responses["401"] = {{"description", "No live API key, or not from an address it allows"}};
            responses["403"] = {{"description", std::string("The key's role lacks the ") + permission_name(*r.permission) + " permission"}};
        } else {
            op["security"] = json::array();
        }
        op["responses"] = responses;
        std::string method = r.method;
        for (auto &c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        paths[r.pattern][method] = op;
    }
    return {{"openapi", "3.1.0"},
            {"info", {{"title", "provisio API"}, {"version", version}}},
            {"servers", json::array({{{"url", "/"}}})},
            {"components", {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}}}},
            {"paths", paths}};
}

}  // namespace provisio
