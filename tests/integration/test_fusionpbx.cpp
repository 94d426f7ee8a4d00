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

struct FusionOptions {
    EnabledColumns enabled = EnabledColumns::boolean;
    std::string mode = "gateway";
    std::string cache_method = "file";
    provisio::sims::FusionPbxVersion version = provisio::sims::FusionPbxVersion::current;
};

struct FusionSetup {
    Installation inst;
    EslSim esl{esl_password};
    std::string db;

    explicit FusionSetup(EnabledColumns enabled = EnabledColumns::boolean, const std::string &mode = "gateway")
        : FusionSetup(FusionOptions{enabled, mode}) {}
    explicit FusionSetup(const FusionOptions &o) {
        static int databases = 0;
        db = "fusionpbx" + std::to_string(++databases);
        provisio::sims::create_fusionpbx_database(postgres(), db, db, db_password, o.enabled, o.version);
        sql("INSERT INTO v_domains (domain_uuid, domain_name, domain_enabled) VALUES ('" + domain_uuid + "', '" + domain + "', 'true');"
            "INSERT INTO v_gateways (gateway_uuid, domain_uuid, gateway, profile, enabled) VALUES "
            "('22222222-2222-4222-8222-222222222221', '" + domain_uuid + "', 'carrier-a', 'external', 'true'),"
            "('22222222-2222-4222-8222-222222222222', '" + domain_uuid + "', 'carrier-b', '', 'true'),"
            "('22222222-2222-4222-8222-222222222223', '" + domain_uuid + "', 'old-carrier', 'external', 'false');"
            "INSERT INTO v_extensions (extension_uuid, domain_uuid, extension, number_alias, user_context, limit_max, enabled) VALUES "
            "('33333333-3333-4333-8333-333333333333', '" + domain_uuid + "', '2113', '13', '" + domain + "', '5', 'false'),"
            "('33333333-3333-4333-8333-333333333334', '" + domain_uuid + "', '2200', '', '" + domain + "', '5', 'true');");
        esl.set_cache_method(o.cache_method == "memcache" ? EslSim::CacheMethod::memcache : EslSim::CacheMethod::file);
        esl.set_gateway_source([db = db] {
            std::vector<EslSim::Gateway> out;
            for (const auto &r : postgres().query("SELECT gateway_uuid::text, coalesce(nullif(profile, ''), 'external') FROM v_gateways "
                                                  "WHERE enabled::text = 'true'",
                                                  db))
                out.push_back({r[0], r[1]});
            return out;
        });
        esl.start();  // the switch runs the enabled gateways and has cached sofia.conf, as after a start
        inst.install_module("fusionpbx");
        std::ofstream(inst.dir() / "rates.csv") << "Description,Prefix,RateValue,Increment\nCanada/US,1,0.012,6\n";
        ok(inst, {"tariff", "import", "Wholesale", (inst.dir() / "rates.csv").string()});
        ok(inst, {"server", "add", "--name", "fpbx1", "--module", "fusionpbx", "--hostname", "127.0.0.1", "--port",
                  std::to_string(postgres().port()), "--username", db, "--password", db_password, "--option", "db_name=" + db,
                  "--option", "esl_port=" + std::to_string(esl.port()), "--option", "esl_password=" + esl_password, "--option",
                  "esl_timeout_ms=1500", "--option", "db_sslmode=disable", "--option", "cache_method=" + o.cache_method});
        ok(inst, {"product", "add", "--name", "Cloud PBX", "--module", "fusionpbx", "--price", "25", "--setting", "suspend_mode=" + o.mode,
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
    // What one action said to the database and the switch, in order, from the module-call log:
    // "SQL UPDATE v_gateways SET enabled = 'false'" (a statement up to WHERE; a SELECT or INSERT
    // as "SQL SELECT … FROM table" / "SQL INSERT INTO table") and "ESL <command>" per switch command.
    std::vector<std::string> transcript(const std::vector<std::string> &action) {
        const auto before = json::parse(inst.run({"--json", "module", "log", "--limit", "100000"}).out).size();
        ok(inst, action);
        const auto log = json::parse(inst.run({"--json", "module", "log", "--limit", "100000"}).out);
        std::vector<std::string> out;
        for (size_t i = before; i < log.size(); ++i) {
            const std::string action_and_what = log[i]["action"], request = log[i]["request"];  // "suspend:sql"
            const std::string what = action_and_what.substr(action_and_what.find(':') + 1);
            if (what == "sql") {
                std::string statement = request.substr(0, request.find(" ["));
                if (statement.starts_with("SELECT")) statement = "SELECT … FROM " + statement.substr(statement.find(" FROM ") + 6);
                statement = statement.substr(0, statement.find(" WHERE "));
                if (statement.starts_with("INSERT")) statement = statement.substr(0, statement.find(" ("));
                out.push_back("SQL " + statement);
            } else if (what == "event socket") {
                for (size_t at = 0; at <= request.size();) {
                    const size_t end = std::min(request.find("; ", at), request.size());
                    out.push_back("ESL " + request.substr(at, end - at));
                    at = end + 2;
                }
            }
        }
        return out;
    }
};

// resources/classes/cache.php delete(), cache method file, in a transcript: the event for other
// servers, then the file.
std::vector<std::string> file_delete(const std::string &file) {
    return {"ESL sendevent CUSTOM (fusion::file: delete " + file + ")", "ESL lua app/servers/resources/clear_cache.lua delete " + file};
}
std::vector<std::string> join(std::vector<std::vector<std::string>> parts) {
    std::vector<std::string> out;
    for (auto &p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// One call record as FusionPBX's CDR importer writes it (app/xml_cdr/resources/classes/xml_cdr.php).
void insert_call(const FusionSetup &s, const std::string &uuid, const std::string &dom, const std::string &direction, const std::string &dest,
                 int64_t at, int64_t billsec, const std::string &leg = "a", const std::string &id_column = "xml_cdr_uuid") {
    const int64_t start = nov28 + at;
    s.sql("INSERT INTO v_xml_cdr (" + id_column + ", domain_uuid, domain_name, direction, caller_id_number, caller_destination, "
          "destination_number, start_epoch, answer_epoch, end_epoch, duration, billsec, hangup_cause, leg) VALUES ('" + uuid + "', '" + dom +
          "', '" + domain + "', '" + direction + "', '2112', '', '" + dest + "', " + std::to_string(start) + ", " +
          std::to_string(billsec ? start + 5 : 0) + ", " + std::to_string(start + 5 + billsec) + ", " + std::to_string(5 + billsec) + ", " +
          std::to_string(billsec) + ", '" + (billsec ? "NORMAL_CLEARING" : "NO_ANSWER") + "', '" + leg + "')");
}

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
        CHECK_THAT(test.out, Catch::Contains("FreeSWITCH pbx1.example.net: UP"));
        CHECK_THAT(test.out, Catch::Contains("call records keyed by xml_cdr_uuid"));

        ok(s.inst, {"service", "create", "1"});
        CHECK(s.status() == "Active");
        CHECK(s.extensions()["2112"] == "true/3");  // created with the product's limit
        CHECK(s.extensions()["2113"] == "true/3");  // enabled
        CHECK(s.extensions()["2200"] == "true/5");  // not the service's
        CHECK(has_command(s.esl, "lua app/servers/resources/clear_cache.lua delete directory.2112@" + domain));
        CHECK(has_command(s.esl, "lua app/servers/resources/clear_cache.lua delete directory.13@" + domain));  // 2113's number alias

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
        CHECK(has_command(s.esl, "lua app/servers/resources/clear_cache.lua delete directory.2113@" + domain));
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
                    int64_t billsec) { insert_call(s, uuid, dom, direction, dest, at, billsec); };
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

// The switch as FusionPBX leaves it: the Lua handler reads sofia.conf through FusionPBX's cache,
// so a gateway change reaches the switch only with that entry cleared and the profile rescanned.
TEST_CASE("fusionpbx: a suspended domain's gateways stay down through a rescan or restart, and come back on unsuspend") {
    for (const std::string method : {"file", "memcache"}) {
        INFO("cache method " << method);
        FusionOptions o;
        o.cache_method = method;
        FusionSetup s(o);
        const std::set<std::string> both{"22222222-2222-4222-8222-222222222221", "22222222-2222-4222-8222-222222222222"};
        REQUIRE(s.esl.running_gateways() == both);
        ok(s.inst, {"service", "create", "1"});
        ok(s.inst, {"service", "suspend", "1"});
        CHECK(s.esl.running_gateways().empty());
        s.esl.start();  // a restart, or anyone's `sofia profile external rescan`
        CHECK(s.esl.running_gateways().empty());
        ok(s.inst, {"service", "unsuspend", "1"});
        CHECK(s.esl.running_gateways() == both);
        ok(s.inst, {"service", "suspend", "1"});
        CHECK(s.esl.running_gateways().empty());
    }
}

TEST_CASE("fusionpbx: cache entries that are not there, and gateways the switch is not running, are nothing to do") {
    SECTION("memcache answers -ERR NOT FOUND for a directory entry nobody looked up yet") {
        FusionOptions o;
        o.cache_method = "memcache";
        o.mode = "extension";
        FusionSetup s(o);
        s.esl.cache_put("directory:2113@" + domain);  // a phone registered on 2113 once
        ok(s.inst, {"service", "create", "1"});       // 2112 is new: not cached
        CHECK(s.extensions()["2112"] == "true/3");
        CHECK_FALSE(s.esl.cached("directory:2113@" + domain));
        s.esl.cache_put("directory:2112@" + domain);
        ok(s.inst, {"service", "suspend", "1"});
        CHECK(s.extensions()["2112"] == "false/3");
        CHECK_FALSE(s.esl.cached("directory:2112@" + domain));
        ok(s.inst, {"service", "change-package", "1"});
        ok(s.inst, {"service", "terminate", "1"});
    }
    SECTION("killgw of an enabled gateway the switch never loaded answers -ERR no such gateway.") {
        FusionSetup s;
        s.sql("INSERT INTO v_gateways (gateway_uuid, domain_uuid, gateway, profile, enabled) VALUES "
              "('22222222-2222-4222-8222-222222222224', '" + domain_uuid + "', 'never-started', 'external', 'true')");
        ok(s.inst, {"service", "create", "1"});
        ok(s.inst, {"service", "suspend", "1"});
        CHECK(s.gateways()["never-started"] == "false");
        CHECK(has_command(s.esl, "sofia profile external killgw 22222222-2222-4222-8222-222222222224"));
    }
}

TEST_CASE("fusionpbx: answers that mean failure are failures, and nothing is changed") {
    SECTION("a gateway on a profile the switch does not have: 'Invalid Profile [P]', without -ERR") {
        FusionSetup s;
        s.sql("UPDATE v_gateways SET profile = 'carrier-profile' WHERE gateway = 'carrier-a'");
        ok(s.inst, {"service", "create", "1"});
        const RunResult r = s.inst.run({"service", "suspend", "1"});
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains("Invalid Profile [carrier-profile]"));
        CHECK(s.status() == "Active");
        CHECK(s.gateways()["carrier-a"] == "true");
    }
    SECTION("a rescan whose XML reload fails: the change is saved, and the switch's part is finished by the next attempt") {
        FusionSetup s;
        ok(s.inst, {"service", "create", "1"});
        s.esl.inject({"reload_error", -1, 0});
        RunResult r = s.inst.run({"service", "suspend", "1"});
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains("FusionPBX's database is changed, but the switch has not re-read it"));
        CHECK_THAT(r.err, Catch::Contains("'sofia profile external rescan': the XML reload failed: Cannot Open log directory or XML Root!"));
        CHECK(s.status() == "Active");
        CHECK(s.gateways()["carrier-a"] == "false");
        CHECK(s.esl.running_gateways().empty());  // killed before the commit
        s.esl.inject({});
        s.esl.clear_commands();
        ok(s.inst, {"service", "suspend", "1"});  // the retry finishes what the switch owed
        CHECK(has_command(s.esl, "sofia profile external rescan"));
        CHECK(has_command(s.esl, "sofia profile external killgw 22222222-2222-4222-8222-222222222221"));  // in case a restart brought it back
        CHECK(s.status() == "Suspended");
        CHECK(s.esl.running_gateways().empty());
        s.esl.start();
        CHECK(s.esl.running_gateways().empty());

        s.esl.inject({"reload_error", -1, 0});
        r = s.inst.run({"service", "unsuspend", "1"});
        CHECK(r.exit_code == 1);
        CHECK(s.status() == "Suspended");
        CHECK(s.gateways()["carrier-a"] == "true");
        CHECK(s.esl.running_gateways().empty());
        s.esl.inject({});
        ok(s.inst, {"service", "unsuspend", "1"});
        CHECK(s.status() == "Active");
        CHECK(s.esl.running_gateways().size() == 2);
    }
    SECTION("cache_method says memcache on a switch without mod_memcache") {
        FusionSetup s(EnabledColumns::boolean, "extension");
        ok(s.inst, {"service", "create", "1"});
        ok(s.inst, {"server", "set", "fpbx1", "--option", "cache_method=memcache"});
        RunResult r = s.inst.run({"service", "suspend", "1"});
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains("-ERR memcache Command not found!"));
        CHECK_THAT(r.err, Catch::Contains("cache_method"));
        CHECK(s.status() == "Active");
        CHECK(s.extensions()["2112"] == "false/3");  // saved; the directory entries are still owed
        ok(s.inst, {"server", "set", "fpbx1", "--option", "cache_method=file"});
        const auto log_before = json::parse(s.inst.run({"--json", "module", "log", "--limit", "100000"}).out).size();
        ok(s.inst, {"service", "suspend", "1"});
        CHECK(s.status() == "Suspended");
        CHECK(json::parse(s.inst.run({"--json", "module", "log", "--limit", "100000"}).out).size() > log_before);
        CHECK(has_command(s.esl, "lua app/servers/resources/clear_cache.lua delete directory.2112@" + domain));
    }
    SECTION("the switch's ACL refuses this host: a rude rejection, not worth retrying") {
        FusionSetup s;
        ok(s.inst, {"service", "create", "1"});
        s.esl.inject({"acl", 1, 0});
        const RunResult r = s.inst.run({"service", "suspend", "1"});
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains("refuses this host by its access list"));
        CHECK_THAT(r.err, Catch::Contains("Access Denied, go away."));
        CHECK(s.gateways()["carrier-a"] == "true");
    }
}

TEST_CASE("fusionpbx: create needs the domain to exist in FusionPBX") {
    FusionSetup s;
    ok(s.inst, {"service", "add", "--client", "1", "--product", "Cloud PBX", "--server", "fpbx1", "--domain", "new.example.ca | 5190000000",
                "--dedicated-ip", "3001", "--next-due", "2026-11-01"});
    const RunResult r = s.inst.run({"service", "create", "2"});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("domain new.example.ca is not in FusionPBX: create it in FusionPBX first"));
    CHECK(s.sql("SELECT count(*) FROM v_domains")[0][0] == "1");
    CHECK(s.sql("SELECT count(*) FROM v_extensions WHERE extension = '3001'")[0][0] == "0");
    // An extension it creates gets FusionPBX's form defaults and a voicemail box.
    ok(s.inst, {"service", "create", "1"});
    const auto row = s.sql("SELECT user_context, accountcode, limit_destination, call_timeout::text, effective_caller_id_number FROM v_extensions "
                           "WHERE extension = '2112'");
    CHECK(row.at(0) == std::vector<std::string>{domain, domain, "!USER_BUSY", "30", "2112"});
    CHECK(s.sql("SELECT count(*) FROM v_voicemails WHERE voicemail_id = '2112'")[0][0] == "1");
}

TEST_CASE("fusionpbx: only a-legs are billed; FusionPBX 4.4's uuid-keyed v_xml_cdr is read too") {
    SECTION("b-legs stay out") {
        FusionSetup s;
        ok(s.inst, {"--now", "2026-11-01T10:00:00Z", "service", "create", "1"});
        insert_call(s, "bbbbbbbb-0000-4000-8000-000000000001", domain_uuid, "outbound", "15145550100", 36000, 60, "a");
        insert_call(s, "bbbbbbbb-0000-4000-8000-000000000002", domain_uuid, "outbound", "15145550100", 36000, 60, "b");  // its b-leg
        const RunResult r = s.inst.run({"cdr", "collect", "--service", "1"});
        INFO(r.out << r.err);
        CHECK_THAT(r.out, Catch::Contains("1 stored"));
        const auto cdrs = json::parse(s.inst.run({"--json", "cdr", "list", "--service", "1"}).out);
        REQUIRE(cdrs.size() == 1);
        CHECK(cdrs[0]["source_id"] == "bbbbbbbb-0000-4000-8000-000000000001");
    }
    SECTION("FusionPBX 4.4") {
        FusionOptions o;
        o.version = provisio::sims::FusionPbxVersion::v4_4;
        FusionSetup s(o);
        CHECK_THAT(s.inst.run({"server", "test", "fpbx1"}).out, Catch::Contains("call records keyed by uuid"));
        ok(s.inst, {"--now", "2026-11-01T10:00:00Z", "service", "create", "1"});
        insert_call(s, "cccccccc-0000-4000-8000-000000000001", domain_uuid, "outbound", "15145550100", 36000, 60, "a", "uuid");
        insert_call(s, "cccccccc-0000-4000-8000-000000000002", domain_uuid, "outbound", "15145550100", 36100, 90, "a", "uuid");
        CHECK_THAT(s.inst.run({"cdr", "collect", "--service", "1"}).out, Catch::Contains("2 stored"));
        CHECK_THAT(s.inst.run({"cdr", "collect", "--service", "1"}).out, Catch::Contains("0 record(s)"));
    }
    SECTION("a v_xml_cdr that is not FusionPBX's is refused, naming what is missing") {
        FusionSetup s;
        ok(s.inst, {"--now", "2026-11-01T10:00:00Z", "service", "create", "1"});
        s.sql("ALTER TABLE v_xml_cdr DROP COLUMN leg");
        const RunResult r = s.inst.run({"cdr", "collect", "--service", "1"});
        CHECK(r.exit_code != 0);
        CHECK_THAT(r.out + r.err, Catch::Contains("v_xml_cdr has no leg column"));
    }
}

// Each action's exact conversation with the database and the switch, next to what FusionPBX's own
// code does for the same change (fusionpbx/fusionpbx at c7a00dcb3e; docs/modules/fusionpbx.md
// maps each line to its source).
TEST_CASE("fusionpbx: transcripts match FusionPBX's own procedures") {
    const std::string d = domain;
    const std::string gw1 = "22222222-2222-4222-8222-222222222221", gw2 = "22222222-2222-4222-8222-222222222222";
    const std::string sofia = std::string(EslSim::hostname) + ".configuration.sofia.conf";

    FusionSetup s;
    CHECK(s.transcript({"service", "create", "1"}) ==
          join({{"SQL SELECT … FROM v_domains",  //
                 "SQL SELECT … FROM v_extensions", "SQL INSERT INTO v_extensions", "SQL INSERT INTO v_voicemails",
                 "SQL SELECT … FROM v_extensions", "SQL UPDATE v_extensions SET enabled = 'true'",
                 "SQL UPDATE v_extensions SET limit_max = $3"},
                file_delete("directory.2112@" + d), file_delete("directory.2113@" + d), file_delete("directory.13@" + d)}));
    // gateways.php stop() (killgw each), then toggle(): the flag, sofia.conf's cache entry, a rescan per profile.
    CHECK(s.transcript({"service", "suspend", "1"}) ==
          join({{"SQL SELECT … FROM v_domains", "SQL UPDATE v_gateways SET enabled = 'false'", "ESL hostname",
                 "ESL sofia profile external killgw " + gw1, "ESL sofia profile external killgw " + gw2},
                file_delete(sofia),
                {"ESL sofia profile external rescan"}}));
    CHECK(s.transcript({"service", "unsuspend", "1"}) ==
          join({{"SQL UPDATE v_gateways SET enabled = 'true'", "ESL hostname"}, file_delete(sofia), {"ESL sofia profile external rescan"}}));
    // extension.php toggle() per extension: the flag, then directory:EXT@CONTEXT and directory:ALIAS@CONTEXT.
    CHECK(s.transcript({"service", "change-package", "1"}) ==
          join({{"SQL SELECT … FROM v_domains", "SQL UPDATE v_extensions SET limit_max = $3"},
                file_delete("directory.2112@" + d), file_delete("directory.2113@" + d), file_delete("directory.13@" + d)}));
    // Terminate: the extensions' toggle, the gateways' stop and toggle, the domain's toggle (domains.php: the flag only).
    CHECK(s.transcript({"service", "terminate", "1"}) ==
          join({{"SQL SELECT … FROM v_domains", "SQL UPDATE v_extensions SET enabled = 'false'", "SQL UPDATE v_gateways SET enabled = 'false'",
                 "SQL UPDATE v_domains SET domain_enabled = 'false'", "ESL hostname", "ESL sofia profile external killgw " + gw1,
                 "ESL sofia profile external killgw " + gw2},
                file_delete("directory.2112@" + d), file_delete("directory.2113@" + d), file_delete("directory.13@" + d),
                file_delete(sofia),
                {"ESL sofia profile external rescan"}}));

    FusionOptions o;
    o.mode = "extension";
    o.cache_method = "memcache";
    FusionSetup m(o);
    ok(m.inst, {"service", "create", "1"});
    // cache.php delete(), cache method memcache: the event, then `memcache delete` of the key as it is.
    CHECK(m.transcript({"service", "suspend", "1"}) ==
          std::vector<std::string>{"SQL SELECT … FROM v_domains", "SQL UPDATE v_extensions SET enabled = 'false'",
                                   "ESL sendevent CUSTOM (fusion::memcache: delete directory:2112@" + d + ")",
                                   "ESL memcache delete directory:2112@" + d,
                                   "ESL sendevent CUSTOM (fusion::memcache: delete directory:2113@" + d + ")",
                                   "ESL memcache delete directory:2113@" + d,
                                   "ESL sendevent CUSTOM (fusion::memcache: delete directory:13@" + d + ")",
                                   "ESL memcache delete directory:13@" + d});
}

TEST_CASE("fusionpbx: change password, reload the domain's directory, and the phones registered (custom actions)") {
    const std::string d = domain;
    FusionSetup s;
    ok(s.inst, {"service", "create", "1"});
    // Device lines provisioned for 2112: one on this domain, one on another FusionPBX domain.
    s.sql("INSERT INTO v_device_lines (device_line_uuid, domain_uuid, line_number, server_address, user_id, auth_id, password, enabled) VALUES "
          "('44444444-4444-4444-8444-444444444441', '" + domain_uuid + "', '1', '" + d + "', '2112', '2112', 'old', 'true'),"
          "('44444444-4444-4444-8444-444444444442', '" + domain_uuid + "', '1', 'elsewhere.example', '2112', '2112', 'old', 'true')");
    s.esl.cache_put("directory:2112@" + d);  // a phone registered on 2112 with the old password

    const std::string pw = "Sip-Pass-77aa&<x>";
    // extension_edit.php's writes (in one transaction), then directory:EXT and directory:ALIAS.
    CHECK(s.transcript({"service", "change-password", "1", "--password", pw}) ==
          join({{"SQL SELECT … FROM v_domains", "SQL UPDATE v_extensions SET password = $3", "SQL SELECT … FROM information_schema.tables",
                 "SQL UPDATE v_device_lines SET password = $3"},
                file_delete("directory.2112@" + d), file_delete("directory.2113@" + d), file_delete("directory.13@" + d)}));
    CHECK(s.sql("SELECT extension, coalesce(password, '-') FROM v_extensions ORDER BY extension") ==
          std::vector<std::vector<std::string>>{{"2112", pw}, {"2113", pw}, {"2200", "-"}});
    CHECK(s.sql("SELECT server_address, password FROM v_device_lines ORDER BY server_address") ==
          std::vector<std::vector<std::string>>{{"elsewhere.example", "old"}, {d, pw}});
    CHECK_FALSE(s.esl.cached("directory:2112@" + d));
    const RunResult log = s.inst.run({"module", "log", "--service", "1"});
    CHECK_THAT(log.out, !Catch::Contains(pw));
    CHECK_THAT(log.out, Catch::Contains("(secret)"));
    RunResult r = s.inst.run({"service", "change-password", "1", "--password-stdin"}, "\n");
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("the new password is empty"));

    const RunResult listed = s.inst.run({"service", "actions", "1"});
    CHECK_THAT(listed.out, Catch::Contains("reload_directory"));
    CHECK_THAT(listed.out, Catch::Contains("registrations"));
    // FusionPBX's "Reload XML", after every directory entry of the domain's extensions.
    CHECK(s.transcript({"service", "call", "1", "reload_directory"}) ==
          join({{"SQL SELECT … FROM v_domains", "SQL SELECT … FROM v_extensions"}, file_delete("directory.2112@" + d),
                file_delete("directory.2113@" + d), file_delete("directory.13@" + d), file_delete("directory.2200@" + d), {"ESL reloadxml"}}));

    // The Registrations page's query, per enabled profile; only this domain's phones, and only the service's extensions.
    s.esl.add_registration({"internal", "2112@" + d, d, "Yealink SIP-T46S & co <66.86>", "Registered(UDP-NAT) exp(2026-12-02 12:00:00) expsecs(3540)",
                            "192.0.2.10", "5060"});
    s.esl.add_registration({"internal", "2200@" + d, d, "Poly VVX 450", "Registered(UDP) exp(2026-12-02 12:00:00) expsecs(3540)", "192.0.2.11", "5060"});
    s.esl.add_registration({"internal", "2113@elsewhere.example", "elsewhere.example", "Snom D785", "Registered(TLS)", "198.51.100.7", "5061"});
    s.esl.add_registration({"internal-ipv6", "2113@" + d, d, "Snom D785", "Registered(UDP)", "2001:db8::7", "5060"});
    CHECK(s.transcript({"service", "call", "1", "registrations"}) ==
          std::vector<std::string>{"SQL SELECT … FROM v_sip_profiles", "ESL sofia xmlstatus profile external reg", "ESL sofia xmlstatus profile internal reg"});
    r = s.inst.run({"service", "call", "1", "registrations"});
    CHECK(r.out == "service 1 registrations: ok — 1 phone(s) registered: 2112 (Yealink SIP-T46S & co <66.86>, 192.0.2.10:5060, Registered(UDP-NAT))\n");
    // A profile FusionPBX enables but the switch does not run has nobody registered on it.
    s.sql("UPDATE v_sip_profiles SET sip_profile_enabled = 'true' WHERE sip_profile_name = 'internal-ipv6'");
    r = s.inst.run({"service", "call", "1", "registrations"});
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("1 phone(s) registered: 2112"));
}
