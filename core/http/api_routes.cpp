#include "http/api_routes.hpp"

#include "billing/invoices.hpp"
#include "foundation/calendar.hpp"
#include "foundation/error.hpp"
#include "http/serve_context.hpp"
#include "shapes/records_json.hpp"
#include "store/database.hpp"

namespace provisio {

using json = nlohmann::ordered_json;

namespace {

std::string query(const RouteCall &call, const std::string &name) {
    const auto it = call.request.query.find(name);
    return it == call.request.query.end() ? "" : it->second;
}

std::optional<int64_t> query_id(const RouteCall &call, const std::string &name) {
    const std::string v = query(call, name);
    if (v.empty()) return std::nullopt;
    if (v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos)
        fail(ErrorKind::invalid_input, "query parameter " + name + " '" + v + "' must be an id (a whole number)");
    return std::stoll(v);
}

Invoicing invoicing(RouteCall &call) {
    const Date today = BusinessZone(call.context.config().timezone).date_at(call.context.clock().now());
    return Invoicing(call.lease.db(), call.lease.repo().now_text(), today);
}

void add_health(Router &router) {
    router.add({"GET", "/healthz", std::nullopt, "service", "Whether the database is reachable and its schema current (for load balancers)", {},
                [](RouteCall &call) {
                    const int version = call.lease.db().schema_version(), latest = Database::latest_schema_version();
                    const bool ok = version == latest;
                    return json_response({{"status", ok ? "ok" : "schema-behind"}, {"schema_version", version}}, ok ? 200 : 503);
                }});
}

void add_clients(Router &router) {
    router.add({"GET", "/api/v1/clients", Permission::read, "clients", "Clients in id order, a page at a time",
                {{"search", "part of the e-mail address, name, company, or a service's domain or username"},
                 {"status", "Active, Inactive or Closed"},
                 {"limit", "at most this many (1–1000, default 100)", "integer"},
                 {"cursor", "next_cursor of the previous page"}},
                [](RouteCall &call) {
                    const Page page = page_of(call.request);
                    ClientFilter filter;
                    filter.search = query(call, "search");
                    filter.status = query(call, "status");
                    if (!filter.status.empty() && filter.status != "Active" && filter.status != "Inactive" && filter.status != "Closed")
                        fail(ErrorKind::invalid_input, "query parameter status '" + filter.status + "' is not Active, Inactive or Closed");
                    filter.after = page.after;
                    filter.limit = page.limit;
                    json items = json::array();
                    int64_t last = 0;
                    call.lease.repo().for_each_client(filter, [&](const Client &c) {
                        items.push_back(client_json(c));
                        last = c.id;
                    });
                    return json_response(page_json(std::move(items), page, last));
                }});
    router.add({"GET", "/api/v1/clients/{id}", Permission::read, "clients", "One client", {},
                [](RouteCall &call) { return json_response(client_json(call.lease.repo().get_client(path_id(call)))); }});
}

void add_services(Router &router) {
    router.add({"GET", "/api/v1/services", Permission::read, "services", "Services in id order, a page at a time",
                {{"client_id", "only this client's", "integer"},
                 {"product_id", "only this product's", "integer"},
                 {"status", "Pending, Active, Suspended, Terminated or Cancelled"},
                 {"search", "part of the domain, the username, or the client's e-mail address, name or company"},
                 {"limit", "at most this many (1–1000, default 100)", "integer"},
                 {"cursor", "next_cursor of the previous page"}},
                [](RouteCall &call) {
                    const Page page = page_of(call.request);
                    ServiceFilter filter;
                    filter.client_id = query_id(call, "client_id");
                    filter.product_id = query_id(call, "product_id");
                    filter.search = query(call, "search");
                    filter.status = query(call, "status");
                    static const std::vector<std::string> statuses{"Pending", "Active", "Suspended", "Terminated", "Cancelled"};
                    if (!filter.status.empty() && std::find(statuses.begin(), statuses.end(), filter.status) == statuses.end())
                        fail(ErrorKind::invalid_input,
                             "query parameter status '" + filter.status + "' is not Pending, Active, Suspended, Terminated or Cancelled");
                    filter.after = page.after;
                    filter.limit = page.limit;
                    json items = json::array();
                    int64_t last = 0;
                    call.lease.repo().for_each_service(filter, [&](const ListedService &l) {
                        json j = service_json(l.service);
                        j["client_name"] = l.client_name;
                        j["product_name"] = l.product_name;
                        items.push_back(std::move(j));
                        last = l.service.id;
                    });
                    return json_response(page_json(std::move(items), page, last));
                }});
    router.add({"GET", "/api/v1/services/{id}", Permission::read, "services", "One service", {},
                [](RouteCall &call) { return json_response(service_json(call.lease.repo().get_service(path_id(call)))); }});
}

void add_invoices(Router &router) {
    router.add({"GET", "/api/v1/invoices/{id}", Permission::read, "invoices", "One invoice with its lines", {},
                [](RouteCall &call) { return json_response(invoice_json(invoicing(call).get(path_id(call)))); }});
}

void add_admin(Router &router) {
    router.add({"GET", "/api/v1/api-keys", Permission::admin, "admin", "The API keys (never their secrets)", {},
                [](RouteCall &call) {
                    json items = json::array();
                    for (const ApiKey &k : ApiKeys(call.lease.db()).list())
                        items.push_back({{"id", k.id}, {"name", k.name}, {"role", k.role}, {"allow_ips", k.allow_ips},
                                         {"created_at", k.created_at}, {"last_used_at", k.last_used_at ? json(*k.last_used_at) : json()},
                                         {"revoked_at", k.revoked_at ? json(*k.revoked_at) : json()}});
                    return json_response({{"data", items}});
                }});
}

}  // namespace

Router api_router(const std::string &version) {
    Router router;
    add_health(router);
    add_clients(router);
    add_services(router);
    add_invoices(router);
    add_admin(router);
    // Last, so it documents every route above (and itself).
    router.add({"GET", "/api/v1/openapi.json", Permission::read, "meta", "This API's OpenAPI 3.1 document", {},
                [version](RouteCall &call) { return json_response(call.router.openapi(version)); }});
    return router;
}

}  // namespace provisio
