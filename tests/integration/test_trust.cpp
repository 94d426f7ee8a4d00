// Nothing billed silently wrong (issue 14): CSV rows that do not match their header, CDRs
// without an answer time, services without a due date, the last calls of a terminated service,
// numbers and dates out of range, ids reused after a delete, and a cancelled service's
// invoices. Each case failed before its fix.
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"
#include "support/schema_rewind.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace provisio::test;
using nlohmann::json;

namespace {

const char *cdr_header = "xml_cdr_uuid,direction,caller_id_number,destination_number,start_stamp,answer_stamp,end_stamp,duration,billsec\n";

// A client with a metered VoIP product (no module: calls come from CDR files) and one service.
struct Metered {
    Installation inst;
    Metered() {
        inst.write_file("rates.csv", "Description,Prefix,RateValue,Increment\nCanada/US,1,0.01,60\n");
        ok(inst, {"tariff", "import", "Wholesale", (inst.dir() / "rates.csv").string()});
        ok(inst, {"product", "add", "--name", "Metered", "--price", "0", "--cycle", "monthly"});
        ok(inst, {"package", "set", "Metered", "--tariff", "Wholesale"});
        ok(inst, {"client", "add", "--first-name", "Ann", "--email", "ann@example.org"});
        ok(inst, {"--now", "2026-03-01T12:00:00Z", "service", "add", "--client", "1", "--product", "Metered"});
        ok(inst, {"--now", "2026-03-01T12:00:00Z", "service", "create", "1"});
    }
    RunResult import(const std::string &text, const std::string &name = "cdrs.csv") {
        return inst.run({"cdr", "import", "--service", "1", inst.write_file(name, text)});
    }
    json calls() { return run_json(inst, {"cdr", "list", "--service", "1", "--all"}); }
};

}  // namespace

TEST_CASE("a rate-card row with more or fewer fields than its header rejects the card, with the line") {
    Metered m;
    const std::string before = m.inst.dump();
    // "0,01" unquoted: five fields under a four-column header. It was read as rate 0.
    const std::string card = m.inst.write_file("shifted.csv", "Description,Prefix,RateValue,Increment\nUK,44,0.02,60\nCanada,1,0,01,6\nShort,33,0.1\n");
    const RunResult r = m.inst.run({"tariff", "import", "Wholesale", card});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("nothing was imported"));
    CHECK_THAT(r.err, Catch::Contains("line 3: the record has 5 fields, the header has 4"));
    CHECK_THAT(r.err, Catch::Contains("line 4: the record has 3 fields, the header has 4"));
    CHECK(m.inst.dump() == before);
}

TEST_CASE("CSV files from Excel (UTF-8 byte-order mark) read like any other") {
    Metered m;
    ok(m.inst, {"tariff", "import", "Wholesale", m.inst.write_file("bom.csv", "\xEF\xBB\xBF" "Description,Prefix,RateValue,Increment\nCanada/US,1,0.02,60\n")});
    CHECK(run_json(m.inst, {"tariff", "show", "Wholesale"})["versions"].size() == 2);
    const RunResult r = m.import(std::string("\xEF\xBB\xBF") + cdr_header +
                                 "b1,outbound,2112,2125550100,2026-03-10 09:00:00,2026-03-10 09:00:00,2026-03-10 09:01:00,60,60\n");
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(m.calls().size() == 1);
}

TEST_CASE("a CDR row whose field count differs from the header is rejected; the others are kept") {
    Metered m;
    const RunResult r = m.import(std::string(cdr_header) +
                                 "f1,outbound,2112,2125550100,2026-03-10 09:00:00,2026-03-10 09:00:00,2026-03-10 09:01:00,60,60\n"
                                 "f2,outbound,2112,2125550100,2026-03-10 09:05:00,2026-03-10 09:05:00,2026-03-10 09:06:00,60,60,extra\n"
                                 "f3,outbound,2112,2125550100,2026-03-10 09:07:00,2026-03-10 09:07:00,2026-03-10 09:08:00,60\n");
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("line 3: the record has 10 fields, the header has 9"));
    CHECK_THAT(r.err, Catch::Contains("line 4: the record has 8 fields, the header has 9"));
    const json calls = m.calls();
    REQUIRE(calls.size() == 1);
    CHECK(calls[0]["source_id"] == "f1");
}

TEST_CASE("without an answer time, billsec > 0 means answered: the call is rated and explain says how") {
    Metered m;
    // No answer_stamp column at all, and an empty one: both were stored as unanswered at cost 0.
    const RunResult r = m.import("xml_cdr_uuid,direction,destination_number,start_stamp,end_stamp,billsec\n"
                                 "a1,outbound,2125550100,2026-03-10 09:00:00,2026-03-10 09:02:00,90\n"
                                 "a2,outbound,2125550100,2026-03-10 10:00:00,2026-03-10 10:00:30,0\n");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::map<std::string, json> by_id;
    for (const auto &c : m.calls()) by_id[c["source_id"]] = c;
    CHECK(by_id["a1"]["status"] == "rated");
    CHECK(by_id["a1"]["cost"] == "0.0200");      // 90 s → 2 min × 0.01
    CHECK(by_id["a1"]["answer"] == "2026-03-10T09:00:30Z");  // end − billsec
    CHECK(by_id["a2"]["status"] == "unanswered");
    const RunResult explain = m.inst.run({"cdr", "explain", std::to_string(by_id["a1"]["id"].get<int64_t>())});
    CHECK_THAT(explain.out, Catch::Contains("inferred"));
    CHECK_THAT(explain.out, Catch::Contains("end − billsec"));

    m.import(std::string(cdr_header) + "a3,outbound,2112,2125550100,2026-03-10 11:00:00,,2026-03-10 11:01:00,60,60\n", "empty.csv");
    for (const auto &c : m.calls())
        if (c["source_id"] == "a3") CHECK(c["status"] == "rated");
}

TEST_CASE("a new recurring service is first due on its registration date; verify reports one without a due date") {
    Metered m;
    const json s = run_json(m.inst, {"service", "show", "1"});
    CHECK(s["next_due_date"] == "2026-03-01");
    ok(m.inst, {"verify"});
    m.inst.sql("UPDATE services SET next_due_date = NULL, next_invoice_date = NULL WHERE id = 1");
    const RunResult v = m.inst.run({"verify"});
    CHECK(v.exit_code != 0);
    CHECK_THAT(v.out + v.err, Catch::Contains("service 1 is billed monthly but has no next due date"));
    // Editing it without giving one is refused; giving one repairs it.
    const RunResult set = m.inst.run({"service", "set", "1", "--domain", "x.example"});
    CHECK(set.exit_code == 2);
    CHECK_THAT(set.err, Catch::Contains("no next due date: give --next-due"));
    ok(m.inst, {"service", "set", "1", "--next-due", "2026-04-01"});
    ok(m.inst, {"verify"});
}

TEST_CASE("a terminated VoIP service's stored calls are billed by the next autobill") {
    Metered m;
    ok(m.inst, {"credit", "add", "1", "10", "--description", "Top-up"});
    REQUIRE(m.import(std::string(cdr_header) +
                     "t1,outbound,2112,2125550100,2026-03-10 09:00:00,2026-03-10 09:00:00,2026-03-10 09:05:00,300,300\n")
                .exit_code == 0);
    ok(m.inst, {"--now", "2026-03-10T12:00:00Z", "service", "terminate", "1"});
    ok(m.inst, {"--now", "2026-03-10T12:05:00Z", "cron", "--task", "autobill"});
    const json credit = run_json(m.inst, {"credit", "list", "1"});
    CHECK(credit["balance"] == "9.95");  // 5 min × 0.01
    // Billed once: a second run posts nothing.
    ok(m.inst, {"--now", "2026-03-10T12:10:00Z", "cron", "--task", "autobill"});
    CHECK(run_json(m.inst, {"credit", "list", "1"})["balance"] == "9.95");
    ok(m.inst, {"verify"});
}

TEST_CASE("numbers out of range are refused with the field and line; a stored one that no longer reads can be replaced") {
    Metered m;
    // billsec above 2^31 − 1 was capped; above 31 days is not a call.
    RunResult r = m.import(std::string(cdr_header) +
                           "n1,outbound,2112,2125550100,2026-03-10 09:00:00,2026-03-10 09:00:00,2026-03-10 09:01:00,3000000000,3000000000\n");
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("line 2: billsec 3000000000 is outside 0 to 2678400 seconds"));
    CHECK(m.calls().empty());

    const std::string before = m.inst.dump();
    r = m.inst.run({"package", "set", "Metered", "--tiers", "153722867280912931:0.001"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("outside 0 to 100000000"));
    r = m.inst.run({"tariff", "import", "Wholesale", m.inst.write_file("huge.csv", "Description,Prefix,RateValue,Increment\nX,1,900000000000,6\n")});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("line 2: RateValue '900000000000' is above 1000000"));
    CHECK(m.inst.run({"package", "set", "Metered", "--markup", "5000"}).exit_code == 2);
    CHECK(m.inst.run({"package", "set", "Metered", "--custom-rate", "1=2000000"}).exit_code == 2);
    CHECK(m.inst.dump() == before);

    // A value stored by an older version that no longer reads names itself, and is replaced.
    m.inst.sql("UPDATE voip_packages SET tiers = '153722867280912931:0.001'");
    r = m.inst.run({"package", "show", "Metered"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("replace it with --tiers"));
    r = m.inst.run({"package", "set", "Metered", "--markup", "5"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("give --tiers in this command"));
    ok(m.inst, {"package", "set", "Metered", "--tiers", ""});
    CHECK(run_json(m.inst, {"package", "show", "Metered"})["tiers"] == "");
}

TEST_CASE("dates and instants: years 1970 to 9999 and digits only") {
    Metered m;
    const std::string before = m.inst.dump();
    RunResult r = m.inst.run({"service", "set", "1", "--next-due", "-001-01-01"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--next-due: '-001-01-01' is not a date"));
    r = m.inst.run({"service", "set", "1", "--next-due", "1969-12-31"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("before 1970"));
    r = m.inst.run({"--now", "2026-01-01T-1:00:00Z", "service", "list"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("2026-01-01T-1:00:00Z"));
    CHECK(m.inst.run({"--now", "2026-01-01T10:-5:00Z", "service", "list"}).exit_code == 2);
    CHECK(m.inst.run({"--now", "+026-01-01", "service", "list"}).exit_code == 2);
    r = m.import(std::string(cdr_header) + "d1,outbound,2112,2125550100,-026-03-10 09:00:00,,2026-03-10 09:01:00,60,60\n");
    CHECK_THAT(r.err, Catch::Contains("line 2: start_stamp"));
    CHECK(m.inst.dump() == before);
}

TEST_CASE("ids are never reused after a delete, and an older database is migrated above every kept reference") {
    Installation inst;
    ok(inst, {"client", "add", "--first-name", "A", "--email", "a@example.org"});
    ok(inst, {"client", "add", "--first-name", "B", "--email", "b@example.org"});
    ok(inst, {"client", "delete", "2"});
    ok(inst, {"client", "add", "--first-name", "C", "--email", "c@example.org"});
    CHECK(inst.sql("SELECT max(id) FROM clients") == "3");
    ok(inst, {"verify"});

    // A database from before migration 13: clients without AUTOINCREMENT, and an audit entry
    // kept for a deleted client 7 above every live id.
    inst.sql("PRAGMA foreign_keys = OFF; BEGIN;"
              "CREATE TABLE old_clients AS SELECT * FROM clients; DELETE FROM sqlite_sequence;"
              "INSERT INTO audit_log (at, actor, action, client_id, detail) VALUES ('2026-01-01T00:00:00Z', 'root', 'client delete', 7, '');"
              "COMMIT;");
    const std::string definition = inst.sql("SELECT sql FROM sqlite_schema WHERE name = 'clients'");
    REQUIRE(definition.find("AUTOINCREMENT") != std::string::npos);
    std::string plain = definition;
    plain.replace(plain.find(" AUTOINCREMENT"), 14, "");
    inst.sql("PRAGMA foreign_keys = OFF; BEGIN; DROP TABLE clients; " + plain + "; INSERT INTO clients SELECT * FROM old_clients; "
              "DROP TABLE old_clients; "
             // Back to schema version 12: what later migrations added goes too.
             "ALTER TABLE client_field_values DROP COLUMN set_by; DROP TABLE pending_sealing; "
             "ALTER TABLE module_queue DROP COLUMN aborts; ALTER TABLE module_queue DROP COLUMN parked_at; "
             "ALTER TABLE module_queue DROP COLUMN parked_reason; DROP INDEX cron_task_runs_by_run; DROP TABLE idempotency_keys; DROP TABLE api_keys; " +
             undo_migrations_since_21 + "PRAGMA user_version = 12; COMMIT;");
    const RunResult v = inst.run({"verify"});  // migrates first
    INFO(v.out + v.err);
    CHECK(v.exit_code == 0);
    CHECK(inst.sql("SELECT sql FROM sqlite_schema WHERE name = 'clients'").find("AUTOINCREMENT") != std::string::npos);
    ok(inst, {"client", "add", "--first-name", "D", "--email", "d@example.org"});
    CHECK(inst.sql("SELECT max(id) FROM clients") == "8");
}

TEST_CASE("cancelling a service cancels its own invoices and takes its lines off shared ones") {
    Installation inst;
    inst.install_module("hello");
    ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    ok(inst, {"product", "add", "--name", "A", "--module", "hello", "--price", "30"});
    ok(inst, {"product", "add", "--name", "B", "--module", "hello", "--price", "60"});
    ok(inst, {"service", "add", "--client", "1", "--product", "A", "--next-due", "2026-03-10"});
    ok(inst, {"service", "add", "--client", "1", "--product", "B", "--next-due", "2026-03-10", "--domain", "b.example"});
    ok(inst, {"service", "create", "1"});
    ok(inst, {"service", "create", "2"});
    ok(inst, {"--now", "2026-03-01T12:00:00Z", "addon", "add", "1", "--name", "Backup", "--price", "5", "--cycle", "monthly",
              "--next-due", "2026-03-20"});
    ok(inst, {"--now", "2026-03-06T12:00:00Z", "invoice", "generate"});
    REQUIRE(run_json(inst, {"invoice", "list"}).size() == 2);  // #1: the addon alone; #2: services 1 and 2

    // 80 of the 90 paid: once service 1's 30 comes off, 20 was paid too much and returns as credit.
    ok(inst, {"invoice", "pay", "2", "--amount", "80", "--method", "banktransfer", "--transaction-id", "BT-1"});
    ok(inst, {"service", "cancel-request", "1", "--when", "immediate"});
    ok(inst, {"--now", "2026-03-17T12:00:00Z", "cron", "--task", "cancellations"});
    const json shared = run_json(inst, {"invoice", "show", "2"});
    CHECK(shared["status"] == "Paid");
    REQUIRE(shared["lines"].size() == 1);
    CHECK(shared["subtotal"] == "60.00");
    CHECK(run_json(inst, {"credit", "list", "1"})["balance"] == "20.00");
    CHECK(run_json(inst, {"service", "show", "2"})["next_due_date"] == "2026-04-10");  // service 2's period is paid
    CHECK(run_json(inst, {"invoice", "show", "1"})["status"] == "Cancelled");
    ok(inst, {"verify"});
}

TEST_CASE("terminating a service whose module collects usage collects it once more; a failed collection stops the terminate") {
    Metered m;
    m.inst.install_module("cdrsource");
    const std::string file = (m.inst.dir() / "pbx-cdrs.txt").string();
    std::ofstream(file) << "last1,outbound,2112,2125550100,,2026-03-10T14:00:00Z,2026-03-10T14:00:00Z,2026-03-10T14:03:00Z,180,180,NORMAL_CLEARING\n";
    ok(m.inst, {"product", "add", "--name", "Hosted PBX", "--module", "cdrsource", "--price", "0", "--setting", "cdr_file=" + file});
    ok(m.inst, {"package", "set", "Hosted PBX", "--tariff", "Wholesale"});
    ok(m.inst, {"--now", "2026-03-01T12:00:00Z", "service", "add", "--client", "1", "--product", "Hosted PBX"});
    ok(m.inst, {"--now", "2026-03-01T12:00:00Z", "service", "create", "2"});
    ok(m.inst, {"credit", "add", "1", "10", "--description", "Top-up"});

    // The PBX cannot report its calls: nothing is terminated, nothing lost.
    ok(m.inst, {"service", "set", "2", "--setting", "mode=error"});
    const RunResult refused = m.inst.run({"--now", "2026-03-10T15:00:00Z", "service", "terminate", "2"});
    CHECK(refused.exit_code != 0);
    CHECK_THAT(refused.err, Catch::Contains("last usage collection before terminating failed"));
    CHECK(run_json(m.inst, {"service", "show", "2"})["status"] == "Active");

    ok(m.inst, {"service", "set", "2", "--setting", "mode=normal"});
    ok(m.inst, {"--now", "2026-03-10T15:00:00Z", "service", "terminate", "2"});
    const json calls = run_json(m.inst, {"cdr", "list", "--service", "2", "--all"});
    REQUIRE(calls.size() == 1);
    CHECK(calls[0]["source_id"] == "last1");
    ok(m.inst, {"--now", "2026-03-10T15:05:00Z", "cron", "--task", "autobill"});
    CHECK(run_json(m.inst, {"credit", "list", "1"})["balance"] == "9.97");  // 3 min × 0.01
}
