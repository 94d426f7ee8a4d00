// Task "autobill" (daily before invoicing, or every run: [usage] autobill): collect VoIP usage
// from modules with the usage hook, rate it, and charge it: prepaid packages from credit,
// the invoice modes on usage invoices.
#include "automation/task.hpp"
#include "config/config.hpp"
#include "usage/autobill.hpp"

namespace provisio {
namespace {

TaskResult autobill(TaskContext &ctx) {
    const BusinessZone zone(ctx.config.timezone);
    // A dry run rates and charges what is stored, inside the runner's rolled-back transaction;
    // it asks no module for new calls.
    usage::AutobillOptions options;
    options.collect = !ctx.dry_run;
    options.invoice_due_days = ctx.config.usage_invoice_due_days;
    const usage::AutobillReport r = usage::run_autobill(ctx.db, ctx.repo, ctx.modules, ctx.quarantine, zone, ctx.now, options);
    TaskResult result;
    result.done = r.services_billed;
    result.lines = usage::server_summary(r);
    result.lines.insert(result.lines.end(), r.lines.begin(), r.lines.end());
    result.errors = r.errors;
    return result;
}

}  // namespace

PROVISIO_REGISTER_TASK(Task{"autobill", "Collect, rate and charge VoIP usage ([usage] autobill: daily or every_run)", Schedule::daily, 8,
                            autobill, [](const Config &c) { return c.autobill == "every_run" ? Schedule::every_run : Schedule::daily; }})
}  // namespace provisio
