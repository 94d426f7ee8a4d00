#include "billing/upgrade.hpp"

#include "billing/cycles.hpp"
#include "billing/invoices.hpp"
#include "billing/prorata.hpp"
#include "foundation/error.hpp"
#include "ledger/credit_ledger.hpp"
#include "money/currency.hpp"
#include "store/database.hpp"

#include <nlohmann/json.hpp>

namespace provisio {

UpgradeQuote quote_upgrade(Database &db, Date today, int64_t service_id, int64_t new_product, const std::string &new_cycle_in) {
    auto q = db.prepare("SELECT s.product_id, s.billing_cycle, s.recurring_micros, s.next_due_date, s.status, p.name, c.currency "
                        "FROM services s JOIN products p ON p.id = s.product_id JOIN clients c ON c.id = s.client_id WHERE s.id = ?1");
    q.bind(1, service_id);
    const std::string sid = "service " + std::to_string(service_id);
    if (!q.step()) fail(ErrorKind::not_found, sid + " does not exist");
    UpgradeQuote u;
    u.service_id = service_id;
    u.old_product = q.int64(0);
    u.old_cycle = q.text(1);
    u.old_recurring = Money::from_micros(q.int64(2));
    const auto next_due = q.opt_text(3);
    const std::string status = q.text(4);
    u.old_name = q.text(5);
    const int decimals = currency_decimals(q.text(6));
    if (status != "Active" && status != "Suspended")
        fail(ErrorKind::refused, sid + " is " + status + "; only Active or Suspended services are upgraded");
    auto p = db.prepare("SELECT name, price_micros, billing_cycle, module FROM products WHERE id = ?1");
    p.bind(1, new_product);
    if (!p.step()) fail(ErrorKind::not_found, "product " + std::to_string(new_product) + " does not exist");
    u.new_product = new_product;
    u.new_name = p.text(0);
    u.new_cycle = new_cycle_in.empty() ? p.text(2) : new_cycle_in;
    u.new_recurring = recurring_price(Money::from_micros(p.int64(1)), p.text(2), u.new_cycle, decimals);
    if (u.new_product == u.old_product && u.new_cycle == u.old_cycle)
        fail(ErrorKind::invalid_input, sid + " already has product '" + u.new_name + "' on a " + u.new_cycle + " cycle");
    auto old_module = db.prepare("SELECT module FROM products WHERE id = ?1");
    old_module.bind(1, u.old_product);
    old_module.step();
    if (old_module.text(0) != p.text(3))
        fail(ErrorKind::refused, "product '" + u.new_name + "' uses " + (p.text(3).empty() ? "no module" : "module " + p.text(3)) +
                                     " and the service's product '" + u.old_name + "' uses " +
                                     (old_module.text(0).empty() ? "no module" : "module " + old_module.text(0)) +
                                     "; an upgrade stays within one module");
    u.period_start = format_date(today);
    u.free_to_paid = !cycle_recurs(u.old_cycle) || u.old_recurring.zero() || !next_due;
    if (u.free_to_paid) {
        if (!cycle_recurs(u.new_cycle)) {
            u.new_charge = u.new_recurring;
        } else {
            const Date next = next_due_date(today, u.new_cycle, static_cast<unsigned>(today.day()));
            u.new_next_due = format_date(next);
            u.period_end = format_date(add_days(next, -1));
            u.days_left = days_between(today, next);
            u.new_charge = u.new_recurring;
        }
        u.difference = u.new_charge;
        return u;
    }
    const Date due = parse_date(*next_due, "next due date");
    u.days_left = std::max(0, days_between(today, due));
    u.period_end = format_date(add_days(due, -1));
    u.unused_credit = prorata_amount(u.old_recurring, cycle_months(u.old_cycle), u.days_left, decimals);
    u.new_charge = cycle_recurs(u.new_cycle) ? prorata_amount(u.new_recurring, cycle_months(u.new_cycle), u.days_left, decimals)
                                             : u.new_recurring;
    u.difference = u.new_charge - u.unused_credit;
    return u;
}

UpgradeOrder order_upgrade(Database &db, const std::string &now, Date today, const UpgradeQuote &u, bool no_invoice) {
    Transaction tx(db);
    auto open = db.prepare("SELECT invoice_id FROM pending_changes WHERE service_id = ?1 AND kind = 'upgrade' "
                           "AND applied_at IS NULL AND cancelled_at IS NULL");
    open.bind(1, u.service_id);
    if (open.step())
        fail(ErrorKind::conflict, "service " + std::to_string(u.service_id) + " already has an upgrade waiting on invoice #" +
                                      std::to_string(open.int64(0)) + " (cancel that invoice to change it)");
    nlohmann::json data{{"product_id", u.new_product}, {"billing_cycle", u.new_cycle}, {"recurring_micros", u.new_recurring.micros()}};
    if (u.new_next_due) data["next_due_date"] = *u.new_next_due;
    UpgradeOrder order;
    auto pending = [&](std::optional<int64_t> invoice) {
        db.prepare("INSERT INTO pending_changes (invoice_id, service_id, kind, data, created_at) VALUES (?1, ?2, 'upgrade', ?3, ?4)")
            .bind(1, invoice).bind(2, u.service_id).bind(3, data.dump()).bind(4, now).run();
        return db.last_insert_id();
    };
    auto apply_now = [&] {
        apply_pending_change(db, pending(std::nullopt), now);
        order.applied_now = true;
    };
    if (no_invoice || u.difference.zero()) {
        apply_now();
    } else if (u.difference.negative()) {
        auto c = db.prepare("SELECT client_id FROM services WHERE id = ?1");
        c.bind(1, u.service_id);
        c.step();
        CreditLedger(db, now).post({c.int64(0), -u.difference, credit_kind::credit,
                                    "Credit for downgrade of service " + std::to_string(u.service_id) + " from " + u.old_name +
                                        " to " + u.new_name + " (" + std::to_string(u.days_left) + " days)",
                                    std::nullopt, "downgrade:" + std::to_string(u.service_id) + ":" + now});
        order.credited = -u.difference;
        apply_now();
    } else {
        auto c = db.prepare("SELECT client_id FROM services WHERE id = ?1");
        c.bind(1, u.service_id);
        c.step();
        // Each line is taxed as its own product is: the charge as the new one, the unused days as the old.
        auto taxable = [&](int64_t product) {
            auto t = db.prepare("SELECT taxable FROM products WHERE id = ?1");
            t.bind(1, product);
            return t.step() && t.int64(0) != 0;
        };
        std::vector<InvoiceLine> lines;
        const std::string period = u.period_end.empty() ? "" : " (" + u.period_start + " - " + u.period_end + ")";
        InvoiceLine charge;
        charge.item_type = "upgrade";
        charge.item_id = u.service_id;
        charge.description = "Upgrade to " + u.new_name + " (" + u.new_cycle + ")" + period;
        charge.amount = u.new_charge;
        charge.taxed = taxable(u.new_product);
        lines.push_back(charge);
        if (!u.unused_credit.zero()) {
            InvoiceLine unused;
            unused.item_type = "upgrade";
            unused.item_id = u.service_id;
            unused.description = "Unused " + u.old_name + " (" + u.old_cycle + ")" + period;
            unused.amount = -u.unused_credit;
            unused.taxed = taxable(u.old_product);
            lines.push_back(unused);
        }
        Invoicing invoicing(db, now, today);
        // The pending change must exist before the invoice can settle (credit may pay it at once).
        const int64_t change = pending(std::nullopt);
        const Invoice made = invoicing.create(c.int64(0), "upgrade", format_date(today), lines);
        order.invoice_id = made.id;
        db.prepare("UPDATE pending_changes SET invoice_id = ?2 WHERE id = ?1").bind(1, change).bind(2, made.id).run();
        order.applied_now = made.status == invoice_status::paid;
        if (order.applied_now) apply_pending_changes(db, made.id, now);
    }
    tx.commit();
    return order;
}

}  // namespace provisio
