// Task "overdue" (daily): terminate and suspend services unpaid past [billing] terminate_days
// and suspend_days, and unsuspend the ones paid up since.
#include "automation/overdue.hpp"
#include "config/config.hpp"

namespace provisio {
namespace {

TaskResult overdue(TaskContext &ctx) {
    TaskResult released = release_paid_up(ctx, std::nullopt);
    TaskResult result = suspend_and_terminate_overdue(ctx, {ctx.config.suspend_days, ctx.config.terminate_days});
    result.done += released.done;
    result.lines.insert(result.lines.end(), released.lines.begin(), released.lines.end());
    result.errors.insert(result.errors.end(), released.errors.begin(), released.errors.end());
    return result;
}

}  // namespace

PROVISIO_REGISTER_TASK(Task{"overdue", "Suspend, unsuspend and terminate services by what they owe", Schedule::daily, 30, overdue})

}  // namespace provisio
