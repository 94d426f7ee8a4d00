// Repository: services, with their setting overrides (sealed at rest), custom fields and module state.
#include "domain/repository.hpp"

#include "billing/cycles.hpp"
#include "foundation/error.hpp"
#include "secrets/secret_box.hpp"
#include "store/database.hpp"

namespace provisio {

// A service that is invoiced (recurring or one time) but has no next due date would never be
// invoiced, silently. (Lifecycle updates of a service stored so by an older version go on;
// `provisio verify` reports it.)
void require_due_date(const Service &s) {
    if (!s.next_due_date && cycle_invoices(s.billing_cycle))
        fail(ErrorKind::invalid_input, "service" + (s.id ? " " + std::to_string(s.id) : std::string()) + " is billed " + s.billing_cycle +
                                           " but has no next due date: give --next-due YYYY-MM-DD");
}

int64_t Repository::add_service(const Service &s) {
    require_due_date(s);
    Transaction tx(db_);
    const std::string now = now_text();
    db_.prepare("INSERT INTO services (client_id, product_id, server_id, status, domain, username, password, dedicated_ip, "
                "next_due_date, recurring_micros, billing_cycle, created_at, updated_at, next_invoice_date, anchor_day, "
                "autosuspend_override, payment_method) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13, ?14, ?15, ?16)")
        .bind(1, s.client_id).bind(2, s.product_id).bind(3, s.server_id).bind(4, s.status).bind(5, s.domain)
        .bind(6, s.username).bind(7, s.password.empty() ? std::string() : secrets_.seal(s.password))
        .bind(8, s.dedicated_ip).bind(9, s.next_due_date).bind(10, s.recurring_amount.micros()).bind(11, s.billing_cycle)
        .bind(12, now).bind(13, s.next_invoice_date).bind(14, s.anchor_day).bind(15, s.autosuspend_override).bind(16, s.payment_method)
        .run();
    const int64_t id = db_.last_insert_id();
    replace_sealed_settings("service_settings", "service_id", id, s.overrides);
    replace_settings("service_custom_fields", "service_id", id, s.custom_fields);
    tx.commit();
    return id;
}

void Repository::update_service(const Service &s) {
    Transaction tx(db_);
    db_.prepare("UPDATE services SET client_id = ?2, product_id = ?3, server_id = ?4, domain = ?5, username = ?6, "
                "password = ?7, dedicated_ip = ?8, next_due_date = ?9, recurring_micros = ?10, billing_cycle = ?11, "
                "updated_at = ?12, next_invoice_date = ?13, anchor_day = ?14, autosuspend_override = ?15, payment_method = ?16 WHERE id = ?1")
        .bind(1, s.id).bind(2, s.client_id).bind(3, s.product_id).bind(4, s.server_id).bind(5, s.domain)
        .bind(6, s.username).bind(7, s.password.empty() ? std::string() : secrets_.seal(s.password))
        .bind(8, s.dedicated_ip).bind(9, s.next_due_date).bind(10, s.recurring_amount.micros()).bind(11, s.billing_cycle)
        .bind(12, now_text()).bind(13, s.next_invoice_date).bind(14, s.anchor_day).bind(15, s.autosuspend_override)
        .bind(16, s.payment_method)
        .run();
    replace_sealed_settings("service_settings", "service_id", s.id, s.overrides);
    replace_settings("service_custom_fields", "service_id", s.id, s.custom_fields);
    tx.commit();
}

namespace {
constexpr const char *service_columns =
    "id, client_id, product_id, server_id, status, domain, username, password, dedicated_ip, next_due_date, recurring_micros, "
    "billing_cycle, suspend_reason, created_at, updated_at, next_invoice_date, anchor_day, autosuspend_override, suspended_by, payment_method";

Service read_service(Statement &q, const SecretBox &secrets) {
    Service s;
    s.id = q.int64(0);
    s.client_id = q.int64(1);
    s.product_id = q.int64(2);
    s.server_id = q.opt_int64(3);
    s.status = q.text(4);
    s.domain = q.text(5);
    s.username = q.text(6);
    if (!q.text(7).empty()) s.password = secrets.open(q.text(7), "password of service " + std::to_string(s.id));
    s.dedicated_ip = q.text(8);
    s.next_due_date = q.opt_text(9);
    s.recurring_amount = Money::from_micros(q.int64(10));
    s.billing_cycle = q.text(11);
    s.suspend_reason = q.text(12);
    s.created_at = q.text(13);
    s.updated_at = q.text(14);
    s.next_invoice_date = q.opt_text(15);
    s.anchor_day = q.opt_int64(16);
    s.autosuspend_override = q.opt_text(17);
    s.suspended_by = q.text(18);
    s.payment_method = q.text(19);
    return s;
}
}  // namespace

Service Repository::get_service(int64_t id) {
    auto q = db_.prepare(std::string("SELECT ") + service_columns + " FROM services WHERE id = ?1");
    q.bind(1, id);
    if (!q.step()) fail(ErrorKind::not_found, "service " + std::to_string(id) + " does not exist");
    Service s = read_service(q, secrets_);
    s.overrides = load_sealed_settings("service_settings", "service_id", id, "service " + std::to_string(id));
    s.custom_fields = load_settings("service_custom_fields", "service_id", id);
    s.module_state = load_settings("service_module_state", "service_id", id);
    return s;
}

std::map<int64_t, Service> Repository::load_services(int64_t first, int64_t last) {
    std::map<int64_t, Service> out;
    {
        auto q = db_.prepare(std::string("SELECT ") + service_columns + " FROM services WHERE id BETWEEN ?1 AND ?2");
        q.bind(1, first).bind(2, last);
        while (q.step()) {
            Service s = read_service(q, secrets_);
            out.emplace(s.id, std::move(s));
        }
    }
    struct Part {
        const char *table;
        Settings Service::*field;
        bool sealed;
    };
    for (const Part &p : {Part{"service_settings", &Service::overrides, true},
                          Part{"service_custom_fields", &Service::custom_fields, false},
                          Part{"service_module_state", &Service::module_state, false}}) {
        auto q = db_.prepare(std::string("SELECT service_id, key, value FROM ") + p.table + " WHERE service_id BETWEEN ?1 AND ?2");
        q.bind(1, first).bind(2, last);
        while (q.step()) {
            auto it = out.find(q.int64(0));
            if (it == out.end()) continue;
            const std::string key = q.text(1);
            (it->second.*p.field)[key] =
                p.sealed ? secrets_.open(q.text(2), "option '" + key + "' of service " + std::to_string(it->first)) : q.text(2);
        }
    }
    return out;
}

void Repository::for_each_service(const ServiceFilter &f, const std::function<void(const ListedService &)> &each) {
    auto q = db_.prepare(
        "SELECT s.id, CASE WHEN trim(c.first_name || ' ' || c.last_name) = '' THEN c.company "
        "  ELSE trim(c.first_name || ' ' || c.last_name) END, p.name "
        "FROM services s JOIN clients c ON c.id = s.client_id JOIN products p ON p.id = s.product_id "
        "WHERE s.id > ?1 AND (?2 IS NULL OR s.client_id = ?2) AND (?3 IS NULL OR s.product_id = ?3) AND (?4 = '' OR s.status = ?4) "
        "AND (?5 = '' OR lower(s.domain) LIKE lower(?5) ESCAPE '\\' OR lower(s.username) LIKE lower(?5) ESCAPE '\\' "
        " OR lower(c.email) LIKE lower(?5) ESCAPE '\\' OR lower(c.first_name || ' ' || c.last_name) LIKE lower(?5) ESCAPE '\\' "
        " OR lower(c.company) LIKE lower(?5) ESCAPE '\\') "
        "ORDER BY s.id LIMIT ?6");
    q.bind(1, f.after).bind(2, f.client_id).bind(3, f.product_id).bind(4, f.status)
        .bind(5, f.search.empty() ? std::string() : like_pattern(f.search)).bind(6, f.limit > 0 ? f.limit : -1);
    while (q.step()) each(ListedService{get_service(q.int64(0)), q.text(1), q.text(2)});
}

std::string like_pattern(std::string_view text) {
    std::string out = "%";
    for (const char ch : text) {
        if (ch == '%' || ch == '_' || ch == '\\') out += '\\';
        out += ch;
    }
    return out + "%";
}

void Repository::set_service_status(int64_t id, std::string_view status, std::string_view suspend_reason,
                                    std::string_view suspended_by) {
    db_.prepare("UPDATE services SET status = ?2, suspend_reason = ?3, suspended_by = ?5, updated_at = ?4 WHERE id = ?1")
        .bind(1, id).bind(2, status).bind(3, suspend_reason).bind(4, now_text()).bind(5, suspended_by)
        .run();
}

void Repository::save_module_state(int64_t id, const Settings &state) {
    replace_settings("service_module_state", "service_id", id, state);
}

}  // namespace provisio
