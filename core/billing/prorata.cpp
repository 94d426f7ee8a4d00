#include "billing/prorata.hpp"

#include "billing/cycles.hpp"
#include "billing/invoices.hpp"
#include "foundation/error.hpp"
#include "money/currency.hpp"
#include "store/database.hpp"

#include <nlohmann/json.hpp>

namespace provisio {

Money prorata_amount(Money recurring, int cycle_months, int days, int decimals) {
    return recurring.scaled(days, int64_t{30} * cycle_months, "prorata amount").rounded(decimals, Rounding::half_up);
}

int64_t create_prorata_invoice(Database &db, const std::string &now, Date today, const std::vector<int64_t> &services,
                               Date new_due) {
    if (services.empty()) fail(ErrorKind::invalid_input, "no service given");
    Transaction tx(db);
    std::optional<int64_t> client;
    std::string currency;
    std::vector<InvoiceLine> lines;
    const std::string target = format_date(new_due);
    for (const int64_t id : services) {
        auto q = db.prepare("SELECT s.client_id, s.next_due_date, s.billing_cycle, s.recurring_micros, s.status, p.name, s.domain, "
                            "c.currency FROM services s JOIN products p ON p.id = s.product_id JOIN clients c ON c.id = s.client_id "
                            "WHERE s.id = ?1");
        q.bind(1, id);
        const std::string sid = "service " + std::to_string(id);
        if (!q.step()) fail(ErrorKind::not_found, sid + " does not exist");
        if (client && *client != q.int64(0))
            fail(ErrorKind::invalid_input, "a prorata invoice is for one client; " + sid + " belongs to client " +
                                               std::to_string(q.int64(0)));
        client = q.int64(0);
        currency = q.text(7);
        if (q.is_null(1)) fail(ErrorKind::refused, sid + " has no next due date to move");
        const std::string cycle = q.text(2);
        if (!cycle_recurs(cycle)) fail(ErrorKind::refused, sid + " is billed " + cycle + "; prorata needs a recurring cycle");
        const std::string status = q.text(4);
        if (status != "Active" && status != "Suspended" && status != "Pending")
            fail(ErrorKind::refused, sid + " is " + status);
        const Date current = parse_date(q.text(1), "next due date");
        const int days = days_between(current, new_due);
        if (days <= 0)
            fail(ErrorKind::invalid_input, sid + ": the new due date " + target + " must be after its current one (" +
                                               q.text(1) + ")");
        InvoiceLine line;
        line.item_type = "prorata";
        line.item_id = id;
        line.amount = prorata_amount(Money::from_micros(q.int64(3)), cycle_months(cycle), days, currency_decimals(currency));
        line.due_date = q.text(1);
        line.period_end = format_date(add_days(new_due, -1));
        const std::string domain = q.text(6);
        line.description = q.text(5) + (domain.empty() ? "" : " - " + domain) + " (" + q.text(1) + " - " + *line.period_end + ")";
        line.natural_key = "prorata:" + std::to_string(id) + ":" + q.text(1) + ":" + target;
        auto dup = db.prepare("SELECT invoice_id FROM invoice_items i JOIN invoices v ON v.id = i.invoice_id "
                              "WHERE i.natural_key = ?1 AND v.status <> 'Cancelled'");
        dup.bind(1, *line.natural_key);
        if (dup.step())
            fail(ErrorKind::conflict, sid + " already has prorata invoice #" + std::to_string(dup.int64(0)) + " for this change");
        lines.push_back(std::move(line));
    }
    // A cancelled earlier attempt's lines keep their keys; free them for this one.
    for (auto &l : lines) {
        auto used = db.prepare("SELECT 1 FROM invoice_items WHERE natural_key = ?1");
        used.bind(1, *l.natural_key);
        if (used.step()) *l.natural_key += ":" + now;
    }
    Invoicing invoicing(db, now, today);
    const int64_t invoice = invoicing.create(*client, "prorata", format_date(today), lines).id;
    for (const int64_t id : services)
        db.prepare("INSERT INTO pending_changes (invoice_id, service_id, kind, data, created_at) VALUES (?1, ?2, 'due_date', ?3, ?4)")
            .bind(1, invoice).bind(2, id).bind(3, nlohmann::json{{"next_due_date", target}}.dump()).bind(4, now).run();
    // A zero-amount or credit-covered invoice is already paid: apply at once.
    auto st = db.prepare("SELECT status FROM invoices WHERE id = ?1");
    st.bind(1, invoice);
    if (st.step() && st.text(0) == invoice_status::paid) apply_pending_changes(db, invoice, now);
    tx.commit();
    return invoice;
}

void apply_pending_change(Database &db, int64_t change_id, const std::string &now) {
    auto q = db.prepare("SELECT service_id, kind, data FROM pending_changes WHERE id = ?1 AND applied_at IS NULL "
                        "AND cancelled_at IS NULL");
    q.bind(1, change_id);
    if (!q.step()) return;  // applied or cancelled already
    const int64_t service = q.int64(0);
    const std::string kind = q.text(1);
    const auto data = nlohmann::json::parse(q.text(2));
    if (kind == "due_date") {
        const std::string next = data.at("next_due_date");
        const Date d = parse_date(next, "next due date");
        // The period up to the new date is now paid; invoicing resumes from it.
        db.prepare("UPDATE services SET next_due_date = ?2, anchor_day = ?3, "
                   "next_invoice_date = CASE WHEN next_invoice_date IS NULL OR next_invoice_date < ?2 THEN ?2 ELSE next_invoice_date END "
                   "WHERE id = ?1")
            .bind(1, service).bind(2, next).bind(3, int64_t{static_cast<unsigned>(d.day())}).run();
    } else if (kind == "upgrade") {
        db.prepare("UPDATE services SET product_id = ?2, billing_cycle = ?3, recurring_micros = ?4 WHERE id = ?1")
            .bind(1, service).bind(2, data.at("product_id").get<int64_t>())
            .bind(3, data.at("billing_cycle").get<std::string>()).bind(4, data.at("recurring_micros").get<int64_t>())
            .run();
        if (data.contains("next_due_date"))
            db.prepare("UPDATE services SET next_due_date = ?2, next_invoice_date = ?2 WHERE id = ?1")
                .bind(1, service).bind(2, data.at("next_due_date").get<std::string>()).run();
        // The module applies the new package on the next queue run (or at once by the caller).
        db.prepare("INSERT INTO module_queue (service_id, action, reason, attempts, last_error, created_at, last_attempt_at) "
                   "VALUES (?1, 'change_package', 'upgrade', 0, '', ?2, ?2) "
                   "ON CONFLICT (service_id, action) WHERE resolved_at IS NULL DO NOTHING")
            .bind(1, service).bind(2, now).run();
    }
    db.prepare("UPDATE pending_changes SET applied_at = ?2 WHERE id = ?1").bind(1, change_id).bind(2, now).run();
}

void apply_pending_changes(Database &db, int64_t invoice_id, const std::string &now) {
    std::vector<int64_t> changes;
    {
        auto q = db.prepare("SELECT id FROM pending_changes WHERE invoice_id = ?1 AND applied_at IS NULL "
                            "AND cancelled_at IS NULL ORDER BY id");
        q.bind(1, invoice_id);
        while (q.step()) changes.push_back(q.int64(0));
    }
    for (const int64_t id : changes) apply_pending_change(db, id, now);
}

}  // namespace provisio
