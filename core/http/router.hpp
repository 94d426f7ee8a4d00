// The route table of `provisio serve`: each route says its method, its path pattern
// ("/api/v1/clients/{id}"), the permission it needs (or none: /healthz), what it is for, and its
// handler. The same table dispatches requests and writes the OpenAPI document, so a route is
// never served undocumented or documented unserved.
//
// Dispatch authenticates the bearer key, checks the permission, and turns every error into an
// RFC 9457 problem (application/problem+json) with a stable type per kind of error:
//   invalid_input 400, unauthenticated 401, forbidden 403, not_found 404, method 405,
//   refused 409, conflict 409, queued 202, module_failed 502, storage 503, internal 500.
#pragma once

#include "http/api_keys.hpp"
#include "http/http_types.hpp"
#include "http/metrics.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

class ServeContext;
struct ServeLease;

struct QueryParameter {
    std::string name, description;
    std::string type = "string";  // OpenAPI: string, integer
};

// What a handler gets: the request, the path's {parameters}, who asked, and a database.
class Router;

struct RouteCall {
    const Router &router;
    const HttpRequest &request;
    std::map<std::string, std::string> path;
    const ApiCaller *caller;  // null on a route that needs no credentials
    ServeContext &context;
    ServeLease &lease;
};

struct Route {
    std::string method, pattern;
    std::optional<Permission> permission;  // nullopt: answered without credentials
    std::string tag, summary;
    std::vector<QueryParameter> query;
    std::function<HttpResponse(RouteCall &)> handle;
};

class Router {
public:
    Router() : metrics_(std::make_shared<Metrics>()) {}
    void add(Route route);
    Metrics &metrics() const { return *metrics_; }
    const std::vector<Route> &routes() const { return routes_; }
    // Never throws: every failure is a problem response.
    HttpResponse dispatch(const HttpRequest &request, ServeContext &context) const;
    nlohmann::ordered_json openapi(const std::string &version) const;

private:
    std::vector<Route> routes_;
    std::vector<std::vector<std::string>> patterns_;  // each route's pattern split at '/', once
    std::shared_ptr<Metrics> metrics_;  // every request counted, by route
};

// Responses the handlers share.
HttpResponse json_response(const nlohmann::ordered_json &body, int status = 200);
HttpResponse problem_response(int status, const std::string &type, const std::string &title, const std::string &detail);

// Cursor paging: ?limit (1–1000, default 100) and ?cursor (opaque: the last id of the previous
// page). Error(invalid_input) naming the parameter when either is malformed.
struct Page {
    int64_t after = 0;
    int64_t limit = 100;
};
Page page_of(const HttpRequest &request);
// A query parameter that is a whole number from min to max; nullopt when absent, Error(invalid_input)
// naming it when it is anything else.
std::optional<int64_t> query_integer(const HttpRequest &request, const std::string &name, int64_t min, int64_t max);
// A boolean query parameter, `true` or `false` on every route; false when absent or empty,
// Error(invalid_input) naming it when it is anything else.
bool query_flag(const HttpRequest &request, const std::string &name);
// {"data": items, "next_cursor": … or null}: a next cursor when the page came back full.
nlohmann::ordered_json page_json(nlohmann::ordered_json items, const Page &page, int64_t last_id);

// An {id} path parameter as a number; Error(not_found) when it is not one (no such record).
int64_t path_id(const RouteCall &call, const std::string &name = "id");

}  // namespace provisio
