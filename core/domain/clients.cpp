// Repository: clients.
#include "domain/repository.hpp"

#include "foundation/error.hpp"
#include "store/database.hpp"

namespace provisio {

int64_t Repository::add_client(const Client &c) {
    ensure_unique("clients", "email", c.email, 0, "e-mail address");
    db_.prepare("INSERT INTO clients (first_name, last_name, email, status, currency, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .bind(1, c.first_name).bind(2, c.last_name).bind(3, c.email).bind(4, c.status).bind(5, c.currency).bind(6, now_text())
        .run();
    return db_.last_insert_id();
}

void Repository::update_client(const Client &c) {
    ensure_unique("clients", "email", c.email, c.id, "e-mail address");
    db_.prepare("UPDATE clients SET first_name = ?2, last_name = ?3, email = ?4, status = ?5, currency = ?6 WHERE id = ?1")
        .bind(1, c.id).bind(2, c.first_name).bind(3, c.last_name).bind(4, c.email).bind(5, c.status).bind(6, c.currency)
        .run();
}

Client Repository::get_client(int64_t id) {
    auto q = db_.prepare("SELECT id, first_name, last_name, email, status, currency, created_at FROM clients WHERE id = ?1");
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
    return c;
}

std::vector<Client> Repository::list_clients() {
    std::vector<Client> out;
    auto q = db_.prepare("SELECT id FROM clients ORDER BY id");
    while (q.step()) out.push_back(get_client(q.int64(0)));
    return out;
}

}  // namespace provisio
