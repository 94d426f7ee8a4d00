#include "web/client_area.hpp"

#include "billing/invoices.hpp"
#include "domain/client_passwords.hpp"
#include "domain/audit_log.hpp"
#include "domain/client_files.hpp"
#include "domain/contacts.hpp"
#include "domain/password_reset.hpp"
#include "documents/invoice_document.hpp"
#include "documents/invoice_pdf.hpp"
#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "http/metrics.hpp"
#include "http/request_provisioner.hpp"
#include "http/serve_context.hpp"
#include "http/url_encoding.hpp"
#include "ledger/credit_ledger.hpp"
#include "ledger/time_ledger.hpp"
#include "money/currency.hpp"
#include "payments/auto_topup.hpp"
#include "payments/charges.hpp"
#include "payments/payment_store.hpp"
#include "provisioning/call_log.hpp"
#include "provisioning/cancellation_requests.hpp"
#include "secrets/sodium_init.hpp"
#include "store/database.hpp"
#include "shapes/records_json.hpp"
#include "usage/cdr_explain.hpp"
#include "usage/cdrs.hpp"
#include "usage/low_balance.hpp"
#include "usage/packages.hpp"
#include "web/assets.hpp"
#include "web/page_renderer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace provisio {

using json = nlohmann::ordered_json;

namespace {

constexpr const char *session_cookie = "provisio_session";
constexpr const char *form_cookie = "provisio_form";  // signed-out forms: login, forgotten password

void protect(HttpResponse &r) {
    r.headers.emplace_back("Content-Security-Policy",
                           "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; "
                           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    r.headers.emplace_back("X-Frame-Options", "DENY");
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
}

HttpResponse redirect(const std::string &location) {
    HttpResponse r;
    r.status = 303;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "See " + location + "\n";
    r.headers.emplace_back("Location", location);
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

std::string cookie(const std::string &name, const std::string &value, const std::string &path, const HttpRequest &request,
                   bool clear = false) {
    std::string c = name + "=" + value + "; Path=" + path + "; HttpOnly; SameSite=" + (name == form_cookie ? "Strict" : "Lax");
    if (request.secure) c += "; Secure";
    if (clear) c += "; Max-Age=0";
    return c;
}

// One request of the client area: what it needs to answer.
struct Visit {
    const HttpRequest &request;
    ServeContext &context;
    ServeLease &lease;
    const ClientAreaOptions &options;
    std::string now;
    std::string cookie;                // the session cookie sent, if any
    std::optional<WebSession> session;
    std::map<std::string, std::string> form;  // a POST's fields
    std::string route = "unmatched";   // for the metrics: the page's pattern

    HttpResponse page(int status, const std::string &name, const std::string &title, json data) {
        data["company"] = options.company;
        data["title"] = title;
        if (session) {
            data["signed_in"] = true;
            data["csrf"] = session->csrf;
            data["client"] = client_json(lease.repo().get_client(session->client_id));
            auto credits = lease.db().prepare("SELECT EXISTS (SELECT 1 FROM time_ledger WHERE client_id = ?1)");
            credits.bind(1, session->client_id);
            data["has_time_credits"] = credits.step() && credits.int64(0) != 0;
        }
        HttpResponse r;
        r.status = status;
        r.content_type = "text/html; charset=utf-8";
        r.body = render_page(name, data);
        r.headers.emplace_back("Cache-Control", "no-store");
        return r;
    }
    HttpResponse error_page(int status, const std::string &heading, const std::string &detail) {
        return page(status, "error", heading, {{"heading", heading}, {"detail", detail}});
    }
    int64_t client_id() const { return session->client_id; }
};

// A signed-out form (login, forgotten password, new password) with its own CSRF token: a cookie
// and a field that must match (double submit), so another site cannot post it in a visitor's
// browser — log it in to an account of the other site's choosing, say.
HttpResponse signed_out_form(Visit &v, int status, const std::string &name, const std::string &title, json data) {
    std::string token = cookie_value(v.request.header("cookie"), form_cookie);
    const bool fresh = token.size() != 43;
    if (fresh) token = random_token();
    data["form_csrf"] = token;
    HttpResponse r = v.page(status, name, title, std::move(data));
    if (fresh) r.headers.emplace_back("Set-Cookie", cookie(form_cookie, token, "/", v.request));
    return r;
}

HttpResponse login_form(Visit &v, int status, const std::string &error, const std::string &email, const std::string &info = "") {
    return signed_out_form(v, status, "login", "Log in", {{"error", error}, {"email", email}, {"info", info}});
}

// A field of the POST's form ("" when absent).
std::string field(const Visit &v, const char *name) {
    const auto it = v.form.find(name);
    return it == v.form.end() ? std::string() : it->second;
}

// Whether a signed-out form came with its cookie's token.
bool signed_out_token_ok(const Visit &v) { return same_token(field(v, "csrf"), cookie_value(v.request.header("cookie"), form_cookie)); }

// A password checked under the failed-login throttle: the client's id, or the status and message
// to answer with (a failure is counted; a success is not forgotten here: only a login clears them).
struct PasswordCheck {
    int64_t client_id = 0;
    int status = 0;       // 0: the password is right
    std::string message;  // why, for 429
    bool closed = false;
};
PasswordCheck check_password(Visit &v, const std::string &email, const std::string &password) {
    Database &db = v.lease.db();
    LoginThrottle throttle(db, v.now, v.options.limits);
    try {
        throttle.check(email, v.request.remote_address);
    } catch (const Error &e) {
        return {0, 429, std::string(e.what()) + ".", false};
    }
    try {
        return {ClientPasswords(db).check(email, password), 0, "", false};
    } catch (const Error &e) {
        if (e.kind() != ErrorKind::refused) throw;
        throttle.failed(email, v.request.remote_address);
        return {0, 401, "", std::string(e.what()).find("closed") != std::string::npos};
    }
}

HttpResponse log_in(Visit &v) {
    const std::string email = field(v, "email");
    if (!signed_out_token_ok(v)) return login_form(v, 403, "The form had expired. Please log in again.", email);
    const PasswordCheck checked = check_password(v, email, field(v, "password"));
    if (checked.status == 429) return login_form(v, 429, checked.message, email);
    if (checked.status)
        return login_form(v, 401, checked.closed ? "This account is closed and cannot log in." : "Wrong e-mail address or password.", email);
    const int64_t client_id = checked.client_id;
    Database &db = v.lease.db();
    LoginThrottle(db, v.now, v.options.limits).succeeded(email);  // a good login forgets the account's failures
    WebSessions sessions(db, v.now, v.options.limits);
    sessions.end(v.cookie);  // a new id at every login: a session id known before it is worth nothing after
    const auto started = sessions.start(client_id, v.request.remote_address);
    HttpResponse r = redirect("/");
    r.headers.emplace_back("Set-Cookie", cookie(session_cookie, started.cookie, "/", v.request));
    r.headers.emplace_back("Set-Cookie", cookie(form_cookie, "", "/", v.request, true));
    return r;
}

// An operator's `client login-link`: a session of that client, once, for whoever follows it.
HttpResponse follow_login_link(Visit &v) {
    Database &db = v.lease.db();
    Transaction tx(db);
    const auto client = LoginLinks(db, v.now).use(v.request.query_value("token"));
    if (!client) {
        tx.commit();
        return login_form(v, 400, "That login link is not valid: it was used already, is older than a minute, or is wrong.", "");
    }
    WebSessions sessions(db, v.now, v.options.limits);
    sessions.end(v.cookie);
    const auto started = sessions.start(*client, v.request.remote_address);
    audit(db, v.now, "client.login_link_used", *client, {}, "login link, from " + v.request.remote_address);
    tx.commit();
    HttpResponse r = redirect("/");
    r.headers.emplace_back("Set-Cookie", cookie(session_cookie, started.cookie, "/", v.request));
    return r;
}

// At most this many reset codes a client within their lifetime: the form cannot be used to fill
// a mailbox.
constexpr int max_live_reset_codes = 3;

HttpResponse forgot_password(Visit &v) {
    if (!signed_out_token_ok(v)) return signed_out_form(v, 403, "forgot", "Forgot your password?", json::object());
    Database &db = v.lease.db();
    // The same answer whether or not the address is a client's: the form tells nobody who has an account.
    auto q = db.prepare("SELECT c.id, (SELECT count(*) FROM password_resets r WHERE r.client_id = c.id AND r.expires_at > ?2 "
                        "AND r.used_at IS NULL) FROM clients c WHERE c.email = ?1 AND c.status <> 'Closed'");
    q.bind(1, field(v, "email")).bind(2, v.now);
    if (q.step() && q.int64(1) < max_live_reset_codes) {
        const int64_t client = q.int64(0);
        q.reset();
        request_password_reset(db, v.lease.repo().secrets(), v.now, client, "client area, from " + v.request.remote_address);
    }
    return signed_out_form(v, 200, "reset", "Choose a new password",
                           {{"info", "If that address belongs to an account, a code is on its way to it. It is valid for two hours."}});
}

HttpResponse reset_password(Visit &v) {
    auto again = [&](int status, const std::string &error) {
        return signed_out_form(v, status, "reset", "Choose a new password", {{"error", error}});
    };
    if (!signed_out_token_ok(v)) return again(403, "The form had expired. Please try again.");
    if (field(v, "password") != field(v, "again")) return again(400, "The two passwords differ.");
    try {
        reset_to_password(v.lease.db(), v.now, field(v, "code"), field(v, "password"), "client area, from " + v.request.remote_address);
    } catch (const Error &e) {
        if (e.kind() == ErrorKind::invalid_input) return again(400, std::string(e.what()) + ".");
        if (e.kind() != ErrorKind::refused) throw;
        return again(400, "That code is not valid: it is wrong, used already, or older than two hours.");
    }
    HttpResponse r = redirect("/login?reset=1");
    r.headers.emplace_back("Set-Cookie", cookie(form_cookie, "", "/", v.request, true));
    return r;
}

json listed(const ListedService &l) {
    json j = service_json(l.service);
    j["product_name"] = l.product_name;
    return j;
}

HttpResponse dashboard(Visit &v) {
    Database &db = v.lease.db();
    const Money credit = CreditLedger(db, v.now).balance(v.client_id());
    json data{{"credit", credit.to_string()}};
    try {
        if (const auto threshold = usage::low_balance_threshold(db, v.client_id()); threshold && credit <= *threshold) {
            data["low_balance"] = true;
            data["threshold"] = threshold->to_string();
        }
    } catch (const Error &e) {
        spdlog::warn("client {}: Low Balance Threshold: {}", v.client_id(), e.what());
    }
    json services = json::array();
    ServiceFilter filter;
    filter.client_id = v.client_id();
    v.lease.repo().for_each_service(filter, [&](const ListedService &l) {
        if (l.service.status == "Active" || l.service.status == "Suspended") services.push_back(listed(l));
    });
    // The count and total are of every unpaid invoice; the table shows the newest thousand.
    const UnpaidSummary due = unpaid_summary(db, v.client_id());
    Invoicing invoicing(db, v.now, v.context.today());
    InvoiceFilter unpaid_filter;
    unpaid_filter.client_id = v.client_id();
    unpaid_filter.status = invoice_status::unpaid;
    unpaid_filter.limit = 1000;
    json unpaid = json::array();
    for (const Invoice &i : invoicing.list(unpaid_filter)) unpaid.push_back(invoice_json(i));
    data["has_services"] = !services.empty();
    data["services"] = std::move(services);
    data["has_unpaid"] = !unpaid.empty();
    data["unpaid_count"] = std::to_string(due.count);
    data["unpaid"] = std::move(unpaid);
    data["due_total"] = due.due.to_string();
    return v.page(200, "dashboard", "Dashboard", std::move(data));
}

HttpResponse services_page(Visit &v) {
    json services = json::array();
    ServiceFilter filter;
    filter.client_id = v.client_id();
    v.lease.repo().for_each_service(filter, [&](const ListedService &l) { services.push_back(listed(l)); });
    const bool any = !services.empty();
    return v.page(200, "services", "Services", {{"has_services", any}, {"services", std::move(services)}});
}

// The client's own service: Error(not_found) for anyone else's.
Service own_service(Visit &v, int64_t id) {
    const Service s = v.lease.repo().get_service(id);
    if (s.client_id != v.client_id()) fail(ErrorKind::not_found, "no such service");
    return s;
}

std::string actor(const Visit &v) {
    return "client " + std::to_string(v.client_id()) + " in the client area, from " + v.request.remote_address;
}

HttpResponse service_page(Visit &v, int64_t id, int status = 200, const std::string &notice = "") {
    Repository &repo = v.lease.repo();
    const Service s = own_service(v, id);
    const std::string product = repo.get_product(s.product_id).name;
    json data{{"service", service_json(s)}, {"product_name", product}, {"notice", notice},
              {"has_usage", usage::load_package(v.lease.db(), s.product_id).has_value()}};
    if (const auto c = open_cancellation(repo, s.id))
        data["cancellation"] = {{"requested_at", c->requested_at},
                                {"when", c->type == "immediate" ? "immediately" : "at the end of the billing period"}};
    else
        data["can_cancel"] = s.status == "Active" || s.status == "Suspended" || s.status == "Pending";
    if (s.status == "Active" || s.status == "Suspended") {
        json actions = json::array();
        for (const auto &a : RequestProvisioner(v.lease, v.context).provisioner.custom_actions(s, /*for_client=*/true))
            actions.push_back(custom_action_json(a));
        data["has_actions"] = !actions.empty();
        data["actions"] = std::move(actions);
    }
    return v.page(status, "service", product, std::move(data));
}

// A module's client-visible action (ABI 1.5) on the client's own service; the page answers
// with what the module said. Another client's service, or an operator-only action, is not found.
HttpResponse run_action(Visit &v, int64_t id, const std::string &name) {
    const Service s = own_service(v, id);
    RequestProvisioner p(v.lease, v.context);
    Provisioner &provisioner = p.provisioner;
    LifecycleResult r;
    try {
        r = provisioner.run_custom(s.id, name, /*for_client=*/true);
    } catch (const Error &e) {
        if (e.kind() != ErrorKind::refused) throw;
        return service_page(v, id, 409, std::string("Not done: ") + e.what() + ".");
    }
    audit(v.lease.db(), v.lease.repo().now_text(), "service action " + r.action, v.client_id(),
          "service " + std::to_string(s.id) + ": " + status_name(r.status), actor(v));
    std::string label = r.action;
    for (const auto &a : provisioner.custom_actions(s, true))
        if (a.name == r.action) label = a.label;
    if (r.status == PROVISIO_OK) return service_page(v, id, 200, label + ": done." + (r.message.empty() ? "" : " " + r.message));
    // What a failure says is for the operator (the module-call log): it may name the provider's
    // systems, or quote what a crashed runner printed.
    return service_page(v, id, r.status == PROVISIO_RETRYABLE ? 503 : 502,
                        label + ": not done. " +
                            (r.status == PROVISIO_RETRYABLE ? "Please try again in a few minutes." : "Your provider can see what went wrong."));
}

HttpResponse request_cancel(Visit &v, int64_t id) {
    const Service s = own_service(v, id);
    try {
        request_cancellation(v.lease.repo(), s.id, field(v, "when"), field(v, "reason"), actor(v));
    } catch (const Error &e) {
        if (e.kind() != ErrorKind::invalid_input && e.kind() != ErrorKind::refused && e.kind() != ErrorKind::conflict) throw;
        return service_page(v, id, 409, std::string("Not requested: ") + e.what() + ".");
    }
    return redirect("/services/" + std::to_string(s.id));
}

// The client's own service with a VoIP package: Error(not_found) for any other.
Service own_voip_service(Visit &v, int64_t id) {
    const Service s = own_service(v, id);
    if (!usage::load_package(v.lease.db(), s.product_id)) fail(ErrorKind::not_found, "no usage for this service");
    return s;
}

// Calls and usage of a service: per business day (a table, drawn as a chart where scripts run)
// and the calls themselves, 50 to a page, filtered by dates and a number.
constexpr int calls_per_page = 50;

HttpResponse usage_page(Visit &v, int64_t id) {
    Database &db = v.lease.db();
    const Service s = own_voip_service(v, id);
    const BusinessZone zone(v.context.config().timezone);
    const Date today = v.context.today();
    const std::string from_text = v.request.query_value("from"), to_text = v.request.query_value("to"), number = v.request.query_value("number");
    const Date from = from_text.empty() ? first_of_month(today) : parse_date(from_text, "from");
    const Date to = to_text.empty() ? add_months_anchored(first_of_month(from), 1, 1) : parse_date(to_text, "to");
    if (number.size() > 32) fail(ErrorKind::invalid_input, "the number is longer than 32 characters");
    const usage::UsageSummary summary = usage::summarize_usage(db, zone, {s.id}, from, to);

    usage::CdrFilter filter;
    filter.service_id = s.id;
    filter.from = format_utc(zone.start_of(from));
    filter.to = format_utc(zone.start_of(to));
    filter.number = number;
    filter.limit = calls_per_page;
    if (const std::string after = v.request.query_value("after"); !after.empty()) filter.after = id_in_path(after);
    json calls = json::array();
    int64_t last = 0;
    usage::for_each_cdr(db, filter, [&](const usage::StoredCdr &c) {
        const bool inbound = c.direction == "inbound";
        calls.push_back({{"id", std::to_string(c.id)},
                         {"start", zone.local_text(parse_instant(c.start_at, "start_at"))},
                         {"direction", c.direction},
                         {"number", inbound ? c.caller : c.destination},
                         {"duration", std::to_string(c.duration)},
                         {"billed", std::to_string(c.billed_seconds)},
                         {"status", c.status},
                         {"cost", Money::from_micros(c.cost_micros).to_string(4)}});
        last = c.id;
    });
    json data{{"service", service_json(s)},
              {"product_name", v.lease.repo().get_product(s.product_id).name},
              {"from", format_date(from)},
              {"to", format_date(to)},
              {"number", number},
              {"zone", zone.name()},
              {"summary", usage_summary_json(summary)},
              {"has_calls", !calls.empty()},
              {"calls", std::move(calls)}};
    if (static_cast<int>(data["calls"].size()) == calls_per_page)
        data["next"] = "from=" + format_date(from) + "&to=" + format_date(to) + (number.empty() ? "" : "&number=" + percent_encoded(number)) +
                       "&after=" + std::to_string(last);
    return v.page(200, "usage", "Calls and usage", std::move(data));
}

// How one call of the client's was priced: `cdr explain`, as a page.
HttpResponse call_page(Visit &v, int64_t service_id, int64_t call_id) {
    const Service s = own_voip_service(v, service_id);
    const usage::StoredCdr c = usage::get_cdr(v.lease.db(), call_id);
    if (c.service_id != s.id) fail(ErrorKind::not_found, "no such call");
    json steps = json::array();
    for (const auto &[label, text] : usage::explain_cdr(v.lease.db(), c)) steps.push_back({{"label", label}, {"text", text}});
    const BusinessZone zone(v.context.config().timezone);
    return v.page(200, "call", "Call " + std::to_string(c.id),
                  {{"service", service_json(s)},
                   {"call_id", std::to_string(c.id)},
                   {"start", zone.local_text(parse_instant(c.start_at, "start_at"))},
                   {"zone", zone.name()},
                   {"steps", std::move(steps)}});
}

// Service Credits: the time credited to the client's services, expired and used, with running
// balances — `timelog show --client`, as a page.
HttpResponse time_credits_page(Visit &v) {
    Repository &repo = v.lease.repo();
    TimeLedger ledger(v.lease.db(), v.now);
    const CreditsView view = service_credits_view(ledger, v.client_id(), std::nullopt);
    json data = credits_view_json(view);
    for (size_t i = 0; i < view.services.size(); ++i) {
        const ServiceCredits &credits = view.services[i];
        json &service = data["services"][i];
        service["owed"] = credits.balance.negative();
        if (!credits.service_id) {
            service["label"] = "A service no longer on the account";
            continue;
        }
        const Service s = repo.get_service(*credits.service_id);
        service["label"] = repo.get_product(s.product_id).name + (s.domain.empty() ? "" : " — " + s.domain);
    }
    data["has_credits"] = !view.services.empty();
    return v.page(200, "time_credits", "Time credits", std::move(data));
}

// Credit: the balance, add funds (the saved card, or the gateway's hosted page), automatic
// top-up, and the top-ups so far. Gateways: payments/charges.hpp and auto_topup.hpp.
HttpResponse credit_page(Visit &v, int status = 200, const std::string &error = "", const std::string &notice = "") {
    const Client c = v.lease.repo().get_client(v.client_id());
    const Config &config = v.context.config();
    const int places = currency_decimals(c.currency);
    json data = {{"balance", CreditLedger(v.lease.db(), v.now).balance(c.id).to_string(places)},
                 {"currency", c.currency},
                 {"can_pay", !config.payments.gateway.empty()},
                 {"min", config.payments.topup_min},
                 {"max", config.payments.topup_max}};
    if (!error.empty()) data["error"] = error;
    if (!notice.empty()) data["notice"] = notice;
    const auto method = default_payment_method(v.lease.db(), c.id);
    data["has_method"] = method && method->gateway == config.payments.gateway;
    if (method) data["method_label"] = method->label.empty() ? "saved card" : method->label;
    if (const auto a = auto_topup_setting(v.lease.db(), c.id)) {
        data["auto_below"] = a->threshold.to_string(places);
        data["auto_amount"] = a->amount.to_string(places);
        data["auto_enabled"] = a->enabled;
    }
    json topups = json::array();
    for (const auto &t : list_topups(v.lease.db(), c.id, 20))
        topups.push_back({{"id", t.id}, {"created", t.created_at.substr(0, 10)}, {"amount", t.amount.to_string(places)}, {"state", t.state}});
    data["has_topups"] = !topups.empty();
    data["topups"] = std::move(topups);
    return v.page(status, "credit", "Credit", std::move(data));
}

// After the gateway's page: what became of the top-up (the webhook may not have come yet).
HttpResponse credit_return_page(Visit &v, int64_t topup_id) {
    const Topup t = get_topup(v.lease.db(), topup_id);
    if (t.client_id != v.client_id()) fail(ErrorKind::not_found, "no such top-up");
    if (t.state == "paid") return credit_page(v, 200, "", "Thank you: your top-up " + std::to_string(t.id) + " is paid and your credit is updated.");
    if (t.state == "open") return credit_page(v, 200, "", "Top-up " + std::to_string(t.id) + " is waiting for the payment's confirmation; this page shows it once it arrives.");
    return credit_page(v, 200, "Top-up " + std::to_string(t.id) + " was not paid (" + t.state + ").");
}

HttpResponse add_funds(Visit &v) {
    RequestProvisioner p(v.lease, v.context);
    TaskContext ctx = p.task_context();
    TopupRequest r;
    r.client_id = v.client_id();
    r.amount = field(v, "amount");
    r.amount_field = "The amount";
    r.source = "client";
    r.hosted = field(v, "pay_with") != "saved";
    r.save_method = field(v, "save") == "yes" || field(v, "pay_with") == "saved";
    const std::string base = v.context.config().client_area.url.empty() ? (v.request.secure ? "https://" : "http://") + v.request.header("host")
                                                                         : v.context.config().client_area.url;
    TopupReport report;
    try {
        if (r.amount.empty()) fail(ErrorKind::invalid_input, "Please give an amount");
        r.site = base;
        report = start_topup(ctx, r);
    } catch (const Error &e) {
        if (e.kind() == ErrorKind::invalid_input) return credit_page(v, 400, std::string("Not added: ") + e.what() + ".");
        if (e.kind() != ErrorKind::refused && e.kind() != ErrorKind::not_found) throw;
        // The gateway's set-up is the operator's to see (the module-call log), not the client's.
        spdlog::error("client {} add funds: {}", v.client_id(), e.what());
        return credit_page(v, 503, "Online payment is not available right now; please try again later or contact us.");
    }
    audit(v.lease.db(), v.now, "top-up", v.client_id(), "top-up " + std::to_string(report.topup.id) + ": " + r.amount + " (" + report.topup.state + ")",
          actor(v));
    if (!report.url.empty()) return redirect(report.url);
    if (report.paid) return credit_page(v, 200, "", "Thank you: " + r.amount + " is added to your credit.");
    if (report.attempt.state == attempt_state::sent)
        return credit_page(v, 503, "We could not confirm the payment yet. Please check this page again in a few minutes before trying again.");
    if (report.attempt.state == attempt_state::failed)
        return credit_page(v, 503, "Online payment is not available right now; please try again later or contact us.");
    return credit_page(v, 402, "Your card was not charged: " + report.attempt.message);  // the bank's reason, as the gateway gives it
}

HttpResponse save_auto_topup(Visit &v) {
    RequestProvisioner p(v.lease, v.context);
    TaskContext ctx = p.task_context();
    try {
        const std::string below = field(v, "below"), amount = field(v, "amount");
        set_auto_topup(ctx, v.client_id(), below.empty() ? std::nullopt : std::optional(below), amount.empty() ? std::nullopt : std::optional(amount),
                       field(v, "enabled") == "yes", FieldSpelling::json);
    } catch (const Error &e) {
        if (e.kind() != ErrorKind::invalid_input) throw;
        return credit_page(v, 400, std::string("Not saved: ") + e.what() + ".");
    }
    audit(v.lease.db(), v.now, "auto top-up", v.client_id(), field(v, "enabled") == "yes" ? "on" : "off", actor(v));
    return credit_page(v, 200, "", field(v, "enabled") == "yes" ? "Automatic top-up is on." : "Automatic top-up is off.");
}

HttpResponse profile_page(Visit &v, int status = 200, const std::string &error = "", const std::string &notice = "") {
    const Client c = v.lease.repo().get_client(v.client_id());
    return v.page(status, "profile", "Your details",
                  {{"address", address_block("", "", c.address)}, {"error", error}, {"notice", notice}});
}

HttpResponse change_password(Visit &v) {
    if (field(v, "password") != field(v, "again")) return profile_page(v, 400, "The two new passwords differ.");
    Database &db = v.lease.db();
    const Client c = v.lease.repo().get_client(v.client_id());
    const PasswordCheck checked = check_password(v, c.email, field(v, "current"));
    if (checked.status == 429) return profile_page(v, 429, checked.message);
    if (checked.status) return profile_page(v, 400, "The current password is not right.");
    Transaction tx(db);
    try {
        ClientPasswords(db).set(c.id, field(v, "password"));  // ends every session of the client, this one too
    } catch (const Error &e) {
        if (e.kind() != ErrorKind::invalid_input) throw;
        return profile_page(v, 400, std::string(e.what()) + ".");
    }
    audit(db, v.now, "password.set", c.id, {}, actor(v));
    // This browser goes on under a new session; any other is logged out.
    const auto started = WebSessions(db, v.now, v.options.limits).start(c.id, v.request.remote_address);
    tx.commit();
    HttpResponse r = redirect("/profile?changed=1");
    r.headers.emplace_back("Set-Cookie", cookie(session_cookie, started.cookie, "/", v.request));
    return r;
}

json contact_form_json(const Contact &c) {
    json categories = json::array();
    static const std::map<std::string, std::string> labels{
        {"general", "General"}, {"invoice", "Invoices"}, {"support", "Support"}, {"product", "Products and services"}, {"domain", "Domains"}};
    for (const char *name : email_categories)
        categories.push_back({{"name", name},
                              {"label", labels.at(name)},
                              {"checked", std::find(c.categories.begin(), c.categories.end(), name) != c.categories.end()}});
    return {{"contact", {{"id", c.id}, {"first_name", c.first_name}, {"last_name", c.last_name}, {"email", c.email},
                         {"company", c.company}, {"phone", c.phone}}},
            {"categories", categories}};
}

// The contact fields of a form; the address stays as it was (the form does not show it).
Contact contact_from(const Visit &v, Contact c) {
    c.first_name = field(v, "first_name");
    c.last_name = field(v, "last_name");
    c.email = field(v, "email");
    c.company = field(v, "company");
    c.phone = field(v, "phone");
    c.categories.clear();
    for (const char *name : email_categories)
        if (v.form.count(std::string("category_") + name)) c.categories.push_back(name);
    return c;
}

HttpResponse contacts_page(Visit &v, int status = 200, const std::string &error = "", const Contact &draft = {}) {
    json contacts = json::array();
    for (const Contact &c : Contacts(v.lease.db()).of_client(v.client_id())) {
        std::string kinds;
        for (const auto &k : c.categories) kinds += (kinds.empty() ? "" : ", ") + k;
        contacts.push_back({{"id", c.id}, {"first_name", c.first_name}, {"last_name", c.last_name}, {"company", c.company},
                            {"email", c.email}, {"categories_text", kinds.empty() ? "nothing" : kinds}});
    }
    json data = contact_form_json(draft);
    data["has_contacts"] = !contacts.empty();
    data["contacts"] = std::move(contacts);
    data["error"] = error;
    return v.page(status, "contacts", "Contacts", std::move(data));
}

// The client's own contact: Error(not_found) for anyone else's.
Contact own_contact(Visit &v, int64_t id) {
    Contact c = Contacts(v.lease.db()).get(id);
    if (c.client_id != v.client_id()) fail(ErrorKind::not_found, "no such contact");
    return c;
}

HttpResponse contact_page(Visit &v, const Contact &c, int status = 200, const std::string &error = "") {
    json data = contact_form_json(c);
    data["error"] = error;
    return v.page(status, "contact", c.first_name + " " + c.last_name, std::move(data));
}

HttpResponse add_contact(Visit &v) {
    Contact c = contact_from(v, Contact{});
    c.client_id = v.client_id();
    Transaction tx(v.lease.db());
    try {
        const int64_t id = Contacts(v.lease.db()).add(c, v.now);
        audit(v.lease.db(), v.now, "contact.add", v.client_id(), "contact " + std::to_string(id), actor(v));
    } catch (const Error &e) {
        if (e.kind() != ErrorKind::invalid_input && e.kind() != ErrorKind::conflict) throw;
        return contacts_page(v, 400, std::string(e.what()) + ".", c);
    }
    tx.commit();
    return redirect("/contacts");
}

HttpResponse update_contact(Visit &v, int64_t id) {
    const Contact c = contact_from(v, own_contact(v, id));
    Transaction tx(v.lease.db());
    try {
        Contacts(v.lease.db()).update(c);
        audit(v.lease.db(), v.now, "contact.update", v.client_id(), "contact " + std::to_string(id), actor(v));
    } catch (const Error &e) {
        if (e.kind() != ErrorKind::invalid_input && e.kind() != ErrorKind::conflict) throw;
        return contact_page(v, c, 400, std::string(e.what()) + ".");
    }
    tx.commit();
    return redirect("/contacts");
}

HttpResponse delete_contact(Visit &v, int64_t id) {
    own_contact(v, id);
    Transaction tx(v.lease.db());
    Contacts(v.lease.db()).remove(id);
    audit(v.lease.db(), v.now, "contact.delete", v.client_id(), "contact " + std::to_string(id), actor(v));
    tx.commit();
    return redirect("/contacts");
}

ClientFiles client_files(Visit &v) {
    const Config &cfg = v.context.config();
    return ClientFiles(v.lease.db(), cfg.files.dir, cfg.files.max_bytes);
}

// Files the operator attached to the client and did not mark Admin Only.
HttpResponse files_page(Visit &v) {
    json files = json::array();
    for (const ClientFile &f : client_files(v).of_client(v.client_id()))
        if (!f.admin_only)
            files.push_back({{"id", f.id}, {"title", f.title}, {"filename", f.filename}, {"size", std::to_string(f.size)},
                             {"created_at", f.created_at}});
    const bool any = !files.empty();
    return v.page(200, "files", "Files", {{"has_files", any}, {"files", std::move(files)}});
}

HttpResponse download(Visit &v, int64_t id) {
    ClientFiles files = client_files(v);
    const ClientFile f = files.get(id);
    if (f.client_id != v.client_id() || f.admin_only) fail(ErrorKind::not_found, "no such file");
    HttpResponse r;
    r.content_type = "application/octet-stream";
    r.body = files.contents(f);
    // The name as typed (RFC 6266/5987), with a plain ASCII fallback for old clients.
    std::string ascii;
    for (unsigned char c : f.filename) ascii += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? static_cast<char>(c) : '_';
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + percent_encoded(f.filename));
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

HttpResponse invoices_page(Visit &v) {
    InvoiceFilter filter;
    filter.client_id = v.client_id();
    filter.limit = 50;
    filter.newest_first = true;
    if (const auto it = v.request.query.find("before"); it != v.request.query.end()) filter.before = id_in_path(it->second);
    Invoicing invoicing(v.lease.db(), v.now, v.context.today());
    json invoices = json::array();
    int64_t last = 0;
    for (const Invoice &i : invoicing.list(filter)) {
        invoices.push_back(invoice_json(i));
        last = i.id;
    }
    json data{{"has_invoices", !invoices.empty()}};
    if (static_cast<int>(invoices.size()) == filter.limit) data["next"] = std::to_string(last);
    data["invoices"] = std::move(invoices);
    return v.page(200, "invoices", "Invoices", std::move(data));
}

HttpResponse invoice_page(Visit &v, int64_t id) {
    Invoicing invoicing(v.lease.db(), v.now, v.context.today());
    const Invoice i = invoicing.get(id);
    if (i.client_id != v.client_id()) fail(ErrorKind::not_found, "no such invoice");
    return v.page(200, "invoice", "Invoice #" + std::to_string(i.id),
                  {{"invoice", invoice_json(i)}, {"bill_to", bill_to(v.lease.db(), v.client_id())}});
}

// The client's own invoice as a PDF (documents/invoice_pdf.hpp).
HttpResponse invoice_pdf_download(Visit &v, int64_t id) {
    Invoicing invoicing(v.lease.db(), v.now, v.context.today());
    if (invoicing.get(id).client_id != v.client_id()) fail(ErrorKind::not_found, "no such invoice");
    HttpResponse r;
    r.content_type = "application/pdf";
    r.body = invoice_pdf(invoice_document(v.lease.db(), v.context.config(), id));
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"invoice-" + std::to_string(id) + ".pdf\"");
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
}

// The stylesheet and scripts built into the program, and Chart.js as the operator's system has it.
HttpResponse asset(const std::string &name, const ClientAreaOptions &options) {
    const auto ends_with = [&](std::string_view suffix) {
        return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    HttpResponse r;
    if (name == "chart.js") {
        if (options.chart_js.empty()) fail(ErrorKind::not_found, "Chart.js is not installed");
        r.body = options.chart_js;
    } else {
        const auto &assets = web_assets();
        const auto it = assets.find(name);
        if (it == assets.end() || !(ends_with(".css") || ends_with(".js"))) fail(ErrorKind::not_found, "no such file");
        r.body = std::string(it->second);
    }
    r.content_type = ends_with(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8";
    r.headers.emplace_back("Cache-Control", "public, max-age=3600");
    return r;
}

HttpResponse route_visit(Visit &v) {
    auto parts = path_segments(v.request.path);
    if (!parts.empty() && parts.back().empty()) parts.pop_back();  // "/invoices/" as "/invoices"
    const std::string &method = v.request.method == "HEAD" ? std::string("GET") : v.request.method;
    const bool get = method == "GET", post = method == "POST";
    if (!get && !post) return v.error_page(405, "Not allowed", method + " is not used here.");
    if (parts.size() == 2 && parts[0] == "assets" && get) {
        v.route = "/assets/{name}";
        return asset(parts[1], v.options);
    }
    if (parts.size() == 1 && parts[0] == "login") {
        v.route = "/login";
        if (post) return log_in(v);
        if (v.session) return redirect("/");
        return login_form(v, 200, "", "", v.request.query.count("reset") ? "Your new password is set. Log in with it." : "");
    }
    if (parts.size() == 2 && parts[0] == "login" && parts[1] == "link" && get) {
        v.route = "/login/link";
        return follow_login_link(v);
    }
    if (parts.size() == 2 && parts[0] == "password" && (parts[1] == "forgot" || parts[1] == "reset")) {
        v.route = "/password/" + parts[1];
        if (post) return parts[1] == "forgot" ? forgot_password(v) : reset_password(v);
        return parts[1] == "forgot" ? signed_out_form(v, 200, "forgot", "Forgot your password?", json::object())
                                    : signed_out_form(v, 200, "reset", "Choose a new password", json::object());
    }
    if (!v.session) {
        v.route = "(signed out)";
        return redirect("/login");
    }
    if (post) {
        if (!same_token(field(v, "csrf"), v.session->csrf))
            return v.error_page(403, "Form expired", "This form was not sent from your current session. Go back, reload the page and try again.");
    }
    if (parts.size() == 1 && parts[0] == "logout" && post) {
        v.route = "/logout";
        WebSessions(v.lease.db(), v.now, v.options.limits).end(v.cookie);
        HttpResponse r = redirect("/login");
        r.headers.emplace_back("Set-Cookie", cookie(session_cookie, "", "/", v.request, true));
        return r;
    }
    if (get && parts.empty()) {
        v.route = "/";
        return dashboard(v);
    }
    if (get && parts.size() == 1 && parts[0] == "services") {
        v.route = "/services";
        return services_page(v);
    }
    if (get && parts.size() == 2 && parts[0] == "services") {
        v.route = "/services/{id}";
        return service_page(v, id_in_path(parts[1]));
    }
    if (get && parts.size() == 3 && parts[0] == "services" && parts[2] == "usage") {
        v.route = "/services/{id}/usage";
        return usage_page(v, id_in_path(parts[1]));
    }
    if (get && parts.size() == 4 && parts[0] == "services" && parts[2] == "calls") {
        v.route = "/services/{id}/calls/{call}";
        return call_page(v, id_in_path(parts[1]), id_in_path(parts[3]));
    }
    if (post && parts.size() == 4 && parts[0] == "services" && parts[2] == "actions") {
        v.route = "/services/{id}/actions/{name}";
        return run_action(v, id_in_path(parts[1]), parts[3]);
    }
    if (post && parts.size() == 3 && parts[0] == "services" && parts[2] == "cancel") {
        v.route = "/services/{id}/cancel";
        return request_cancel(v, id_in_path(parts[1]));
    }
    if (parts.size() == 1 && parts[0] == "credit" && get) {
        v.route = "/credit";
        if (const std::string t = v.request.query_value("topup"); !t.empty()) return credit_return_page(v, id_in_path(t));
        return credit_page(v);
    }
    if (parts.size() == 2 && parts[0] == "credit" && post && (parts[1] == "topup" || parts[1] == "auto-topup")) {
        v.route = "/credit/" + parts[1];
        return parts[1] == "topup" ? add_funds(v) : save_auto_topup(v);
    }
    if (get && parts.size() == 1 && parts[0] == "time-credits") {
        v.route = "/time-credits";
        return time_credits_page(v);
    }
    if (parts.size() == 1 && parts[0] == "profile" && get) {
        v.route = "/profile";
        return profile_page(v, 200, "", v.request.query.count("changed") ? "Your password is changed." : "");
    }
    if (parts.size() == 2 && parts[0] == "profile" && parts[1] == "password" && post) {
        v.route = "/profile/password";
        return change_password(v);
    }
    if (parts.size() >= 1 && parts[0] == "contacts") {
        if (parts.size() == 1) {
            v.route = "/contacts";
            return post ? add_contact(v) : contacts_page(v);
        }
        if (parts.size() == 2) {
            v.route = "/contacts/{id}";
            const int64_t id = id_in_path(parts[1]);
            return post ? update_contact(v, id) : contact_page(v, own_contact(v, id));
        }
        if (parts.size() == 3 && parts[2] == "delete" && post) {
            v.route = "/contacts/{id}/delete";
            return delete_contact(v, id_in_path(parts[1]));
        }
    }
    if (get && parts.size() == 1 && parts[0] == "files") {
        v.route = "/files";
        return files_page(v);
    }
    if (get && parts.size() == 2 && parts[0] == "files") {
        v.route = "/files/{id}";
        return download(v, id_in_path(parts[1]));
    }
    if (get && parts.size() == 1 && parts[0] == "invoices") {
        v.route = "/invoices";
        return invoices_page(v);
    }
    if (get && parts.size() == 2 && parts[0] == "invoices") {
        v.route = "/invoices/{id}";
        return invoice_page(v, id_in_path(parts[1]));
    }
    if (get && parts.size() == 3 && parts[0] == "invoices" && parts[2] == "pdf") {
        v.route = "/invoices/{id}/pdf";
        return invoice_pdf_download(v, id_in_path(parts[1]));
    }
    return v.error_page(404, "Not found", "There is no such page.");
}

}  // namespace

bool is_client_area_path(const std::string &path) {
    return !(path == "/healthz" || path == "/metrics" || path == "/api" || path.rfind("/api/", 0) == 0 || path.rfind("/hooks/", 0) == 0);
}

HttpResponse ClientArea::handle(const HttpRequest &request, ServeContext &context) const {
    const auto started = std::chrono::steady_clock::now();
    HttpResponse response;
    std::string route = "unmatched";
    try {
        ServeLease lease = context.lease();
        Visit v{request, context, lease, options_, lease.repo().now_text(), cookie_value(request.header("cookie"), session_cookie), {}, {}, route};
        if (!v.cookie.empty()) v.session = WebSessions(lease.db(), v.now, options_.limits).find(v.cookie);
        if (request.method == "POST") v.form = parse_form(request.body);
        try {
            response = route_visit(v);
        } catch (const Error &e) {
            if (e.kind() == ErrorKind::not_found) response = v.error_page(404, "Not found", "There is nothing here, or it is not yours.");
            else if (e.kind() == ErrorKind::invalid_input) response = v.error_page(400, "Not understood", e.what());
            else throw;
        }
        route = v.route;
    } catch (const std::exception &e) {
        spdlog::error("{} {}: {}", request.method, request.path, e.what());
        response = HttpResponse{};
        response.status = 500;
        response.content_type = "text/plain; charset=utf-8";
        response.body = "Something went wrong on our side. Please try again later.\n";
    }
    if (request.method == "HEAD") response.body.clear();
    protect(response);
    metrics_.record(request.method, route, response.status,
                    std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
    return response;
}

}  // namespace provisio
