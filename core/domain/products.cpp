// Repository: products and their module settings (sealed at rest, like every module option value).
#include "domain/repository.hpp"

#include "foundation/error.hpp"
#include "store/database.hpp"

namespace provisio {

int64_t Repository::add_product(const Product &p) {
    ensure_unique("products", "name", p.name, 0, "product name");
    Transaction tx(db_);
    db_.prepare("INSERT INTO products (name, type, module, price_micros, billing_cycle, created_at, auto_setup, taxable) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
        .bind(1, p.name).bind(2, p.type).bind(3, p.module).bind(4, p.price.micros()).bind(5, p.billing_cycle)
        .bind(6, now_text()).bind(7, p.auto_setup).bind(8, int64_t{p.taxable})
        .run();
    const int64_t id = db_.last_insert_id();
    replace_sealed_settings("product_settings", "product_id", id, p.settings);
    tx.commit();
    return id;
}

void Repository::update_product(const Product &p) {
    ensure_unique("products", "name", p.name, p.id, "product name");
    Transaction tx(db_);
    db_.prepare("UPDATE products SET name = ?2, type = ?3, module = ?4, price_micros = ?5, billing_cycle = ?6, auto_setup = ?7, taxable = ?8 WHERE id = ?1")
        .bind(1, p.id).bind(2, p.name).bind(3, p.type).bind(4, p.module).bind(5, p.price.micros()).bind(6, p.billing_cycle)
        .bind(7, p.auto_setup).bind(8, int64_t{p.taxable})
        .run();
    replace_sealed_settings("product_settings", "product_id", p.id, p.settings);
    tx.commit();
}

Product Repository::get_product(int64_t id) {
    auto q = db_.prepare("SELECT id, name, type, module, price_micros, billing_cycle, created_at, auto_setup, taxable FROM products WHERE id = ?1");
    q.bind(1, id);
    if (!q.step()) fail(ErrorKind::not_found, "product " + std::to_string(id) + " does not exist");
    Product p;
    p.id = q.int64(0);
    p.name = q.text(1);
    p.type = q.text(2);
    p.module = q.text(3);
    p.price = Money::from_micros(q.int64(4));
    p.billing_cycle = q.text(5);
    p.created_at = q.text(6);
    p.auto_setup = q.text(7);
    p.taxable = q.int64(8) != 0;
    p.settings = load_sealed_settings("product_settings", "product_id", id, "product " + std::to_string(id));
    return p;
}

Product Repository::find_product(std::string_view ref) { return get_product(id_by_name_or_id("products", "product", ref)); }

std::vector<Product> Repository::list_products() {
    std::vector<Product> out;
    auto q = db_.prepare("SELECT id FROM products ORDER BY id");
    while (q.step()) out.push_back(get_product(q.int64(0)));
    return out;
}

}  // namespace provisio
