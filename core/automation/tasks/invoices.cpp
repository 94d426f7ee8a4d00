// Task "invoices" (daily): renewal invoices for everything due within the lead time.
#include "automation/task.hpp"
#include "billing/invoice_generation.hpp"
#include "config/config.hpp"

namespace provisio {
namespace {

TaskResult generate(TaskContext &ctx) {
    GenerationOptions o;
    o.today = ctx.today;
    o.days_before = ctx.config.invoice_days_before;
    const GenerationReport r = generate_invoices(ctx.db, ctx.now, o);
    TaskResult result;
    result.done = r.invoices;
    for (const int64_t id : r.invoice_ids) result.lines.push_back("invoice #" + std::to_string(id) + " created");
    for (const auto &n : r.notes) result.lines.push_back(n);
    return result;
}

}  // namespace

PROVISIO_REGISTER_TASK(Task{"invoices", "Make renewal invoices due within [billing] invoice_days_before", Schedule::daily, 10, generate})

}  // namespace provisio
