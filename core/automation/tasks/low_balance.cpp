// Task "low_balance" (daily, after autobill): mail "Low Balance Alert" to clients at or below
// their Low Balance Threshold. See usage/low_balance.hpp.
#include "automation/task.hpp"
#include "config/config.hpp"
#include "usage/low_balance.hpp"

namespace provisio {
namespace {

TaskResult low_balance(TaskContext &ctx) {
    const usage::LowBalanceReport r =
        usage::send_low_balance_alerts(ctx.db, ctx.now, ctx.today, ctx.config.low_balance_alerts == "once", ctx.dry_run);
    TaskResult result;
    result.done = r.sent;
    result.lines = r.lines;
    result.errors = r.errors;
    return result;
}

}  // namespace

PROVISIO_REGISTER_TASK(Task{"low-balance", "Mail \"Low Balance Alert\" to clients at or below their threshold ([usage] low_balance_alerts)",
                            Schedule::daily, 9, low_balance, {}})
}  // namespace provisio
