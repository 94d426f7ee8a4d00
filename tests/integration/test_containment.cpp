// Modules run contained: every module is loaded and called in runner processes, so one that
// crashes, exits, hangs, forks, leaks or lies — at load or in a call — costs that load or that
// call, says what happened, and nothing else. Each hostile fixture (tests/modules/hostile.c) is
// driven through the CLI on a real installation.
#include "modulehost/host_services.hpp"
#include "modulehost/module_host.hpp"
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

using namespace provisio;
using namespace provisio::test;
using nlohmann::json;

namespace {

// An installation whose modules answer within 2 s and load within 2 s.
struct Contained {
    Installation inst;
    Contained() {
        inst.edit_config("call_timeout = 60", "call_timeout = 2");
        inst.edit_config("load_timeout = 10", "load_timeout = 2");
    }
    // A product on `module` and two services: "poison" (the one the module misbehaves on) and "fine".
    void services_on(const std::string &module) {
        inst.install_module(module);
        ok(inst, {"product", "add", "--name", "P", "--module", module, "--price", "5"});
        ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
        ok(inst, {"service", "add", "--client", "1", "--product", "P", "--username", "poison"});
        ok(inst, {"service", "add", "--client", "1", "--product", "P", "--username", "fine"});
        ok(inst, {"service", "create", "1"});
        ok(inst, {"service", "create", "2"});
    }
    std::string status(int id) { return json::parse(inst.run({"--json", "service", "show", std::to_string(id)}).out)["status"]; }
};

// Processes whose command line mentions `text` (the runners of a module file, and what they forked).
int processes_mentioning(const std::string &text) {
    // "[h]ostile…" matches "hostile…" but not the shell's own command line, which holds the brackets.
    const std::string pattern = "[" + text.substr(0, 1) + "]" + text.substr(1);
    return std::stoi(run_program("/bin/sh", {"-c", "pgrep -f -c -- '" + pattern + "' || true"}).out);
}

}  // namespace

TEST_CASE("a module that crashes, exits or hangs while loading is refused with what it did; the others load") {
    Contained c;
    for (const char *m : {"good_c", "hostile_exit_ctor", "hostile_crash_ctor", "hostile_exit_init", "hostile_hang_init", "hostile_garbage_name",
                          "hostile_entry_function"})
        c.inst.install_module(m);
    const auto started = std::chrono::steady_clock::now();
    const RunResult r = c.inst.run({"--json", "module", "list"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(15));
    std::map<std::string, std::string> reason;
    std::vector<std::string> loaded;
    for (const auto &m : json::parse(r.out)) {
        if (m["status"] == "loaded") loaded.push_back(m["name"]);
        else reason[std::filesystem::path(m["file"].get<std::string>()).filename().string()] = m["reason"];
    }
    CHECK(loaded == std::vector<std::string>{"good_c"});
    CHECK_THAT(reason["hostile_exit_ctor.so"], Catch::Contains("exited with status 0 while loading it"));
    CHECK_THAT(reason["hostile_crash_ctor.so"], Catch::Contains("killed by signal SIGSEGV"));
    CHECK_THAT(reason["hostile_exit_init.so"], Catch::Contains("exited with status 0 while loading it"));
    CHECK_THAT(reason["hostile_hang_init.so"], Catch::Contains("did not finish loading within 2 s"));
    CHECK_THAT(reason["hostile_garbage_name.so"], Catch::Contains("killed by signal SIGSEGV"));
    CHECK(reason["hostile_entry_function.so"] ==
          "entry point 'provisio_module_entry' is exported as a function; export a pointer with PROVISIO_MODULE_ENTRY");
    CHECK(processes_mentioning("hostile_hang_init.so") == 0);  // the hung runner was stopped
    // The table says the same, and a command that needs no module is not held up by them.
    CHECK_THAT(c.inst.run({"module", "list"}).out, Catch::Contains("refused hostile_crash_ctor.so: its runner killed by signal SIGSEGV"));
}

TEST_CASE("a call that hangs, crashes, aborts or exits fails that call only, saying what happened") {
    struct Case {
        const char *module;
        std::string says;
    };
    for (const Case &k : {Case{"hostile_hang_call", "module hostile_hang_call did not answer within 2 s (suspend, service 1)"},
                          Case{"hostile_segv_call", "killed by signal SIGSEGV (Segmentation fault) during suspend, service 1"},
                          Case{"hostile_abort_call", "killed by signal SIGABRT (Aborted) during suspend, service 1"},
                          Case{"hostile_exit_call", "exited with status 0 during suspend, service 1"}}) {
        INFO(k.module);
        Contained c;
        c.services_on(k.module);
        const std::string before = c.inst.dump();
        const RunResult r = c.inst.run({"service", "suspend", "1"});
        INFO(r.out << r.err);
        CHECK(r.exit_code != 0);
        CHECK_THAT(r.err, Catch::Contains(k.says));
        CHECK(c.status(1) == "Active");
        const std::string log = c.inst.run({"module", "log", "--service", "1"}).out;
        CHECK_THAT(log, Catch::Contains(k.says));
        if (std::string(k.module) != "hostile_hang_call") CHECK_THAT(log, Catch::Contains("about to do something terrible"));
        ok(c.inst, {"service", "suspend", "2"});  // the next call gets a fresh runner
        CHECK(c.status(2) == "Suspended");
        CHECK(processes_mentioning(std::string(k.module) + ".so") == 0);
        ok(c.inst, {"verify"});
    }
}

// A runner serves several calls at once. When one of them kills it (or hangs past its deadline),
// the runner cannot say which did: each call it took down is made once more, alone, so the
// culprit is found and the others finish.
TEST_CASE("a call that kills a runner serving other calls costs only itself") {
    for (const std::string module : {"hostile_segv_call", "hostile_hang_call"}) {
        INFO(module);
        const bool hang = module == "hostile_hang_call";
        HostServices services{HostConfig{}};
        Containment contained;
        contained.runner.program = std::filesystem::path(provisio_binary()).parent_path() / "provisio-module-runner";
        contained.runner.call_timeout = std::chrono::milliseconds(1500);
        contained.runners_per_module = 8;
        contained.calls_per_runner = 8;
        ModuleHost host(services, contained);
        host.load_file(fixture_module(module), false);
        const LoadedModule *m = host.find(module);
        REQUIRE(m);
        auto suspend = [&](uint64_t id, const char *username) {
            CallInput in;
            in.service_id = id;
            in.service = {{"username", username}};
            return host.invoke(*m, Action::suspend, in);
        };
        // segv: five slow calls are in flight when the poisoned one kills their runner. hang: the
        // poisoned call comes first and is still hanging at its deadline, when five slow ones are in flight.
        std::vector<CallOutcome> outcomes(6);
        std::vector<std::thread> calls;
        calls.emplace_back([&] {
            if (!hang) std::this_thread::sleep_for(std::chrono::milliseconds(100));
            outcomes[0] = suspend(1, "poison");
        });
        for (size_t i = 1; i < outcomes.size(); ++i)
            calls.emplace_back([&, i] {
                if (hang) std::this_thread::sleep_for(std::chrono::milliseconds(1300));
                outcomes[i] = suspend(i + 1, "slow");
            });
        for (auto &t : calls) t.join();
        CHECK(outcomes[0].status == PROVISIO_RETRYABLE);
        CHECK(outcomes[0].aborted == (hang ? CallOutcome::Abort::timeout : CallOutcome::Abort::crash));
        CHECK_THAT(outcomes[0].message, Catch::Contains(hang ? "did not answer within 1500 ms (suspend, service 1)"
                                                             : "killed by signal SIGSEGV (Segmentation fault) during suspend, service 1"));
        for (size_t i = 1; i < outcomes.size(); ++i) {
            INFO("service " << i + 1 << ": " << outcomes[i].message);
            CHECK(outcomes[i].status == PROVISIO_OK);
            CHECK(outcomes[i].aborted == CallOutcome::Abort::none);
        }
    }
    CHECK(processes_mentioning("hostile_segv_call.so") == 0);
    CHECK(processes_mentioning("hostile_hang_call.so") == 0);
}

// A credit run sends a batch of services' cycles to the runner in one request. A module that
// crashes on one service takes the batch down: its cycles are then asked one at a time, so the
// poisoned service fails alone and every other service is credited.
TEST_CASE("a credit cycle that crashes its runner costs only its own service") {
    Contained c;
    c.inst.install_module("hostile_segv_generate");
    ok(c.inst, {"product", "add", "--name", "Hours", "--module", "hostile_segv_generate", "--price", "5"});
    ok(c.inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    for (const char *user : {"u1", "u2", "poison", "u4", "u5"}) {
        ok(c.inst, {"service", "add", "--client", "1", "--product", "Hours", "--username", user});
        ok(c.inst, {"--now", "2026-03-15T12:00:00Z", "service", "create", c.inst.sql("SELECT max(id) FROM services")});
    }
    for (int run = 0; run < 2; ++run) {  // the second run posts nothing twice and fails the same way
        const RunResult r = c.inst.run({"--now", "2026-04-02T12:00:00Z", "timelog", "generate"});
        INFO(r.out << r.err);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains("service 3 period 2026-04-01: module hostile_segv_generate's runner killed by signal SIGSEGV"));
        CHECK_THAT(r.out, Catch::Contains(run == 0 ? "4 cycle(s), 4 entries posted" : "0 cycle(s), 0 entries posted"));
        CHECK(c.inst.sql("SELECT group_concat(service_id) FROM (SELECT service_id FROM time_ledger ORDER BY service_id)") == "1,2,4,5");
    }
    ok(c.inst, {"verify"});
}

TEST_CASE("a runner holds only its socket and standard streams, lives within its limits, and leaves nothing behind") {
    SECTION("descriptors: none of the host's") {
        Contained c;
        c.inst.install_module("hostile_fds_call");
        ok(c.inst, {"server", "add", "--name", "h", "--module", "hostile_fds_call", "--hostname", "127.0.0.1"});
        const RunResult r = c.inst.run({"server", "test", "h"});
        CHECK_THAT(r.out, Catch::Contains("open descriptors: 0 1 2 3") && !Catch::Contains("open descriptors: 0 1 2 3 "));
        // Listed as inline, the same module runs in provisio's own process and sees its files.
        c.inst.edit_config("inline = []", "inline = [\"hostile_fds_call\"]");
        CHECK_THAT(c.inst.run({"server", "test", "h"}).out, Catch::Contains("open descriptors: 0 1 2 3 "));
    }
    SECTION("run_as: the runner becomes that user before any of the module runs") {
        if (::geteuid() != 0) {
            WARN("not running as root: [modules] run_as cannot be tried");
            return;
        }
        Contained c;
        c.inst.install_module("hostile_fds_call");
        ok(c.inst, {"server", "add", "--name", "h", "--module", "hostile_fds_call", "--hostname", "127.0.0.1"});
        c.inst.edit_config("run_as = \"\"", "run_as = \"nobody\"");
        // nobody must reach the module file: the installation traversable, its modules readable.
        namespace fs = std::filesystem;
        fs::permissions(c.inst.modules().parent_path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
        fs::permissions(c.inst.modules(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                              fs::perms::others_read | fs::perms::others_exec);
        const std::string nobody = run_program("/usr/bin/id", {"-u", "nobody"}).out;
        const RunResult r = c.inst.run({"server", "test", "h"});
        CHECK_THAT(r.out, Catch::Contains("uid " + nobody.substr(0, nobody.find('\n')) + ";"));
        c.inst.edit_config("run_as = \"nobody\"", "run_as = \"no-such-user\"");
        const RunResult bad = c.inst.run({"module", "list"});
        CHECK(bad.exit_code != 0);
        CHECK_THAT(bad.err, Catch::Contains("[modules] run_as: there is no user 'no-such-user' on this system"));
    }
    SECTION("a module that opens files until it cannot stops at the runner's limit") {
        Contained c;
        c.services_on("hostile_fds_call");
        ok(c.inst, {"service", "suspend", "1"});
        ok(c.inst, {"service", "suspend", "2"});
    }
    SECTION("memory: past the runner's limit an allocation fails in the module, not in provisio") {
#if defined(__SANITIZE_ADDRESS__)
        WARN("AddressSanitizer build: runners have no address-space limit (its shadow memory needs terabytes)");
        return;
#endif
        Contained c;
        c.services_on("hostile_alloc_call");
        const RunResult r = c.inst.run({"service", "suspend", "1"});
        CHECK(r.exit_code != 0);
        CHECK_THAT(r.err, Catch::Contains("out of memory"));
        ok(c.inst, {"service", "suspend", "2"});
    }
    SECTION("what a module forks is stopped with its runner") {
        Contained c;
        c.services_on("hostile_fork_call");
        ok(c.inst, {"service", "suspend", "1"});
        CHECK(processes_mentioning("hostile_fork_call.so") == 0);
    }
}

TEST_CASE("runners die with a host killed by SIGKILL") {
    Contained c;
    c.inst.edit_config("call_timeout = 2", "call_timeout = 60");
    c.services_on("hostile_hang_call");
    const pid_t host = c.inst.start({"service", "suspend", "1"});
    bool hanging = false;
    for (int i = 0; i < 100 && !hanging; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        hanging = processes_mentioning("hostile_hang_call.so") > 0;
    }
    REQUIRE(hanging);  // the runner is in the call
    ::kill(host, SIGKILL);
    ::waitpid(host, nullptr, 0);
    int left = 1;
    for (int i = 0; i < 40 && left > 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        left = processes_mentioning("hostile_hang_call.so");
    }
    CHECK(left == 0);
    CHECK(c.status(1) == "Active");
}

TEST_CASE("what runners found is cached by file identity: a hung module costs its load timeout once, a replaced file is loaded afresh") {
    Contained c;
    c.inst.install_module("good_c");
    c.inst.install_module("hostile_hang_init");
    auto timed_list = [&] {
        const auto started = std::chrono::steady_clock::now();
        const RunResult r = c.inst.run({"module", "list"});
        return std::make_pair(r, std::chrono::steady_clock::now() - started);
    };
    auto [first, first_took] = timed_list();
    CHECK_THAT(first.out, Catch::Contains("did not finish loading within 2 s"));
    CHECK(first_took >= std::chrono::seconds(2));
    auto [second, second_took] = timed_list();
    CHECK(second.out == first.out);
    CHECK(second_took < std::chrono::seconds(2));
    const auto cache = c.inst.database().string() + ".modules";
    REQUIRE(std::filesystem::exists(cache));
    const auto private_file = std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
    CHECK((std::filesystem::status(cache).permissions() & std::filesystem::perms::all) == private_file);

    // The operator replaces the hung module with a good one under the same name (write, then rename).
    const auto target = c.inst.modules() / "hostile_hang_init.so";
    std::filesystem::copy_file(fixture_module("hostile_fds_call"), c.inst.modules() / ".incoming.so");
    std::filesystem::permissions(c.inst.modules() / ".incoming.so", std::filesystem::perms::owner_all);
    std::filesystem::rename(c.inst.modules() / ".incoming.so", target);
    const RunResult after = c.inst.run({"module", "list"});
    CHECK_THAT(after.out, Catch::Contains("hostile_fds_call"));
    CHECK_THAT(after.out, !Catch::Contains("did not finish loading"));
    // A cached module's runner starts when it is called.
    ok(c.inst, {"server", "add", "--name", "h", "--module", "hostile_fds_call", "--hostname", "127.0.0.1"});
    CHECK_THAT(c.inst.run({"server", "test", "h"}).out, Catch::Contains("open descriptors: 0 1 2 3"));
}

// The probe that started this: a cron run over 200 services whose module segfaults (or hangs) on
// one of them. Every other service is suspended, every later task runs, the run ends 'errors'
// with exit 1, nothing is half-done; the poisoned call is parked after three aborted attempts and
// released by the operator; verify passes throughout.
TEST_CASE("cron over 200 services with one poisoned: everything else is done, the poisoned call is parked after 3 tries") {
    for (const std::string module : {"hostile_segv_call", "hostile_hang_call"}) {
        INFO(module);
        Contained c;
        c.inst.edit_config("suspend_days = 0", "suspend_days = 3");
        c.inst.install_module(module);
        ok(c.inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
        ok(c.inst, {"product", "add", "--name", "P", "--module", module, "--price", "5"});
        ok(c.inst, {"service", "add", "--client", "1", "--product", "P", "--username", "u1", "--next-due", "2026-03-10"});
        ok(c.inst, {"service", "create", "1"});
        // 199 more like it; the 50th is the one the module misbehaves on.
        const std::string columns = c.inst.sql("SELECT group_concat(name, ', ') FROM pragma_table_info('services') WHERE name NOT IN ('id', 'username')");
        c.inst.sql("WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 200) INSERT INTO services (" + columns +
                   ", username) SELECT " + columns + ", CASE WHEN n.i = 50 THEN 'poison' ELSE 'u' || n.i END FROM services, n WHERE services.id = 1");
        REQUIRE(c.inst.sql("SELECT count(*) FROM services WHERE status = 'Active'") == "200");
        ok(c.inst, {"--now", "2026-03-05T12:00:00Z", "cron"});  // the invoices, due 2026-03-10

        const auto started = std::chrono::steady_clock::now();
        RunResult r = c.inst.run({"--json", "--now", "2026-03-13T12:00:00Z", "cron"});
        INFO(r.err);
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(60));
        CHECK(r.exit_code == 1);
        const json run = json::parse(r.out);
        CHECK(run["status"] == "errors");
        std::vector<std::string> ran;
        for (const auto &t : run["tasks"]) ran.push_back(t["task"]);
        for (const char *later : {"overdue-notices", "module-events", "mail", "module-queue"})
            CHECK(std::find(ran.begin(), ran.end(), later) != ran.end());
        CHECK(c.inst.sql("SELECT count(*) FROM services WHERE status = 'Suspended'") == "199");
        CHECK(c.status(50) == "Active");
        ok(c.inst, {"verify"});

        // The retries: module-queue retries the call each run; the third aborted attempt parks it.
        for (const char *at : {"2026-03-13T12:05:00Z", "2026-03-13T12:10:00Z"}) c.inst.run({"--now", at, "cron"});
        const json queue = json::parse(c.inst.run({"--json", "queue", "list"}).out);
        REQUIRE(queue.size() == 1);
        CHECK(queue[0]["state"] == "parked");
        CHECK(queue[0]["service_id"] == 50);
        r = c.inst.run({"--now", "2026-03-13T12:15:00Z", "cron"});
        CHECK(r.exit_code == 1);  // still reported, no longer tried
        CHECK(json::parse(c.inst.run({"--json", "queue", "list"}).out)[0]["aborts"] == 3);
        ok(c.inst, {"queue", "release", queue[0]["id"].dump()});
        CHECK(json::parse(c.inst.run({"--json", "queue", "list"}).out)[0]["state"] != "parked");
        ok(c.inst, {"verify"});
        CHECK(processes_mentioning(module + ".so") == 0);
    }
}

TEST_CASE("custom actions (ABI 1.5) run contained: listed, called, logged, never queued; a crash or hang costs that call") {
    Contained c;
    c.services_on("hostile_custom");
    ok(c.inst, {"service", "set", "2", "--password", "Tattle-Me-0x5eed"});

    const json listed = run_json(c.inst, {"service", "actions", "2"});
    REQUIRE(listed.size() == 4);
    CHECK(listed[0] == json{{"name", "echo"}, {"label", "Echo"}, {"description", "Answers with the service's id"}, {"client_visible", true}});
    CHECK(listed[2]["name"] == "crash");
    CHECK(listed[2]["client_visible"] == false);
    const std::string shown = ok_output(c.inst, {"module", "show", "hostile_custom"}).out;
    CHECK_THAT(shown, Catch::Contains("Answers with the service's id"));
    CHECK_THAT(shown, Catch::Contains("operator, client"));

    RunResult r = ok_output(c.inst, {"service", "call", "2", "echo"});
    CHECK(r.out == "service 2 echo: ok — echo for service 2\n");
    CHECK(run_json(c.inst, {"service", "show", "2"})["module_state"]["echoed"] == "yes");

    // What a module says is scrubbed of the call's secrets, as for every other call.
    r = ok_output(c.inst, {"service", "call", "2", "tattle"});
    CHECK_THAT(r.out, !Catch::Contains("Tattle-Me-0x5eed"));
    CHECK_THAT(r.out, Catch::Contains("the password is "));

    for (const auto &[action, says] : {std::pair<std::string, std::string>{"crash", "killed by signal SIGSEGV (Segmentation fault) during crash, service 1"},
                                       {"hang", "module hostile_custom did not answer within 2 s (hang, service 1)"}}) {
        INFO(action);
        r = c.inst.run({"service", "call", "1", action});
        INFO(r.out << r.err);
        CHECK(r.exit_code == 1);  // not 6: nothing is queued
        CHECK_THAT(r.err, Catch::Contains(says));
        CHECK_THAT(r.err, Catch::Contains("custom actions are not queued"));
        CHECK(c.status(1) == "Active");
        CHECK_THAT(ok_output(c.inst, {"module", "log", "--service", "1"}).out, Catch::Contains(says));
        CHECK(ok_output(c.inst, {"service", "call", "1", "echo"}).out == "service 1 echo: ok — echo for service 1\n");  // a fresh runner
    }
    CHECK(run_json(c.inst, {"queue", "list"}).empty());
    CHECK(processes_mentioning("hostile_custom.so") == 0);

    r = c.inst.run({"service", "call", "2", "reboot"});
    CHECK(r.exit_code == 3);
    CHECK_THAT(r.err, Catch::Contains("service 2: module hostile_custom has no action 'reboot' (it has: echo, tattle, crash, hang)"));
    CHECK(c.inst.run({"service", "call", "2", "suspend"}).exit_code == 3);  // a lifecycle action is not a custom one

    ok(c.inst, {"service", "suspend", "2"});
    CHECK_THAT(ok_output(c.inst, {"service", "call", "2", "echo"}).out, Catch::Contains("echo: ok"));  // Suspended: still allowed
    ok(c.inst, {"service", "terminate", "2"});
    r = c.inst.run({"service", "call", "2", "echo"});
    CHECK(r.exit_code == 4);
    CHECK_THAT(r.err, Catch::Contains("service 2: echo needs a service that is Active or Suspended, and this one is Terminated"));
    ok(c.inst, {"verify"});
}

TEST_CASE("a custom action named like a lifecycle action refuses the module") {
    Installation inst;
    inst.install_module("bad_action");
    const json list = run_json(inst, {"module", "list"});
    REQUIRE(list.size() == 1);
    CHECK(list[0]["status"] == "refused");
    CHECK(list[0]["reason"] == "custom action 'terminate' takes the name of a lifecycle action or hook");
    const RunResult check = inst.run({"module", "check", fixture_module("bad_action").string()});
    CHECK(check.exit_code == 1);
    CHECK_THAT(check.out, Catch::Contains("refused — custom action 'terminate' takes the name of a lifecycle action or hook"));
}
