// Task "cancellations" (daily): apply cancellation requests on their day — an immediate one on
// the next run, an end-of-period one on the service's next due date: the module's terminate
// (for a provisioned service), status Cancelled, the service's addons cancelled, and its
// unpaid invoices cancelled (an invoice that also bills other services is left, and reported).
#include "automation/task.hpp"
#include "billing/invoices.hpp"
#include "provisioning/lifecycle.hpp"
#include "store/database.hpp"

namespace provisio {
namespace {

TaskResult apply(TaskContext &ctx) {
    TaskResult result;
    const std::string today = format_date(ctx.today);
    struct Request {
        int64_t id, service;
        std::string type;
    };
    std::vector<Request> due;
    {
        auto q = ctx.db.prepare(
            "SELECT r.id, r.service_id, r.type FROM cancellation_requests r JOIN services s ON s.id = r.service_id "
            "WHERE r.applied_at IS NULL AND (r.type = 'immediate' OR s.next_due_date IS NULL OR s.next_due_date <= ?1) "
            "ORDER BY r.id");
        q.bind(1, today);
        while (q.step()) due.push_back({q.int64(0), q.int64(1), q.text(2)});
    }
    Provisioner provisioner = task_provisioner(ctx);
    Invoicing invoicing(ctx.db, ctx.now, ctx.today);
    for (const auto &r : due) {
        const std::string what = "service " + std::to_string(r.service) + " cancelled (" + r.type + " request)";
        if (ctx.dry_run) {
            result.lines.push_back("would have " + what);
            continue;
        }
        try {
            const Service s = ctx.repo.get_service(r.service);
            if (s.status != "Cancelled" && s.status != "Terminated") {
                const LifecycleResult lr = provisioner.cancel(r.service);
                if (lr.status != PROVISIO_OK) {
                    result.errors.push_back(what + " failed: " + lr.message +
                                            (lr.parked ? " (parked)" : lr.queue_id ? " (queued for retry)" : ""));
                    continue;
                }
            }
            Transaction tx(ctx.db);
            ctx.db.prepare("UPDATE service_addons SET status = 'Cancelled', termination_date = ?2 "
                           "WHERE service_id = ?1 AND status IN ('Active', 'Suspended', 'Pending')")
                .bind(1, r.service).bind(2, today).run();
            for (std::string &line : invoicing.release_service(r.service)) result.lines.push_back(std::move(line));
            ctx.db.prepare("UPDATE cancellation_requests SET applied_at = ?2 WHERE id = ?1").bind(1, r.id).bind(2, ctx.now).run();
            tx.commit();
            result.done++;
            result.lines.push_back(what);
        } catch (const std::exception &e) {
            result.errors.push_back("service " + std::to_string(r.service) + ": " + e.what());
        }
    }
    return result;
}

}  // namespace

PROVISIO_REGISTER_TASK(Task{"cancellations", "Apply cancellation requests on their day", Schedule::daily, 5, apply})

}  // namespace provisio
