#include "automation/cron_runner.hpp"

#include "foundation/error.hpp"
#include "provisioning/quarantine.hpp"
#include "store/database.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

namespace provisio {

bool CronReport::had_errors() const {
    if (!parked.empty() || !skipped_modules.empty()) return true;
    for (const auto &t : tasks)
        if (!t.result.errors.empty()) return true;
    return false;
}

bool CronReport::eventful() const {
    for (const auto &t : tasks)
        if (t.result.done > 0 || !t.result.errors.empty()) return true;
    return false;
}

std::string CronReport::summary_line() const {
    int ran = 0, done = 0, errors = 0;
    std::string failing;
    for (const auto &t : tasks) {
        if (!t.ran) continue;
        ++ran;
        done += t.result.done;
        errors += static_cast<int>(t.result.errors.size());
        if (!t.result.errors.empty())
            failing += (failing.empty() ? "" : ", ") + t.task + ": " + std::to_string(t.result.errors.size());
    }
    std::string line = run_id ? "cron run " + std::to_string(run_id) : std::string("cron dry run");
    line += std::string(": ") + status() + " — " + std::to_string(ran) + " task(s) ran, " + std::to_string(done) + " done, " +
            std::to_string(errors) + " error(s)";
    if (!failing.empty()) line += " (" + failing + ")";
    if (!parked.empty()) line += "; " + std::to_string(parked.size()) + " call(s) parked";
    if (!skipped_modules.empty()) line += "; " + std::to_string(skipped_modules.size()) + " module(s) skipped";
    return line;
}

CronLock::CronLock(const std::string &path, const std::string &now) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) fail(ErrorKind::storage, "cannot open the cron lock " + path + ": " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        char buf[128] = {};
        const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
        ::close(fd_);
        fd_ = -1;
        std::string holder = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "unknown";
        while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
        throw CronLocked("another cron run is in progress (" + holder + "); this one did nothing");
    }
    const std::string who = "pid " + std::to_string(::getpid()) + " since " + now + "\n";
    if (::ftruncate(fd_, 0) == 0) {
        const ssize_t ignored = ::pwrite(fd_, who.data(), who.size(), 0);
        (void)ignored;
    }
}

CronLock::~CronLock() {
    if (fd_ >= 0) {
        const int ignored = ::ftruncate(fd_, 0);
        (void)ignored;
        ::flock(fd_, LOCK_UN);
        ::close(fd_);
    }
}

namespace {

std::optional<std::string> last_business_date(Database &db, const std::string &task) {
    auto q = db.prepare("SELECT last_business_date FROM cron_task_state WHERE task = ?1");
    q.bind(1, task);
    if (!q.step()) return std::nullopt;
    return q.opt_text(0);
}

std::string summary_of(const std::vector<TaskOutcome> &outcomes) {
    std::string s;
    for (const auto &t : outcomes) {
        if (!t.ran) continue;
        s += (s.empty() ? "" : "; ") + t.task + ": " + std::to_string(t.result.done) + " done";
        if (!t.result.errors.empty()) s += ", " + std::to_string(t.result.errors.size()) + " error(s)";
    }
    return s.empty() ? "nothing due" : s;
}

// The history of a finished run: its tasks, then what it parked and skipped, in full.
std::string summary_of(const CronReport &r) {
    std::string s = summary_of(r.tasks);
    for (const auto &p : r.parked) s += "; parked: " + p;
    for (const auto &m : r.skipped_modules) s += "; skipped: " + m;
    return s;
}

// Rows left 'running' by runs that were killed (power, OOM, kill -9). Only the run holding the
// lock calls this, so none of them is still going. Each is closed as 'killed' with the task it
// was in and what it had finished.
std::vector<std::string> close_killed_runs(Database &db, int64_t current_run, const std::string &now) {
    std::vector<int64_t> runs;
    {
        auto q = db.prepare("SELECT id FROM cron_runs WHERE status = 'running' AND id <> ?1 ORDER BY id");
        q.bind(1, current_run);
        while (q.step()) runs.push_back(q.int64(0));
    }
    std::vector<std::string> lines;
    for (const int64_t run : runs) {
        std::string finished, in_task;
        auto q = db.prepare("SELECT task, finished_at IS NOT NULL, done, errors FROM cron_task_runs WHERE run_id = ?1 ORDER BY id");
        q.bind(1, run);
        while (q.step()) {
            if (q.int64(1) == 0) {
                in_task = q.text(0);
                continue;
            }
            finished += (finished.empty() ? "" : ", ") + q.text(0) + ": " + std::to_string(q.int64(2)) + " done";
            if (q.int64(3) > 0) finished += " " + std::to_string(q.int64(3)) + " error(s)";
        }
        const std::string where = in_task.empty() ? "between tasks" : "in task " + in_task;
        db.prepare("UPDATE cron_runs SET status = 'killed', summary = ?2 WHERE id = ?1 AND status = 'running'")
            .bind(1, run)
            .bind(2, "killed " + where + "; found still running by cron run " + std::to_string(current_run) + " at " + now +
                         (finished.empty() ? "" : "; finished before: " + finished))
            .run();
        lines.push_back("cron run " + std::to_string(run) + " was killed " + where + "; closed as killed");
    }
    return lines;
}

}  // namespace

CronReport run_cron(TaskContext &ctx, const Clock &clock, const BusinessZone &zone, const CronOptions &o, const CronLock &) {
    CronReport report;
    const auto tasks = registered_tasks();
    if (o.only_task) {
        bool known = false;
        std::string names;
        for (const Task *t : tasks) {
            known |= t->name == *o.only_task;
            names += (names.empty() ? "" : ", ") + t->name;
        }
        if (!known) fail(ErrorKind::invalid_input, "--task '" + *o.only_task + "' is not a task (tasks: " + names + ")");
    }
    const std::string today = format_date(ctx.today);
    const int hour = zone.hour_at(clock.now());

    // A dry run does the work inside a transaction it never commits, so its report is exact and
    // nothing stays changed; tasks skip module calls when ctx.dry_run is set.
    std::optional<Transaction> dry_run_scope;
    if (o.dry_run) dry_run_scope.emplace(ctx.db);
    else {
        ctx.db.prepare("INSERT INTO cron_runs (started_at) VALUES (?1)").bind(1, ctx.now).run();
        report.run_id = ctx.db.last_insert_id();
        report.killed_runs = close_killed_runs(ctx.db, report.run_id, ctx.now);
    }
    for (const Task *task : tasks) {
        TaskOutcome out;
        out.task = task->name;
        if (o.only_task && *o.only_task != task->name) continue;
        const Schedule schedule = schedule_of(*task, ctx.config);
        if (!o.only_task && schedule == Schedule::daily) {
            if (last_business_date(ctx.db, task->name) == today) out.skipped_because = "already ran today (" + today + ")";
            else if (hour < o.daily_hour)
                out.skipped_because = "daily tasks run after " + std::to_string(o.daily_hour) + ":00 " + zone.name();
        }
        if (!out.skipped_because.empty()) {
            report.tasks.push_back(std::move(out));
            continue;
        }
        if (o.progress) std::cout << "\r\033[Krunning " << task->name << "…" << std::flush;
        int64_t task_run_id = 0;
        if (!o.dry_run) {
            ctx.db.prepare("INSERT INTO cron_task_runs (run_id, task, started_at) VALUES (?1, ?2, ?3)")
                .bind(1, report.run_id).bind(2, task->name).bind(3, ctx.now).run();
            task_run_id = ctx.db.last_insert_id();
        }
        const auto started = std::chrono::steady_clock::now();
        try {
            out.result = task->run(ctx);
        } catch (const std::exception &e) {
            // The task stopped; it is not marked done, so the next run does it again.
            out.result.errors.push_back(std::string("task stopped: ") + e.what());
        }
        out.ran = true;
        out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        if (!o.dry_run) {
            std::string detail;
            for (const auto &l : out.result.lines) detail += l + "\n";
            for (const auto &e : out.result.errors) detail += "error: " + e + "\n";
            ctx.db.prepare("UPDATE cron_task_runs SET finished_at = ?2, done = ?3, errors = ?4, detail = ?5 WHERE id = ?1")
                .bind(1, task_run_id).bind(2, format_utc(clock.now())).bind(3, int64_t{out.result.done})
                .bind(4, static_cast<int64_t>(out.result.errors.size())).bind(5, detail)
                .run();
            const bool stopped = !out.result.errors.empty() && out.result.errors.back().rfind("task stopped: ", 0) == 0;
            if (schedule == Schedule::daily && !stopped)
                ctx.db.prepare("INSERT INTO cron_task_state (task, last_business_date, last_finished_at) VALUES (?1, ?2, ?3) "
                               "ON CONFLICT (task) DO UPDATE SET last_business_date = excluded.last_business_date, "
                               "last_finished_at = excluded.last_finished_at")
                    .bind(1, task->name).bind(2, today).bind(3, format_utc(clock.now()))
                    .run();
        }
        report.tasks.push_back(std::move(out));
    }
    if (o.progress) std::cout << "\r\033[K" << std::flush;
    report.parked = ctx.quarantine.parked();
    report.skipped_modules = ctx.quarantine.skipped_modules();
    if (!o.dry_run)
        ctx.db.prepare("UPDATE cron_runs SET finished_at = ?2, status = ?3, summary = ?4 WHERE id = ?1")
            .bind(1, report.run_id).bind(2, format_utc(clock.now())).bind(3, report.status())
            .bind(4, summary_of(report))
            .run();
    return report;
}

std::vector<CronHistoryEntry> cron_history(Database &db, int limit) {
    auto q = db.prepare("SELECT id, started_at, finished_at, status, summary FROM cron_runs ORDER BY id DESC LIMIT ?1");
    q.bind(1, int64_t{limit});
    std::vector<CronHistoryEntry> out;
    while (q.step()) out.push_back({q.int64(0), q.text(1), q.opt_text(2).value_or("-"), q.text(3), q.text(4)});
    return out;
}

}  // namespace provisio
