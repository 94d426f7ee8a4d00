#include "billing/reports.hpp"

#include "foundation/clock.hpp"
#include "store/database.hpp"

#include <algorithm>

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
    auto q = db.prepare("SELECT id, client_id, invoice_date, due_date, total_micros, total_micros - credit_micros - paid_micros "
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

std::vector<TaxReportRow> taxes_between(Database &db, const BusinessZone &zone, Date from, Date to, bool paid_basis) {
    const std::string period = paid_basis ? "i.status = 'Paid' AND i.paid_at >= ?1 AND i.paid_at < ?2"
                                          : "i.status <> 'Cancelled' AND i.invoice_date >= ?1 AND i.invoice_date < ?2";
    const std::string from_invoices = " FROM invoices i LEFT JOIN clients c ON c.id = i.client_id WHERE " + period;
    auto q = db.prepare(
        "SELECT 1, i.tax1_name, i.tax1_rate_micros, COALESCE(c.currency, ''), count(*), SUM(i.taxable_micros), SUM(i.tax1_micros)" +
        from_invoices + " AND i.tax1_rate_micros > 0 GROUP BY 2, 3, 4 "
        "UNION ALL SELECT 2, i.tax2_name, i.tax2_rate_micros, COALESCE(c.currency, ''), count(*), "
        "SUM(i.taxable_micros + CASE WHEN i.tax2_compound <> 0 THEN i.tax1_micros ELSE 0 END), SUM(i.tax2_micros)" +
        from_invoices + " AND i.tax2_rate_micros > 0 GROUP BY 2, 3, 4 "
        "UNION ALL SELECT 0, 'Reverse charge', 0, COALESCE(c.currency, ''), count(*), SUM(i.total_micros), 0" + from_invoices +
        " AND i.tax_note <> '' GROUP BY 4 "
        "ORDER BY 4, 1, 3 DESC, 2");
    if (paid_basis) q.bind(1, format_utc(zone.start_of(from))).bind(2, format_utc(zone.start_of(to)));
    else q.bind(1, format_date(from)).bind(2, format_date(to));
    std::vector<TaxReportRow> out;
    while (q.step())
        out.push_back({static_cast<int>(q.int64(0)), q.text(1), TaxRate{q.int64(2)}, q.text(3), q.int64(4), Money::from_micros(q.int64(5)),
                       Money::from_micros(q.int64(6))});
    // Level 0 (reverse charge) sorts after the taxes of its currency.
    std::stable_sort(out.begin(), out.end(), [](const TaxReportRow &a, const TaxReportRow &b) {
        return a.currency != b.currency ? a.currency < b.currency : (a.level == 0) < (b.level == 0);
    });
    return out;
}

}  // namespace provisio
