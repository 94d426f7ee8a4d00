#include "billing/invoices.hpp"

#include "billing/cycles.hpp"
#include "billing/prorata.hpp"
#include "domain/records.hpp"
#include "foundation/error.hpp"
#include "ledger/credit_ledger.hpp"
#include "notify/outbox.hpp"
#include "store/database.hpp"

#include <algorithm>

namespace provisio {

namespace {

std::string num(int64_t id) { return "#" + std::to_string(id); }

}  // namespace

UnpaidSummary unpaid_summary(Database &db, int64_t client_id) {
    auto q = db.prepare("SELECT count(*), COALESCE(SUM(subtotal_micros - credit_micros - paid_micros), 0) FROM invoices "
                        "WHERE client_id = ?1 AND status = 'Unpaid'");
    q.bind(1, client_id);
    q.step();
    return {q.int64(0), Money::from_micros(q.int64(1))};
}

Invoice Invoicing::create(int64_t client_id, const std::string &kind, const std::string &due_date,
                          const std::vector<InvoiceLine> &lines) {
    if (lines.empty()) fail(ErrorKind::internal, "an invoice needs at least one line");
    Invoice made;
    made.client_id = client_id;
    made.status = invoice_status::unpaid;
    made.kind = kind;
    made.invoice_date = format_date(today_);
    made.due_date = due_date;
    made.created_at = now_;
    for (const auto &l : lines) made.subtotal += l.amount;
    Transaction tx(db_);
    db_.prepare("INSERT INTO invoices (client_id, status, kind, invoice_date, due_date, subtotal_micros, created_at) "
                "VALUES (?1, 'Unpaid', ?2, ?3, ?4, ?5, ?6)")
        .bind(1, client_id).bind(2, kind).bind(3, made.invoice_date).bind(4, due_date).bind(5, made.subtotal.micros())
        .bind(6, now_)
        .run();
    made.id = db_.last_insert_id();
    // Up to eight lines a statement: a statement's set-up (a cursor on the table and on each of
    // its indexes) costs more than a row.
    constexpr size_t per_statement = 8;
    made.lines = lines;
    for (size_t first = 0; first < lines.size(); first += per_statement) {
        const size_t n = std::min(per_statement, lines.size() - first);
        auto ins = db_.prepare("INSERT INTO invoice_items (invoice_id, item_type, item_id, description, amount_micros, due_date, "
                               "period_end, natural_key) VALUES " + values_placeholders(n, 8));
        for (size_t k = 0; k < n; ++k) {
            const auto &l = lines[first + k];
            const int c = static_cast<int>(k) * 8;
            ins.bind(c + 1, made.id).bind(c + 2, l.item_type).bind(c + 3, l.item_id).bind(c + 4, l.description)
                .bind(c + 5, l.amount.micros()).bind(c + 6, l.due_date).bind(c + 7, l.period_end).bind(c + 8, l.natural_key);
        }
        ins.run();
        // One statement's rows take consecutive ids (the write lock is held).
        const int64_t last = db_.last_insert_id();
        for (size_t k = 0; k < n; ++k) made.lines[first + k].id = last - static_cast<int64_t>(n - 1 - k);
    }
    // What was written is known here: reading it back cost a tenth of a renewal run.
    queue_events("invoice_created", made.id);
    // Credit first, so the mail shows what is really due; then settle if nothing is.
    made.credit += take_credit(made);
    queue_mail(db_, now_, "Invoice Created", client_id, variables(made), "invoice:" + std::to_string(made.id) + ":created", nullptr, made.id);
    if (made.balance_due().zero()) {
        settle(made);
        made.status = invoice_status::paid;
        made.paid_at = now_;
    }
    tx.commit();
    return made;
}

Invoice Invoicing::get(int64_t id) {
    auto q = db_.prepare("SELECT id, client_id, status, kind, invoice_date, due_date, subtotal_micros, credit_micros, "
                         "paid_micros, paid_at, cancelled_at, created_at, refunded_micros FROM invoices WHERE id = ?1");
    q.bind(1, id);
    if (!q.step()) fail(ErrorKind::not_found, "invoice " + num(id) + " does not exist");
    Invoice i;
    i.id = q.int64(0);
    i.client_id = q.int64(1);
    i.status = q.text(2);
    i.kind = q.text(3);
    i.invoice_date = q.text(4);
    i.due_date = q.text(5);
    i.subtotal = Money::from_micros(q.int64(6));
    i.credit = Money::from_micros(q.int64(7));
    i.paid = Money::from_micros(q.int64(8));
    i.paid_at = q.opt_text(9);
    i.cancelled_at = q.opt_text(10);
    i.created_at = q.text(11);
    i.refunded = Money::from_micros(q.int64(12));
    auto l = db_.prepare("SELECT id, item_type, item_id, description, amount_micros, due_date, period_end, natural_key "
                         "FROM invoice_items WHERE invoice_id = ?1 ORDER BY id");
    l.bind(1, id);
    while (l.step()) {
        InvoiceLine line;
        line.id = l.int64(0);
        line.item_type = l.text(1);
        line.item_id = l.opt_int64(2);
        line.description = l.text(3);
        line.amount = Money::from_micros(l.int64(4));
        line.due_date = l.opt_text(5);
        line.period_end = l.opt_text(6);
        line.natural_key = l.opt_text(7);
        i.lines.push_back(std::move(line));
    }
    return i;
}

void check_invoice_status(std::string_view value, std::string_view what) {
    if (value != invoice_status::unpaid && value != invoice_status::paid && value != invoice_status::cancelled)
        fail(ErrorKind::invalid_input, std::string(what) + " '" + std::string(value) + "' is not Unpaid, Paid or Cancelled");
}

std::vector<Invoice> Invoicing::list(const InvoiceFilter &f) {
    auto q = db_.prepare("SELECT id FROM invoices WHERE (?1 IS NULL OR client_id = ?1) AND (?2 IS NULL OR status = ?2) "
                         "AND (?4 IS NULL OR id < ?4) ORDER BY id DESC LIMIT ?3");
    q.bind(1, f.client_id).bind(2, f.status).bind(3, int64_t{f.limit}).bind(4, f.before);
    std::vector<int64_t> ids;
    while (q.step()) ids.push_back(q.int64(0));
    if (!f.newest_first) std::reverse(ids.begin(), ids.end());
    std::vector<Invoice> out;
    for (const int64_t id : ids) out.push_back(get(id));
    return out;
}

Money Invoicing::take_credit(const Invoice &inv) {
    if (inv.status != invoice_status::unpaid) return {};
    CreditLedger ledger(db_, now_);
    const Money amount = std::min(ledger.balance(inv.client_id), inv.balance_due());
    if (amount.negative() || amount.zero()) return {};
    const auto posted = ledger.post({inv.client_id, -amount, credit_kind::applied, "Credit applied to invoice " + num(inv.id),
                                     inv.id, "apply:invoice:" + std::to_string(inv.id) + ":" + std::to_string(inv.credit.micros())});
    if (!posted) return {};
    db_.prepare("UPDATE invoices SET credit_micros = credit_micros + ?2 WHERE id = ?1").bind(1, inv.id).bind(2, amount.micros()).run();
    return amount;
}

Money Invoicing::apply_credit(int64_t invoice_id) {
    Transaction tx(db_);
    const Money amount = take_credit(get(invoice_id));
    const Invoice inv = get(invoice_id);
    if (inv.status == invoice_status::unpaid && inv.balance_due().zero()) settle(inv);
    tx.commit();
    return amount;
}

Payment Invoicing::pay(int64_t invoice_id, Money amount, const std::string &method_given, const std::string &gateway_id) {
    Transaction tx(db_);
    const Invoice inv = get(invoice_id);
    if (inv.status == invoice_status::cancelled)
        fail(ErrorKind::refused, "invoice " + num(inv.id) + " is Cancelled; it takes no payments");
    if (inv.status == invoice_status::paid)
        fail(ErrorKind::refused, "invoice " + num(inv.id) + " is already paid (on " + inv.paid_at.value_or("?") +
                                     "); record the money as credit instead: provisio credit add");
    if (amount.negative() || amount.zero())
        fail(ErrorKind::invalid_input, "a payment must be more than zero");
    if (method_given.empty()) fail(ErrorKind::invalid_input, "a payment needs a --method");
    const std::string method = checked_payment_method(method_given, "--method");
    if (const auto existing = recorded_transaction(method, gateway_id))
        fail(ErrorKind::conflict, "transaction '" + gateway_id + "' (" + method + ") is already recorded as transaction " +
                                      std::to_string(existing->first) + " on invoice #" + std::to_string(existing->second));
    const Payment p = apply_payment(inv, amount, method, gateway_id);
    tx.commit();
    return p;
}

Payment Invoicing::receive(int64_t invoice_id, Money amount, const std::string &gateway, const std::string &gateway_id) {
    Transaction tx(db_);
    const Invoice inv = get(invoice_id);
    if (amount.negative() || amount.zero()) fail(ErrorKind::invalid_input, "a payment must be more than zero");
    Payment p;
    if (const auto existing = recorded_transaction(gateway, gateway_id)) {
        p.transaction_id = existing->first;
        p.duplicate = true;
        return p;
    }
    if (inv.status == invoice_status::unpaid) {
        p = apply_payment(inv, amount, gateway, gateway_id);
    } else {
        // Paid meanwhile (or cancelled): the money has moved all the same, so it is kept as credit.
        p.transaction_id = insert_transaction(inv, amount, gateway, gateway_id, "Payment for invoice " + num(inv.id));
        p.overpayment = amount;
        CreditLedger ledger(db_, now_);
        ledger.post({inv.client_id, amount, credit_kind::overpayment,
                     "Payment for invoice " + num(inv.id) + " arrived after it was " + inv.status + "; kept as credit", inv.id,
                     "overpayment:transaction:" + std::to_string(p.transaction_id)});
    }
    tx.commit();
    return p;
}

std::optional<std::pair<int64_t, int64_t>> Invoicing::recorded_transaction(const std::string &method, const std::string &gateway_id) {
    if (gateway_id.empty()) return std::nullopt;
    auto q = db_.prepare("SELECT id, coalesce(invoice_id, 0) FROM transactions WHERE method = ?1 AND gateway_id = ?2");
    q.bind(1, method).bind(2, gateway_id);
    if (!q.step()) return std::nullopt;
    return std::make_pair(q.int64(0), q.int64(1));
}

int64_t Invoicing::insert_transaction(const Invoice &inv, Money amount, const std::string &method, const std::string &gateway_id,
                                      const std::string &description) {
    db_.prepare("INSERT INTO transactions (client_id, invoice_id, at, amount_micros, method, gateway_id, description) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        .bind(1, inv.client_id).bind(2, inv.id).bind(3, now_).bind(4, amount.micros()).bind(5, method).bind(6, gateway_id)
        .bind(7, description)
        .run();
    return db_.last_insert_id();
}

Payment Invoicing::apply_payment(const Invoice &inv, Money amount, const std::string &method, const std::string &gateway_id) {
    Payment p;
    const Money due = inv.balance_due();
    p.applied = std::min(amount, due);
    p.overpayment = amount - p.applied;
    p.transaction_id = insert_transaction(inv, amount, method, gateway_id, "Payment for invoice " + num(inv.id));
    db_.prepare("UPDATE invoices SET paid_micros = paid_micros + ?2 WHERE id = ?1").bind(1, inv.id).bind(2, p.applied.micros()).run();
    if (!p.overpayment.zero()) {
        CreditLedger ledger(db_, now_);
        ledger.post({inv.client_id, p.overpayment, credit_kind::overpayment, "Credit for overpayment of invoice " + num(inv.id),
                     inv.id, "overpayment:transaction:" + std::to_string(p.transaction_id)});
    }
    if (p.applied == due) {
        settle(get(inv.id));
        p.settled = true;
    }
    return p;
}

int64_t Invoicing::record_refund(int64_t invoice_id, int64_t payment_transaction, Money amount, const std::string &refund_id, bool to_credit) {
    Transaction tx(db_);
    const Invoice inv = get(invoice_id);
    auto q = db_.prepare("SELECT method, amount_micros FROM transactions WHERE id = ?1 AND invoice_id = ?2 AND refund_of IS NULL");
    q.bind(1, payment_transaction).bind(2, invoice_id);
    if (!q.step()) fail(ErrorKind::not_found, "transaction " + std::to_string(payment_transaction) + " is not a payment of invoice " + num(inv.id));
    const std::string method = q.text(0);
    const std::string what = to_credit ? "Refund of invoice " + num(inv.id) + " to credit" : "Refund of invoice " + num(inv.id);
    db_.prepare("INSERT INTO transactions (client_id, invoice_id, at, amount_micros, method, gateway_id, description, refund_of) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
        .bind(1, inv.client_id).bind(2, inv.id).bind(3, now_).bind(4, (-amount).micros()).bind(5, method).bind(6, refund_id)
        .bind(7, what).bind(8, payment_transaction)
        .run();
    const int64_t id = db_.last_insert_id();
    db_.prepare("UPDATE invoices SET refunded_micros = refunded_micros + ?2 WHERE id = ?1").bind(1, inv.id).bind(2, amount.micros()).run();
    if (to_credit) {
        CreditLedger ledger(db_, now_);
        ledger.post({inv.client_id, amount, credit_kind::refund, what, inv.id, "refund:transaction:" + std::to_string(id)});
    }
    tx.commit();
    return id;
}

bool Invoicing::restore_disputed(int64_t invoice_id, int64_t transaction_id, Money amount) {
    Transaction tx(db_);
    const Invoice inv = get(invoice_id);
    db_.prepare("UPDATE transactions SET disputed_at = NULL WHERE id = ?1").bind(1, transaction_id).run();
    bool settled = false;
    if (inv.status == invoice_status::unpaid) {
        const Money back = std::min(amount, inv.balance_due());
        db_.prepare("UPDATE invoices SET paid_micros = paid_micros + ?2 WHERE id = ?1").bind(1, inv.id).bind(2, back.micros()).run();
        if (back == inv.balance_due()) {
            settle(get(inv.id));
            settled = true;
        }
    }
    tx.commit();
    return settled;
}

bool Invoicing::reopen_disputed(int64_t invoice_id, Money amount) {
    Transaction tx(db_);
    const Invoice inv = get(invoice_id);
    const Money taken = std::min(amount, inv.paid);
    db_.prepare("UPDATE invoices SET paid_micros = paid_micros - ?2, status = CASE WHEN status = 'Paid' AND ?2 > 0 THEN 'Unpaid' ELSE status END, "
                "paid_at = CASE WHEN status = 'Paid' AND ?2 > 0 THEN NULL ELSE paid_at END WHERE id = ?1")
        .bind(1, inv.id).bind(2, taken.micros()).run();
    tx.commit();
    return inv.status == invoice_status::paid && !taken.zero();
}

void Invoicing::cancel(int64_t invoice_id) {
    Transaction tx(db_);
    const Invoice inv = get(invoice_id);
    if (inv.status == invoice_status::cancelled) fail(ErrorKind::refused, "invoice " + num(inv.id) + " is already cancelled");
    if (inv.status == invoice_status::paid) fail(ErrorKind::refused, "invoice " + num(inv.id) + " is paid; it cannot be cancelled");
    const Money returned = inv.credit + inv.paid;
    if (!returned.zero()) {
        CreditLedger ledger(db_, now_);
        ledger.post({inv.client_id, returned, credit_kind::credit,
                     "Returned from cancelled invoice " + num(inv.id) + " (credit and payments applied to it)", inv.id,
                     "cancel:invoice:" + std::to_string(inv.id)});
    }
    db_.prepare("UPDATE invoices SET status = 'Cancelled', cancelled_at = ?2 WHERE id = ?1").bind(1, inv.id).bind(2, now_).run();
    db_.prepare("UPDATE pending_changes SET cancelled_at = ?2 WHERE invoice_id = ?1 AND applied_at IS NULL")
        .bind(1, inv.id).bind(2, now_).run();
    tx.commit();
}

std::vector<std::string> Invoicing::release_service(int64_t service_id) {
    // A line belongs to the service when it bills the service's time or one of its addons; its
    // calls (usage lines) were made and stay due.
    static const char *belongs = "((t.item_type IN ('service', 'prorata', 'upgrade') AND t.item_id = ?1) OR "
                                 " (t.item_type = 'addon' AND t.item_id IN (SELECT id FROM service_addons WHERE service_id = ?1)))";
    Transaction tx(db_);
    struct Touched {
        int64_t invoice;
        bool only_this;
    };
    std::vector<Touched> touched;
    {
        auto q = db_.prepare(std::string("SELECT DISTINCT i.id, NOT EXISTS (SELECT 1 FROM invoice_items t WHERE t.invoice_id = i.id AND NOT ") +
                             belongs + " AND t.item_type <> 'latefee') FROM invoices i JOIN invoice_items t ON t.invoice_id = i.id "
                             "WHERE i.status = 'Unpaid' AND " + belongs + " ORDER BY i.id");
        q.bind(1, service_id);
        while (q.step()) touched.push_back({q.int64(0), q.int64(1) != 0});
    }
    std::vector<std::string> out;
    for (const Touched &t : touched) {
        if (t.only_this) {
            cancel(t.invoice);
            out.push_back("invoice " + num(t.invoice) + " cancelled with service " + std::to_string(service_id));
            continue;
        }
        db_.prepare(std::string("DELETE FROM invoice_items AS t WHERE t.invoice_id = ?2 AND ") + belongs).bind(1, service_id).bind(2, t.invoice).run();
        const int removed = db_.changes();
        db_.prepare("UPDATE invoices SET subtotal_micros = (SELECT COALESCE(SUM(amount_micros), 0) FROM invoice_items WHERE invoice_id = ?1) "
                    "WHERE id = ?1").bind(1, t.invoice).run();
        Invoice inv = get(t.invoice);
        const Money excess = inv.credit + inv.paid - inv.subtotal;
        if (excess > Money{}) {
            CreditLedger(db_, now_).post({inv.client_id, excess, credit_kind::credit,
                                          "Returned from invoice " + num(inv.id) + ": the lines of cancelled service " +
                                              std::to_string(service_id) + " were removed",
                                          inv.id, "release:invoice:" + std::to_string(inv.id) + ":service:" + std::to_string(service_id)});
            const Money from_credit = std::min(excess, inv.credit);
            db_.prepare("UPDATE invoices SET credit_micros = credit_micros - ?2, paid_micros = paid_micros - ?3 WHERE id = ?1")
                .bind(1, inv.id).bind(2, from_credit.micros()).bind(3, (excess - from_credit).micros()).run();
            inv = get(t.invoice);
        }
        if (inv.balance_due().zero()) settle(inv);
        out.push_back("invoice " + num(t.invoice) + ": " + std::to_string(removed) + " line(s) of service " + std::to_string(service_id) +
                      " removed; the other items stay " + (inv.balance_due().zero() ? "(now paid)" : "due"));
    }
    tx.commit();
    return out;
}

std::vector<int64_t> Invoicing::services_of(int64_t invoice_id) {
    auto q = db_.prepare("SELECT DISTINCT item_id FROM invoice_items WHERE invoice_id = ?1 AND item_type IN "
                         "('service', 'prorata', 'upgrade') AND item_id IS NOT NULL ORDER BY item_id");
    q.bind(1, invoice_id);
    std::vector<int64_t> out;
    while (q.step()) out.push_back(q.int64(0));
    return out;
}

void Invoicing::settle(const Invoice &inv) {
    db_.prepare("UPDATE invoices SET status = 'Paid', paid_at = ?2 WHERE id = ?1").bind(1, inv.id).bind(2, now_).run();
    // Renewals: the item's next due date moves one cycle past the due date this line billed
    // (never backwards, so settling an older invoice after a newer one changes nothing).
    for (const auto &line : inv.lines) {
        if (!line.item_id || !line.due_date) continue;
        const char *table = line.item_type == "service" ? "services" : line.item_type == "addon" ? "service_addons" : nullptr;
        if (!table) continue;
        auto q = db_.prepare(std::string("SELECT billing_cycle, anchor_day, next_due_date FROM ") + table + " WHERE id = ?1");
        q.bind(1, *line.item_id);
        if (!q.step()) continue;  // deleted since
        const std::string cycle = q.text(0);
        const Date billed = parse_date(*line.due_date, "due date");
        const unsigned anchor = q.is_null(1) ? static_cast<unsigned>(billed.day()) : static_cast<unsigned>(q.int64(1));
        const auto current = q.opt_text(2);
        if (!cycle_recurs(cycle)) continue;
        const std::string next = format_date(next_due_date(billed, cycle, anchor));
        if (!current || *current < next)
            db_.prepare(std::string("UPDATE ") + table + " SET next_due_date = ?2 WHERE id = ?1").bind(1, *line.item_id).bind(2, next).run();
    }
    apply_pending_changes(db_, inv.id, now_);
    queue_events("invoice_paid", inv.id);
    Invoice paid = inv;
    paid.status = invoice_status::paid;
    queue_mail(db_, now_, "Invoice Payment Confirmation", inv.client_id, variables(paid), "invoice:" + std::to_string(inv.id) + ":paid",
               nullptr, inv.id);
}

std::map<std::string, std::string> Invoicing::variables(const Invoice &inv) {
    std::string items;
    for (const auto &l : inv.lines) items += l.description + "  " + l.amount.to_string() + "\n";
    return {{"invoice_id", std::to_string(inv.id)},
            {"invoice_date", inv.invoice_date},
            {"invoice_due_date", inv.due_date},
            {"invoice_total", inv.subtotal.to_string()},
            {"invoice_balance", inv.balance_due().to_string()},
            {"invoice_items", items},
            {"invoice_days_overdue", std::to_string(std::max(0, days_between(parse_date(inv.due_date, "due date"), today_)))}};
}

void Invoicing::queue_events(const char *kind, int64_t invoice_id) {
    // Only a service whose product has a module has anyone to tell: delivery marked the others
    // delivered unsent, a row per service and invoice that only grew the table. Where no product
    // has a module, the statement is skipped (products do not change during one command).
    if (!any_module_product_) {
        auto q = db_.prepare("SELECT EXISTS (SELECT 1 FROM products WHERE module <> '')");
        q.step();
        any_module_product_ = q.int64(0) != 0;
    }
    if (!*any_module_product_) return;
    db_.prepare("INSERT INTO module_events (kind, invoice_id, service_id, created_at) "
                "SELECT ?1, ?2, t.item_id, ?3 FROM invoice_items t JOIN services s ON s.id = t.item_id "
                "JOIN products p ON p.id = s.product_id WHERE t.invoice_id = ?2 "
                "AND t.item_type IN ('service', 'prorata', 'upgrade') AND p.module <> '' ON CONFLICT DO NOTHING")
        .bind(1, kind).bind(2, invoice_id).bind(3, now_)
        .run();
}

}  // namespace provisio
