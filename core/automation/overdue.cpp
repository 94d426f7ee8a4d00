#include "automation/overdue.hpp"

#include "provisioning/lifecycle.hpp"
#include "provisioning/state_machine.hpp"
#include "store/database.hpp"

#include <algorithm>

namespace provisio {

namespace {

struct Overdue {
    int64_t service_id;
    std::string status;
    std::string oldest_due;
};

// Services with an unpaid invoice line due on or before `cutoff`, with the oldest such date.
std::vector<Overdue> overdue_since(Database &db, const std::string &cutoff, const std::string &today) {
    auto q = db.prepare(
        "SELECT s.id, s.status, MIN(i.due_date) FROM services s "
        "JOIN invoice_items t ON t.item_id = s.id AND t.item_type = 'service' "
        "JOIN invoices i ON i.id = t.invoice_id AND i.status = 'Unpaid' "
        "WHERE s.status IN ('Active', 'Suspended') AND i.due_date <= ?1 "
        "AND (s.autosuspend_override IS NULL OR (s.autosuspend_override <> 'never' AND s.autosuspend_override <= ?2)) "
        "GROUP BY s.id ORDER BY s.id");
    q.bind(1, cutoff).bind(2, today);
    std::vector<Overdue> out;
    while (q.step()) out.push_back({q.int64(0), q.text(1), q.text(2)});
    return out;
}

void record(TaskResult &result, const LifecycleResult &r, const std::string &what) {
    if (r.status == PROVISIO_OK) {
        result.done++;
        result.lines.push_back(what);
    } else if (r.status == PROVISIO_RETRYABLE) {
        result.errors.push_back(what + " failed (" + (r.parked ? "parked" : "queued for retry") + "): " + r.message);
    } else {
        result.errors.push_back(what + " failed: " + r.message);
    }
}

}  // namespace

TaskResult suspend_and_terminate_overdue(TaskContext &ctx, const OverdueOptions &o) {
    TaskResult result;
    const std::string today = format_date(ctx.today);
    Provisioner provisioner = task_provisioner(ctx);
    std::vector<int64_t> terminated;
    if (o.terminate_days > 0) {
        for (const auto &s : overdue_since(ctx.db, format_date(add_days(ctx.today, -o.terminate_days)), today)) {
            const std::string what = "service " + std::to_string(s.service_id) + " terminated (unpaid since " + s.oldest_due + ")";
            terminated.push_back(s.service_id);
            if (ctx.dry_run) {
                result.lines.push_back("would have " + what);
                continue;
            }
            try {
                const LifecycleResult r = provisioner.run(s.service_id, Action::terminate, {overdue_reason, std::nullopt, "automation"});
                record(result, r, what);
                if (r.status == PROVISIO_OK)
                    // Automation's terminations take the addons with them (a manual one does not).
                    ctx.db.prepare("UPDATE service_addons SET status = 'Cancelled', termination_date = ?2 "
                                   "WHERE service_id = ?1 AND status IN ('Active', 'Suspended', 'Pending')")
                        .bind(1, s.service_id).bind(2, today).run();
            } catch (const std::exception &e) {
                result.errors.push_back("service " + std::to_string(s.service_id) + ": " + e.what());
            }
        }
    }
    if (o.suspend_days > 0) {
        for (const auto &s : overdue_since(ctx.db, format_date(add_days(ctx.today, -o.suspend_days)), today)) {
            if (s.status != status::active) continue;
            if (std::find(terminated.begin(), terminated.end(), s.service_id) != terminated.end()) continue;
            const std::string what = "service " + std::to_string(s.service_id) + " suspended (unpaid since " + s.oldest_due + ")";
            if (ctx.dry_run) {
                result.lines.push_back("would have " + what);
                continue;
            }
            try {
                record(result, provisioner.run(s.service_id, Action::suspend, {overdue_reason, std::nullopt, "automation"}), what);
            } catch (const std::exception &e) {
                result.errors.push_back("service " + std::to_string(s.service_id) + ": " + e.what());
            }
        }
    }
    return result;
}

TaskResult release_paid_up(TaskContext &ctx, const std::optional<std::vector<int64_t>> &only) {
    TaskResult result;
    const std::string today = format_date(ctx.today);
    std::vector<int64_t> candidates;
    {
        auto q = ctx.db.prepare(
            "SELECT s.id FROM services s WHERE s.status = 'Suspended' AND (s.suspended_by = 'automation' OR s.suspend_reason = '') "
            "AND NOT EXISTS (SELECT 1 FROM invoice_items t JOIN invoices i ON i.id = t.invoice_id "
            "                WHERE t.item_type = 'service' AND t.item_id = s.id AND i.status = 'Unpaid' AND i.due_date < ?1) "
            "ORDER BY s.id");
        q.bind(1, today);
        while (q.step()) candidates.push_back(q.int64(0));
    }
    Provisioner provisioner = task_provisioner(ctx);
    for (const int64_t id : candidates) {
        if (only && std::find(only->begin(), only->end(), id) == only->end()) continue;
        const std::string what = "service " + std::to_string(id) + " unsuspended (paid up)";
        if (ctx.dry_run) {
            result.lines.push_back("would have " + what);
            continue;
        }
        try {
            record(result, provisioner.run(id, Action::unsuspend, {"", std::nullopt, "automation"}), what);
        } catch (const std::exception &e) {
            result.errors.push_back("service " + std::to_string(id) + ": " + e.what());
        }
    }
    return result;
}

}  // namespace provisio
