// VoIP usage through the CLI: tariffs by version with column maps and line-numbered errors,
// packages, FusionPBX CDR imports with bad lines, duplicates, listing and explaining.
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"
#include "support/schema_rewind.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

using namespace provisio::test;
using nlohmann::json;

namespace {

const char *header =
    "xml_cdr_uuid,domain_name,direction,caller_id_number,caller_destination,destination_number,start_stamp,answer_stamp,end_stamp,"
    "duration,billsec,hangup_cause\n";

std::string call(const std::string &id, const std::string &number, int billsec, const std::string &start = "2026-03-10 09:00:00",
                 const std::string &direction = "outbound", const std::string &caller_destination = "") {
    const std::string answer = billsec > 0 ? start : "";
    return id + ",pbx.example.ca," + direction + ",2112," + caller_destination + "," + number + "," + start + "," + answer + "," +
           "2026-03-10 23:00:00,50000," + std::to_string(billsec) + ",NORMAL_CLEARING\n";
}

struct Voip {
    Installation inst;
    Voip() {
        inst.write_file("rates.csv",
              "Description,Prefix,RateValue,Increment,ConnectFee,GracePeriod\n"
              "Canada/US,1,0.012,30/6,0,3\n"
              "Ontario 519,1519,0.006,6,,\n"
              "UK London,4420,0.02,60/60,0.05,\n");
        ok(inst, {"tariff", "import", "Wholesale", (inst.dir() / "rates.csv").string()});
        ok(inst, {"product", "add", "--name", "Metered", "--price", "10"});
        ok(inst, {"package", "set", "Metered", "--tariff", "Wholesale"});
        ok(inst, {"client", "add", "--first-name", "Ann", "--email", "ann@example.org"});
        ok(inst, {"service", "add", "--client", "1", "--product", "Metered", "--domain", "pbx.example.ca | 5192229000",
                  "--next-due", "2026-03-05"});
    }
    RunResult import(const std::string &text, const std::string &name = "cdrs.csv") {
        return inst.run({"cdr", "import", "--service", "1", inst.write_file(name, text)});
    }
    json list(bool all = false) {
        std::vector<std::string> args{"--json", "cdr", "list", "--service", "1"};
        if (all) args.push_back("--all");
        const RunResult r = inst.run(args);
        REQUIRE(r.exit_code == 0);
        return json::parse(r.out);
    }
};

}  // namespace

TEST_CASE("tariffs import by version; a card with errors changes nothing") {
    Voip v;
    const std::string before = v.inst.dump();
    const std::string bad = v.inst.write_file("bad.csv",
                                  "Description,Prefix,RateValue,Increment\n"
                                  "A,1,abc,6\n"
                                  "B,44,-0.1,6\n"
                                  "C,,0.1,6\n"
                                  "D,33,0.1,6\n"
                                  "E,33,0.1,6\n");
    const RunResult r = v.inst.run({"tariff", "import", "Wholesale", bad});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("4 errors; nothing was imported (version 1 stays)"));
    CHECK_THAT(r.err, Catch::Contains("line 3: RateValue '-0.1' is negative"));
    CHECK_THAT(r.err, Catch::Contains("line 4: Prefix is empty"));
    CHECK_THAT(r.err, Catch::Contains("line 6: duplicate prefix 33 (first on line 5)"));
    CHECK(v.inst.dump() == before);

    const std::string missing = v.inst.write_file("missing.csv", "Description,Code,RateValue\nA,1,0.1\n");
    CHECK_THAT(v.inst.run({"tariff", "import", "Other", missing}).err, Catch::Contains("missing required columns Prefix, Increment"));
    CHECK_THAT(v.inst.run({"tariff", "import", "Other", v.inst.write_file("empty.csv", "")}).err, Catch::Contains("is empty"));
    CHECK(v.inst.dump() == before);

    // A provider's own headers, mapped once and remembered.
    const std::string theirs = v.inst.write_file("theirs.csv", "Dest,Code,Cost per min,Billing\nCanada,1,0.011,6\n");
    ok(v.inst, {"tariff", "import", "Provider", theirs, "--map", "Dest=Description", "--map", "Code=Prefix", "--map",
                "Cost per min=RateValue", "--map", "Billing=Increment"});
    v.inst.write_file("theirs.csv", "Dest,Code,Cost per min,Billing\nCanada,1,0.010,6\nUK,44,0.02,6\n");
    ok(v.inst, {"tariff", "import", "Provider", theirs});
    const json shown = json::parse(v.inst.run({"--json", "tariff", "show", "Provider"}).out);
    CHECK(shown["column_map"]["Code"] == "Prefix");
    REQUIRE(shown["versions"].size() == 2);
    CHECK(shown["versions"][1]["current"] == true);
    CHECK(shown["versions"][1]["rates"] == 2);
    CHECK(v.inst.run({"tariff", "export", "Provider", "--version", "1"}).out ==
          "Description,Prefix,RateValue,Increment,ConnectFee,MinimumDuration,GracePeriod\nCanada,1,0.011,6,0.00,6,0\n");
    // An export reads back as the same card.
    const std::string exported = v.inst.write_file("exported.csv", v.inst.run({"tariff", "export", "Wholesale"}).out);
    ok(v.inst, {"tariff", "import", "Copy", exported});
    CHECK(v.inst.run({"tariff", "export", "Copy"}).out == v.inst.run({"tariff", "export", "Wholesale"}).out);
}

TEST_CASE("a FusionPBX export is rated and stored; bad lines are reported, good ones kept, duplicates skipped") {
    Voip v;
    std::string text = header;
    text += call("c1", "5192225555", 65);                              // 1519: 66 s × 0.006 = 0.0066
    text += call("c2", "011 44 20 7946 0000", 90);                     // 4420: 0.05 + 2 min × 0.02 = 0.09
    text += call("c3", "2125550100", 0);                               // unanswered
    text += call("c4", "2112", 300, "2026-03-10 09:15:00", "inbound", "5192229000");  // inbound: not billed
    text += call("c5", "18005550100", 60);                             // toll-free: excluded
    text += call("c6", "*97", 10);                                     // feature code: suppressed
    text += call("c7", "33123456789", 60);                             // no rate: unrated
    text += "c8,pbx.example.ca,outbound,2112,,5192225555,2026-03-10 09:30:00,,2026-03-10 09:29:00,0,0,X\n";   // end before start
    text += "c9,pbx.example.ca,outbound,2112,,5192225555,2026-03-10 09:30:00,,2026-03-10 09:31:00,60,-3,X\n"; // negative billsec
    text += "c10,pbx.example.ca,outbound,2112,,519\xff\xfe,2026-03-10 09:30:00,,2026-03-10 09:31:00,60,0,X\n"; // not UTF-8
    text += "c11,pbx.example.ca,outbound,2112,,51922A5555,2026-03-10 09:30:00,2026-03-10 09:30:00,2026-03-10 09:31:00,60,60,X\n";
    text += "c12,pbx.example.ca,sideways,2112,,5192225555,2026-03-10 09:30:00,,2026-03-10 09:31:00,60,0,X\n";
    text += "c13,pbx.example.ca,outbound,2112,,5192225555,2026-03-10 9:30,,2026-03-10 09:31:00,60,0,X\n";
    text += "c14,pbx.example.ca,outbound,2112,,\"" + std::string(10 * 1024 * 1024, '5') + "\",2026-03-10 09:30:00,,2026-03-10 09:31:00,60,0,X\n";
    text += call("c15", "2125550100", 3);                              // after the long line: read; within prefix 1's grace
    const RunResult r = v.import(text);
    INFO(r.err);
    CHECK(r.exit_code == 1);  // some lines rejected, one call unrated
    CHECK_THAT(r.out, Catch::Contains("15 record(s): 9 stored, 0 duplicate(s) skipped, 6 rejected"));
    CHECK_THAT(r.out, Catch::Contains("unrated: line 8: no rate for 33123456789"));
    CHECK_THAT(r.err, Catch::Contains("line 9: end_stamp is before start_stamp"));
    CHECK_THAT(r.err, Catch::Contains("line 10: billsec '-3' is not a whole number of seconds"));
    CHECK_THAT(r.err, Catch::Contains("line 11: bytes that are not UTF-8"));
    CHECK_THAT(r.err, Catch::Contains("line 13: direction 'sideways'"));
    CHECK_THAT(r.err, Catch::Contains("line 14: start_stamp '2026-03-10 9:30' is not a time"));
    CHECK_THAT(r.err, Catch::Contains("line 15: the record is longer than"));

    const json calls = v.list();
    std::map<std::string, json> by_id;
    for (const auto &c : calls) by_id[c["source_id"]] = c;
    CHECK(by_id.size() == 8);  // the suppressed call is not listed
    CHECK(by_id["c1"]["cost"] == "0.0066");
    CHECK(by_id["c1"]["prefix"] == "1519");
    CHECK(by_id["c2"]["number"] == "442079460000");
    CHECK(by_id["c2"]["cost"] == "0.0900");
    CHECK(by_id["c3"]["status"] == "unanswered");
    CHECK(by_id["c4"]["status"] == "not billed");
    CHECK(by_id["c5"]["status"] == "excluded");
    CHECK(by_id["c7"]["status"] == "unrated");
    CHECK(by_id["c11"]["status"] == "unrated");
    CHECK_THAT(by_id["c11"]["note"].get<std::string>(), Catch::Contains("not a phone number"));
    CHECK(by_id["c15"]["billed_seconds"] == 0);
    CHECK(by_id["c15"]["status"] == "rated");
    CHECK(v.list(true).size() == 9);

    // The same file again stores nothing; a new call among old ones is stored.
    const RunResult again = v.import(text);
    CHECK_THAT(again.out, Catch::Contains("0 stored, 9 duplicate(s) skipped"));
    const RunResult more = v.import(std::string(header) + call("c1", "5192225555", 65) + call("c16", "5192225555", 6), "more.csv");
    CHECK_THAT(more.out, Catch::Contains("1 stored, 1 duplicate(s) skipped"));

    const RunResult explain = v.inst.run({"cdr", "explain", by_id["c2"]["id"].dump()});
    CHECK_THAT(explain.out, Catch::Contains("dialled 011 44 20 7946 0000 → 442079460000"));
    CHECK_THAT(explain.out, Catch::Contains("prefix 4420 in the tariff Wholesale version 1: 0.0200/min, connect fee 0.0500, increment 60"));
    CHECK_THAT(explain.out, Catch::Contains("billed:    90 s → 120 s"));
    CHECK_THAT(explain.out, Catch::Contains("= 0.090000 → 0.09"));
}

TEST_CASE("a FusionPBX export with b-legs bills each call once; a FusionPBX 4.4 export (uuid) is read too") {
    Voip v;
    const std::string legs = "xml_cdr_uuid,domain_name,direction,caller_id_number,caller_destination,destination_number,start_stamp,"
                             "answer_stamp,end_stamp,duration,billsec,hangup_cause,leg\n"
                             "L1,pbx.example.ca,outbound,2112,,5192225555,2026-03-10 09:00:00,,2026-03-10 09:01:05,65,65,NORMAL_CLEARING,a\n"
                             "L2,pbx.example.ca,outbound,2112,,5192225555,2026-03-10 09:00:00,,2026-03-10 09:01:05,65,65,NORMAL_CLEARING,b\n"
                             "L3,pbx.example.ca,outbound,2112,,5192225555,2026-03-10 09:10:00,,2026-03-10 09:11:05,65,65,NORMAL_CLEARING,c\n";
    RunResult r = v.import(legs);
    INFO(r.out << r.err);
    CHECK_THAT(r.out, Catch::Contains("3 record(s): 1 stored, 0 duplicate(s) skipped, 1 rejected"));
    CHECK_THAT(r.out, Catch::Contains("b-legs left out: 1 (a call is billed once, on its a-leg)"));
    CHECK_THAT(r.err, Catch::Contains("line 4: leg 'c' is neither a nor b"));
    CHECK(v.list().size() == 1);
    CHECK(json::parse(v.inst.run({"--json", "cdr", "import", "--service", "1", v.inst.write_file("legs.csv", legs)}).out)["b_legs"] == 1);

    r = v.import("uuid,domain_name,direction,caller_id_number,caller_destination,destination_number,start_stamp,answer_stamp,end_stamp,"
                 "duration,billsec,hangup_cause\n"
                 "U1,pbx.example.ca,outbound,2112,,5192225555,2026-03-11 09:00:00,,2026-03-11 09:01:05,65,65,NORMAL_CLEARING\n",
                 "v44.csv");
    CHECK_THAT(r.out, Catch::Contains("1 stored"));
    CHECK(v.list().size() == 2);
}

TEST_CASE("a big export in overlapping parts stores and prices exactly what one import of it does") {
    // Big enough for the reading and writing threads and for duplicates inside a batch: the free
    // minutes a duplicate was priced with must go back before the next call. In both orders an
    // export comes in: oldest first, and newest first as FusionPBX's CDR page exports.
    for (const bool newest_first : {false, true}) {
        INFO((newest_first ? "newest first" : "oldest first"));
        std::vector<std::string> lines, all, first, second;
        for (int i = 0; i < 5000; ++i) {
            char start[32];
            const int at = i * 15;  // every 15 s of 2026-03-10
            std::snprintf(start, sizeof start, "2026-03-10 %02d:%02d:%02d", at / 3600, at / 60 % 60, at % 60);
            lines.push_back(call("big" + std::to_string(i), i % 7 ? "5192225555" : "442079460000", 30 + i % 90, start));
            all.push_back(lines.back());
            if (i < 3100) first.push_back(lines.back());
            if (i >= 2900) second.push_back(lines.back());                                    // overlaps the end of the first part
            if (i >= 3100 && i % 13 == 0) second.push_back(lines[static_cast<size_t>(i - 1000)]);  // old calls among new ones
            if (i == 3301) second.push_back(lines[3300]);                                     // twice in one file
        }
        auto file = [&](std::vector<std::string> rows) {
            if (newest_first) std::reverse(rows.begin(), rows.end());
            std::string text = header;
            for (const std::string &r : rows) text += r;
            return text;
        };
        // The free minutes run out in the second part, after some of its duplicates.
        Voip whole, parts;
        for (Voip *v : {&whole, &parts}) ok(v->inst, {"package", "set", "Metered", "--free-minutes", "4000"});
        const RunResult one = whole.import(file(all));
        INFO(one.err);
        CHECK_THAT(one.out, Catch::Contains("5000 stored, 0 duplicate(s) skipped"));
        CHECK_THAT(parts.import(file(first), "first.csv").out, Catch::Contains("3100 stored, 0 duplicate(s)"));
        const RunResult rest = parts.import(file(second), "second.csv");
        CHECK_THAT(rest.out, Catch::Contains("1900 stored"));
        CHECK_THAT(parts.import(file(all), "again.csv").out, Catch::Contains("0 stored, 5000 duplicate(s) skipped"));
        auto sums = [](Voip &v) {
            int64_t free = 0, billed = 0;
            std::map<std::string, std::string> cost;
            for (const auto &c : v.list()) {
                free += c["free_seconds"].get<int64_t>();
                billed += c["billed_seconds"].get<int64_t>();
                cost[c["source_id"]] = c["cost"];
            }
            return std::make_tuple(free, billed, cost);
        };
        const auto [free_whole, billed_whole, cost_whole] = sums(whole);
        const auto [free_parts, billed_parts, cost_parts] = sums(parts);
        CHECK(cost_whole.size() == 5000);
        CHECK(cost_parts.size() == 5000);
        CHECK(free_whole == 4000 * 60);
        CHECK(free_parts == free_whole);
        CHECK(billed_parts == billed_whole);
        // Calls are priced in file order: newest first, the free minutes go to the latest calls
        // of each file, so the parts give them to other calls than the whole does.
        if (!newest_first) CHECK(cost_parts == cost_whole);
    }
}

TEST_CASE("files that are not CDR exports, and services that cannot be rated, change nothing") {
    Voip v;
    const std::string before = v.inst.dump();
    CHECK_THAT(v.import("").err, Catch::Contains("is empty"));
    CHECK_THAT(v.import(std::string("\x7f" "ELF\x02\x01\x01\0\0\0", 10)).err, Catch::Contains("not a CSV file"));
    CHECK_THAT(v.import("name,size\na,1\n").err, Catch::Contains("not a FusionPBX CDR export: missing columns xml_cdr_uuid"));
    CHECK(v.inst.dump() == before);

    ok(v.inst, {"product", "add", "--name", "Plain", "--price", "5"});
    ok(v.inst, {"service", "add", "--client", "1", "--product", "Plain"});
    const std::string cdrs = v.inst.write_file("one.csv", std::string(header) + call("x1", "5192225555", 60));
    CHECK_THAT(v.inst.run({"cdr", "import", "--service", "2", cdrs}).err, Catch::Contains("has no VoIP package"));
    ok(v.inst, {"package", "set", "Plain"});
    CHECK_THAT(v.inst.run({"cdr", "import", "--service", "2", cdrs}).err, Catch::Contains("has no tariff"));
    CHECK_THAT(v.inst.run({"package", "set", "Plain", "--tiers", "5:0.1,2:0.2"}).err, Catch::Contains("go up"));
    CHECK_THAT(v.inst.run({"package", "set", "Plain", "--exclude", "18a0"}).err, Catch::Contains("'18a0'"));
    CHECK_THAT(v.inst.run({"package", "set", "Plain", "--billing-mode", "monthly"}).err, Catch::Contains("prepaid, invoice, consolidated"));
    CHECK_THAT(v.inst.run({"cdr", "import", "--service", "99", cdrs}).err, Catch::Contains("99"));
}

TEST_CASE("usage collected through a module's usage hook: records and cursor together, never twice") {
    Voip v;
    v.inst.install_module("cdrsource");
    const std::string file = (v.inst.dir() / "pbx-cdrs.txt").string();
    auto record = [](const std::string &id, const std::string &number, int billsec, const std::string &start = "2026-03-10T14:00:00Z") {
        return id + ",outbound,2112," + number + ",," + start + "," + (billsec ? start : "") + ",2026-03-10T15:00:00Z,3600," +
               std::to_string(billsec) + ",NORMAL_CLEARING\n";
    };
    std::ofstream(file) << record("m1", "5192225555", 60) << record("m2", "011442079460000", 60);
    ok(v.inst, {"product", "add", "--name", "Hosted PBX", "--module", "cdrsource", "--price", "20", "--setting", "cdr_file=" + file});
    ok(v.inst, {"package", "set", "Hosted PBX", "--tariff", "Wholesale"});
    ok(v.inst, {"service", "add", "--client", "1", "--product", "Hosted PBX", "--next-due", "2026-03-05"});
    auto collect = [&] { return v.inst.run({"--json", "cdr", "collect", "--service", "2"}); };

    const RunResult first = collect();
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    json j = json::parse(first.out);
    CHECK(j["stored"] == 2);
    CHECK(j["cursor"] == "0000000002");
    CHECK(json::parse(collect().out)["stored"] == 0);  // nothing new

    // New calls, one of them garbage: the good one is stored, the bad one reported by its id.
    std::ofstream(file, std::ios::app) << record("m3", "5192225555", 30) << "m4,outbound,2112,5192225555,,yesterday,,later,1,1,X\n";
    const RunResult second = collect();
    CHECK(second.exit_code == 1);
    j = json::parse(second.out);
    CHECK(j["stored"] == 1);
    CHECK(j["cursor"] == "0000000004");
    CHECK_THAT(second.err, Catch::Contains("call m4: start: 'yesterday' is not a valid time"));

    // A module that fails, sets no cursor, or moves it backwards stores nothing.
    std::ofstream(file, std::ios::app) << record("m5", "5192225555", 30);
    const std::string before = v.inst.run({"--json", "cdr", "list", "--service", "2", "--all"}).out;
    for (const char *mode : {"error", "no_cursor", "backwards"}) {
        ok(v.inst, {"service", "set", "2", "--setting", std::string("mode=") + mode});
        const RunResult bad = collect();
        INFO(mode);
        CHECK(bad.exit_code == 1);
        CHECK(json::parse(bad.out)["stored"] == 0);
        CHECK_THAT(bad.err, Catch::Contains("usage collection failed"));
        CHECK(v.inst.run({"--json", "cdr", "list", "--service", "2", "--all"}).out == before);
    }
    CHECK_THAT(v.inst.run({"cdr", "collect", "--service", "2"}).err, Catch::Contains("goes back before '0000000004'"));
    ok(v.inst, {"service", "set", "2", "--setting", "mode=normal"});
    CHECK(json::parse(collect().out)["stored"] == 1);
    CHECK(json::parse(v.inst.run({"--json", "cdr", "list", "--service", "2"}).out).size() == 4);

    // A service whose module has no usage hook says how else to get its calls in.
    CHECK_THAT(v.inst.run({"cdr", "collect", "--service", "1"}).err, Catch::Contains("provisio cdr import"));
}

TEST_CASE("autobill collects, rates and charges prepaid usage from credit, never twice") {
    Voip v;
    v.inst.install_module("cdrsource");
    const std::string file = (v.inst.dir() / "pbx-cdrs.txt").string();
    auto record = [](const std::string &id, const std::string &number, int billsec) {
        return id + ",outbound,2112," + number + ",,2026-03-10T14:00:00Z,2026-03-10T14:00:00Z,2026-03-10T15:00:00Z,3600," +
               std::to_string(billsec) + ",NORMAL_CLEARING\n";
    };
    // 0.05 + 2 min × 0.02 = 0.09 and 66 s × 0.006 = 0.0066: 0.0966 → 0.10 debited.
    std::ofstream(file) << record("a1", "011442079460000", 90) << record("a2", "5192225555", 65);
    ok(v.inst, {"product", "add", "--name", "Hosted PBX", "--module", "cdrsource", "--price", "20", "--setting", "cdr_file=" + file});
    ok(v.inst, {"package", "set", "Hosted PBX", "--tariff", "Wholesale"});
    ok(v.inst, {"service", "add", "--client", "1", "--product", "Hosted PBX", "--next-due", "2026-03-05"});
    ok(v.inst, {"service", "create", "1"});
    ok(v.inst, {"service", "create", "2"});
    ok(v.inst, {"credit", "add", "1", "1.00", "--description", "Top-up"});
    // Service 1's calls come from a file import instead: 0.0066 + 0.09.
    REQUIRE(v.import(std::string(header) + call("f1", "5192225555", 65) + call("f2", "011 44 20 7946 0000", 90)).exit_code == 0);

    auto balance = [&] { return json::parse(v.inst.run({"--json", "credit", "list", "1"}).out)["balance"].get<std::string>(); };
    const RunResult run = v.inst.run({"--now", "2026-03-11T06:00:00Z", "cron", "--task", "autobill", "--verbose"});
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 0);
    CHECK_THAT(run.out, Catch::Contains("server (no server): 2 CDR(s) found, 2 rated, 0 unrated, 0 excluded; 1 client(s) billed, 0.20 USD"));
    CHECK_THAT(run.out, Catch::Contains("service 2 (client 1): 2 call(s), 0.0966 → 0.10 USD debited from credit"));
    CHECK(balance() == "0.80");
    for (const auto &c : json::parse(v.inst.run({"--json", "cdr", "list", "--service", "2"}).out))
        CHECK_THAT(c["billed_by"].get<std::string>(), Catch::StartsWith("credit:"));

    // Again the same day, and later with nothing new: nothing is charged twice.
    ok(v.inst, {"--now", "2026-03-11T07:00:00Z", "cron", "--task", "autobill"});
    ok(v.inst, {"--now", "2026-03-12T07:00:00Z", "cron", "--task", "autobill"});
    CHECK(balance() == "0.80");
    // New calls are charged on the next run, and usage may take the credit below zero.
    std::ofstream(file, std::ios::app) << record("a3", "011442079460000", 3000);  // 0.05 + 50 × 0.02 = 1.05
    ok(v.inst, {"--now", "2026-03-13T07:00:00Z", "cron", "--task", "autobill"});
    CHECK(balance() == "-0.25");
    ok(v.inst, {"verify"});
}

namespace {

// A FusionPBX row for a call answered at once on `day` at `time`, lasting an hour.
std::string dated(const std::string &id, const std::string &number, int billsec, const std::string &day,
                  const std::string &time = "09:00:00") {
    const std::string start = day + " " + time;
    return id + ",pbx.example.ca,outbound,2112,," + number + "," + start + "," + start + "," + day + " " +
           (time < "22:00:00" ? "23:00:00" : "23:59:59") + ",3600," + std::to_string(billsec) + ",NORMAL_CLEARING\n";
}

json invoices(Installation &inst) {
    const RunResult r = inst.run({"--json", "invoice", "list"});
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out);
}

std::vector<std::string> billed_by(Installation &inst, const std::string &service) {
    std::vector<std::string> out;
    for (const auto &c : json::parse(inst.run({"--json", "cdr", "list", "--service", service}).out))
        out.push_back(c["billed_by"].is_null() ? "-" : c["billed_by"].get<std::string>());
    return out;
}

}  // namespace

TEST_CASE("invoice mode: a usage invoice per service for each ended month; late calls get one of their own; never twice") {
    Voip v;
    ok(v.inst, {"package", "set", "Metered", "--billing-mode", "invoice"});  // monthly by default
    ok(v.inst, {"service", "create", "1"});
    REQUIRE(v.import(std::string(header) + dated("m1", "5192225555", 65, "2026-03-10") +   // 0.0066
                     dated("m2", "011 44 20 7946 0000", 90, "2026-03-31", "22:30:00") +     // 0.09
                     dated("m3", "011 44 20 7946 0000", 90, "2026-04-02"))                  // 0.09, April's
                .exit_code == 0);

    ok(v.inst, {"--now", "2026-03-31T12:00:00Z", "cron", "--task", "autobill"});
    CHECK(invoices(v.inst).empty());  // March has not ended

    const RunResult run = v.inst.run({"--now", "2026-04-03T06:00:00Z", "cron", "--task", "autobill", "--verbose"});
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 0);
    CHECK_THAT(run.out, Catch::Contains("usage invoice #1, 1 line(s), 0.10 USD, due 2026-04-10"));
    json list = invoices(v.inst);
    REQUIRE(list.size() == 1);
    CHECK(list[0]["kind"] == "usage");
    CHECK(list[0]["status"] == "Unpaid");
    CHECK(list[0]["due_date"] == "2026-04-10");
    CHECK(list[0]["subtotal"] == "0.10");
    REQUIRE(list[0]["lines"].size() == 1);
    CHECK(list[0]["lines"][0]["type"] == "usage");
    CHECK(list[0]["lines"][0]["description"] == "VoIP usage, service 1 (Metered), 2026-03-01 to 2026-03-31: 2 call(s)");
    CHECK(billed_by(v.inst, "1") == std::vector<std::string>{"invoice:1", "invoice:1", "-"});

    ok(v.inst, {"--now", "2026-04-03T07:00:00Z", "cron", "--task", "autobill"});
    CHECK(invoices(v.inst).size() == 1);

    // A March call that reached us late: its own invoice, not a second copy of March's.
    REQUIRE(v.import(std::string(header) + dated("m4", "5192225555", 65, "2026-03-20"), "late.csv").exit_code == 0);
    ok(v.inst, {"--now", "2026-04-04T06:00:00Z", "cron", "--task", "autobill"});
    list = invoices(v.inst);
    REQUIRE(list.size() == 2);
    CHECK(list[1]["subtotal"] == "0.01");
    CHECK(list[1]["lines"][0]["description"] == "VoIP usage, service 1 (Metered), 2026-03-01 to 2026-03-31: 1 call(s)");

    ok(v.inst, {"--now", "2026-05-01T06:00:00Z", "cron", "--task", "autobill"});
    list = invoices(v.inst);
    REQUIRE(list.size() == 3);
    CHECK(list[2]["lines"][0]["description"] == "VoIP usage, service 1 (Metered), 2026-04-01 to 2026-04-30: 1 call(s)");
    CHECK(list[2]["subtotal"] == "0.09");
    ok(v.inst, {"verify"});
}

TEST_CASE("consolidated mode: one usage invoice per client and ended day, a line per service; sub-cent days roll forward") {
    Voip v;
    ok(v.inst, {"package", "set", "Metered", "--billing-mode", "consolidated", "--invoice-period", "day"});
    ok(v.inst, {"service", "add", "--client", "1", "--product", "Metered", "--domain", "pbx.example.ca | 5192229001",
                "--next-due", "2026-03-05"});
    ok(v.inst, {"service", "create", "1"});
    ok(v.inst, {"service", "create", "2"});
    // Service 1: 36 s at 0.006/min = 0.0036 a day, less than a cent until two days add up.
    REQUIRE(v.import(std::string(header) + dated("a1", "5192225555", 36, "2026-03-10") + dated("a2", "5192225555", 36, "2026-03-11"))
                .exit_code == 0);
    REQUIRE(v.inst.run({"cdr", "import", "--service", "2",
                        v.inst.write_file("two.csv", std::string(header) + dated("b1", "011 44 20 7946 0000", 90, "2026-03-10") +
                                                     dated("b2", "011 44 20 7946 0000", 90, "2026-03-11"))})
                .exit_code == 0);

    ok(v.inst, {"--now", "2026-03-11T06:00:00Z", "cron", "--task", "autobill"});
    json list = invoices(v.inst);
    REQUIRE(list.size() == 1);
    REQUIRE(list[0]["lines"].size() == 1);
    CHECK(list[0]["lines"][0]["description"] == "VoIP usage, service 2 (Metered), 2026-03-10: 1 call(s)");
    CHECK(billed_by(v.inst, "1") == std::vector<std::string>{"-", "-"});

    ok(v.inst, {"--now", "2026-03-12T06:00:00Z", "cron", "--task", "autobill"});
    list = invoices(v.inst);
    REQUIRE(list.size() == 2);
    REQUIRE(list[1]["lines"].size() == 2);
    CHECK(list[1]["lines"][0]["description"] == "VoIP usage, service 1 (Metered), 2026-03-10 to 2026-03-11: 2 call(s)");
    CHECK(list[1]["lines"][0]["amount"] == "0.01");
    CHECK(list[1]["lines"][1]["description"] == "VoIP usage, service 2 (Metered), 2026-03-11: 1 call(s)");
    CHECK(list[1]["subtotal"] == "0.10");
    CHECK(billed_by(v.inst, "1") == std::vector<std::string>{"invoice:2", "invoice:2"});
    ok(v.inst, {"--now", "2026-03-12T07:00:00Z", "cron", "--task", "autobill"});
    CHECK(invoices(v.inst).size() == 2);
}

TEST_CASE("re-rating after a tariff fix posts the difference on billed calls as one new credit entry, once") {
    Voip v;
    REQUIRE(v.import(std::string(header) + dated("r1", "5192225555", 65, "2026-03-10") +   // 0.0066
                     dated("r2", "011 44 20 7946 0000", 90, "2026-03-10") +                 // 0.09
                     dated("r3", "33123456789", 60, "2026-03-10"))                          // no rate yet
                .exit_code == 1);
    ok(v.inst, {"service", "create", "1"});
    ok(v.inst, {"credit", "add", "1", "1.00", "--description", "Top-up"});
    ok(v.inst, {"--now", "2026-03-11T06:00:00Z", "cron", "--task", "autobill"});
    auto balance = [&] { return json::parse(v.inst.run({"--json", "credit", "list", "1"}).out)["balance"].get<std::string>(); };
    REQUIRE(balance() == "0.90");

    // The fix: Ontario was half what it should be, and France was missing.
    v.inst.write_file("fixed.csv",
          "Description,Prefix,RateValue,Increment,ConnectFee,GracePeriod\n"
          "Canada/US,1,0.012,30/6,0,3\n"
          "Ontario 519,1519,0.012,6,,\n"
          "UK London,4420,0.02,60/60,0.05,\n"
          "France,33,0.03,60/60,,\n");
    ok(v.inst, {"tariff", "import", "Wholesale", (v.inst.dir() / "fixed.csv").string()});

    const RunResult dry = v.inst.run({"cdr", "rerate", "--service", "1", "--from", "2026-03-01", "--to", "2026-04-01", "--dry-run"});
    INFO(dry.out << dry.err);
    REQUIRE(dry.exit_code == 0);
    CHECK_THAT(dry.out, Catch::Contains("dry run: 3 call(s) re-rated, 2 changed; billed calls 0.0066, calls not billed yet 0.0300"));
    CHECK_THAT(dry.out, Catch::Contains("would post -0.01 USD"));
    CHECK(balance() == "0.90");

    const RunResult r = v.inst.run({"cdr", "rerate", "--service", "1", "--from", "2026-03-01", "--to", "2026-04-01"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("unrated 0.0000 → rated (prefix 33) 0.0300, not billed yet"));
    CHECK_THAT(r.out, Catch::Contains("rated (prefix 1519) 0.0066 → rated (prefix 1519) 0.0132, billed"));
    CHECK_THAT(r.out, Catch::Contains("(re-rate 1)"));
    CHECK(balance() == "0.89");
    const json entries = json::parse(v.inst.run({"--json", "credit", "list", "1"}).out)["entries"];
    CHECK(entries.back()["kind"] == "rerate");
    CHECK(entries.back()["amount"] == "-0.01");
    const json r1 = json::parse(v.inst.run({"--json", "cdr", "list", "--service", "1"}).out)[0];
    CHECK(r1["cost"] == "0.0132");
    CHECK(r1["billed_by"].get<std::string>().rfind("credit:", 0) == 0);  // still what billed it first
    const RunResult explain = v.inst.run({"cdr", "explain", std::to_string(r1["id"].get<int64_t>())});
    CHECK_THAT(explain.out, Catch::Contains("by re-rate 1 at"));
    CHECK_THAT(explain.out, Catch::Contains("was rated (prefix 1519) 0.0066, now 0.0132"));

    // Again: nothing changes and nothing is posted twice; the newly rated call is billed once.
    const RunResult again = v.inst.run({"cdr", "rerate", "--service", "1", "--from", "2026-03-01", "--to", "2026-04-01"});
    CHECK_THAT(again.out, Catch::Contains("3 call(s) re-rated, 0 changed"));
    CHECK(balance() == "0.89");
    ok(v.inst, {"--now", "2026-03-12T06:00:00Z", "cron", "--task", "autobill"});
    CHECK(balance() == "0.86");

    // Rates going down refund what was overcharged: 0.0132 → 0.0033 (66 s at 0.003).
    v.inst.write_file("lower.csv",
          "Description,Prefix,RateValue,Increment,ConnectFee,GracePeriod\n"
          "Canada/US,1,0.012,30/6,0,3\n"
          "Ontario 519,1519,0.003,6,,\n"
          "UK London,4420,0.02,60/60,0.05,\n"
          "France,33,0.03,60/60,,\n");
    ok(v.inst, {"tariff", "import", "Wholesale", (v.inst.dir() / "lower.csv").string()});
    const RunResult down = v.inst.run({"cdr", "rerate", "--service", "1", "--from", "2026-03-10", "--to", "2026-03-11"});
    CHECK_THAT(down.out, Catch::Contains("posted 0.01 USD"));
    CHECK(balance() == "0.87");
    ok(v.inst, {"verify"});
}

TEST_CASE("re-rating: whole billing periods when free minutes count; bad ranges and services change nothing") {
    Voip v;
    ok(v.inst, {"package", "set", "Metered", "--free-minutes", "1"});
    REQUIRE(v.import(std::string(header) + dated("f1", "5192225555", 60, "2026-03-06") + dated("f2", "5192225555", 60, "2026-03-10"))
                .exit_code == 0);
    const json before = v.list();
    CHECK(before[0]["cost"] == "0.0000");  // the free minute
    CHECK(before[1]["cost"] == "0.0060");
    // Re-rating only the 10th still counts the 6th's free minute first: the period is re-rated whole.
    const RunResult r = v.inst.run({"cdr", "rerate", "--service", "1", "--from", "2026-03-10", "--to", "2026-03-11"});
    INFO(r.out << r.err);
    CHECK_THAT(r.out, Catch::Contains("range widened to whole billing periods (the package has free minutes or tiers): "
                                      "2026-03-05T00:00:00Z to 2026-04-05T00:00:00Z"));
    CHECK_THAT(r.out, Catch::Contains("2 call(s) re-rated, 0 changed"));
    CHECK(v.list() == before);

    auto refused = [&](std::vector<std::string> args, const std::string &message) {
        const RunResult bad = v.inst.run(args);
        INFO(bad.out << bad.err);
        CHECK(bad.exit_code != 0);
        CHECK_THAT(bad.err, Catch::Contains(message));
    };
    refused({"cdr", "rerate", "--service", "1", "--from", "2026-03-11", "--to", "2026-03-10"}, "--from must be before --to");
    refused({"cdr", "rerate", "--service", "1", "--from", "2026-02-30", "--to", "2026-03-10"}, "--from");
    refused({"cdr", "rerate", "--service", "9", "--from", "2026-03-01", "--to", "2026-03-10"}, "service 9");
    refused({"package", "set", "Metered", "--invoice-period", "week"}, "invoice period 'week' is not day or month");
    CHECK(v.list() == before);
    CHECK(v.inst.run({"--json", "cdr", "rerate", "--service", "1", "--from", "2026-03-01", "--to", "2026-03-02"}).exit_code == 0);
}

TEST_CASE("a database whose calls were keyed by call id alone moves to ids led by the start, keeping every call") {
    Voip v;
    std::string calls = header;
    // Two calls start in each minute's first second: they share a second, and take its first two ids.
    for (int i = 0; i < 40; ++i)
        calls += call("old" + std::to_string(i), "5192225555", 60, "2026-03-10 09:" + std::string(i < 20 ? "0" : "") + std::to_string(i / 2) + ":00");
    REQUIRE_THAT(v.import(calls).out, Catch::Contains("40 stored"));
    // Schema 19's table: the same columns, ids 1 to 40 in import order, unique by (source,
    // source_id); the last call deleted, and a re-rate's record pointing at call 7.
    const std::string to_v19 = R"SQL(
        PRAGMA foreign_keys = OFF;
        CREATE TABLE cdrs_v19 AS SELECT * FROM cdrs;
        UPDATE cdrs_v19 SET id = (SELECT count(*) FROM cdrs_v19 c WHERE c.id <= cdrs_v19.id);
        DELETE FROM cdrs_v19 WHERE id = 40;
        DROP TABLE cdrs;
        CREATE TABLE cdrs (id INTEGER PRIMARY KEY AUTOINCREMENT, service_id INTEGER NOT NULL REFERENCES services(id),
            source TEXT NOT NULL, source_id TEXT NOT NULL, direction TEXT NOT NULL, caller TEXT NOT NULL, destination TEXT NOT NULL,
            caller_destination TEXT NOT NULL, start_at TEXT NOT NULL, answer_at TEXT, end_at TEXT NOT NULL, duration INTEGER NOT NULL,
            billsec INTEGER NOT NULL, hangup_cause TEXT NOT NULL, status TEXT NOT NULL, number TEXT NOT NULL, prefix TEXT,
            tariff_version_id INTEGER REFERENCES tariff_versions(id), custom_rate INTEGER NOT NULL DEFAULT 0,
            per_minute_micros INTEGER NOT NULL DEFAULT 0, connect_fee_micros INTEGER NOT NULL DEFAULT 0, markup TEXT NOT NULL DEFAULT '0',
            billed_seconds INTEGER NOT NULL DEFAULT 0, free_seconds INTEGER NOT NULL DEFAULT 0, tier_seconds INTEGER NOT NULL DEFAULT 0,
            cost_micros INTEGER NOT NULL DEFAULT 0, note TEXT NOT NULL DEFAULT '', charge_ref TEXT, imported_at TEXT NOT NULL,
            answer_inferred INTEGER NOT NULL DEFAULT 0, UNIQUE (source, source_id));
        INSERT INTO cdrs SELECT * FROM cdrs_v19;
        DROP TABLE cdrs_v19;
        CREATE INDEX cdrs_service_start ON cdrs(service_id, start_at);
        DELETE FROM sqlite_sequence WHERE name = 'cdrs';
        INSERT INTO sqlite_sequence (name, seq) VALUES ('cdrs', 40);
        INSERT INTO cdr_rerates (id, service_id, from_at, to_at, calls, changed, billed_difference_micros, at)
            VALUES (1, 1, '2026-03-10T00:00:00Z', '2026-03-11T00:00:00Z', 39, 1, 0, '2026-03-12T00:00:00Z');
        INSERT INTO cdr_rerate_changes (rerate_id, cdr_id, old_status, old_billed_seconds, old_cost_micros, new_cost_micros)
            VALUES (1, 7, 'unrated', 0, 0, 0);
        PRAGMA user_version = 19;)SQL" + std::string(undo_migrations_since_21);
    REQUIRE(run_program("/usr/bin/sqlite3", {v.inst.database().string(), to_v19}).exit_code == 0);
    auto sql = [&](const std::string &query) {
        const RunResult r = run_program("/usr/bin/sqlite3", {v.inst.database().string(), query});
        REQUIRE(r.exit_code == 0);
        return r.out;
    };
    const std::string before = sql("SELECT source_id, start_at, cost_micros FROM cdrs ORDER BY start_at, id");

    const json listed = v.list();  // opening the database migrates it
    CHECK(listed.size() == 39);
    CHECK(sql("PRAGMA user_version") != "19\n");
    CHECK(sql("SELECT source_id, start_at, cost_micros FROM cdrs ORDER BY id") == before);
    // Each id is its start second × 1,000,000 + its place in that second, in the old order.
    CHECK(sql("SELECT count(*) FROM cdrs WHERE id / 1000000 <> CAST(strftime('%s', start_at) AS INTEGER) OR id % 1000000 > 1") == "0\n");
    CHECK(sql("SELECT source_id FROM cdrs WHERE id % 1000000 = 1 ORDER BY id LIMIT 1") == "old1\n");
    CHECK(sql("SELECT c.source_id FROM cdr_rerate_changes r JOIN cdrs c ON c.id = r.cdr_id") == "old6\n");
    // The table's key is the only unique one; the service index is kept.
    CHECK(sql("SELECT count(*) FROM pragma_index_list('cdrs') WHERE \"unique\"") == "0\n");
    CHECK(sql("SELECT name FROM sqlite_schema WHERE name = 'cdrs_service'") == "cdrs_service\n");
    CHECK(sql("SELECT sum(calls) FROM cdr_quarters") == "39\n");
    ok(v.inst, {"verify"});
    // The stored calls are still duplicates; the deleted one goes in after its second's other call.
    const RunResult again = v.import(calls, "again.csv");
    CHECK_THAT(again.out, Catch::Contains("1 stored, 39 duplicate(s) skipped"));
    CHECK(sql("SELECT id % 1000000 FROM cdrs WHERE source_id = 'old39'") == "1\n");
}

TEST_CASE("a period's running seconds are kept with the calls, and dropped when stored calls change") {
    Voip v;
    ok(v.inst, {"package", "set", "Metered", "--free-minutes", "3"});
    auto sql = [&](const std::string &query) {
        const RunResult r = run_program("/usr/bin/sqlite3", {v.inst.database().string(), query});
        REQUIRE(r.exit_code == 0);
        return r.out;
    };
    REQUIRE_THAT(v.import(std::string(header) + call("p1", "5192225555", 60, "2026-03-10 09:00:00") +
                          call("p2", "5192225555", 60, "2026-03-10 10:00:00")).out, Catch::Contains("2 stored"));
    CHECK(sql("SELECT seconds FROM usage_period_seconds WHERE service_id = 1") == "120\n");
    // The next import reads the kept total: one free minute is left.
    REQUIRE_THAT(v.import(std::string(header) + call("p3", "5192225555", 120, "2026-03-10 11:00:00"), "next.csv").out,
                 Catch::Contains("1 stored"));
    json calls = v.list();
    CHECK(calls.back()["free_seconds"] == 60);
    CHECK(sql("SELECT seconds FROM usage_period_seconds WHERE service_id = 1") == "240\n");
    // A stored call deleted (as a purge would): the total goes, and the next import sums the calls.
    sql("DELETE FROM cdrs WHERE source_id = 'p1'");
    CHECK(sql("SELECT count(*) FROM usage_period_seconds") == "0\n");
    REQUIRE_THAT(v.import(std::string(header) + call("p4", "5192225555", 60, "2026-03-10 12:00:00"), "last.csv").out,
                 Catch::Contains("1 stored"));
    CHECK(sql("SELECT seconds FROM usage_period_seconds WHERE service_id = 1") == "240\n");
    calls = v.list();
    CHECK(calls.back()["free_seconds"] == 0);  // 60 + 120 of 180 free seconds used before it
    ok(v.inst, {"verify"});
    // A kept total that disagrees with the calls is a problem verify names.
    sql("UPDATE usage_period_seconds SET seconds = 7");
    const RunResult verify = v.inst.run({"verify"});
    CHECK(verify.exit_code != 0);
    CHECK_THAT(verify.out + verify.err, Catch::Contains("keeps 7 domestic billed seconds, but its calls add up to 240"));
}

TEST_CASE("cdr summary: calls, minutes and cost per business day, of a service or of all a client's services") {
    Voip v;
    v.inst.edit_config("timezone = \"UTC\"", "timezone = \"America/Toronto\"");  // days end at 05:00 UTC in March
    ok(v.inst, {"service", "add", "--client", "1", "--product", "Metered", "--domain", "pbx.example.ca | 5192229001"});
    // Times in the export are Toronto's. 23:30 on the 10th is the 10th there (04:30 UTC on the 11th).
    REQUIRE_THAT(v.import(std::string(header) + call("s1", "5192225555", 60, "2026-03-10 09:00:00") +
                          call("s2", "5192225555", 90, "2026-03-10 22:30:00") + call("s3", "*97", 0, "2026-03-10 10:00:00") +
                          call("s4", "442079460000", 30, "2026-03-10 12:00:00")).out,
                 Catch::Contains("4 stored"));
    REQUIRE_THAT(v.inst.run({"cdr", "import", "--service", "2",
                             v.inst.write_file("two.csv", std::string(header) + call("t1", "5192225555", 120, "2026-03-10 08:00:00"))})
                     .out,
                 Catch::Contains("1 stored"));
    const RunResult one = v.inst.run({"--json", "cdr", "summary", "--service", "1", "--month", "2026-03"});
    INFO(one.out << one.err);
    REQUIRE(one.exit_code == 0);
    const json s = json::parse(one.out);
    CHECK(s["from"] == "2026-03-01");
    CHECK(s["to"] == "2026-04-01");
    REQUIRE(s["days"].size() == 31);
    const json &tenth = s["days"][9];
    CHECK(tenth["day"] == "2026-03-10");
    CHECK(tenth["calls"] == 3);  // the suppressed *97 is not listed
    CHECK(s["days"][10]["calls"] == 0);
    const json listed = v.list();
    int64_t seconds = 0;
    for (const auto &c : listed) seconds += c["billed_seconds"].get<int64_t>();
    CHECK(tenth["billed_seconds"] == seconds);
    CHECK(s["total"]["calls"] == 3);

    const json client = json::parse(v.inst.run({"--json", "cdr", "summary", "--client", "1", "--from", "2026-03-10", "--to", "2026-03-11"}).out);
    REQUIRE(client["days"].size() == 1);
    CHECK(client["days"][0]["calls"] == 4);
    CHECK(client["services"] == json::array({1, 2}));
    const RunResult table = v.inst.run({"cdr", "summary", "--client", "1", "--from", "2026-03-10", "--to", "2026-03-12"});
    CHECK_THAT(table.out, Catch::Contains("2026-03-11") && Catch::Contains("total"));

    CHECK(v.inst.run({"cdr", "summary", "--client", "1", "--service", "1"}).exit_code != 0);
    CHECK_THAT(v.inst.run({"cdr", "summary", "--client", "9"}).err, Catch::Contains("9"));
    CHECK_THAT(v.inst.run({"cdr", "summary", "--service", "1", "--month", "2026-13"}).err, Catch::Contains("--month"));
    CHECK_THAT(v.inst.run({"cdr", "summary", "--service", "1", "--from", "2026-03-10"}).err, Catch::Contains("--from and --to together"));
}

TEST_CASE("usage totals per quarter hour follow every change to the calls, and verify checks them") {
    Voip v;
    auto sql = [&](const std::string &query) {
        const RunResult r = run_program("/usr/bin/sqlite3", {v.inst.database().string(), query});
        REQUIRE(r.exit_code == 0);
        return r.out;
    };
    auto summary = [&](const std::string &day) {
        const RunResult r = v.inst.run({"--json", "cdr", "summary", "--service", "1", "--from", day, "--to", "2026-03-11"});
        INFO(r.out << r.err);
        REQUIRE(r.exit_code == 0);
        return json::parse(r.out)["total"];
    };
    // 09:00 and 09:14:59 share a quarter hour; 09:15 starts the next; the *97 is suppressed.
    REQUIRE_THAT(v.import(std::string(header) + call("q1", "5192225555", 60, "2026-03-10 09:00:00") +
                          call("q2", "5192225555", 90, "2026-03-10 09:14:59") + call("q3", "5192225555", 30, "2026-03-10 09:15:00") +
                          call("q4", "*97", 0, "2026-03-10 09:16:00")).out,
                 Catch::Contains("4 stored"));
    CHECK(sql("SELECT quarter_at - unixepoch('2026-03-10T09:00:00Z'), calls, billed_seconds FROM cdr_quarters ORDER BY 1") ==
          "0|2|150\n900|1|30\n");
    json total = summary("2026-03-10");
    CHECK(total["calls"] == 3);
    const int64_t billed = total["billed_seconds"].get<int64_t>();
    const std::string cost = total["cost"];
    // A change made in SQL (as a re-rate does) moves the totals with it; so does a deletion.
    sql("UPDATE cdrs SET cost_micros = cost_micros + 1000000, billed_seconds = billed_seconds + 60 WHERE source_id = 'q1'");
    sql("UPDATE cdrs SET status = 'rated' WHERE source_id = 'q4'");
    total = summary("2026-03-10");
    CHECK(total["calls"] == 4);
    CHECK(total["billed_seconds"] == billed + 60);
    CHECK(total["cost"] != cost);
    sql("DELETE FROM cdrs WHERE source_id = 'q3'");
    CHECK(summary("2026-03-10")["calls"] == 3);
    ok(v.inst, {"verify"});
    // A kept total that disagrees with the calls, and a call whose id is not its start: verify names both.
    sql("UPDATE cdr_quarters SET calls = 7 WHERE quarter_at = unixepoch('2026-03-10T09:00:00Z')");
    sql("UPDATE cdrs SET start_at = '2026-03-10T09:00:01Z' WHERE source_id = 'q2'");
    const RunResult verify = v.inst.run({"verify"});
    CHECK(verify.exit_code != 0);
    CHECK_THAT(verify.out + verify.err, Catch::Contains("the usage totals kept for the quarter hour from 2026-03-10T09:00:00Z say 7 call(s)") &&
                                            Catch::Contains("starts at 2026-03-10T09:00:01Z, but a call's id must be its start second"));
}

TEST_CASE("a summary in a time zone whose days do not begin on a quarter hour adds up the calls themselves") {
    Voip v;
    // Liberia kept Monrovia Mean Time (−0:44:30) until 1972: its days began at 00:44:30 UTC.
    v.inst.edit_config("timezone = \"UTC\"", "timezone = \"Africa/Monrovia\"");
    REQUIRE_THAT(v.import(std::string(header) + call("m1", "5192225555", 60, "1971-06-01 00:00:10") +
                          call("m2", "5192225555", 60, "1971-06-01 23:59:50") + call("m3", "5192225555", 60, "1971-06-02 00:00:05")).out,
                 Catch::Contains("3 stored"));
    const RunResult r = v.inst.run({"--json", "cdr", "summary", "--service", "1", "--from", "1971-06-01", "--to", "1971-06-03"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    const json s = json::parse(r.out);
    REQUIRE(s["days"].size() == 2);
    CHECK(s["days"][0]["calls"] == 2);  // 00:44:40 and 00:44:20 UTC the next day are both the 1st there
    CHECK(s["days"][1]["calls"] == 1);
}
