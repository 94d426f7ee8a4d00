// Quarantine (provisioning/quarantine.hpp) and the recovery of a killed cron run.
//
// Until the module runners can abort a call for real, the cron runs that need aborted calls are
// made in this process, on the installation's own files, with Quarantine's test seam marking
// chosen outcomes aborted the way a runner will (status retryable, aborted set, nothing of the
// call kept). Everything an operator sees — queue list, queue release, queue retry, cron
// history, a lifecycle command — is checked through the real program. The killed run is a real
// `provisio cron` stopped with SIGKILL while a module sleeps inside a call.
#include "automation/cron_runner.hpp"
#include "config/config.hpp"
#include "domain/repository.hpp"
#include "foundation/clock.hpp"
#include "modulehost/module_host.hpp"
#include "provisioning/quarantine.hpp"
#include "secrets/secret_box.hpp"
#include "store/database.hpp"
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace provisio;
using namespace provisio::test;
using nlohmann::json;

namespace {

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

// The core in this process, opened on an installation's configuration, database and modules.
struct Core {
    Config config;
    Clock clock;
    Database db;
    SecretBox secrets;
    Repository repo;
    HostServices services;
    ModuleHost modules;

    explicit Core(const Installation &inst)
        : config(Config::load(inst.config())), db(Database::open(config.database, false)),
          secrets(SecretBox::from_key_file(config.key_file)), repo(db, secrets, clock), services(HostConfig{clock}),
          modules(services) {
        modules.load_directory(config.modules_dir);
    }

    // One cron run, as `provisio cron` makes it, with `abort` deciding which calls a runner
    // would have aborted (and `seen` counting the calls made, by service).
    CronReport cron(const std::function<bool(const LoadedModule &, const CallInput &)> &abort, std::map<uint64_t, int> *seen = nullptr) {
        Quarantine quarantine(QuarantineLimits{config.quarantine_after, config.skip_module_after});
        std::mutex mutex;
        quarantine.rewrite_outcome_for_tests = [&](const LoadedModule &m, const CallInput &in, CallOutcome &o) {
            {
                std::lock_guard lock(mutex);
                if (seen) ++(*seen)[in.service_id];
            }
            if (!abort || !abort(m, in)) return;
            o = CallOutcome{};  // what a runner reports: nothing of the call, the reason, retryable
            o.status = PROVISIO_RETRYABLE;
            o.message = "module " + m.name() + "'s runner died of SIGSEGV (service " + std::to_string(in.service_id) + ")";
            o.aborted = CallOutcome::Abort::crash;
        };
        const std::string now = repo.now_text();
        const BusinessZone zone(config.timezone);
        TaskContext ctx{db, repo, modules, quarantine, config, now, zone.date_at(clock.now()), false};
        CronLock lock(config.database.string() + ".cron.lock", now);
        return run_cron(ctx, clock, zone, CronOptions{}, lock);
    }
};

std::vector<std::string> all_errors(const CronReport &r) {
    std::vector<std::string> out;
    for (const auto &t : r.tasks) out.insert(out.end(), t.result.errors.begin(), t.result.errors.end());
    return out;
}

bool any_contains(const std::vector<std::string> &lines, const std::string &part) {
    for (const auto &l : lines)
        if (contains(l, part)) return true;
    return false;
}

// Every task due ran to its end (a daily one already done today is not due).
bool every_task_ran(const CronReport &r) {
    for (const auto &t : r.tasks) {
        if (!t.ran && t.skipped_because.rfind("already ran today", 0) != 0) return false;
        if (any_contains(t.result.errors, "task stopped: ")) return false;
    }
    return !r.tasks.empty();
}

json queue_item(const Installation &inst, int id) {
    for (const auto &i : run_json(inst, {"queue", "list", "--all"}))
        if (i["id"] == id) return i;
    return json();
}

std::string service_status(const Installation &inst, int id) {
    return run_json(inst, {"service", "show", std::to_string(id)})["status"].get<std::string>();
}

// A client, a server and product "Voice" of the scripted module, and `services` services of it
// whose create failed as retryable: queue items 1..services, waiting for cron's module-queue.
void seed_queued(const Installation &inst, int services) {
    inst.install_module("scripted");
    ok(inst, {"client", "add", "--first-name", "Grace", "--email", "grace@example.org"});
    ok(inst, {"server", "add", "--name", "pbx1", "--module", "scripted", "--hostname", "pbx1.example"});
    ok(inst, {"product", "add", "--name", "Voice", "--module", "scripted", "--price", "20", "--setting", "outcome=retryable",
              "--setting", "region=eu"});
    for (int s = 1; s <= services; ++s) {
        ok(inst, {"service", "add", "--client", "1", "--product", "Voice", "--server", "pbx1", "--domain", "s" + std::to_string(s) + ".example"});
        REQUIRE(inst.run({"service", "create", std::to_string(s)}).exit_code == 6);
    }
    ok(inst, {"product", "set", "Voice", "--setting", "outcome=ok"});
}

}  // namespace

TEST_CASE("a module's row of aborted calls: any call that finished ends it; the limit skips the module for the run") {
    LoadedModule m;
    m.description.name = "flaky";
    const CallInput in;
    CallOutcome aborted, answered;
    aborted.status = PROVISIO_RETRYABLE;
    aborted.aborted = CallOutcome::Abort::timeout;
    aborted.message = "module flaky did not answer within 30 s";
    answered.status = PROVISIO_ERROR;  // a module's own error is an answer, not an abort

    Quarantine q(QuarantineLimits{3, 3});
    int made = 0;
    auto call = [&](const CallOutcome &o) { return q.call(m, in, [&] { ++made; return o; }); };
    for (const CallOutcome *o : {&aborted, &aborted, &answered, &aborted, &aborted}) REQUIRE(call(*o));
    CHECK_FALSE(q.skips("flaky"));
    REQUIRE(call(aborted));  // the third in a row
    CHECK(q.skips("flaky"));
    CHECK(made == 6);
    CHECK_FALSE(call(answered).has_value());  // not made
    CHECK(made == 6);
    CHECK_FALSE(q.skips("other"));
    CHECK(q.why_skipped("flaky") == "not called: module flaky is skipped for the rest of this run after 3 aborted call(s) in a row "
                                    "(the last: module flaky did not answer within 30 s)");
    CHECK(q.skipped_modules() == std::vector<std::string>{"module flaky after 3 aborted call(s) in a row; 1 call(s) not made"});

    Quarantine never(QuarantineLimits{3, 0});  // [modules] skip_module_after = 0
    for (int i = 0; i < 10; ++i) REQUIRE(never.call(m, in, [&] { return aborted; }));
    CHECK_FALSE(never.skips("flaky"));
}

TEST_CASE("a call aborted quarantine_after times is parked: cron stops making it until queue release; the others go on") {
    Installation inst;
    seed_queued(inst, 4);
    Core core(inst);
    // Services 2 and 3 crash their runner on every call; 1 and 4 are fine.
    const auto poisoned = [](const LoadedModule &, const CallInput &in) { return in.service_id == 2 || in.service_id == 3; };

    for (int run = 1; run <= 3; ++run) {
        INFO("run " << run);
        std::map<uint64_t, int> seen;
        const CronReport r = core.cron(poisoned, &seen);
        CHECK(r.status() == std::string("errors"));
        CHECK(seen[2] == 1);
        CHECK(seen[3] == 1);
        CHECK(every_task_ran(r));
        if (run == 1) {
            CHECK(seen[1] == 1);  // 1 and 4 were done in the first run
            CHECK(seen[4] == 1);
        }
        const json item = queue_item(inst, 2);
        CHECK(item["aborts"] == run);
        CHECK(item["attempts"] == 1 + run);
        if (run < 3) {
            CHECK(r.parked.empty());
            CHECK(item["state"] == "open");
        } else {
            REQUIRE(r.parked.size() == 2);
            CHECK(r.parked[0] == "create of service 2 (queue item 2): module scripted: 3 attempt(s) aborted; the last crashed: "
                                 "module scripted's runner died of SIGSEGV (service 2)");
            CHECK(item["state"] == "parked");
            CHECK(contains(r.summary_line(), "; 2 call(s) parked"));
        }
    }
    CHECK(service_status(inst, 1) == "Active");
    CHECK(service_status(inst, 4) == "Active");
    CHECK(service_status(inst, 2) == "Pending");

    // What the operator sees.
    RunResult list = inst.run({"queue", "list"});
    CHECK(list.exit_code == 0);
    CHECK(contains(list.out, "parked"));
    CHECK(contains(list.out, "3 attempt(s) aborted; the last crashed"));
    const json history = run_json(inst, {"cron", "history"});
    CHECK(history[0]["status"] == "errors");
    CHECK(contains(history[0]["summary"].get<std::string>(), "parked: create of service 2 (queue item 2): module scripted: 3 attempt(s) aborted"));
    CHECK(contains(history[0]["summary"].get<std::string>(), "parked: create of service 3 (queue item 3)"));
    CHECK_FALSE(contains(history[1]["summary"].get<std::string>(), "parked"));

    // Parked: later runs make neither call, and say so as an error every run.
    {
        std::map<uint64_t, int> seen;
        const CronReport r = core.cron(poisoned, &seen);
        CHECK(seen.empty());
        CHECK(r.status() == std::string("errors"));
        CHECK(r.parked.empty());  // parked before, not by this run
        CHECK(any_contains(all_errors(r), "queue item 2: create of service 2 is parked (since "));
        CHECK(any_contains(all_errors(r), "it is not run again until an operator runs: provisio queue release 2"));
        CHECK(queue_item(inst, 2)["attempts"] == 4);
    }
    RunResult retry = inst.run({"queue", "retry", "2"});
    CHECK(retry.exit_code == 4);
    CHECK(contains(retry.out, "queue item 2: parked — create of service 2 is parked"));
    CHECK(inst.run({"queue", "retry"}).exit_code == 4);
    CHECK(queue_item(inst, 2)["attempts"] == 4);

    // Released, it runs again with a fresh count; the operator's own command makes a parked call.
    RunResult release = inst.run({"queue", "release", "2"});
    INFO(release.err);
    CHECK(release.exit_code == 0);
    CHECK(contains(release.out, "queue item 2 released: create of service 2 is back on the queue with a fresh count"));
    json item = queue_item(inst, 2);
    CHECK(item["state"] == "open");
    CHECK(item["aborts"] == 0);
    CHECK(item["parked_at"].is_null());
    CHECK(inst.run({"queue", "release", "2"}).exit_code == 4);   // not parked
    CHECK(inst.run({"queue", "release", "1"}).exit_code == 4);   // resolved
    CHECK(inst.run({"queue", "release", "99"}).exit_code == 3);  // no such item
    RunResult direct = inst.run({"service", "create", "3"});
    INFO(direct.err);
    CHECK(direct.exit_code == 0);
    CHECK(queue_item(inst, 3)["outcome"] == "done");

    const CronReport healed = core.cron(nullptr);
    CHECK(healed.status() == std::string("ok"));
    CHECK(service_status(inst, 2) == "Active");
    CHECK(queue_item(inst, 2)["outcome"] == "done");
    CHECK(inst.run({"verify"}).exit_code == 0);
}

TEST_CASE("a module whose calls abort skip_module_after times in a row is skipped for the rest of the run; its calls stay queued") {
    Installation inst;
    inst.install_module("scripted_strict");
    seed_queued(inst, 0);
    ok(inst, {"server", "add", "--name", "pbx2", "--module", "scripted_strict", "--hostname", "pbx2.example", "--option", "tenant=t1"});
    ok(inst, {"product", "add", "--name", "Strict", "--module", "scripted_strict", "--price", "20", "--setting", "outcome=retryable",
              "--setting", "region=eu"});
    // Queue items 1..6, the two modules interleaved: s, S, s, s, S, s.
    const std::vector<std::string> products{"Voice", "Strict", "Voice", "Voice", "Strict", "Voice"};
    for (size_t i = 0; i < products.size(); ++i) {
        const std::string id = std::to_string(i + 1);
        ok(inst, {"service", "add", "--client", "1", "--product", products[i], "--server", products[i] == "Voice" ? "pbx1" : "pbx2",
                  "--domain", "s" + id + ".example"});
        ok(inst, {"product", "set", products[i], "--setting", "outcome=retryable"});
        REQUIRE(inst.run({"service", "create", id}).exit_code == 6);
    }
    ok(inst, {"product", "set", "Voice", "--setting", "outcome=ok"});
    ok(inst, {"product", "set", "Strict", "--setting", "outcome=ok"});

    Core core(inst);
    std::map<uint64_t, int> seen;
    const CronReport r = core.cron([](const LoadedModule &m, const CallInput &) { return m.name() == "scripted"; }, &seen);
    CHECK(r.status() == std::string("errors"));
    CHECK(every_task_ran(r));
    REQUIRE(r.skipped_modules.size() == 1);
    CHECK(r.skipped_modules[0] == "module scripted after 3 aborted call(s) in a row; 1 call(s) not made");
    CHECK(r.parked.empty());
    CHECK(seen == std::map<uint64_t, int>{{1, 1}, {2, 1}, {3, 1}, {4, 1}, {5, 1}});  // service 6's call was never made
    CHECK(service_status(inst, 2) == "Active");  // the other module's calls all went through
    CHECK(service_status(inst, 5) == "Active");
    const json six = queue_item(inst, 6);
    CHECK(six["state"] == "open");  // still queued, not failed, and no attempt counted
    CHECK(six["attempts"] == 1);
    CHECK(six["aborts"] == 0);
    CHECK(six["last_error"] == "PBX busy, try later");
    CHECK(any_contains(all_errors(r), "queue item 6: create of service 6 still failing after 1 attempt(s), kept for the next run: not "
                                      "called: module scripted is skipped for the rest of this run after 3 aborted call(s) in a row"));
    CHECK(contains(r.summary_line(), "; 1 module(s) skipped"));
    const json history = run_json(inst, {"cron", "history"});
    CHECK(contains(history[0]["summary"].get<std::string>(), "skipped: module scripted after 3 aborted call(s) in a row"));

    // The next run starts with a clean slate: the module's calls are made again.
    const CronReport next = core.cron(nullptr);
    CHECK(next.status() == std::string("ok"));
    for (int s : {1, 3, 4, 6}) CHECK(service_status(inst, s) == "Active");
}

TEST_CASE("quarantine_after and skip_module_after are configurable, 0 turning each off, and checked") {
    Installation inst;
    inst.edit_config("quarantine_after = 3", "quarantine_after = 0");
    inst.edit_config("skip_module_after = 3", "skip_module_after = 1000");
    ok(inst, {"cron", "tasks"});
    const Config c = Config::load(inst.config());
    CHECK(c.quarantine_after == 0);
    CHECK(c.skip_module_after == 1000);
    inst.edit_config("skip_module_after = 1000", "skip_module_after = -1");
    const RunResult bad = inst.run({"cron", "tasks"});
    CHECK(bad.exit_code == 2);
    CHECK(contains(bad.err, "modules.skip_module_after must be an integer from 0 (never) to 1000"));
}

TEST_CASE("a cron run killed inside a module call is closed as killed by the next run, never while it still runs") {
    Installation inst;
    seed_queued(inst, 1);
    ok(inst, {"product", "set", "Voice", "--setting", "delay_ms=60000"});  // the retry sleeps inside the module
    const pid_t pid = inst.start({"cron"});
    // Wait until the run is inside the module-queue task's call.
    bool inside = false;
    for (int i = 0; i < 400 && !inside; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        inside = inst.sql("SELECT count(*) FROM cron_task_runs WHERE task = 'module-queue' AND finished_at IS NULL") == "1";
    }
    REQUIRE(inside);

    // A second run finds the lock held: it changes nothing, and leaves the live run's row alone.
    const RunResult second = inst.run({"cron"});
    CHECK(second.exit_code == 75);
    CHECK(inst.sql("SELECT status FROM cron_runs ORDER BY id") == "running");

    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE(WIFSIGNALED(status));
    CHECK(inst.sql("SELECT status FROM cron_runs ORDER BY id") == "running");  // what a killed host leaves

    ok(inst, {"product", "set", "Voice", "--setting", "delay_ms=0"});
    const json next = run_json(inst, {"cron"});
    CHECK(next["status"] == "ok");
    CHECK(next["killed_runs"] == json::array({"cron run 1 was killed in task module-queue; closed as killed"}));
    CHECK(service_status(inst, 1) == "Active");  // the next run did what the killed one could not

    const json history = run_json(inst, {"cron", "history"});
    REQUIRE(history.size() == 2);
    CHECK(history[1]["status"] == "killed");
    CHECK(history[1]["finished_at"] == "-");
    const std::string summary = history[1]["summary"];
    CHECK(contains(summary, "killed in task module-queue; found still running by cron run 2 at "));
    CHECK(contains(summary, "; finished before: "));
    CHECK(contains(summary, "autosuspend: 0 done"));
    CHECK(history[0]["status"] == "ok");
    // Closed once: the run after that has nothing to close.
    CHECK(run_json(inst, {"cron"})["killed_runs"].empty());
    CHECK(inst.run({"verify"}).exit_code == 0);
}
