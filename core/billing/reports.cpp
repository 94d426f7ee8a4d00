#include "billing/reports.hpp"

#include "foundation/clock.hpp"
#include "store/database.hpp"

namespace provisio {

std::vector<PaymentRow> payments_between(Database &db, const BusinessZone &zone, Date from, Date to) {
    // `at` is UTC text that sorts as time does: the business days' bounds as UTC text bound it.
    auto q = db.prepare("SELECT id, at, client_id, invoice_id, method, gateway_id, description, amount_micros FROM transactions "
                        "WHERE at >= ?1 AND at < ?2 ORDER BY at, id");
    q.bind(1, format_utc(zone.start_of(from))).bind(2, format_utc(zone.start_of(to)));
    std::vector<PaymentRow> out;
    while (q.step()) {
        PaymentRow r;
        r.id = q.int64(0);
        r.at = q.text(1);
        r.day = zone.date_at(parse_instant(r.at, "transaction " + std::to_string(r.id) + " time"));
        if (!q.is_null(2)) r.client_id = q.int64(2);
        if (!q.is_null(3)) r.invoice_id = q.int64(3);
        r.method = q.text(4);
        r.gateway_id = q.text(5);
        r.description = q.text(6);
        r.amount = Money::from_micros(q.int64(7));
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<IncomeDay> income_by_day(const std::vector<PaymentRow> &payments) {
    std::vector<IncomeDay> out;
    for (const auto &p : payments) {
        if (out.empty() || out.back().day != p.day) out.push_back({p.day, 0, Money{}});
        ++out.back().payments;
        out.back().amount = out.back().amount + p.amount;
    }
    return out;
}

std::vector<OutstandingInvoice> outstanding_invoices(Database &db, Date from, Date to, Date as_of) {
    auto q = db.prepare("SELECT id, client_id, invoice_date, due_date, subtotal_micros, subtotal_micros - credit_micros - paid_micros "
                        "FROM invoices WHERE status = 'Unpaid' AND invoice_date >= ?1 AND invoice_date < ?2 ORDER BY due_date, id");
    q.bind(1, format_date(from)).bind(2, format_date(to));
    std::vector<OutstandingInvoice> out;
    while (q.step()) {
        OutstandingInvoice i;
        i.id = q.int64(0);
        i.client_id = q.int64(1);
        i.invoice_date = q.text(2);
        i.due_date = q.text(3);
        i.total = Money::from_micros(q.int64(4));
        i.balance_due = Money::from_micros(q.int64(5));
        const int late = days_between(parse_date(i.due_date, "invoice " + std::to_string(i.id) + " due date"), as_of);
        i.days_overdue = late > 0 ? late : 0;
        out.push_back(std::move(i));
    }
    return out;
}

}  // namespace provisio
