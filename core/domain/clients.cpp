// Repository: clients.
#include "domain/repository.hpp"

#include "foundation/error.hpp"
#include "store/database.hpp"

namespace provisio {

int64_t Repository::add_client(const Client &c) {
    ensure_unique("clients", "email", c.email, 0, "e-mail address");
    db_.prepare("INSERT INTO clients (first_name, last_name, email, status, currency, created_at, separate_invoices, "
                "no_late_fees, no_overdue_emails) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
        .bind(1, c.first_name).bind(2, c.last_name).bind(3, c.email).bind(4, c.status).bind(5, c.currency).bind(6, now_text())
        .bind(7, int64_t{c.separate_invoices}).bind(8, int64_t{c.no_late_fees}).bind(9, int64_t{c.no_overdue_emails})
        .run();
    return db_.last_insert_id();
}

void Repository::update_client(const Client &c) {
    ensure_unique("clients", "email", c.email, c.id, "e-mail address");
    db_.prepare("UPDATE clients SET first_name = ?2, last_name = ?3, email = ?4, status = ?5, currency = ?6, "
                "separate_invoices = ?7, no_late_fees = ?8, no_overdue_emails = ?9 WHERE id = ?1")
        .bind(1, c.id).bind(2, c.first_name).bind(3, c.last_name).bind(4, c.email).bind(5, c.status).bind(6, c.currency)
        .bind(7, int64_t{c.separate_invoices}).bind(8, int64_t{c.no_late_fees}).bind(9, int64_t{c.no_overdue_emails})
        .run();
}

Client Repository::get_client(int64_t id) {
    auto q = db_.prepare("SELECT id, first_name, last_name, email, status, currency, created_at, separate_invoices, "
                         "no_late_fees, no_overdue_emails FROM clients WHERE id = ?1");
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
    return c;
}

std::vector<Client> Repository::list_clients() {
    std::vector<Client> out;
    auto q = db_.prepare("SELECT id FROM clients ORDER BY id");
    while (q.step()) out.push_back(get_client(q.int64(0)));
    return out;
}

}  // namespace provisio
