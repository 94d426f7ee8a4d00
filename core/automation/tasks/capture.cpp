// Task "capture" (daily, after credit is applied and before late fees): charge every invoice due
// within [payments] capture_days_before to its client's saved payment method, with the retry
// schedule of [payments] capture_retry_days (payments/charges.hpp); and, every run, task
// "capture-recheck": the charges whose outcome is unknown, asked again under their keys.
#include "automation/task.hpp"
#include "payments/charges.hpp"

namespace provisio {

namespace {
TaskResult capture(TaskContext &ctx) { return capture_due_invoices(ctx, false); }
TaskResult recheck(TaskContext &ctx) { return capture_due_invoices(ctx, true); }
}  // namespace

PROVISIO_REGISTER_TASK(Task{"capture", "Charge saved payment methods for invoices due within [payments] capture_days_before", Schedule::daily,
                            22, capture})
// Every run: a charge whose answer never came is asked again (same key) within minutes.
PROVISIO_REGISTER_TASK(Task{"capture-recheck", "Ask gateways again about charges whose outcome is unknown", Schedule::every_run, 23, recheck})

}  // namespace provisio
