// Time credits end to end: the timelog module loaded from the modules directory, cycles run
// by cron day by day through a leap year in America/Toronto, invoice triggers through real
// invoices, overrides that affect only later cycles, re-runs that post nothing, and bad input.
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>

using namespace provisio::test;
using nlohmann::json;

namespace {

void configure(const Installation &inst, const std::string &from, const std::string &to) { inst.edit_config(from, to); }

json entries(const Installation &inst, int service) {
    const RunResult r = inst.run({"--json", "timelog", "show", "--service", std::to_string(service)});
    REQUIRE(r.exit_code == 0);
    const json j = json::parse(r.out);
    return j["services"].empty() ? json::array() : j["services"][0]["entries"];
}

std::vector<std::string> dates_of(const json &list, const std::string &kind) {
    std::vector<std::string> out;
    for (const auto &e : list)
        if (e["kind"] == kind) out.push_back(e["date"]);
    return out;
}

std::string day(int y, unsigned m, unsigned d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    return buf;
}

struct TimeCredits {
    Installation inst;
    TimeCredits() {
        inst.install_module("timelog");
        configure(inst, "timezone = \"UTC\"", "timezone = \"America/Toronto\"");
        ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    }
    // A product and an Active service on it, provisioned at `created`.
    void service(const std::string &name, const std::vector<std::string> &settings, const std::string &created,
                 const std::string &price = "100", const std::string &next_due = "") {
        std::vector<std::string> product{"product", "add", "--name", name, "--module", "timelog", "--price", price};
        for (const auto &s : settings) product.insert(product.end(), {"--setting", s});
        ok(inst, product);
        std::vector<std::string> add{"--now", created, "service", "add", "--client", "1", "--product", name};
        if (!next_due.empty()) add.insert(add.end(), {"--next-due", next_due});
        ok(inst, add);
        const json list = json::parse(inst.run({"--json", "service", "list"}).out);
        ok(inst, {"--now", created, "service", "create", std::to_string(list.back()["id"].get<int>())});
    }
};

}  // namespace

TEST_CASE("a leap year day by day in America/Toronto: daily, weekly, monthly (clamped) and yearly cycles") {
    TimeCredits t;
    const std::string created = "2027-12-31T15:00:00Z";  // 10:00 on 31 December in Toronto
    t.service("Daily", {"cycle=daily", "credits=1"}, created);
    t.service("Weekly", {"cycle=weekly", "offset=3", "credits=2"}, created);                   // Wednesdays
    t.service("Monthly", {"cycle=monthly", "offset=30", "credits=5", "debits=50%"}, created);  // the month's last day
    t.service("Yearly", {"cycle=yearly", "offset=59", "credits=40"}, created);                 // 29 February in 2028

    const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (unsigned m = 1; m <= 12; ++m) {
        for (unsigned d = 1; d <= static_cast<unsigned>(month_days[m - 1]); ++d) {
            if (m == 7 && d == 1) ok(t.inst, {"service", "set", "1", "--setting", "credits=2"});  // mid-year override
            const std::string now = day(2028, m, d) + "T14:00:00Z";
            ok(t.inst, {"--now", now, "cron", "--task", "time-credits"});
            if (m == 3 && d == 12) ok(t.inst, {"--now", now, "cron", "--task", "time-credits"});  // a re-run: nothing new
        }
        if (m == 6) {
            // 03:30 UTC on 15 June is still 14 June in Toronto: no cycle of the 15th yet.
            ok(t.inst, {"--now", "2028-07-01T03:30:00Z", "cron", "--task", "time-credits"});
            CHECK(dates_of(entries(t.inst, 1), "credit").back() == "2028-06-30");
        }
    }

    const json daily = entries(t.inst, 1);
    const auto daily_dates = dates_of(daily, "credit");
    REQUIRE(daily_dates.size() == 366);
    CHECK(daily_dates.front() == "2028-01-01");  // nothing on the day it was provisioned
    CHECK(daily_dates.back() == "2028-12-31");
    CHECK(std::count(daily_dates.begin(), daily_dates.end(), "2028-03-12") == 1);  // the DST day and its re-run
    // The override applies from its day on; the first half stays as posted.
    CHECK(daily[181]["date"] == "2028-06-30");
    CHECK(daily[181]["hours"] == "1.00");
    CHECK(daily[182]["date"] == "2028-07-01");
    CHECK(daily[182]["hours"] == "2.00");

    const auto weekly = dates_of(entries(t.inst, 2), "credit");
    REQUIRE(weekly.size() == 52);
    CHECK(weekly.front() == "2028-01-05");
    CHECK(weekly.back() == "2028-12-27");

    const json monthly = entries(t.inst, 3);
    CHECK(dates_of(monthly, "credit") ==
          std::vector<std::string>{"2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30", "2028-05-31", "2028-06-30",
                                   "2028-07-31", "2028-08-31", "2028-09-30", "2028-10-31", "2028-11-30", "2028-12-31"});
    // 50% of the balance before each month's credit expires: 5, then 2.5 + 5, then 3.75 + 5, ...
    REQUIRE(monthly.size() == 23);
    CHECK(monthly[1]["kind"] == "expiry");
    CHECK(monthly[1]["hours"] == "-2.50");
    CHECK(monthly[3]["hours"] == "-3.75");
    CHECK(monthly.back()["balance"] == "9.997558");  // each expiry rounded half-up at the micro-hour

    CHECK(dates_of(entries(t.inst, 4), "credit") == std::vector<std::string>{"2028-02-29"});
}

TEST_CASE("catching up after cron was down: each period once, with its own date, up to the limit") {
    TimeCredits t;
    configure(t.inst, "max_catch_up = 62", "max_catch_up = 10");
    t.service("Daily", {"cycle=daily", "credits=1"}, "2028-01-01T15:00:00Z");
    const RunResult r = t.inst.run({"--json", "--now", "2028-01-31T15:00:00Z", "cron", "--task", "time-credits"});
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("the [timelog] max_catch_up limit") != std::string::npos);
    CHECK(dates_of(entries(t.inst, 1), "credit").size() == 10);
    ok(t.inst, {"--now", "2028-01-31T15:05:00Z", "cron", "--task", "time-credits"});
    ok(t.inst, {"--now", "2028-01-31T15:10:00Z", "cron", "--task", "time-credits"});
    const auto dates = dates_of(entries(t.inst, 1), "credit");
    REQUIRE(dates.size() == 30);
    CHECK(dates.front() == "2028-01-02");
    CHECK(dates.back() == "2028-01-31");
}

TEST_CASE("on create, on invoice created and on invoice paid, through real invoices; keyphrases") {
    TimeCredits t;
    t.service("Onboarding", {"cycle=create", "credits=5"}, "2028-03-01T15:00:00Z");
    CHECK(dates_of(entries(t.inst, 1), "credit") == std::vector<std::string>{"2028-03-01"});
    ok(t.inst, {"--now", "2028-03-02T15:00:00Z", "cron"});
    CHECK(entries(t.inst, 1).size() == 1);  // once

    t.service("Billed", {"cycle=invoice_created", "hourly_rate=20"}, "2028-03-01T15:00:00Z", "60", "2028-03-10");
    t.service("10 credit hours pack", {"cycle=invoice_paid", "credits=3", "keyphrase=%d credit hours"}, "2028-03-01T15:00:00Z",
              "80", "2028-03-10");
    // #1 is Onboarding's first month (a new service is due on its registration date); #2, made
    // now, is one invoice for both services, due 03-10.
    ok(t.inst, {"--now", "2028-03-05T15:00:00Z", "cron"});
    json billed = entries(t.inst, 2);
    REQUIRE(billed.size() == 1);
    CHECK(billed[0]["hours"] == "3.00");  // 60 / 20
    CHECK(entries(t.inst, 3).empty());    // not paid yet

    ok(t.inst, {"--now", "2028-03-06T15:00:00Z", "invoice", "pay", "2", "--method", "bank"});
    const json pack = entries(t.inst, 3);
    REQUIRE(pack.size() == 2);
    std::map<std::string, std::string> by_kind;
    for (const auto &e : pack) by_kind[e["kind"]] = e["hours"];
    CHECK(by_kind["credit"] == "3.00");
    CHECK(by_kind["keyphrase"] == "10.00");  // "10 credit hours pack", the service's own invoice line
    ok(t.inst, {"--now", "2028-03-06T15:05:00Z", "cron"});
    CHECK(entries(t.inst, 3).size() == 2);
    CHECK(entries(t.inst, 2).size() == 1);
}

TEST_CASE("time entries, the Service Credits view, and bad input refused with nothing posted") {
    TimeCredits t;
    t.service("Support", {"cycle=monthly", "credits=2"}, "2028-01-15T15:00:00Z");
    ok(t.inst, {"--now", "2028-02-02T15:00:00Z", "cron"});
    ok(t.inst, {"--now", "2028-02-03T15:00:00Z", "timelog", "add", "1", "--minutes", "90", "--note", "Printer"});
    ok(t.inst, {"timelog", "add", "1", "--minutes", "60", "--note", "Backup restore", "--at", "2028-02-04T10:00:00-05:00"});
    const json view = json::parse(t.inst.run({"--json", "timelog", "show", "--client", "1"}).out);
    CHECK(view["total"] == "-0.50");  // owed hours show negative
    const json list = view["services"][0]["entries"];
    CHECK(list[1]["minutes"] == 90);
    CHECK(list[2]["date"] == "2028-02-04");
    const RunResult text = t.inst.run({"timelog", "show", "--service", "1"});
    CHECK(text.out.find("balance: -0.50 h (owed)") != std::string::npos);

    const std::string before = t.inst.dump();
    auto refused = [&](std::vector<std::string> args, int code, const std::string &message) {
        const RunResult r = t.inst.run(args);
        CHECK(r.exit_code == code);
        CHECK(r.err.find(message) != std::string::npos);
    };
    refused({"timelog", "add", "1", "--minutes", "0", "--note", "x"}, 2, "--minutes must be more than zero");
    refused({"timelog", "add", "1", "--minutes", "-5", "--note", "x"}, 2, "--minutes must be more than zero");
    refused({"timelog", "add", "9", "--minutes", "5", "--note", "x"}, 3, "service 9 does not exist");
    refused({"product", "add", "--name", "R0", "--module", "timelog", "--setting", "hourly_rate=0"}, 2, "Hourly Rate must be more than zero");
    refused({"product", "add", "--name", "R1", "--module", "timelog", "--setting", "hourly_rate=-4"}, 2, "Hourly Rate must be more than zero");
    refused({"product", "add", "--name", "O1", "--module", "timelog", "--setting", "cycle=weekly", "--setting", "offset=9"}, 2,
            "out of range for a weekly cycle (0..6)");
    for (const char *debit : {"abc", "150%", "-3"})
        refused({"product", "add", "--name", "D", "--module", "timelog", "--setting", std::string("debits=") + debit}, 2,
                "Debits to Apply");
    refused({"product", "add", "--name", "F", "--module", "timelog", "--cycle", "free", "--setting", "cycle=invoice_paid"}, 2,
            "needs a product that invoices");
    refused({"service", "set", "1", "--setting", "offset=40"}, 2, "out of range for a monthly cycle");
    // A product that later becomes free cannot keep an invoice trigger.
    refused({"product", "set", "Support", "--setting", "cycle=invoice_created", "--cycle", "free"}, 2, "needs a product that invoices");
    CHECK(t.inst.dump() == before);

    ok(t.inst, {"service", "terminate", "1"});
    refused({"timelog", "add", "1", "--minutes", "5", "--note", "x"}, 4, "time is logged only on live services");
}
