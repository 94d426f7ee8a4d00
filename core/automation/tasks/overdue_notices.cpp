// Task "overdue-notices" (daily): queue the "Overdue Notice" template for each unpaid invoice
// that has reached one of [billing] overdue_notice_days — the latest threshold reached, once
// (if cron missed days, stale earlier notices are not sent) — never for clients flagged
// "no overdue emails".
#include "automation/task.hpp"
#include "billing/invoices.hpp"
#include "config/config.hpp"
#include "notify/outbox.hpp"
#include "store/database.hpp"

namespace provisio {
namespace {

TaskResult notices(TaskContext &ctx) {
    TaskResult result;
    const auto &thresholds = ctx.config.overdue_notice_days;
    if (thresholds.empty()) return result;
    struct Overdue {
        int64_t invoice, client;
        int days;
    };
    std::vector<Overdue> overdue;
    {
        auto q = ctx.db.prepare("SELECT i.id, i.client_id, i.due_date FROM invoices i JOIN clients c ON c.id = i.client_id "
                                "WHERE i.status = 'Unpaid' AND i.due_date < ?1 AND c.no_overdue_emails = 0 ORDER BY i.id");
        q.bind(1, format_date(ctx.today));
        while (q.step()) overdue.push_back({q.int64(0), q.int64(1), days_between(parse_date(q.text(2), "due date"), ctx.today)});
    }
    Invoicing invoicing(ctx.db, ctx.now, ctx.today);
    for (const auto &o : overdue) {
        int reached = 0;
        for (int t : thresholds)
            if (t <= o.days) reached = t;
        if (!reached) continue;
        try {
            const Queued q = queue_mail(ctx.db, ctx.now, "Overdue Notice", o.client, invoicing.variables(invoicing.get(o.invoice)),
                                        "overdue:invoice:" + std::to_string(o.invoice) + ":day:" + std::to_string(reached));
            if (q.id) {
                result.done++;
                result.lines.push_back("overdue notice (day " + std::to_string(reached) + ") for invoice #" +
                                       std::to_string(o.invoice) + " queued");
            } else if (q.why_not.rfind("no template", 0) == 0) {
                result.errors.push_back(q.why_not + ": add it with provisio mail template add");
                break;
            }
        } catch (const std::exception &e) {
            result.errors.push_back("invoice #" + std::to_string(o.invoice) + ": " + e.what());
        }
    }
    return result;
}

}  // namespace

PROVISIO_REGISTER_TASK(Task{"overdue-notices", "Queue overdue notices at [billing] overdue_notice_days", Schedule::daily, 40, notices})

}  // namespace provisio
