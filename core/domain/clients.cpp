// Repository: clients.
#include "domain/repository.hpp"

#include "foundation/error.hpp"
#include "store/database.hpp"

namespace provisio {

namespace {

// The profile columns both statements write, as parameters ?2 … ?21.
void bind_profile(Statement &s, const Client &c) {
    s.bind(2, c.first_name).bind(3, c.last_name).bind(4, c.email).bind(5, c.status).bind(6, c.currency)
        .bind(7, int64_t{c.separate_invoices}).bind(8, int64_t{c.no_late_fees}).bind(9, int64_t{c.no_overdue_emails})
        .bind(10, c.company).bind(11, c.address.address1).bind(12, c.address.address2).bind(13, c.address.city)
        .bind(14, c.address.state).bind(15, c.address.postcode).bind(16, c.address.country).bind(17, c.phone).bind(18, c.language)
        .bind(19, c.billing_contact_id).bind(20, int64_t{c.tax_exempt}).bind(21, c.tax_id);
}

}  // namespace

int64_t Repository::add_client(const Client &c) {
    ensure_unique("clients", "email", c.email, 0, "e-mail address");
    auto s = db_.prepare("INSERT INTO clients (created_at, first_name, last_name, email, status, currency, separate_invoices, "
                         "no_late_fees, no_overdue_emails, company, address1, address2, city, state, postcode, country, phone, "
                         "language, billing_contact_id, tax_exempt, tax_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                         "?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)");
    s.bind(1, now_text());
    bind_profile(s, c);
    s.run();
    return db_.last_insert_id();
}

void Repository::update_client(const Client &c) {
    ensure_unique("clients", "email", c.email, c.id, "e-mail address");
    auto s = db_.prepare("UPDATE clients SET first_name = ?2, last_name = ?3, email = ?4, status = ?5, currency = ?6, "
                         "separate_invoices = ?7, no_late_fees = ?8, no_overdue_emails = ?9, company = ?10, address1 = ?11, "
                         "address2 = ?12, city = ?13, state = ?14, postcode = ?15, country = ?16, phone = ?17, language = ?18, "
                         "billing_contact_id = ?19, tax_exempt = ?20, tax_id = ?21 WHERE id = ?1");
    s.bind(1, c.id);
    bind_profile(s, c);
    s.run();
}

Client Repository::get_client(int64_t id) {
    auto q = db_.prepare("SELECT id, first_name, last_name, email, status, currency, created_at, separate_invoices, "
                         "no_late_fees, no_overdue_emails, company, address1, address2, city, state, postcode, country, phone, "
                         "language, billing_contact_id, tax_exempt, tax_id FROM clients WHERE id = ?1");
    q.bind(1, id);
    if (!q.step()) fail(ErrorKind::not_found, "client " + std::to_string(id) + " does not exist");
    Client c;
    c.id = q.int64(0);
    c.first_name = q.text(1);
    c.last_name = q.text(2);
    c.email = q.text(3);
    c.status = q.text(4);
    c.currency = q.text(5);
    c.created_at = q.text(6);
    c.separate_invoices = q.int64(7) != 0;
    c.no_late_fees = q.int64(8) != 0;
    c.no_overdue_emails = q.int64(9) != 0;
    c.company = q.text(10);
    c.address = {q.text(11), q.text(12), q.text(13), q.text(14), q.text(15), q.text(16)};
    c.phone = q.text(17);
    c.language = q.text(18);
    c.billing_contact_id = q.opt_int64(19);
    c.tax_exempt = q.int64(20) != 0;
    c.tax_id = q.text(21);
    return c;
}

void Repository::for_each_client(const ClientFilter &f, const std::function<void(const Client &)> &each) {
    const std::string status = f.status.empty() ? std::string() : check_client_status(f.status);
    auto q = db_.prepare(
        "SELECT c.id FROM clients c WHERE c.id > ?1 AND (?2 = '' OR c.status = ?2) AND (?3 = '' "
        " OR lower(c.email) LIKE lower(?3) ESCAPE '\\' OR lower(c.first_name || ' ' || c.last_name) LIKE lower(?3) ESCAPE '\\' "
        " OR lower(c.company) LIKE lower(?3) ESCAPE '\\' "
        " OR EXISTS (SELECT 1 FROM services s WHERE s.client_id = c.id AND (lower(s.domain) LIKE lower(?3) ESCAPE '\\' "
        "   OR lower(s.username) LIKE lower(?3) ESCAPE '\\'))) "
        "ORDER BY c.id LIMIT ?4");
    q.bind(1, f.after).bind(2, status).bind(3, f.search.empty() ? std::string() : like_pattern(f.search))
        .bind(4, f.limit > 0 ? f.limit : -1);
    while (q.step()) each(get_client(q.int64(0)));
}

}  // namespace provisio
