// Task "module-events" (every run): deliver queued invoice events to the modules that take them.
#include "automation/task.hpp"
#include "provisioning/invoice_events.hpp"

namespace provisio {
namespace {

TaskResult deliver(TaskContext &ctx) {
    const EventReport r = deliver_invoice_events(ctx.repo, ctx.modules, ctx.quarantine, ctx.today, std::nullopt, ctx.dry_run);
    TaskResult result;
    result.done = r.delivered;
    result.lines = r.lines;
    result.errors = r.errors;
    return result;
}

}  // namespace

PROVISIO_REGISTER_TASK(Task{"module-events", "Deliver invoice created / paid events to modules", Schedule::every_run, 80, deliver})

}  // namespace provisio
