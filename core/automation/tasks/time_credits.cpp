// Task "time-credits" (daily): run the calendar credit cycles (daily, weekly, monthly, yearly)
// due up to today in the business time zone, catching up missed days up to
// [timelog] max_catch_up periods per service.
#include "automation/task.hpp"
#include "config/config.hpp"
#include "provisioning/credit_generation.hpp"

namespace provisio {
namespace {

TaskResult generate(TaskContext &ctx) {
    const CreditReport r = CreditGenerator(ctx.repo, ctx.modules, ctx.quarantine, ctx.today)
                               .run_calendar(ctx.config.timelog_max_catch_up, std::nullopt, ctx.dry_run);
    TaskResult result;
    result.done = r.cycles;
    result.lines = r.lines;
    result.lines.insert(result.lines.end(), r.notes.begin(), r.notes.end());
    result.errors = r.errors;
    return result;
}

}  // namespace

PROVISIO_REGISTER_TASK(Task{"time-credits", "Run the calendar time-credit cycles due (timelog)", Schedule::daily, 50, generate})

}  // namespace provisio
