// The cron runner through the CLI: schedules in the business time zone, the run lock, dry
// runs that change nothing, forced tasks, and the run history.
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>

using namespace provisio::test;
using nlohmann::json;

namespace {

json cron(const Installation &inst, const std::string &now, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--json", "--now", now, "cron"};
    args.insert(args.end(), extra.begin(), extra.end());
    const RunResult r = inst.run(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out);
}

json task(const json &report, const std::string &name) {
    for (const auto &t : report["tasks"])
        if (t["task"] == name) return t;
    return json();
}

void configure(const Installation &inst, const std::string &from, const std::string &to) { inst.edit_config(from, to); }

struct Seeded {
    Installation inst;
    Seeded() {
        inst.install_module("hello");
        ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
        ok(inst, {"product", "add", "--name", "A", "--module", "hello", "--price", "30"});
        ok(inst, {"service", "add", "--client", "1", "--product", "A", "--next-due", "2026-03-10"});
        ok(inst, {"service", "create", "1"});
    }
};

}  // namespace

TEST_CASE("daily tasks run once per business day, after the configured hour, in the business time zone") {
    Seeded s;
    configure(s.inst, "timezone = \"UTC\"", "timezone = \"America/Toronto\"");
    configure(s.inst, "daily_hour = 0", "daily_hour = 9");
    // 12:30 UTC on 3 March is 07:30 in Toronto: too early for daily tasks.
    json r = cron(s.inst, "2026-03-03T12:30:00Z");
    CHECK(task(r, "invoices")["ran"] == false);
    CHECK(task(r, "invoices")["skipped"] == "daily tasks run after 9:00 America/Toronto");
    CHECK(task(r, "module-queue")["ran"] == true);
    // 14:05 UTC is 09:05 in Toronto: the day's run.
    r = cron(s.inst, "2026-03-03T14:05:00Z");
    CHECK(task(r, "invoices")["ran"] == true);
    CHECK(task(r, "invoices")["done"] == 1);
    r = cron(s.inst, "2026-03-03T20:00:00Z");
    CHECK(task(r, "invoices")["skipped"] == "already ran today (2026-03-03)");
    // 03:00 UTC on 4 March is still 3 March in Toronto.
    r = cron(s.inst, "2026-03-04T03:00:00Z");
    CHECK(task(r, "invoices")["ran"] == false);
    r = cron(s.inst, "2026-03-04T14:00:00Z");
    CHECK(task(r, "invoices")["ran"] == true);
    CHECK(task(r, "invoices")["done"] == 0);  // already invoiced: nothing twice
    const json history = json::parse(s.inst.run({"--json", "cron", "history"}).out);
    CHECK(history.size() == 5);
    CHECK(history[0]["status"] == "ok");
}

TEST_CASE("a dry run reports what would happen and changes nothing") {
    Seeded s;
    const std::string before = s.inst.dump();
    const json r = cron(s.inst, "2026-03-05T12:00:00Z", {"--dry-run"});
    CHECK(r["dry_run"] == true);
    CHECK(task(r, "invoices")["done"] == 1);
    CHECK(s.inst.dump() == before);
    const RunResult text = s.inst.run({"--now", "2026-03-05T12:00:00Z", "cron", "--dry-run"});
    CHECK(text.out.find("invoice #1 created") != std::string::npos);
}

TEST_CASE("--task forces one task whatever its schedule; an unknown one is refused") {
    Seeded s;
    cron(s.inst, "2026-03-05T12:00:00Z");
    json r = cron(s.inst, "2026-03-05T13:00:00Z", {"--task", "invoices"});
    REQUIRE(r["tasks"].size() == 1);
    CHECK(r["tasks"][0]["ran"] == true);
    const RunResult bad = s.inst.run({"cron", "--task", "invoicez"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("'invoicez' is not a task (tasks: cancellations, autobill, low-balance, invoices, ") != std::string::npos);
}

TEST_CASE("a second run while one holds the lock exits at once with its own status") {
    Seeded s;
    const std::string lock = (s.inst.dir() / "provisio.db.cron.lock").string();
    const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT, 0600);
    REQUIRE(fd >= 0);
    REQUIRE(::flock(fd, LOCK_EX | LOCK_NB) == 0);
    const std::string holder = "pid 4242 since 2026-03-05T12:00:00Z\n";
    REQUIRE(::pwrite(fd, holder.data(), holder.size(), 0) == static_cast<ssize_t>(holder.size()));
    const std::string before = s.inst.dump();
    const RunResult r = s.inst.run({"cron"});
    CHECK(r.exit_code == 75);
    CHECK(r.err == "provisio: another cron run is in progress (pid 4242 since 2026-03-05T12:00:00Z); this one did nothing\n");
    CHECK(s.inst.dump() == before);
    ::close(fd);
    CHECK(s.inst.run({"cron"}).exit_code == 0);
}

TEST_CASE("overdue automation: suspend after N days, unsuspend when paid, terminate after M days") {
    Seeded s;
    configure(s.inst, "suspend_days = 0", "suspend_days = 3");
    configure(s.inst, "terminate_days = 0", "terminate_days = 10");
    auto status = [&](const char *id) {
        return json::parse(s.inst.run({"--json", "service", "show", id}).out)["status"].get<std::string>();
    };
    cron(s.inst, "2026-03-05T12:00:00Z");  // invoice #1, due 2026-03-10
    cron(s.inst, "2026-03-12T12:00:00Z");
    CHECK(status("1") == "Active");
    json r = cron(s.inst, "2026-03-13T12:00:00Z");
    CHECK(task(r, "overdue")["lines"][0] == "service 1 suspended (unpaid since 2026-03-10)");
    const json shown = json::parse(s.inst.run({"--json", "service", "show", "1"}).out);
    CHECK(shown["status"] == "Suspended");
    CHECK(shown["suspend_reason"] == "Overdue on Payment");

    // Paying releases it at once.
    const RunResult paid = s.inst.run({"--now", "2026-03-14T09:00:00Z", "invoice", "pay", "1", "--method", "bank"});
    CHECK(paid.exit_code == 0);
    CHECK(paid.out.find("service 1 unsuspended (paid up)") != std::string::npos);
    CHECK(status("1") == "Active");

    // An operator's own suspension (with a reason) is never lifted by automation.
    ok(s.inst, {"service", "suspend", "1", "--reason", "Abuse report"});
    cron(s.inst, "2026-03-15T12:00:00Z");
    CHECK(status("1") == "Suspended");
    ok(s.inst, {"service", "unsuspend", "1"});

    // Override: no auto-suspension until 2026-04-20.
    ok(s.inst, {"service", "set", "1", "--autosuspend-override", "2026-04-20"});
    cron(s.inst, "2026-04-14T12:00:00Z");  // invoice for 04-10 is 4 days overdue
    CHECK(status("1") == "Active");
    cron(s.inst, "2026-04-19T12:00:00Z");
    CHECK(status("1") == "Active");
    r = cron(s.inst, "2026-04-20T12:00:00Z");  // termination day (10 days), and the override ends
    CHECK(status("1") == "Terminated");
    CHECK(task(r, "overdue")["lines"][0] == "service 1 terminated (unpaid since 2026-04-10)");
}

TEST_CASE("'never' turns auto-suspension off for a service") {
    Seeded s;
    configure(s.inst, "suspend_days = 0", "suspend_days = 1");
    ok(s.inst, {"service", "set", "1", "--autosuspend-override", "never"});
    cron(s.inst, "2026-03-05T12:00:00Z");
    cron(s.inst, "2026-04-30T12:00:00Z");
    CHECK(json::parse(s.inst.run({"--json", "service", "show", "1"}).out)["status"] == "Active");
}

TEST_CASE("late fees once per invoice and overdue notices at thresholds, except for flagged clients") {
    Seeded s;
    configure(s.inst, "late_fee = \"\"", "late_fee = \"10%\"");
    configure(s.inst, "late_fee_days = 0", "late_fee_days = 2");
    configure(s.inst, "overdue_notice_days = []", "overdue_notice_days = [1, 5]");
    // A second client, flagged: no fees, no notices.
    ok(s.inst, {"client", "add", "--first-name", "Flag", "--email", "flag@example.org", "--no-late-fees", "yes",
                "--no-overdue-emails", "yes"});
    ok(s.inst, {"service", "add", "--client", "2", "--product", "A", "--next-due", "2026-03-10"});
    ok(s.inst, {"service", "create", "2"});
    cron(s.inst, "2026-03-05T12:00:00Z");  // invoices #1 (client 1) and #2 (client 2), due 03-10

    json r = cron(s.inst, "2026-03-11T12:00:00Z");
    CHECK(task(r, "overdue-notices")["lines"] == json::array({"overdue notice (day 1) for invoice #1 queued"}));
    CHECK(task(r, "late-fees")["done"] == 0);
    r = cron(s.inst, "2026-03-12T12:00:00Z");
    CHECK(task(r, "late-fees")["lines"] == json::array({"late fee 3.00 added to invoice #1"}));
    CHECK(task(r, "overdue-notices")["done"] == 0);
    r = cron(s.inst, "2026-03-12T12:00:00Z", {"--task", "late-fees"});  // forced again: still once
    CHECK(task(r, "late-fees")["done"] == 0);
    r = cron(s.inst, "2026-03-15T12:00:00Z");
    CHECK(task(r, "overdue-notices")["lines"] == json::array({"overdue notice (day 5) for invoice #1 queued"}));

    const json inv = json::parse(s.inst.run({"--json", "invoice", "show", "1"}).out);
    CHECK(inv["subtotal"] == "33.00");
    CHECK(inv["lines"].back()["description"] == "Late fee (10%)");
    CHECK(json::parse(s.inst.run({"--json", "invoice", "show", "2"}).out)["subtotal"] == "30.00");
    const json box = json::parse(s.inst.run({"--json", "mail", "outbox", "--all"}).out);
    int notices_to_flagged = 0, notices = 0;
    for (const auto &m : box) {
        if (m["template"] != "Overdue Notice") continue;
        ++notices;
        if (m["to"] == "flag@example.org") ++notices_to_flagged;
    }
    CHECK(notices == 2);
    CHECK(notices_to_flagged == 0);
    ok(s.inst, {"verify"});
}

TEST_CASE("cancellation requests: immediate on the next run, end-of-period on the next due date") {
    Seeded s;
    ok(s.inst, {"service", "add", "--client", "1", "--product", "A", "--next-due", "2026-03-20"});
    ok(s.inst, {"service", "create", "2"});
    cron(s.inst, "2026-03-05T12:00:00Z");  // invoice #1: service 1, due 03-10
    auto status = [&](const char *id) {
        return json::parse(s.inst.run({"--json", "service", "show", id}).out)["status"].get<std::string>();
    };
    // Immediate: applied by the next run, with the unpaid invoice cancelled.
    ok(s.inst, {"service", "cancel-request", "1", "--when", "immediate", "--reason", "Moving provider"});
    CHECK(s.inst.run({"service", "cancel-request", "1", "--when", "immediate"}).exit_code == 5);
    json r = cron(s.inst, "2026-03-06T12:00:00Z");
    CHECK(status("1") == "Cancelled");
    CHECK(json::parse(s.inst.run({"--json", "invoice", "show", "1"}).out)["status"] == "Cancelled");
    CHECK(task(r, "cancellations")["done"] == 1);

    // End of period: nothing until the next due date, and no renewal invoice meanwhile.
    ok(s.inst, {"service", "cancel-request", "2", "--when", "end-of-period"});
    cron(s.inst, "2026-03-15T12:00:00Z");  // 5 days before 03-20: would normally invoice
    CHECK(status("2") == "Active");
    CHECK(json::parse(s.inst.run({"--json", "invoice", "list", "--client", "1"}).out).size() == 1);
    cron(s.inst, "2026-03-20T12:00:00Z");
    CHECK(status("2") == "Cancelled");
    CHECK(s.inst.run({"service", "cancel-withdraw", "2"}).exit_code == 3);
    CHECK(s.inst.run({"service", "cancel-request", "2", "--when", "later"}).exit_code != 0);
}

TEST_CASE("queued calls that keep failing make the run's status 'errors' and its exit 1; --quiet and the summary line") {
    Installation inst;
    inst.install_module("scripted");
    ok(inst, {"client", "add", "--first-name", "Grace", "--email", "grace@example.org"});
    ok(inst, {"server", "add", "--name", "pbx1", "--module", "scripted", "--hostname", "pbx1.example"});
    ok(inst, {"product", "add", "--name", "Voice", "--module", "scripted", "--price", "20", "--setting", "outcome=retryable",
              "--setting", "region=eu"});
    ok(inst, {"service", "add", "--client", "1", "--product", "Voice", "--domain", "tenant.example"});
    REQUIRE(inst.run({"service", "create", "1"}).exit_code == 6);  // queued

    // Every run in which the retry fails again is an error run, however many attempts it has had.
    for (int attempt = 2; attempt <= 3; ++attempt) {
        const RunResult r = inst.run({"--now", "2026-03-03T12:0" + std::to_string(attempt) + ":00Z", "cron"});
        INFO(r.out << r.err);
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.out, Catch::Contains("queue item 1: create of service 1 still failing after " + std::to_string(attempt) +
                                          " attempt(s), kept for the next run: PBX busy, try later"));
        const std::string last_line = r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1);
        CHECK_THAT(last_line, Catch::StartsWith("cron run " + std::to_string(attempt - 1) + ": errors — ") &&
                                  Catch::Contains(", 1 error(s) (module-queue: 1)"));
    }
    json history = json::parse(inst.run({"--json", "cron", "history"}).out);
    REQUIRE(history.size() == 2);
    CHECK(history[0]["status"] == "errors");
    CHECK(history[1]["status"] == "errors");
    const json report = json::parse(inst.run({"--json", "--now", "2026-03-03T12:04:00Z", "cron", "--task", "module-queue"}).out);
    CHECK(report["status"] == "errors");
    CHECK_THAT(report["summary"].get<std::string>(), Catch::StartsWith("cron run 3: errors"));

    // --quiet: a run that does something prints it (and only it) with the summary...
    ok(inst, {"product", "set", "Voice", "--setting", "outcome=ok"});
    RunResult quiet = inst.run({"--now", "2026-03-03T12:05:00Z", "cron", "--quiet", "--verbose"});
    INFO(quiet.out << quiet.err);
    CHECK(quiet.exit_code == 0);
    CHECK_THAT(quiet.out, Catch::Contains("module-queue     1 done"));
    CHECK_THAT(quiet.out, Catch::Contains("queue item 1: create of service 1 ok"));  // --verbose: what it did
    CHECK_THAT(quiet.out, !Catch::Contains("autosuspend"));
    const std::string summary = quiet.out.substr(quiet.out.rfind('\n', quiet.out.size() - 2) + 1);
    CHECK_THAT(summary, Catch::StartsWith("cron run 4: ok — ") && Catch::EndsWith(" task(s) ran, 1 done, 0 error(s)\n"));
    // ...and one with nothing to do prints nothing at all; without --quiet it still ends with
    // its summary line.
    quiet = inst.run({"--now", "2026-03-03T12:10:00Z", "cron", "--quiet"});
    CHECK(quiet.exit_code == 0);
    CHECK(quiet.out.empty());
    const RunResult loud = inst.run({"--now", "2026-03-03T12:15:00Z", "cron"});
    CHECK_THAT(loud.out, Catch::EndsWith(", 0 done, 0 error(s)\n"));
    CHECK_THAT(loud.out, Catch::Contains("cron run 6: ok — "));
    history = json::parse(inst.run({"--json", "cron", "history", "--limit", "1"}).out);
    CHECK(history[0]["status"] == "ok");
}
