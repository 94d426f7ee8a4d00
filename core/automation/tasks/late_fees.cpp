// Task "late-fees" (daily): add [billing] late_fee to each invoice still unpaid
// [billing] late_fee_days after its due date — once per invoice, never for clients flagged
// "no late fees". A percentage is of the invoice's lines before any fee, rounded half-up to
// the client's currency. The fee is taxed at the invoice's own rates when the tax settings
// say late_fees (the default).
#include "automation/task.hpp"
#include "billing/invoices.hpp"
#include "config/config.hpp"
#include "money/currency.hpp"
#include "store/database.hpp"

namespace provisio {
namespace {

TaskResult late_fees(TaskContext &ctx) {
    TaskResult result;
    const Config &c = ctx.config;
    if (c.late_fee.empty() || c.late_fee_days <= 0) return result;
    const bool percent = c.late_fee.back() == '%';
    const Money fee_value = Money::parse(percent ? c.late_fee.substr(0, c.late_fee.size() - 1) : c.late_fee, "billing.late_fee");
    struct Due {
        int64_t invoice, client;
        int64_t base_micros;
        std::string currency;
    };
    std::vector<Due> due;
    {
        auto q = ctx.db.prepare(
            "SELECT i.id, i.client_id, (SELECT COALESCE(SUM(amount_micros), 0) FROM invoice_items t "
            "  WHERE t.invoice_id = i.id AND t.item_type <> 'latefee'), c.currency "
            "FROM invoices i JOIN clients c ON c.id = i.client_id "
            "WHERE i.status = 'Unpaid' AND i.due_date <= ?1 AND c.no_late_fees = 0 "
            "AND NOT EXISTS (SELECT 1 FROM invoice_items t WHERE t.natural_key = 'latefee:invoice:' || i.id) ORDER BY i.id");
        q.bind(1, format_date(add_days(ctx.today, -c.late_fee_days)));
        while (q.step()) due.push_back({q.int64(0), q.int64(1), q.int64(2), q.text(3)});
    }
    Invoicing invoicing(ctx.db, ctx.now, ctx.today);
    for (const auto &d : due) {
        try {
            Money fee = fee_value;
            if (percent) {
                // base * percent / 100, in micros, half-up; then to the currency's places.
                fee = Money::from_micros(d.base_micros).scaled(fee_value.micros(), 100 * Money::micros_per_unit, "late fee");
            }
            fee = fee.rounded(currency_decimals(d.currency), Rounding::half_up);
            if (fee.zero()) continue;
            InvoiceLine line;
            line.item_type = "latefee";
            line.description = "Late fee (" + c.late_fee + ")";
            line.amount = fee;
            line.natural_key = "latefee:invoice:" + std::to_string(d.invoice);
            invoicing.add_line(d.invoice, line);  // taxed as [tax] late_fees says, at the invoice's rates
            result.done++;
            result.lines.push_back("late fee " + fee.to_string() + " added to invoice #" + std::to_string(d.invoice));
        } catch (const std::exception &e) {
            result.errors.push_back("invoice #" + std::to_string(d.invoice) + ": " + e.what());
        }
    }
    return result;
}

}  // namespace

PROVISIO_REGISTER_TASK(Task{"late-fees", "Add the late fee to invoices unpaid past [billing] late_fee_days", Schedule::daily, 25, late_fees})

}  // namespace provisio
