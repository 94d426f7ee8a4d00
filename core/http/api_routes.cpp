#include "http/api_routes.hpp"

#include "automation/cron_runner.hpp"
#include "automation/invoice_payment.hpp"
#include "billing/addons.hpp"
#include "billing/invoices.hpp"
#include "domain/audit_log.hpp"
#include "domain/client_fields.hpp"
#include "domain/client_notes.hpp"
#include "domain/client_changes.hpp"
#include "domain/contacts.hpp"
#include "domain/manual_credit.hpp"
#include "foundation/calendar.hpp"
#include "foundation/error.hpp"
#include "http/request_provisioner.hpp"
#include "http/serve_context.hpp"
#include "ledger/credit_ledger.hpp"
#include "ledger/time_ledger.hpp"
#include "payments/webhooks.hpp"
#include "provisioning/call_log.hpp"
#include "provisioning/cancellation_requests.hpp"
#include "provisioning/lifecycle.hpp"
#include "provisioning/module_queue.hpp"
#include "provisioning/module_settings.hpp"
#include "provisioning/orders.hpp"
#include "provisioning/quarantine.hpp"
#include "provisioning/state_machine.hpp"
#include "provisioning/time_entries.hpp"
#include "shapes/records_json.hpp"
#include "store/database.hpp"
#include "usage/cdr_explain.hpp"
#include "usage/cdrs.hpp"
#include "usage/packages.hpp"
#include "usage/tariff_store.hpp"

#include <set>

namespace provisio {

using json = nlohmann::ordered_json;

namespace {

std::optional<int64_t> query_id(const RouteCall &call, const std::string &name) {
    const std::string v = call.request.query_value(name);
    if (v.empty()) return std::nullopt;
    if (v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos)
        fail(ErrorKind::invalid_input, "query parameter " + name + " '" + v + "' must be an id (a whole number)");
    return std::stoll(v);
}

Invoicing invoicing(RouteCall &call) {
    return Invoicing(call.lease.db(), call.lease.repo().now_text(), call.context.today());
}

// The request's body as a JSON object; Error(invalid_input) saying what is wrong with it.
json body_object(const RouteCall &call) {
    json body;
    try {
        body = json::parse(call.request.body);
    } catch (const json::parse_error &e) {
        fail(ErrorKind::invalid_input, std::string("the body is not JSON: ") + e.what());
    }
    if (!body.is_object()) fail(ErrorKind::invalid_input, "the body must be a JSON object");
    return body;
}

// A client's fields from a JSON object: strings, true/false for the flags, a contact id or null
// for billing_contact. An unknown field or a value of the wrong type is refused by name.
ClientChanges client_changes(const json &body) {
    ClientChanges ch;
    const std::map<std::string, std::optional<std::string> ClientChanges::*> texts{
        {"first_name", &ClientChanges::first_name}, {"last_name", &ClientChanges::last_name}, {"company", &ClientChanges::company},
        {"email", &ClientChanges::email},           {"phone", &ClientChanges::phone},         {"language", &ClientChanges::language},
        {"status", &ClientChanges::status},         {"currency", &ClientChanges::currency},   {"address1", &ClientChanges::address1},
        {"address2", &ClientChanges::address2},     {"city", &ClientChanges::city},           {"state", &ClientChanges::state},
        {"postcode", &ClientChanges::postcode},     {"country", &ClientChanges::country},     {"tax_id", &ClientChanges::tax_id}};
    const std::map<std::string, std::optional<bool> ClientChanges::*> flags{{"separate_invoices", &ClientChanges::separate_invoices},
                                                                             {"no_late_fees", &ClientChanges::no_late_fees},
                                                                             {"no_overdue_emails", &ClientChanges::no_overdue_emails},
                                                                             {"tax_exempt", &ClientChanges::tax_exempt}};
    for (const auto &[name, value] : body.items()) {
        if (const auto t = texts.find(name); t != texts.end()) {
            if (!value.is_string()) fail(ErrorKind::invalid_input, "field " + name + " must be a string");
            ch.*(t->second) = value.get<std::string>();
        } else if (const auto f = flags.find(name); f != flags.end()) {
            if (!value.is_boolean()) fail(ErrorKind::invalid_input, "field " + name + " must be true or false");
            ch.*(f->second) = value.get<bool>();
        } else if (name == "billing_contact") {
            if (value.is_null()) ch.billing_contact_id = std::optional<int64_t>();
            else if (value.is_number_integer() && value.get<int64_t>() > 0) ch.billing_contact_id = value.get<int64_t>();
            else fail(ErrorKind::invalid_input, "field billing_contact must be a contact id or null");
        } else {
            fail(ErrorKind::invalid_input, "unknown field '" + name + "' (a client has: first_name, last_name, company, email, phone, "
                                           "language, status, currency, address1, address2, city, state, postcode, country, "
                                           "separate_invoices, no_late_fees, no_overdue_emails, tax_exempt, tax_id, billing_contact)");
        }
    }
    return ch;
}

// Who made a write, for the audit log.
std::string actor(const RouteCall &call) { return "api key " + std::to_string(call.caller->key_id) + " (" + call.caller->name + ")"; }

// A JSON body's fields, each read by name and type; done() refuses a field nothing read, naming
// the ones the route takes. Money is decimal text, never a JSON number.
class BodyFields {
public:
    BodyFields(const RouteCall &call, std::string known)
        : body_(call.request.body.empty() ? json::object() : body_object(call)), known_(std::move(known)) {}
    std::optional<std::string> text(const std::string &name, bool money = false) {
        const json *v = take(name);
        if (!v) return std::nullopt;
        if (!v->is_string())
            fail(ErrorKind::invalid_input, "field " + name + " must be a string" +
                                               (money ? " (decimal text, e.g. \"10.00\": money is never a JSON number)" : ""));
        return v->get<std::string>();
    }
    std::optional<bool> flag(const std::string &name) {
        const json *v = take(name);
        if (!v) return std::nullopt;
        if (!v->is_boolean()) fail(ErrorKind::invalid_input, "field " + name + " must be true or false");
        return v->get<bool>();
    }
    std::optional<int64_t> id(const std::string &name) {
        const json *v = take(name);
        if (!v) return std::nullopt;
        if (!v->is_number_integer() || v->get<int64_t>() <= 0) fail(ErrorKind::invalid_input, "field " + name + " must be a whole number above zero");
        return v->get<int64_t>();
    }
    std::vector<std::string> texts(const std::string &name) {
        const json *v = take(name);
        std::vector<std::string> out;
        if (!v) return out;
        if (!v->is_array()) fail(ErrorKind::invalid_input, "field " + name + " must be a list of strings");
        for (const auto &item : *v) {
            if (!item.is_string()) fail(ErrorKind::invalid_input, "field " + name + " must be a list of strings");
            out.push_back(item.get<std::string>());
        }
        return out;
    }
    std::string required(const std::optional<std::string> &value, const std::string &name) const {
        if (!value || value->empty()) fail(ErrorKind::invalid_input, "field " + name + " is required (" + known_ + ")");
        return *value;
    }
    void done() const {
        for (const auto &[name, value] : body_.items())
            if (!read_.count(name)) fail(ErrorKind::invalid_input, "unknown field '" + name + "' (" + known_ + ")");
    }

private:
    const json *take(const std::string &name) {
        read_.insert(name);
        const auto it = body_.find(name);
        return it == body_.end() || it->is_null() ? nullptr : &*it;
    }
    json body_;
    std::string known_;
    std::set<std::string> read_;
};

void add_health(Router &router) {
    router.add({"GET", "/healthz", std::nullopt, "service", "Whether the database is reachable and its schema current (for load balancers)", {},
                [](RouteCall &call) {
                    const int version = call.lease.db().schema_version(), latest = Database::latest_schema_version();
                    const bool ok = version == latest;
                    return json_response({{"status", ok ? "ok" : "schema-behind"}, {"schema_version", version}}, ok ? 200 : 503);
                }});
}

// Payment gateways' webhooks: no API key (the gateway cannot hold one); the account's module
// checks the request's signature, and anything it refuses is answered 400 and changes nothing.
void add_payment_hooks(Router &router) {
    router.add({"POST", "/hooks/payments/{name}", std::nullopt, "payments",
                "A payment gateway's webhook for the gateway account (server record) NAME, signed as the gateway signs them: stored "
                "under its event id, then processed once; 200 when done (or a duplicate, or ignored), 400 when the signature or body "
                "is refused, 404 for no such gateway, 503 when it must be sent again",
                {},
                [](RouteCall &call) {
                    RequestProvisioner p(call.lease, call.context);
                    TaskContext ctx = p.task_context();
                    const WebhookAnswer a = receive_webhook(ctx, call.path.at("name"), call.request.headers, call.request.body);
                    if (a.status >= 400)
                        return problem_response(a.status, a.status == 400 ? "webhook-refused" : a.status == 404 ? "not-found" : "try-again",
                                                a.status == 400 ? "Webhook refused" : a.status == 404 ? "No such gateway" : "Send it again", a.message);
                    return json_response({{"received", true}, {"duplicate", a.duplicate}, {"outcome", a.message}}, a.status);
                }});
}

void add_metrics(Router &router) {
    router.add({"GET", "/metrics", Permission::read, "service",
                "Prometheus metrics: requests by route and status with their latency, module-call outcomes from the call log, and the cron history's last run and tasks", {},
                [](RouteCall &call) {
                    HttpResponse r;
                    r.content_type = "text/plain; version=0.0.4";
                    r.body = call.router.metrics().render(call.lease.db());
                    return r;
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
                    filter.search = call.request.query_value("search");
                    filter.status = call.request.query_value("status");
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
    router.add({"POST", "/api/v1/clients", Permission::clients_write, "clients",
                "Add a client: a JSON object with first_name and email at least (the fields of a client); 201 with the client", {},
                [](RouteCall &call) {
                    Repository &repo = call.lease.repo();
                    const Client c = new_client(call.lease.db(), client_changes(body_object(call)), call.context.config().currency,
                                                FieldSpelling::json);
                    Transaction tx(call.lease.db());
                    const int64_t id = repo.add_client(c);
                    audit(call.lease.db(), repo.now_text(), "client added", id, c.email, actor(call));
                    tx.commit();
                    HttpResponse r = json_response(client_json(repo.get_client(id)), 201);
                    r.headers.emplace_back("Location", "/api/v1/clients/" + std::to_string(id));
                    return r;
                }});
    router.add({"PATCH", "/api/v1/clients/{id}", Permission::clients_write, "clients",
                "Change a client: a JSON object with the fields to change; the client as it now is", {},
                [](RouteCall &call) {
                    Repository &repo = call.lease.repo();
                    Client c = repo.get_client(path_id(call));
                    const ClientChanges changes = client_changes(body_object(call));
                    Transaction tx(call.lease.db());
                    apply_client_changes(call.lease.db(), changes, c, FieldSpelling::json);
                    repo.update_client(c);
                    audit(call.lease.db(), repo.now_text(), "client changed", c.id, call.request.body, actor(call));
                    tx.commit();
                    return json_response(client_json(repo.get_client(c.id)));
                }});
}

// POST /api/v1/services/{id}/ACTION: the lifecycle call, through the module's runners with their
// deadline. ok 200, a retryable failure 202 (queued), a module error 502; all answer the result.
void add_lifecycle(Router &router, const char *verb, Action action, const char *summary) {
    router.add({"POST", std::string("/api/v1/services/{id}/") + verb, Permission::provisioning_write, "services",
                std::string(summary) +
                    (action == Action::suspend ? "; body {\"reason\": \"…\"} (optional)"
                     : action == Action::change_password ? "; body {\"password\": \"…\"}"
                                                         : ""),
                {},
                [action](RouteCall &call) {
                    RunOptions options;
                    options.even_if_parked = true;  // a caller naming the service and the action, as an operator does
                    BodyFields fields(call, action == Action::suspend           ? "suspend takes: reason"
                                            : action == Action::change_password ? "change-password takes: password"
                                                                                : "this action takes no fields");
                    if (action == Action::suspend) options.reason = fields.text("reason").value_or("");
                    if (action == Action::change_password) options.new_password = fields.text("password");
                    fields.done();
                    if (action == Action::change_password && !options.new_password)
                        fail(ErrorKind::invalid_input, "change-password needs {\"password\": \"…\"}");
                    const int64_t id = path_id(call);
                    Repository &repo = call.lease.repo();
                    RequestProvisioner p(call.lease, call.context);
                    const LifecycleResult r = p.provisioner.run(id, action, options);
                    audit(call.lease.db(), repo.now_text(), std::string("service ") + r.action, repo.get_service(id).client_id,
                          "service " + std::to_string(id) + ": " + status_name(r.status), actor(call));
                    return json_response(lifecycle_json(r), r.status == PROVISIO_OK ? 200 : r.status == PROVISIO_RETRYABLE ? 202 : 502);
                }});
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
                    filter.search = call.request.query_value("search");
                    filter.status = call.request.query_value("status");
                    if (!filter.status.empty()) check_service_status(filter.status, "query parameter status");
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
    add_lifecycle(router, "create", Action::create, "Provision the service on its server (Pending -> Active)");
    add_lifecycle(router, "suspend", Action::suspend, "Suspend the service (Active -> Suspended)");
    add_lifecycle(router, "unsuspend", Action::unsuspend, "Unsuspend the service (Suspended -> Active)");
    add_lifecycle(router, "terminate", Action::terminate, "Terminate the service on its server");
    add_lifecycle(router, "change-package", Action::change_package, "Apply the product's current settings on the server");
    add_lifecycle(router, "change-password", Action::change_password, "Set the service's password on the server");
    add_lifecycle(router, "test-connection", Action::test_connection, "Run the module's connection test for this service");
    router.add({"GET", "/api/v1/services/{id}/actions", Permission::read, "services",
                "The module's own actions for the service (ABI 1.5 custom actions), each with client_visible", {},
                [](RouteCall &call) {
                    const Service service = call.lease.repo().get_service(path_id(call));
                    RequestProvisioner p(call.lease, call.context);
                    json items = json::array();
                    for (const auto &a : p.provisioner.custom_actions(service)) items.push_back(custom_action_json(a));
                    return json_response(json{{"data", std::move(items)}});
                }});
    router.add({"POST", "/api/v1/services/{id}/actions/{name}", Permission::provisioning_write, "services",
                "Run one of the module's own actions on an Active or Suspended service; no body. Made at once and never queued: "
                "200 done, 502 the module failed, 503 it failed in a way that may pass (ask again later)",
                {},
                [](RouteCall &call) {
                    BodyFields(call, "a custom action takes no fields").done();
                    const int64_t id = path_id(call);
                    Repository &repo = call.lease.repo();
                    RequestProvisioner p(call.lease, call.context);
                    const LifecycleResult r = p.provisioner.run_custom(id, call.path.at("name"));
                    audit(call.lease.db(), repo.now_text(), "service action " + r.action, repo.get_service(id).client_id,
                          "service " + std::to_string(id) + ": " + status_name(r.status), actor(call));
                    HttpResponse response =
                        json_response(lifecycle_json(r), r.status == PROVISIO_OK ? 200 : r.status == PROVISIO_RETRYABLE ? 503 : 502);
                    if (r.status == PROVISIO_RETRYABLE) response.headers.emplace_back("Retry-After", "60");
                    return response;
                }});
}

void add_invoices(Router &router) {
    router.add({"GET", "/api/v1/invoices", Permission::read, "invoices", "Invoices with their lines, newest first, a page at a time",
                {{"client_id", "only this client's", "integer"},
                 {"status", "Unpaid, Paid or Cancelled"},
                 {"limit", "at most this many (1–1000, default 100)", "integer"},
                 {"cursor", "next_cursor of the previous page"}},
                [](RouteCall &call) {
                    const Page page = page_of(call.request);
                    InvoiceFilter filter;
                    filter.client_id = query_id(call, "client_id");
                    if (const std::string status = call.request.query_value("status"); !status.empty()) {
                        check_invoice_status(status, "query parameter status");
                        filter.status = status;
                    }
                    filter.limit = static_cast<int>(page.limit);
                    if (page.after) filter.before = page.after;
                    filter.newest_first = true;
                    json items = json::array();
                    int64_t last = 0;
                    for (const Invoice &i : invoicing(call).list(filter)) {
                        items.push_back(invoice_json(i));
                        last = i.id;
                    }
                    return json_response(page_json(std::move(items), page, last));
                }});
    router.add({"GET", "/api/v1/invoices/{id}", Permission::read, "invoices", "One invoice with its lines", {},
                [](RouteCall &call) { return json_response(invoice_json(invoicing(call).get(path_id(call)))); }});
    router.add({"POST", "/api/v1/invoices/{id}/payments", Permission::billing_write, "invoices",
                "Record a payment: {\"method\": \"banktransfer\", \"amount\": \"25.00\" (default: the balance due), \"transaction_id\": "
                "\"…\"}; 201 with what was applied, overpaid to credit, and what paying up set off (release, provisioning)",
                {},
                [](RouteCall &call) {
                    BodyFields fields(call, "a payment has: method, amount, transaction_id");
                    PaymentRequest request;
                    request.invoice_id = path_id(call);
                    request.amount = fields.text("amount", true);
                    request.amount_field = "field amount";
                    request.method = fields.required(fields.text("method"), "method");
                    request.transaction_id = fields.text("transaction_id").value_or("");
                    fields.done();
                    RequestProvisioner p(call.lease, call.context);
                    TaskContext ctx = p.task_context();
                    const RecordedPayment recorded = record_invoice_payment(ctx, request);
                    audit(call.lease.db(), call.lease.repo().now_text(), "payment recorded", recorded.client_id,
                          "invoice #" + std::to_string(request.invoice_id) + ": " + recorded.amount.to_string() + " by " + request.method, actor(call));
                    return json_response(payment_json(request.invoice_id, recorded), 201);
                }});
    router.add({"POST", "/api/v1/invoices/{id}/apply-credit", Permission::billing_write, "invoices",
                "Apply the client's credit to an Unpaid invoice, up to its balance due; no body. When that pays it, what paying up "
                "set off",
                {},
                [](RouteCall &call) {
                    BodyFields(call, "apply-credit takes no fields").done();
                    const int64_t id = path_id(call);
                    RequestProvisioner p(call.lease, call.context);
                    TaskContext ctx = p.task_context();
                    const AppliedCredit a = apply_invoice_credit(ctx, id);
                    if (!a.applied.zero())
                        audit(call.lease.db(), call.lease.repo().now_text(), "credit applied", a.client_id,
                              "invoice #" + std::to_string(id) + ": " + a.applied.to_string(), actor(call));
                    return json_response(applied_credit_json(id, a));
                }});
}

void add_orders_and_notes(Router &router) {
    router.add({"POST", "/api/v1/orders", Permission::provisioning_write, "services",
                "Order a product for a client: {\"client_id\": 1, \"product\": \"id or name\", \"cycle\", \"price\", \"domain\", "
                "\"server\", \"addons\": [\"…\"], \"no_invoice\": false}; 201 with the Pending service, its invoices, and what its "
                "product's auto-setup did",
                {},
                [](RouteCall &call) {
                    BodyFields fields(call, "an order has: client_id, product, cycle, price, domain, server, addons, no_invoice");
                    OrderRequest request;
                    const std::optional<int64_t> client = fields.id("client_id");
                    if (!client) fail(ErrorKind::invalid_input, "field client_id is required");
                    request.client_id = *client;
                    request.product = fields.required(fields.text("product"), "product");
                    request.cycle = fields.text("cycle").value_or("");
                    request.price = fields.text("price", true).value_or("");
                    request.price_field = "field price";
                    request.domain = fields.text("domain").value_or("");
                    request.server = fields.text("server").value_or("");
                    request.addons = fields.texts("addons");
                    request.no_invoice = fields.flag("no_invoice").value_or(false);
                    fields.done();
                    const PlacedOrder placed = place_order(call.lease.repo(), call.context.today(), request);
                    audit(call.lease.db(), call.lease.repo().now_text(), "order placed", placed.service.client_id,
                          "service " + std::to_string(placed.service.id) + " (" + placed.product.name + ")", actor(call));
                    RequestProvisioner p(call.lease, call.context);
                    const OrderSetup setup = set_up_placed_order(call.lease.db(), p.provisioner, placed);
                    json outcomes = json::array();
                    for (const auto &o : setup.outcomes) outcomes.push_back({{"service", o.service_id}, {"ok", o.ok}, {"message", o.line}});
                    HttpResponse r = json_response({{"service", service_json(call.lease.repo().get_service(placed.service.id))},
                                                    {"addons", placed.addon_ids},
                                                    {"invoices", placed.invoice_ids},
                                                    {"setup", std::move(outcomes)},
                                                    {"note", setup.note}},
                                                   201);
                    r.headers.emplace_back("Location", "/api/v1/services/" + std::to_string(placed.service.id));
                    return r;
                }});
    router.add({"GET", "/api/v1/clients/{id}/notes", Permission::read, "clients", "Notes staff keep on a client's account, oldest first", {},
                [](RouteCall &call) {
                    json items = json::array();
                    for (const ClientNote &n : client_notes(call.lease.db(), path_id(call))) items.push_back(client_note_json(n));
                    return json_response({{"data", std::move(items)}});
                }});
    router.add({"POST", "/api/v1/clients/{id}/notes", Permission::clients_write, "clients", "Add a note: {\"text\": \"…\"}; 201 with the note",
                {}, [](RouteCall &call) {
                    BodyFields fields(call, "a note has: text");
                    const std::string text = fields.text("text").value_or("");
                    fields.done();
                    const int64_t client = path_id(call);
                    Database &db = call.lease.db();
                    const std::string now = call.lease.repo().now_text();
                    Transaction tx(db);
                    const ClientNote note = add_client_note(db, now, client, actor(call), text, "field text");
                    audit(db, now, "note added", client, "note " + std::to_string(note.id), actor(call));
                    tx.commit();
                    return json_response(client_note_json(note), 201);
                }});
    router.add({"DELETE", "/api/v1/clients/{id}/notes/{note}", Permission::clients_write, "clients", "Delete one of the client's notes; 204", {},
                [](RouteCall &call) {
                    const int64_t client = path_id(call), note = path_id(call, "note");
                    Database &db = call.lease.db();
                    const std::string now = call.lease.repo().now_text();
                    Transaction tx(db);
                    require_client(db, client);
                    delete_client_note(db, note, client);
                    audit(db, now, "note deleted", client, "note " + std::to_string(note), actor(call));
                    tx.commit();
                    HttpResponse r;
                    r.status = 204;
                    return r;
                }});
}

// What the CLI's `field`, `service settings`/`set --setting`, `service cancel-request`,
// `timelog add` and `queue retry`/`release` do, for integrations.
void add_record_writes(Router &router) {
    router.add({"GET", "/api/v1/clients/{id}/fields", Permission::read, "clients",
                "A client's custom field values by field name (a field's default where the client has none)", {}, [](RouteCall &call) {
                    const int64_t client = call.lease.repo().get_client(path_id(call)).id;
                    return json_response(json(ClientFields(call.lease.db()).values(client)));
                }});
    router.add({"PATCH", "/api/v1/clients/{id}/fields", Permission::clients_write, "clients",
                "Set custom field values: {\"Field name\": \"value\", …} (\"\" clears one); all or none are saved. The values as they now are",
                {}, [](RouteCall &call) {
                    const json body = body_object(call);
                    const int64_t client = call.lease.repo().get_client(path_id(call)).id;
                    Database &db = call.lease.db();
                    ClientFields fields(db);
                    Transaction tx(db);
                    for (const auto &[name, value] : body.items()) {
                        if (!value.is_string()) fail(ErrorKind::invalid_input, "field '" + name + "' must be a string (\"\" clears it)");
                        fields.set(client, name, value.get<std::string>());
                    }
                    audit(db, call.lease.repo().now_text(), "client fields changed", client, call.request.body, actor(call));
                    tx.commit();
                    return json_response(json(fields.values(client)));
                }});
    router.add({"GET", "/api/v1/services/{id}/settings", Permission::read, "services",
                "The service's module settings: each option's default, product value, override and effective value (passwords as "
                "\"(set)\")",
                {}, [](RouteCall &call) {
                    Repository &repo = call.lease.repo();
                    const Service service = repo.get_service(path_id(call));
                    const Product product = repo.get_product(service.product_id);
                    if (product.module.empty()) return json_response(json::array());
                    return json_response(service_settings_json(call.context.modules().require(product.module), product, service));
                }});
    router.add({"PATCH", "/api/v1/services/{id}/settings", Permission::provisioning_write, "services",
                "Override module settings for this service: {\"key\": \"value\", \"other\": null} (null: back to the product's "
                "value), checked against the module's schema; nothing runs on the server (change-package applies it). The settings as they "
                "now are",
                {}, [](RouteCall &call) {
                    const json body = body_object(call);
                    Repository &repo = call.lease.repo();
                    Service service = repo.get_service(path_id(call));
                    const Product product = repo.get_product(service.product_id);
                    if (product.module.empty()) fail(ErrorKind::refused, "product '" + product.name + "' has no module, so no module settings");
                    SettingChanges changes;
                    for (const auto &[key, value] : body.items()) {
                        if (value.is_null()) changes.unset.push_back(key);
                        else if (value.is_string()) changes.set[key] = value.get<std::string>();
                        else fail(ErrorKind::invalid_input, "setting '" + key + "' must be a string, or null to unset it");
                    }
                    service.overrides = service_overrides_after(call.context.modules(), product, service, changes);
                    Transaction tx(call.lease.db());
                    repo.update_service(service);
                    std::string keys;
                    for (const auto &[key, value] : body.items()) keys += (keys.empty() ? "" : ", ") + key;  // not the values: some are secrets
                    audit(call.lease.db(), repo.now_text(), "service settings changed", service.client_id,
                          "service " + std::to_string(service.id) + ": " + keys, actor(call));
                    tx.commit();
                    return json_response(service_settings_json(call.context.modules().require(product.module), product, repo.get_service(service.id)));
                }});
    router.add({"POST", "/api/v1/services/{id}/cancellation", Permission::provisioning_write, "services",
                "Request the service's cancellation, which cron applies: {\"when\": \"immediate\" | \"end-of-period\", \"reason\": \"…\"}; "
                "201 with the request",
                {}, [](RouteCall &call) {
                    BodyFields fields(call, "a cancellation request has: when, reason");
                    const std::string when = fields.required(fields.text("when"), "when");
                    const std::string reason = fields.text("reason").value_or("");
                    fields.done();
                    const CancellationRequest r = request_cancellation(call.lease.repo(), path_id(call), when, reason, actor(call));
                    return json_response(cancellation_json(r), 201);
                }});
    router.add({"DELETE", "/api/v1/services/{id}/cancellation", Permission::provisioning_write, "services",
                "Withdraw the service's open cancellation request; 204", {}, [](RouteCall &call) {
                    withdraw_cancellation(call.lease.repo(), path_id(call), actor(call));
                    HttpResponse r;
                    r.status = 204;
                    return r;
                }});
    router.add({"POST", "/api/v1/services/{id}/time-entries", Permission::billing_write, "time credits",
                "Log work against a service with time credits: {\"minutes\": 90, \"note\": \"…\", \"at\": \"ISO time\" (default now)}; it "
                "debits the balance, which may go negative. 201 with the entry and the balance",
                {}, [](RouteCall &call) {
                    BodyFields fields(call, "a time entry has: minutes, note, at");
                    TimeWork work;
                    work.service_id = path_id(call);
                    work.minutes = fields.id("minutes").value_or(0);
                    work.note = fields.required(fields.text("note"), "note");
                    work.at = fields.text("at").value_or("");
                    fields.done();
                    const ServeContext &context = call.context;
                    Database &db = call.lease.db();
                    Transaction tx(db);
                    const LoggedTime t = log_time(call.lease.repo(), context.modules(), BusinessZone(context.config().timezone), context.today(),
                                                  work, FieldSpelling::json);
                    audit(db, call.lease.repo().now_text(), "time logged", t.client_id,
                          "service " + std::to_string(work.service_id) + ": " + std::to_string(work.minutes) + " min", actor(call));
                    tx.commit();
                    return json_response(logged_time_json(t), 201);
                }});
    router.add({"POST", "/api/v1/queue/{id}/retry", Permission::provisioning_write, "queue",
                "Retry one open queue item now (a parked one is not run: release it first); no body", {}, [](RouteCall &call) {
                    BodyFields(call, "retry takes no fields").done();
                    RequestProvisioner p(call.lease, call.context);
                    const auto results = p.provisioner.retry_queue(path_id(call));
                    return json_response(queue_retry_json(results.at(0)));
                }});
    router.add({"POST", "/api/v1/queue/{id}/release", Permission::provisioning_write, "queue",
                "Put a parked item back on the queue with a fresh count of aborted attempts; no body", {}, [](RouteCall &call) {
                    BodyFields(call, "release takes no fields").done();
                    const int64_t id = path_id(call);
                    Database &db = call.lease.db();
                    Transaction tx(db);
                    release_parked(db, id);
                    audit(db, call.lease.repo().now_text(), "queue item released", std::nullopt, "queue item " + std::to_string(id), actor(call));
                    tx.commit();
                    return json_response(queue_item_json(*get_queue_item(db, id)));
                }});
}

// Tariffs, packages and addons, read; a tariff's next version uploaded as CSV.
void add_catalogue_more(Router &router) {
    router.add({"GET", "/api/v1/addons", Permission::read, "products", "The addon catalogue (predefined addons)", {}, [](RouteCall &call) {
                    json items = json::array();
                    for (const CatalogueAddon &a : Addons(call.lease.db(), call.lease.repo().now_text()).catalogue()) items.push_back(catalogue_addon_json(a));
                    return json_response({{"data", std::move(items)}});
                }});
    router.add({"GET", "/api/v1/services/{id}/addons", Permission::read, "services", "A service's addons", {}, [](RouteCall &call) {
                    const int64_t service = call.lease.repo().get_service(path_id(call)).id;
                    json items = json::array();
                    for (const ServiceAddon &a : Addons(call.lease.db(), call.lease.repo().now_text()).list(service)) items.push_back(service_addon_json(a));
                    return json_response({{"data", std::move(items)}});
                }});
    router.add({"GET", "/api/v1/products/{id}/package", Permission::read, "usage", "A product's VoIP package: how its calls are rated and billed",
                {}, [](RouteCall &call) {
                    const Product product = call.lease.repo().get_product(path_id(call));
                    const auto p = usage::load_package(call.lease.db(), product.id);
                    if (!p) fail(ErrorKind::not_found, "product " + product.name + " has no VoIP package");
                    const std::string tariff = p->tariff_id ? usage::TariffStore(call.lease.db(), "").get(*p->tariff_id).name : "";
                    return json_response(package_json(*p, tariff));
                }});
    router.add({"GET", "/api/v1/tariffs", Permission::read, "usage", "The tariffs (rate cards) with their current version", {}, [](RouteCall &call) {
                    json items = json::array();
                    for (const usage::Tariff &t : usage::TariffStore(call.lease.db(), "").list()) items.push_back(tariff_json(t));
                    return json_response({{"data", std::move(items)}});
                }});
    router.add({"GET", "/api/v1/tariffs/{id}", Permission::read, "usage", "One tariff, with its versions and column map", {}, [](RouteCall &call) {
                    usage::TariffStore store(call.lease.db(), "");
                    const usage::Tariff t = store.find(std::to_string(path_id(call)));
                    return json_response(tariff_detail_json(t, store.versions(t.id)));
                }});
    router.add({"POST", "/api/v1/tariffs/{name}/versions", Permission::billing_write, "usage",
                "Upload a CSV rate card (body: text/csv, a header row) as the tariff's next version, read with its saved column "
                "map; the tariff is made on its first upload. 201 with the version; a card with errors is refused whole (400, the detail lists them)",
                {}, [](RouteCall &call) {
                    const std::string name = call.path.at("name");
                    const std::string type = call.request.header("content-type");
                    if (type.rfind("text/csv", 0) != 0)
                        fail(ErrorKind::invalid_input, "the body must be a CSV rate card sent as Content-Type: text/csv, not '" + type + "'");
                    const std::string now = call.lease.repo().now_text();
                    usage::TariffStore store(call.lease.db(), now);
                    const usage::TariffVersion v = store.import_text(name, call.request.body, "upload by " + actor(call), {});
                    audit(call.lease.db(), now, "tariff imported", std::nullopt,
                          name + " version " + std::to_string(v.version) + ": " + std::to_string(v.rate_count) + " rates", actor(call));
                    return json_response({{"tariff", name}, {"version", v.version}, {"rates", v.rate_count}, {"imported_at", v.imported_at}}, 201);
                }});
}

// The business dates of a usage summary: ?from and ?to (YYYY-MM-DD, to exclusive), this month
// when both are absent.
std::pair<Date, Date> usage_range(RouteCall &call) {
    const std::string from = call.request.query_value("from"), to = call.request.query_value("to");
    if (from.empty() && to.empty()) {
        const Date today = call.context.today();
        const Date first = first_of_month(today);
        return {first, add_months_anchored(first, 1, 1)};
    }
    if (from.empty() || to.empty()) fail(ErrorKind::invalid_input, "give query parameters from and to together, or neither (this month)");
    return {parse_date(from, "query parameter from"), parse_date(to, "query parameter to")};
}

HttpResponse usage_summary_response(RouteCall &call, std::vector<int64_t> service_ids) {
    const auto [from, to] = usage_range(call);
    return json_response(usage_summary_json(
        usage::summarize_usage(call.lease.db(), BusinessZone(call.context.config().timezone), std::move(service_ids), from, to)));
}

void add_usage(Router &router) {
    const std::vector<QueryParameter> range{{"from", "the first business date (YYYY-MM-DD); with to, or neither: this month"},
                                            {"to", "the business date after the last (YYYY-MM-DD); at most 366 days after from"}};
    router.add({"GET", "/api/v1/services/{id}/cdrs", Permission::read, "usage",
                "A service's calls with their rating, in start order, a page at a time",
                {{"from", "calls starting at or after this: a date (its midnight in the business time zone) or an ISO 8601 time with a zone"},
                 {"to", "calls starting before this date or time"},
                 {"number", "only calls whose dialled, normalized or calling number contains these digits"},
                 {"all", "true: suppressed calls too", "boolean"},
                 {"limit", "at most this many (1–1000, default 100)", "integer"},
                 {"cursor", "next_cursor of the previous page"}},
                [](RouteCall &call) {
                    const Page page = page_of(call.request);
                    const BusinessZone zone(call.context.config().timezone);
                    usage::CdrFilter filter;
                    filter.service_id = call.lease.repo().get_service(path_id(call)).id;
                    if (const std::string from = call.request.query_value("from"); !from.empty())
                        filter.from = format_utc(zone.date_or_instant(from, "query parameter from"));
                    if (const std::string to = call.request.query_value("to"); !to.empty())
                        filter.to = format_utc(zone.date_or_instant(to, "query parameter to"));
                    filter.number = call.request.query_value("number");
                    if (filter.number.size() > 32) fail(ErrorKind::invalid_input, "query parameter number is longer than 32 characters");
                    filter.with_suppressed = query_flag(call.request, "all");
                    filter.after = page.after;
                    filter.limit = page.limit;
                    json items = json::array();
                    int64_t last = 0;
                    usage::for_each_cdr(call.lease.db(), filter, [&](const usage::StoredCdr &c) {
                        items.push_back(cdr_json(c));
                        last = c.id;
                    });
                    return json_response(page_json(std::move(items), page, last));
                }});
    router.add({"GET", "/api/v1/cdrs/{id}", Permission::read, "usage",
                "One call with its rating and how its cost was worked out, step by step (cdr explain)", {},
                [](RouteCall &call) {
                    const usage::StoredCdr c = usage::get_cdr(call.lease.db(), path_id(call));
                    json body = cdr_json(c);
                    json steps = json::array();
                    for (const auto &[label, text] : usage::explain_cdr(call.lease.db(), c)) steps.push_back({{"step", label}, {"text", text}});
                    body["explanation"] = std::move(steps);
                    return json_response(body);
                }});
    router.add({"GET", "/api/v1/services/{id}/usage", Permission::read, "usage",
                "A service's calls, billed seconds and minutes and cost per business day, and the total", range,
                [](RouteCall &call) { return usage_summary_response(call, {call.lease.repo().get_service(path_id(call)).id}); }});
    router.add({"GET", "/api/v1/clients/{id}/usage", Permission::read, "usage",
                "The same over all of a client's services", range, [](RouteCall &call) {
                    return usage_summary_response(call, usage::client_service_ids(call.lease.db(), call.lease.repo().get_client(path_id(call)).id));
                }});
}

void add_time_credits(Router &router) {
    router.add({"GET", "/api/v1/clients/{id}/time-credits", Permission::read, "time credits",
                "Service Credits: each of a client's services' time credits, expiries and time entries with running balances", {},
                [](RouteCall &call) {
                    const int64_t client = call.lease.repo().get_client(path_id(call)).id;
                    TimeLedger ledger(call.lease.db(), call.lease.repo().now_text());
                    return json_response(credits_view_json(service_credits_view(ledger, client, std::nullopt)));
                }});
    router.add({"GET", "/api/v1/services/{id}/time-credits", Permission::read, "time credits", "The same for one service", {},
                [](RouteCall &call) {
                    const int64_t service = call.lease.repo().get_service(path_id(call)).id;
                    TimeLedger ledger(call.lease.db(), call.lease.repo().now_text());
                    return json_response(credits_view_json(service_credits_view(ledger, std::nullopt, service)));
                }});
}

void add_catalogue_and_records(Router &router) {
    router.add({"GET", "/api/v1/products", Permission::read, "products", "The products, with their module settings (passwords as \"(set)\")",
                {}, [](RouteCall &call) {
                    json items = json::array();
                    for (const Product &p : call.lease.repo().list_products()) items.push_back(product_json(p, call.context.modules()));
                    return json_response({{"data", std::move(items)}});
                }});
    router.add({"GET", "/api/v1/products/{id}", Permission::read, "products", "One product", {}, [](RouteCall &call) {
                    return json_response(product_json(call.lease.repo().get_product(path_id(call)), call.context.modules()));
                }});
    router.add({"GET", "/api/v1/clients/{id}/contacts", Permission::read, "clients",
                "A client's contacts and the e-mail categories each receives", {}, [](RouteCall &call) {
                    const int64_t client = call.lease.repo().get_client(path_id(call)).id;
                    json items = json::array();
                    for (const Contact &c : Contacts(call.lease.db()).of_client(client)) items.push_back(contact_json(c));
                    return json_response({{"data", std::move(items)}});
                }});
    router.add({"GET", "/api/v1/cancellations", Permission::read, "services",
                "Cancellation requests, oldest first: the open ones, or all with all=true", {{"all", "true: applied ones too", "boolean"}},
                [](RouteCall &call) {
                    json items = json::array();
                    for (const CancellationRequest &r : list_cancellations(call.lease.repo(), query_flag(call.request, "all")))
                        items.push_back(cancellation_json(r));
                    return json_response({{"data", std::move(items)}});
                }});
    router.add({"GET", "/api/v1/cron/runs", Permission::read, "automation", "The most recent cron runs, newest first",
                {{"limit", "how many (1–10000, default 20)", "integer"}}, [](RouteCall &call) {
                    const int64_t limit = query_integer(call.request, "limit", 1, 10000).value_or(20);
                    json items = json::array();
                    for (const CronHistoryEntry &h : cron_history(call.lease.db(), static_cast<int>(limit))) items.push_back(cron_run_json(h));
                    return json_response({{"data", std::move(items)}});
                }});
}

void add_credit_and_queue(Router &router) {
    router.add({"GET", "/api/v1/clients/{id}/credit", Permission::read, "credit", "A client's credit balance and its log", {},
                [](RouteCall &call) {
                    const int64_t id = path_id(call);
                    call.lease.repo().get_client(id);
                    CreditLedger ledger(call.lease.db(), call.lease.repo().now_text());
                    return json_response(credit_log_json(id, ledger.balance(id), ledger.entries(id)));
                }});
    router.add({"POST", "/api/v1/clients/{id}/credit", Permission::billing_write, "credit",
                "Add credit to a client, or take it: {\"amount\": \"10.00\", \"description\": \"…\", \"take\": false}; 201 with the "
                "entry and the new balance",
                {},
                [](RouteCall &call) {
                    BodyFields fields(call, "a credit entry has: amount, description, take");
                    const std::string amount = fields.text("amount", true).value_or("");
                    const std::string description = fields.text("description").value_or("");
                    const bool take = fields.flag("take").value_or(false);
                    fields.done();
                    const int64_t id = path_id(call);
                    Database &db = call.lease.db();
                    const std::string now = call.lease.repo().now_text();
                    Transaction tx(db);
                    const ManualCredit m = post_manual_credit(db, now, id, amount, description, !take, FieldSpelling::json);
                    audit(db, now, take ? "credit taken" : "credit added", id, m.amount.to_string() + ": " + description, actor(call));
                    tx.commit();
                    return json_response({{"entry", m.entry_id}, {"client", id}, {"amount", m.amount.to_string()},
                                          {"balance", m.balance.to_string()}},
                                         201);
                }});
    router.add({"GET", "/api/v1/queue", Permission::read, "queue", "The module queue: open items, parked ones among them",
                {{"all", "true: resolved items too", "boolean"}},
                [](RouteCall &call) {
                    json items = json::array();
                    for (const auto &i : list_queue(call.lease.db(), query_flag(call.request, "all"))) items.push_back(queue_item_json(i));
                    return json_response({{"data", items}});
                }});
}

void add_admin(Router &router) {
    router.add({"GET", "/api/v1/audit", Permission::admin, "admin", "The audit log, newest last",
                {{"client_id", "only entries about this client", "integer"}, {"limit", "the last this many (1–1000, default 100)", "integer"}},
                [](RouteCall &call) {
                    const Page page = page_of(call.request);
                    json items = json::array();
                    for (const auto &e : audit_entries(call.lease.db(), query_id(call, "client_id"), static_cast<int>(page.limit)))
                        items.push_back(audit_json(e));
                    return json_response({{"data", items}});
                }});
    router.add({"GET", "/api/v1/api-keys", Permission::admin, "admin", "The API keys (never their secrets)", {},
                [](RouteCall &call) {
                    json items = json::array();
                    for (const ApiKey &k : ApiKeys(call.lease.db()).list()) items.push_back(api_key_json(k));
                    return json_response({{"data", items}});
                }});
}

}  // namespace

Router api_router(const std::string &version) {
    Router router;
    add_health(router);
    add_metrics(router);
    add_payment_hooks(router);
    add_clients(router);
    add_services(router);
    add_invoices(router);
    add_credit_and_queue(router);
    add_usage(router);
    add_time_credits(router);
    add_catalogue_and_records(router);
    add_orders_and_notes(router);
    add_record_writes(router);
    add_catalogue_more(router);
    add_admin(router);
    // Last, so it documents every route above (and itself).
    router.add({"GET", "/api/v1/openapi.json", Permission::read, "meta", "This API's OpenAPI 3.1 document", {},
                [version](RouteCall &call) { return json_response(call.router.openapi(version)); }});
    return router;
}

}  // namespace provisio
