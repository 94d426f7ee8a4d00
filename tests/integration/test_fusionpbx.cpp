// The fusionpbx module loaded by the real core, driven through the CLI, against a real
// PostgreSQL (scratch server, FusionPBX's tables in both schema generations) and the
// event-socket simulator: create, both suspend modes and mode changes while suspended, change
// package, terminate, faults on either side, credentials kept out of logs, usage from v_xml_cdr
// across runs, autobill and autosuspend.
#include "esl_sim.hpp"
#include "scratch_postgres.hpp"
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace provisio::test;
using provisio::sims::EnabledColumns;
using provisio::sims::EslSim;
using provisio::sims::ScratchPostgres;
using nlohmann::json;

namespace {

const std::string db_password = "fpbx-Db-Secret-5";
const std::string esl_password = "Esl-Secret-8";
const std::string domain = "mcon.wat5.example.ca";
const std::string domain_uuid = "11111111-1111-4111-8111-111111111111";
constexpr int64_t nov28 = 1795824000;  // 2026-11-28T00:00:00Z

// One PostgreSQL server for the whole run; each setup gets a database of its own.
ScratchPostgres &postgres() {
    static ScratchPostgres pg;
    return pg;
}

struct FusionSetup {
    Installation inst;
    EslSim esl{esl_password};
    std::string db;

    explicit FusionSetup(EnabledColumns enabled = EnabledColumns::boolean, const std::string &mode = "gateway") {
        static int databases = 0;
        db = "fusionpbx" + std::to_string(++databases);
        provisio::sims::create_fusionpbx_database(postgres(), db, db, db_password, enabled);
        sql("INSERT INTO v_domains (domain_uuid, domain_name, domain_enabled) VALUES ('" + domain_uuid + "', '" + domain + "', 'true');"
            "INSERT INTO v_gateways (gateway_uuid, domain_uuid, gateway, profile, enabled) VALUES "
            "('22222222-2222-4222-8222-222222222221', '" + domain_uuid + "', 'carrier-a', 'external', 'true'),"
            "('22222222-2222-4222-8222-222222222222', '" + domain_uuid + "', 'carrier-b', '', 'true'),"
            "('22222222-2222-4222-8222-222222222223', '" + domain_uuid + "', 'old-carrier', 'external', 'false');"
            "INSERT INTO v_extensions (extension_uuid, domain_uuid, extension, limit_max, enabled) VALUES "
            "('33333333-3333-4333-8333-333333333333', '" + domain_uuid + "', '2113', '5', 'false'),"
            "('33333333-3333-4333-8333-333333333334', '" + domain_uuid + "', '2200', '5', 'true');");
        inst.install_module("fusionpbx");
        std::ofstream(inst.dir() / "rates.csv") << "Description,Prefix,RateValue,Increment\nCanada/US,1,0.012,6\n";
        ok(inst, {"tariff", "import", "Wholesale", (inst.dir() / "rates.csv").string()});
        ok(inst, {"server", "add", "--name", "fpbx1", "--module", "fusionpbx", "--hostname", "127.0.0.1", "--port",
                  std::to_string(postgres().port()), "--username", db, "--password", db_password, "--option", "db_name=" + db,
                  "--option", "esl_port=" + std::to_string(esl.port()), "--option", "esl_password=" + esl_password, "--option",
                  "esl_timeout_ms=1500", "--option", "db_sslmode=disable"});
        ok(inst, {"product", "add", "--name", "Cloud PBX", "--module", "fusionpbx", "--price", "25", "--setting", "suspend_mode=" + mode,
                  "--setting", "limit_max=3"});
        ok(inst, {"package", "set", "Cloud PBX", "--tariff", "Wholesale"});
        ok(inst, {"client", "add", "--first-name", "Mia", "--email", "mia@example.org"});
        ok(inst, {"service", "add", "--client", "1", "--product", "Cloud PBX", "--server", "fpbx1", "--domain", domain + " | 5192229000",
                  "--dedicated-ip", "2112 | 2113", "--next-due", "2026-11-01"});
    }
    std::vector<std::vector<std::string>> sql(const std::string &statement) const {
        return postgres().query("SET ROLE \"" + db + "\";" + statement, db);
    }
    // gateway name → enabled ('true'/'false'), from the database
    std::map<std::string, std::string> gateways() const {
        std::map<std::string, std::string> out;
        for (const auto &r : sql("SELECT gateway, enabled::text FROM v_gateways")) out[r[0]] = r[1];
        return out;
    }
    std::map<std::string, std::string> extensions() const {
        std::map<std::string, std::string> out;
        for (const auto &r : sql("SELECT extension, enabled::text || '/' || coalesce(limit_max, '') FROM v_extensions")) out[r[0]] = r[1];
        return out;
    }
    std::string status() { return json::parse(inst.run({"--json", "service", "show", "1"}).out)["status"].get<std::string>(); }
};

bool has_command(const EslSim &esl, const std::string &command) {
    const auto all = esl.commands();
    return std::find(all.begin(), all.end(), "api " + command) != all.end();
}

}  // namespace

TEST_CASE("fusionpbx: create, gateway suspend, unsuspend, change package, terminate on both schema generations") {
    for (EnabledColumns enabled : {EnabledColumns::text, EnabledColumns::boolean}) {
        INFO((enabled == EnabledColumns::text ? "enabled as text" : "enabled as boolean"));
        FusionSetup s(enabled);
        const RunResult test = s.inst.run({"server", "test", "fpbx1"});
        INFO(test.out << test.err);
        REQUIRE(test.exit_code == 0);
        CHECK_THAT(test.out, Catch::Contains("1 domain(s), enabled columns as " + std::string(enabled == EnabledColumns::text ? "text" : "boolean")));
        CHECK_THAT(test.out, Catch::Contains("FreeSWITCH: UP"));

        ok(s.inst, {"service", "create", "1"});
        CHECK(s.status() == "Active");
        CHECK(s.extensions()["2112"] == "true/3");  // created with the product's limit
        CHECK(s.extensions()["2113"] == "true/3");  // enabled
        CHECK(s.extensions()["2200"] == "true/5");  // not the service's
        CHECK(has_command(s.esl, "reloadxml"));
        CHECK(has_command(s.esl, "memcache delete directory:2112@" + domain));

        ok(s.inst, {"service", "suspend", "1"});
        CHECK(s.status() == "Suspended");
        CHECK(s.gateways() == std::map<std::string, std::string>{{"carrier-a", "false"}, {"carrier-b", "false"}, {"old-carrier", "false"}});
        CHECK(has_command(s.esl, "sofia profile external killgw 22222222-2222-4222-8222-222222222221"));
        CHECK(has_command(s.esl, "sofia profile external killgw 22222222-2222-4222-8222-222222222222"));  // blank profile: external
        CHECK_FALSE(has_command(s.esl, "sofia profile external killgw 22222222-2222-4222-8222-222222222223"));

        ok(s.inst, {"service", "unsuspend", "1"});
        CHECK(s.gateways() == std::map<std::string, std::string>{{"carrier-a", "true"}, {"carrier-b", "true"}, {"old-carrier", "false"}});
        CHECK(has_command(s.esl, "sofia profile external rescan"));

        ok(s.inst, {"product", "set", "Cloud PBX", "--setting", "limit_max=7"});
        ok(s.inst, {"service", "change-package", "1"});
        CHECK(s.extensions()["2112"] == "true/7");
        CHECK(s.extensions()["2200"] == "true/5");

        ok(s.inst, {"service", "terminate", "1"});
        CHECK(s.extensions()["2112"] == "false/7");
        CHECK(s.sql("SELECT domain_enabled::text FROM v_domains")[0][0] == "false");

        const RunResult log = s.inst.run({"module", "log"});
        CHECK_THAT(log.out, Catch::Contains("UPDATE v_gateways"));
        CHECK(log.out.find(db_password) == std::string::npos);
        CHECK(log.out.find(esl_password) == std::string::npos);
    }
}

TEST_CASE("fusionpbx: a suspend mode change while suspended is undone exactly, in both directions") {
    SECTION("suspended by extension, unsuspended after the product says gateway") {
        FusionSetup s(EnabledColumns::text, "extension");
        ok(s.inst, {"service", "create", "1"});
        ok(s.inst, {"service", "suspend", "1"});
        CHECK(s.extensions()["2112"] == "false/3");
        CHECK(s.extensions()["2200"] == "true/5");
        CHECK(s.gateways()["carrier-a"] == "true");
        CHECK(has_command(s.esl, "memcache delete directory:2113@" + domain));
        ok(s.inst, {"product", "set", "Cloud PBX", "--setting", "suspend_mode=gateway"});
        ok(s.inst, {"service", "unsuspend", "1"});
        CHECK(s.extensions()["2112"] == "true/3");
        CHECK(s.extensions()["2113"] == "true/3");
        CHECK(s.gateways() == std::map<std::string, std::string>{{"carrier-a", "true"}, {"carrier-b", "true"}, {"old-carrier", "false"}});
    }
    SECTION("suspended by gateway, unsuspended after the product says extension") {
        FusionSetup s(EnabledColumns::boolean, "gateway");
        ok(s.inst, {"service", "create", "1"});
        ok(s.inst, {"service", "suspend", "1"});
        ok(s.inst, {"product", "set", "Cloud PBX", "--setting", "suspend_mode=extension"});
        ok(s.inst, {"service", "unsuspend", "1"});
        CHECK(s.gateways()["carrier-a"] == "true");
        CHECK(s.gateways()["carrier-b"] == "true");
        CHECK(s.gateways()["old-carrier"] == "false");
    }
}

TEST_CASE("fusionpbx: faults on the event socket or the database change nothing and say what happened") {
    FusionSetup s;
    ok(s.inst, {"service", "create", "1"});
    struct Case {
        provisio::sims::Fault fault;
        int exit_code;
        std::string message;
    };
    for (const Case &c : std::vector<Case>{{{"timeout", 1, 3000}, 6, "did not close the connection within 1500 ms"},
                                           {{"reset", 1, 0}, 6, "127.0.0.1"},  // a reset, or a close before the greeting
                                           {{"malformed", 1, 0}, 6, "not the event-socket protocol"},
                                           {{"wrong_credentials", 1, 0}, 1, "refused the password"}}) {
        INFO(c.fault.kind);
        s.esl.inject(c.fault);
        const RunResult r = s.inst.run({"service", "suspend", "1"});
        INFO(r.out << r.err);
        CHECK(r.exit_code == c.exit_code);
        CHECK(s.status() == "Active");
        CHECK(s.gateways()["carrier-a"] == "true");  // the transaction rolled back
        const RunResult log = s.inst.run({"module", "log"});
        CHECK_THAT(log.out + r.err, Catch::Contains(c.message));
        CHECK((log.out + r.out + r.err).find(esl_password) == std::string::npos);
    }
    s.esl.inject({});

    ok(s.inst, {"server", "set", "fpbx1", "--password", "not-the-password"});
    RunResult r = s.inst.run({"service", "suspend", "1"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(s.inst.run({"module", "log"}).out + r.err, Catch::Contains("password authentication failed"));
    ok(s.inst, {"server", "set", "fpbx1", "--password", db_password, "--port", "1"});
    r = s.inst.run({"service", "suspend", "1"});
    CHECK(r.exit_code == 6);  // connection refused: retry later
    CHECK(s.status() == "Active");
    ok(s.inst, {"server", "set", "fpbx1", "--port", std::to_string(postgres().port())});
    ok(s.inst, {"service", "suspend", "1"});
    CHECK(s.gateways()["carrier-a"] == "false");
}

TEST_CASE("fusionpbx: usage from v_xml_cdr across runs, answered calls only, then autobill and autosuspend") {
    FusionSetup s;
    ok(s.inst, {"field", "add-voip"});
    ok(s.inst, {"field", "set", "1", "Has VoIP Service", "yes"});
    ok(s.inst, {"--now", "2026-11-01T10:00:00Z", "service", "create", "1"});
    auto call = [&](const std::string &uuid, const std::string &dom, const std::string &direction, const std::string &dest, int64_t at,
                    int64_t billsec) {
        const int64_t start = nov28 + at;
        s.sql("INSERT INTO v_xml_cdr (xml_cdr_uuid, domain_uuid, domain_name, direction, caller_id_number, caller_destination, "
              "destination_number, start_epoch, answer_epoch, end_epoch, duration, billsec, hangup_cause) VALUES ('" + uuid + "', '" + dom +
              "', '" + domain + "', '" + direction + "', '2112', '', '" + dest + "', " + std::to_string(start) + ", " +
              std::to_string(billsec ? start + 5 : 0) + ", " + std::to_string(start + 5 + billsec) + ", " + std::to_string(5 + billsec) +
              ", " + std::to_string(billsec) + ", '" + (billsec ? "NORMAL_CLEARING" : "NO_ANSWER") + "')");
    };
    call("aaaaaaaa-0000-4000-8000-000000000001", domain_uuid, "outbound", "15145550100", 36000, 60);
    call("aaaaaaaa-0000-4000-8000-000000000002", domain_uuid, "outbound", "15145550101", 36100, 0);  // not answered
    call("aaaaaaaa-0000-4000-8000-000000000003", "99999999-9999-4999-8999-999999999999", "outbound", "15145550102", 36200, 60);  // other domain
    call("aaaaaaaa-0000-4000-8000-000000000004", domain_uuid, "outbound", "15145550103", 36300, 120);
    RunResult r = s.inst.run({"cdr", "collect", "--service", "1"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("2 stored"));
    call("aaaaaaaa-0000-4000-8000-000000000005", domain_uuid, "outbound", "15145550104", 36300, 30);  // same second as the cursor
    r = s.inst.run({"cdr", "collect", "--service", "1"});
    CHECK_THAT(r.out, Catch::Contains("1 stored"));
    r = s.inst.run({"cdr", "collect", "--service", "1"});
    CHECK_THAT(r.out, Catch::Contains("0 record(s)"));
    CHECK(json::parse(s.inst.run({"--json", "cdr", "list", "--service", "1"}).out).size() == 3);

    ok(s.inst, {"credit", "add", "1", "0.04", "--description", "Top-up"});
    r = s.inst.run({"--now", "2026-11-30T06:00:00Z", "cron", "--task", "autobill", "--verbose"});
    INFO(r.out << r.err);
    CHECK_THAT(r.out, Catch::Contains("service 1 (client 1): 3 call(s), 0.0420 → 0.04 USD debited from credit"));
    r = s.inst.run({"--now", "2026-11-30T06:05:00Z", "cron", "--task", "autosuspend", "--verbose"});
    INFO(r.out << r.err);
    CHECK(s.status() == "Suspended");
    CHECK(s.gateways()["carrier-a"] == "false");
    ok(s.inst, {"credit", "add", "1", "10.00", "--description", "Top-up"});
    ok(s.inst, {"--now", "2026-11-30T06:10:00Z", "cron", "--task", "autosuspend"});
    CHECK(s.status() == "Active");
    CHECK(s.gateways()["carrier-a"] == "true");
}
