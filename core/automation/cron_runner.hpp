// `provisio cron`: take the run lock, decide which tasks are due, run them, record the run.
//
// The lock is an flock on a file next to the database: a second run while one is going exits
// at once (CronLocked). A run killed at any point leaves its rows marked 'running' and its
// daily tasks unmarked, so the next run does them again — safe, because every posting a task
// makes has a natural key. That next run, holding the lock, knows no other run is going, and
// closes every row still 'running' as 'killed', saying which task it was in.
//
// Every module call of a run goes through the TaskContext's Quarantine: what it parked and the
// modules it skipped make the run's status 'errors' and are written into its history.
#pragma once

#include "automation/task.hpp"
#include "foundation/clock.hpp"

#include <optional>
#include <string>
#include <vector>

namespace provisio {

struct CronOptions {
    std::optional<std::string> only_task;  // --task: run this one whatever its schedule
    bool dry_run = false;
    bool verbose = false;
    bool progress = false;                 // a progress line (stdout is a terminal)
    int daily_hour = 0;                    // business hour after which daily tasks run
};

struct TaskOutcome {
    std::string task;
    bool ran = false;
    std::string skipped_because;
    TaskResult result;
    double seconds = 0;
};

struct CronReport {
    int64_t run_id = 0;  // 0 for a dry run
    std::vector<TaskOutcome> tasks;
    std::vector<std::string> parked;           // queue items parked in this run (Quarantine::parked)
    std::vector<std::string> skipped_modules;  // modules skipped for the rest of it (Quarantine::skipped_modules)
    std::vector<std::string> killed_runs;      // earlier runs found still 'running' and closed as 'killed'

    bool had_errors() const;
    // Whether any task did something (done > 0) or failed: what `cron --quiet` prints for.
    bool eventful() const;
    const char *status() const { return had_errors() ? "errors" : "ok"; }
    // One line for the end of every run: "cron run 12: errors — 13 task(s) ran, 4 done,
    // 1 error(s) (module-queue: 1)", then "; 1 call(s) parked; 1 module(s) skipped" when so.
    std::string summary_line() const;
};

class CronLocked : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Holds the run lock for its lifetime; throws CronLocked when another run holds it.
class CronLock {
public:
    explicit CronLock(const std::string &path, const std::string &now);
    ~CronLock();
    CronLock(const CronLock &) = delete;
    CronLock &operator=(const CronLock &) = delete;

private:
    int fd_ = -1;
};

// `lock` is held for the whole run: it is what makes closing rows left 'running' safe.
CronReport run_cron(TaskContext &ctx, const Clock &clock, const BusinessZone &zone, const CronOptions &options, const CronLock &lock);

struct CronHistoryEntry {
    int64_t id = 0;
    std::string started_at, finished_at, status, summary;
};
std::vector<CronHistoryEntry> cron_history(Database &db, int limit);

}  // namespace provisio
