#include "billing/invoices.hpp"

#include "billing/cycles.hpp"
#include "billing/prorata.hpp"
#include "domain/records.hpp"
#include "foundation/error.hpp"
#include "ledger/credit_ledger.hpp"
#include "money/currency.hpp"
#include "notify/outbox.hpp"
#include "store/database.hpp"

#include <algorithm>

namespace provisio {

namespace {

std::string num(int64_t id) { return "#" + std::to_string(id); }

}  // namespace

std::vector<std::pair<std::string, Money>> tax_lines(const Invoice &inv) {
    std::vector<std::pair<std::string, Money>> out;
    if (!inv.tax.rate1.zero()) out.push_back({inv.tax.name1 + " " + inv.tax.rate1.to_string() + "%", inv.tax1});
    if (!inv.tax.rate2.zero())
        out.push_back({inv.tax.name2 + " " + inv.tax.rate2.to_string() + "%" + (inv.tax.compound && !inv.tax.rate1.zero() ? " (compound)" : ""), inv.tax2});
    return out;
}

UnpaidSummary unpaid_summary(Database &db, int64_t client_id) {
    auto q = db.prepare("SELECT count(*), COALESCE(SUM(total_micros - credit_micros - paid_micros), 0) FROM invoices "
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
    made.lines = lines;
    // Taxed with the client's rates of today, which the invoice keeps.
    int decimals = 2;
    {
        auto q = db_.prepare("SELECT country, state, tax_id, tax_exempt, currency FROM clients WHERE id = ?1");
        q.bind(1, client_id);
        if (!q.step()) fail(ErrorKind::not_found, "client " + std::to_string(client_id) + " does not exist");
        decimals = currency_decimals(q.text(4));
        if (!tax_rules_) tax_rules_ = list_tax_rules(db_);
        if (!tax_rules_->empty()) made.tax = tax_for_client(tax_settings(), *tax_rules_, {q.text(0), q.text(1), q.text(2), q.int64(3) != 0});
    }
    std::vector<TaxedLine> taxed;
    for (auto &l : made.lines) {
        l.taxed = made.tax.any() && (l.taxed ? *l.taxed : line_taxable(l));
        taxed.push_back({l.amount, *l.taxed});
    }
    const TaxTotals totals = compute_tax(made.tax, taxed, decimals);
    made.subtotal = totals.lines;
    made.taxable = totals.taxable;
    made.tax1 = totals.tax1;
    made.tax2 = totals.tax2;
    made.total = totals.total;
    Transaction tx(db_);
    db_.prepare("INSERT INTO invoices (client_id, status, kind, invoice_date, due_date, subtotal_micros, created_at, tax_inclusive, "
                "tax_per_line, tax1_name, tax1_rate_micros, tax2_name, tax2_rate_micros, tax2_compound, taxable_micros, tax1_micros, "
                "tax2_micros, total_micros, tax_note) "
                "VALUES (?1, 'Unpaid', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)")
        .bind(1, client_id).bind(2, kind).bind(3, made.invoice_date).bind(4, due_date).bind(5, made.subtotal.micros())
        .bind(6, now_).bind(7, int64_t{made.tax.inclusive}).bind(8, int64_t{made.tax.per_line}).bind(9, made.tax.name1)
        .bind(10, made.tax.rate1.micros).bind(11, made.tax.name2).bind(12, made.tax.rate2.micros).bind(13, int64_t{made.tax.compound})
        .bind(14, made.taxable.micros()).bind(15, made.tax1.micros()).bind(16, made.tax2.micros()).bind(17, made.total.micros())
        .bind(18, made.tax.note)
        .run();
    made.id = db_.last_insert_id();
    // Up to eight lines a statement: a statement's set-up (a cursor on the table and on each of
    // its indexes) costs more than a row.
    constexpr size_t per_statement = 8;
    for (size_t first = 0; first < lines.size(); first += per_statement) {
        const size_t n = std::min(per_statement, lines.size() - first);
        auto ins = db_.prepare("INSERT INTO invoice_items (invoice_id, item_type, item_id, description, amount_micros, due_date, "
                               "period_end, natural_key, taxed) VALUES " + values_placeholders(n, 9));
        for (size_t k = 0; k < n; ++k) {
            const auto &l = made.lines[first + k];
            const int c = static_cast<int>(k) * 9;
            ins.bind(c + 1, made.id).bind(c + 2, l.item_type).bind(c + 3, l.item_id).bind(c + 4, l.description)
                .bind(c + 5, l.amount.micros()).bind(c + 6, l.due_date).bind(c + 7, l.period_end).bind(c + 8, l.natural_key)
                .bind(c + 9, int64_t{*l.taxed});
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
                         "paid_micros, paid_at, cancelled_at, created_at, refunded_micros, tax_inclusive, tax_per_line, tax1_name, "
                         "tax1_rate_micros, tax2_name, tax2_rate_micros, tax2_compound, taxable_micros, tax1_micros, tax2_micros, "
                         "total_micros, tax_note FROM invoices WHERE id = ?1");
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
    i.tax.inclusive = q.int64(13) != 0;
    i.tax.per_line = q.int64(14) != 0;
    i.tax.name1 = q.text(15);
    i.tax.rate1 = TaxRate{q.int64(16)};
    i.tax.name2 = q.text(17);
    i.tax.rate2 = TaxRate{q.int64(18)};
    i.tax.compound = q.int64(19) != 0;
    i.taxable = Money::from_micros(q.int64(20));
    i.tax1 = Money::from_micros(q.int64(21));
    i.tax2 = Money::from_micros(q.int64(22));
    i.total = Money::from_micros(q.int64(23));
    i.tax.note = q.text(24);
    auto l = db_.prepare("SELECT id, item_type, item_id, description, amount_micros, due_date, period_end, natural_key, taxed "
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
        line.taxed = l.int64(8) != 0;
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
        Invoice inv = recompute_totals(get(t.invoice));
        const Money excess = inv.credit + inv.paid - inv.total;
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

const TaxSettings &Invoicing::tax_settings() {
    if (!tax_settings_) tax_settings_ = load_tax_settings(db_);
    return *tax_settings_;
}

bool Invoicing::line_taxable(const InvoiceLine &line) {
    if (line.item_type == "latefee") return tax_settings().late_fees;
    if (!line.item_id) return false;
    const bool addon = line.item_type == "addon";
    if (!addon && line.item_type != "service" && line.item_type != "prorata" && line.item_type != "upgrade" && line.item_type != "usage")
        return false;
    // An addon is taxed as the product of the service it belongs to.
    const int64_t key = addon ? -*line.item_id : *line.item_id;
    if (auto it = service_taxable_.find(key); it != service_taxable_.end()) return it->second;
    auto q = db_.prepare(addon ? "SELECT p.taxable FROM service_addons a JOIN services s ON s.id = a.service_id "
                                 "JOIN products p ON p.id = s.product_id WHERE a.id = ?1"
                               : "SELECT p.taxable FROM services s JOIN products p ON p.id = s.product_id WHERE s.id = ?1");
    q.bind(1, *line.item_id);
    const bool taxable = q.step() && q.int64(0) != 0;
    service_taxable_[key] = taxable;
    return taxable;
}

Invoice Invoicing::recompute_totals(Invoice inv) {
    auto q = db_.prepare("SELECT currency FROM clients WHERE id = ?1");
    q.bind(1, inv.client_id);
    const int decimals = q.step() ? currency_decimals(q.text(0)) : 2;
    std::vector<TaxedLine> lines;
    for (const auto &l : inv.lines) lines.push_back({l.amount, l.taxed.value_or(false)});
    const TaxTotals t = compute_tax(inv.tax, lines, decimals);
    db_.prepare("UPDATE invoices SET subtotal_micros = ?2, taxable_micros = ?3, tax1_micros = ?4, tax2_micros = ?5, total_micros = ?6 "
                "WHERE id = ?1")
        .bind(1, inv.id).bind(2, t.lines.micros()).bind(3, t.taxable.micros()).bind(4, t.tax1.micros()).bind(5, t.tax2.micros())
        .bind(6, t.total.micros())
        .run();
    inv.subtotal = t.lines;
    inv.taxable = t.taxable;
    inv.tax1 = t.tax1;
    inv.tax2 = t.tax2;
    inv.total = t.total;
    return inv;
}

void Invoicing::add_line(int64_t invoice_id, const InvoiceLine &line) {
    Transaction tx(db_);
    Invoice inv = get(invoice_id);
    if (inv.status != invoice_status::unpaid) fail(ErrorKind::refused, "invoice " + num(invoice_id) + " is " + inv.status + ", not Unpaid");
    InvoiceLine added = line;
    added.taxed = inv.tax.any() && (line.taxed ? *line.taxed : line_taxable(line));
    const bool taxed = *added.taxed;
    db_.prepare("INSERT INTO invoice_items (invoice_id, item_type, item_id, description, amount_micros, due_date, period_end, natural_key, "
                "taxed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
        .bind(1, invoice_id).bind(2, line.item_type).bind(3, line.item_id).bind(4, line.description).bind(5, line.amount.micros())
        .bind(6, line.due_date).bind(7, line.period_end).bind(8, line.natural_key).bind(9, int64_t{taxed})
        .run();
    added.id = db_.last_insert_id();
    inv.lines.push_back(std::move(added));
    recompute_totals(std::move(inv));
    tx.commit();
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
            {"invoice_subtotal", inv.net().to_string()},
            {"invoice_tax", (inv.tax1 + inv.tax2).to_string()},
            {"invoice_total", inv.total.to_string()},
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
