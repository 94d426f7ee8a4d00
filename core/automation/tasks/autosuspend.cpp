// Task "autosuspend" (every run): suspend the VoIP services of clients out of credit, and
// release them after a top-up; a client with auto top-up on is charged first (payments/auto_topup.hpp).
// See usage/autosuspend.hpp.
#include "automation/task.hpp"
#include "config/config.hpp"
#include "payments/auto_topup.hpp"
#include "usage/autosuspend.hpp"

namespace provisio {
namespace {

TaskResult autosuspend(TaskContext &ctx) {
    const usage::AutoTopUp top_up = [&](int64_t client, Money credit, Money due) {
        const AutoTopupOutcome o = run_auto_topup(ctx, client, credit, due);
        return usage::TopUpResult{o.credit, o.line, o.error};
    };
    const usage::AutosuspendReport r = usage::run_autosuspend(ctx.repo, ctx.modules, ctx.quarantine, ctx.today, ctx.dry_run,
                                                                    ctx.config.module_call_workers, top_up);
    TaskResult result;
    result.done = r.suspended + r.unsuspended;
    result.lines.push_back(std::to_string(r.clients_checked) + " VoIP client(s) checked: " + std::to_string(r.suspended) + " service(s) suspended, " +
                           std::to_string(r.unsuspended) + " unsuspended, " + std::to_string(r.emails) + " e-mail(s) queued" +
                           (r.full_sweep ? "" : " (the clients changed since the last sweep)"));
    result.lines.insert(result.lines.end(), r.lines.begin(), r.lines.end());
    result.errors = r.errors;
    return result;
}

}  // namespace

PROVISIO_REGISTER_TASK(Task{"autosuspend", "Suspend VoIP services out of credit, unsuspend after a top-up", Schedule::every_run, 40,
                            autosuspend, {}})
}  // namespace provisio
