// Task "module-queue" (every run): retry lifecycle calls that failed with a retryable error.
// A parked call is not retried, but reported as an error every run until an operator releases
// it (provisio queue release) or the service moves on: it is never a quiet "ok".
#include "automation/task.hpp"
#include "provisioning/call_log.hpp"
#include "provisioning/lifecycle.hpp"
#include "provisioning/module_queue.hpp"

namespace provisio {
namespace {

TaskResult retry(TaskContext &ctx) {
    TaskResult result;
    if (ctx.dry_run) {
        for (const auto &item : list_queue(ctx.db, false)) {
            if (item.parked_at) {
                result.lines.push_back("would leave " + item.action + " of service " + std::to_string(item.service_id) +
                                       " parked (queue item " + std::to_string(item.id) + ")");
                continue;
            }
            result.lines.push_back("would retry " + item.action + " of service " + std::to_string(item.service_id));
            result.done++;
        }
        return result;
    }
    Provisioner provisioner = task_provisioner(ctx);
    for (const auto &r : provisioner.retry_queue(std::nullopt)) {
        const std::string what = "queue item " + std::to_string(r.queue_id);
        if (r.obsolete) result.lines.push_back(what + " closed as obsolete: " + r.note);
        else if (!r.result) result.errors.push_back(what + ": " + r.note);  // parked, or could not be made
        else if (r.result->parked)
            result.errors.push_back(what + ": " + r.result->action + " of service " + std::to_string(r.result->service_id) +
                                    " failed: " + r.result->message);
        else if (r.result->status == PROVISIO_OK) {
            result.done++;
            result.lines.push_back(what + ": " + r.result->action + " of service " + std::to_string(r.result->service_id) + " ok");
        } else if (r.result->status == PROVISIO_RETRYABLE) {
            // Still not done: the run reports it as an error (status "errors", exit 1) however
            // often it has failed before, so a call that keeps failing is never a quiet "ok".
            const auto item = get_queue_item(ctx.db, r.queue_id);
            result.errors.push_back(what + ": " + r.result->action + " of service " + std::to_string(r.result->service_id) +
                                    " still failing" + (item ? " after " + std::to_string(item->attempts) + " attempt(s)" : "") +
                                    ", kept for the next run: " + r.result->message);
        } else
            result.errors.push_back(what + ": " + r.result->action + " failed: " + r.result->message);
    }
    return result;
}

}  // namespace

PROVISIO_REGISTER_TASK(Task{"module-queue", "Retry module calls that failed with a retryable error", Schedule::every_run, 90, retry})

}  // namespace provisio
