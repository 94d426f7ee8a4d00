#include "billing/addons.hpp"

#include "foundation/error.hpp"
#include "store/database.hpp"

namespace provisio {

int64_t Addons::add_to_catalogue(const CatalogueAddon &a) {
    auto q = db_.prepare("SELECT id FROM addon_catalogue WHERE name = ?1");
    q.bind(1, a.name);
    if (q.step()) fail(ErrorKind::conflict, "the addon catalogue already has '" + a.name + "' (" + std::to_string(q.int64(0)) + ")");
    db_.prepare("INSERT INTO addon_catalogue (name, price_micros, billing_cycle, created_at) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, a.name).bind(2, a.price.micros()).bind(3, a.billing_cycle).bind(4, now_).run();
    return db_.last_insert_id();
}

std::vector<CatalogueAddon> Addons::catalogue() {
    auto q = db_.prepare("SELECT id, name, price_micros, billing_cycle FROM addon_catalogue ORDER BY id");
    std::vector<CatalogueAddon> out;
    while (q.step()) out.push_back({q.int64(0), q.text(1), Money::from_micros(q.int64(2)), q.text(3)});
    return out;
}

CatalogueAddon Addons::find_in_catalogue(const std::string &ref) {
    auto q = db_.prepare("SELECT id, name, price_micros, billing_cycle FROM addon_catalogue WHERE name = ?1 OR CAST(id AS TEXT) = ?1");
    q.bind(1, ref);
    if (!q.step()) fail(ErrorKind::not_found, "the addon catalogue has no '" + ref + "'");
    return {q.int64(0), q.text(1), Money::from_micros(q.int64(2)), q.text(3)};
}

int64_t Addons::add(const ServiceAddon &a) {
    db_.prepare("INSERT INTO service_addons (service_id, catalogue_id, name, price_micros, billing_cycle, status, next_due_date, "
                "next_invoice_date, anchor_day, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")
        .bind(1, a.service_id).bind(2, a.catalogue_id).bind(3, a.name).bind(4, a.price.micros()).bind(5, a.billing_cycle)
        .bind(6, a.status).bind(7, a.next_due_date).bind(8, a.next_invoice_date).bind(9, a.anchor_day).bind(10, now_)
        .run();
    return db_.last_insert_id();
}

namespace {
constexpr const char *columns = "id, service_id, catalogue_id, name, price_micros, billing_cycle, status, next_due_date, "
                                "next_invoice_date, anchor_day, termination_date, created_at";
ServiceAddon read(Statement &q) {
    ServiceAddon a;
    a.id = q.int64(0);
    a.service_id = q.int64(1);
    a.catalogue_id = q.opt_int64(2);
    a.name = q.text(3);
    a.price = Money::from_micros(q.int64(4));
    a.billing_cycle = q.text(5);
    a.status = q.text(6);
    a.next_due_date = q.opt_text(7);
    a.next_invoice_date = q.opt_text(8);
    a.anchor_day = q.opt_int64(9);
    a.termination_date = q.opt_text(10);
    a.created_at = q.text(11);
    return a;
}
}  // namespace

ServiceAddon Addons::get(int64_t id) {
    auto q = db_.prepare(std::string("SELECT ") + columns + " FROM service_addons WHERE id = ?1");
    q.bind(1, id);
    if (!q.step()) fail(ErrorKind::not_found, "addon " + std::to_string(id) + " does not exist");
    return read(q);
}

std::vector<ServiceAddon> Addons::list(std::optional<int64_t> service_id) {
    auto q = db_.prepare(std::string("SELECT ") + columns + " FROM service_addons WHERE ?1 IS NULL OR service_id = ?1 ORDER BY id");
    q.bind(1, service_id);
    std::vector<ServiceAddon> out;
    while (q.step()) out.push_back(read(q));
    return out;
}

void Addons::update(const ServiceAddon &a) {
    db_.prepare("UPDATE service_addons SET name = ?2, price_micros = ?3, billing_cycle = ?4, next_due_date = ?5, "
                "next_invoice_date = ?6, anchor_day = ?7, termination_date = ?8 WHERE id = ?1")
        .bind(1, a.id).bind(2, a.name).bind(3, a.price.micros()).bind(4, a.billing_cycle).bind(5, a.next_due_date)
        .bind(6, a.next_invoice_date).bind(7, a.anchor_day).bind(8, a.termination_date)
        .run();
}

void Addons::end(int64_t id, const std::string &status, const std::string &today) {
    const ServiceAddon a = get(id);
    if (a.status == "Cancelled" || a.status == "Terminated")
        fail(ErrorKind::refused, "addon " + std::to_string(id) + " is already " + a.status);
    db_.prepare("UPDATE service_addons SET status = ?2, termination_date = ?3 WHERE id = ?1").bind(1, id).bind(2, status).bind(3, today).run();
}

}  // namespace provisio
