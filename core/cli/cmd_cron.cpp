// provisio cron [--task NAME] [--dry-run], cron history, cron tasks.
#include "automation/cron_runner.hpp"
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "shapes/records_json.hpp"
#include "foundation/error.hpp"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace provisio::cli {

namespace {

struct CronArgs {
    std::string task;
    bool dry_run = false;
    bool verbose = false;
    bool quiet = false;
    int limit = 20;
};

int run_cron_command(Context &ctx, const CronArgs &a) {
    const Config &config = ctx.config();
    const BusinessZone zone(config.timezone);
    const std::string now = ctx.repo().now_text();
    std::optional<CronLock> lock;
    try {
        lock.emplace(config.database.string() + ".cron.lock", now);
    } catch (const CronLocked &e) {
        std::cerr << "provisio: " << e.what() << '\n';
        return exit_locked;
    }
    TaskContext tctx = ctx.task_context(a.dry_run);
    tctx.now = now;  // the time the lock was taken: the run's one clock reading
    CronOptions o;
    if (!a.task.empty()) o.only_task = a.task;
    o.dry_run = a.dry_run;
    o.verbose = a.verbose || ctx.options.verbose;
    o.progress = ::isatty(STDOUT_FILENO) && !ctx.options.json;
    o.daily_hour = config.cron_daily_hour;
    const CronReport r = run_cron(tctx, ctx.clock(), zone, o, *lock);

    if (ctx.options.json) {
        json tasks = json::array();
        for (const auto &t : r.tasks)
            tasks.push_back({{"task", t.task}, {"ran", t.ran}, {"skipped", t.skipped_because}, {"done", t.result.done},
                             {"lines", t.result.lines}, {"errors", t.result.errors}, {"seconds", t.seconds}});
        print_json(std::cout, {{"run", r.run_id ? json(r.run_id) : json()}, {"at", now}, {"business_date", format_date(ctx.today())},
                               {"dry_run", a.dry_run}, {"tasks", tasks}, {"errors", r.had_errors()}, {"status", r.status()},
                               {"parked", r.parked}, {"skipped_modules", r.skipped_modules}, {"killed_runs", r.killed_runs},
                               {"summary", r.summary_line()}});
    } else if (!a.quiet || r.eventful()) {
        // --quiet: nothing at all for a run that did nothing and had no errors; otherwise only
        // the tasks that did something or failed, then the summary.
        std::cout << (a.dry_run ? "cron dry run (nothing is kept) " : "cron run ") << now << ", business day "
                  << format_date(ctx.today()) << " " << zone.name() << '\n';
        for (const auto &t : r.tasks) {
            if (a.quiet && t.result.done == 0 && t.result.errors.empty()) continue;
            char line[160];
            if (!t.ran) {
                std::snprintf(line, sizeof line, "  %-16s skipped: %s", t.task.c_str(), t.skipped_because.c_str());
                std::cout << line << '\n';
                continue;
            }
            std::snprintf(line, sizeof line, "  %-16s %d done%s (%.2f s)", t.task.c_str(), t.result.done,
                          t.result.errors.empty() ? "" : (", " + std::to_string(t.result.errors.size()) + " error(s)").c_str(),
                          t.seconds);
            std::cout << line << '\n';
            if (o.verbose || a.dry_run)
                for (const auto &l : t.result.lines) std::cout << "      " << l << '\n';
            for (const auto &e : t.result.errors) std::cout << "      error: " << e << '\n';
        }
        for (const auto &k : r.killed_runs) std::cout << "  note: " << k << '\n';
        for (const auto &p : r.parked) std::cout << "  parked: " << p << '\n';
        for (const auto &m : r.skipped_modules) std::cout << "  skipped: " << m << '\n';
        std::cout << r.summary_line() << '\n';
    }
    return r.had_errors() ? exit_failed : exit_ok;
}

}  // namespace

void add_cron_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *cron = app.add_subcommand("cron", "Run the automation tasks that are due (call it from system cron every five minutes)");
    cron->require_subcommand(0, 1);
    auto args = std::make_shared<CronArgs>();
    cron->add_option("--task", args->task, "Run only this task, whatever its schedule");
    cron->add_flag("--dry-run", args->dry_run, "Show what would be done; change nothing");
    cron->add_flag("--verbose", args->verbose, "List what each task did (the global -v also logs debug detail)");
    cron->add_flag("--quiet", args->quiet,
                   "Print nothing when no task did anything or failed; otherwise only those tasks (with --verbose, what they "
                   "did) and the summary");

    auto *history = cron->add_subcommand("history", "Recent cron runs");
    history->add_option("--limit", args->limit, "How many")->check(CLI::Range(1, 10000));
    history->callback([&, args] {
        run = [&, args] {
            const auto runs = cron_history(ctx.db(), args->limit);
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &h : runs) out.push_back(cron_run_json(h));
                print_json(std::cout, out);
                return exit_ok;
            }
            Table t({"RUN", "STARTED", "FINISHED", "STATUS", "SUMMARY"});
            for (const auto &h : runs) t.add({std::to_string(h.id), h.started_at, h.finished_at, h.status, h.summary});
            if (t.empty()) std::cout << "no cron runs yet\n";
            else t.print(std::cout);
            return exit_ok;
        };
    });

    cron->add_subcommand("tasks", "The registered tasks and their schedules")->callback([&] {
        run = [&] {
            Table t({"TASK", "SCHEDULE", "DESCRIPTION"});
            for (const Task *task : registered_tasks())
                t.add({task->name, schedule_of(*task, ctx.config()) == Schedule::daily ? "daily" : "every run", task->description});
            t.print(std::cout);
            return exit_ok;
        };
    });

    cron->callback([&, cron, args] {
        if (cron->get_subcommands().empty() || !run) run = [&, args] { return run_cron_command(ctx, *args); };
    });
}

}  // namespace provisio::cli
