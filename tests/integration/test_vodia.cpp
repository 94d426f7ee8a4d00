// The vodia module loaded by the real core, driven through the CLI, against the Vodia simulator
// over HTTPS with a self-signed certificate: the exact requests of each action compared with
// Vodia's documented API and sample client (docs/modules/vodia.md, "Checked against"), both
// suspend modes and a mode change while suspended, a PBX without an account flag, faults,
// credentials kept out of logs, usage across runs from CDRs with fractional text times, a CDR
// that cannot be read, autobill and autosuspend.
#include "support/expect_ok.hpp"
#include "support/module_faults.hpp"
#include "support/sandbox.hpp"
#include "vodia_sim.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace provisio::test;
using provisio::sims::VodiaSim;
using nlohmann::json;

namespace {

const std::string password = "pbx-Secret-9";
const std::string tenant = "cffm.wat1.example.ca";
const std::string T = "/rest/domain/" + tenant;
// Vodia's login: the user and the MD5 of the password (md5("pbx-Secret-9")).
const std::string login = R"(PUT /rest/system/session {"name":"auth","value":"admin 5989e0cf454950382e7b793fb7abdce3"})";
constexpr int64_t nov28 = 1795824000;  // 2026-11-28T00:00:00Z

struct VodiaSetup {
    Installation inst;
    provisio::sims::TlsFiles tls = provisio::sims::make_self_signed_certificate(inst.dir() / "tls");
    VodiaSim sim{"admin", password, tls};

    explicit VodiaSetup(const std::string &mode = "trunks", const std::string &max_calls = "4") {
        inst.install_module("vodia");
        inst.edit_config("ca_file = \"\"", "ca_file = \"" + tls.certificate.string() + "\"");
        inst.edit_config("timeout_ms = 15000", "timeout_ms = 1500");
        provisio::sims::VodiaTenant t;
        t.trunks = {{"1", "Main trunk", false}, {"2", "Old trunk", true}};
        t.accounts = {{"8300", {"Ann", false}}, {"8301", {"Bob", false}}};
        sim.add_tenant(tenant, t);
        std::ofstream(inst.dir() / "rates.csv") << "Description,Prefix,RateValue,Increment\nCanada/US,1,0.012,6\n";
        ok(inst, {"tariff", "import", "Wholesale", (inst.dir() / "rates.csv").string()});
        ok(inst, {"server", "add", "--name", "vodia1", "--module", "vodia", "--hostname", "127.0.0.1", "--port",
                  std::to_string(sim.port()), "--username", "admin", "--password", password});
        std::vector<std::string> product{"product", "add", "--name", "Hosted PBX", "--module", "vodia", "--price", "20", "--setting",
                                         "suspend_mode=" + mode};
        if (!max_calls.empty()) product.insert(product.end(), {"--setting", "max_calls=" + max_calls});
        ok(inst, product);
        ok(inst, {"package", "set", "Hosted PBX", "--tariff", "Wholesale"});
        ok(inst, {"client", "add", "--first-name", "Ann", "--email", "ann@example.org"});
        ok(inst, {"service", "add", "--client", "1", "--product", "Hosted PBX", "--server", "vodia1", "--domain",
                  tenant + " | 5484815577 | 5197830020 | 8300", "--username", "8300", "--field", "Ext Profile First Name=Ann",
                  "--field", "Inbound Search String=8300", "--next-due", "2026-11-01"});
    }
    std::string status() { return json::parse(inst.run({"--json", "service", "show", "1"}).out)["status"].get<std::string>(); }
    provisio::sims::VodiaTenant pbx() { return *sim.tenant(tenant); }

    // Runs one CLI command and returns the requests it made of the PBX, "METHOD target body".
    std::vector<std::string> transcript(const std::vector<std::string> &command, int exit_code = 0) {
        const size_t before = sim.requests().size();
        const RunResult r = inst.run(command);
        INFO(r.out << r.err);
        CHECK(r.exit_code == exit_code);
        std::vector<std::string> out;
        const auto all = sim.requests();
        for (size_t i = before; i < all.size(); ++i)
            out.push_back(all[i].method + " " + all[i].target + (all[i].body.empty() ? "" : " " + all[i].body));
        return out;
    }
    // A call as Vodia records it: times with fractions, answered 5 s in, `talk` billable seconds.
    void cdr(uint64_t id, const std::string &from, const std::string &to, int64_t at, int64_t talk) {
        const int64_t start = (nov28 + at) * 1000 + 250, connect = talk ? start + 5000 : 0;
        sim.add_cdr(tenant, {id, from, to, start, connect, talk ? connect + talk * 1000 - 400 : start + 5000, ""});
    }
};

using Lines = std::vector<std::string>;

}  // namespace

// Vodia's PHP sample client writes a trunk's, an account's and a tenant's settings with PUT; the
// simulator refuses POST as the module's first version sent it.
TEST_CASE("vodia transcripts: each action makes the requests of Vodia's API and sample client, and no others") {
    VodiaSetup s;
    CHECK(s.transcript({"server", "test", "vodia1"}) == Lines{login, "GET /rest/system/domains"});
    CHECK_THAT(s.inst.run({"server", "test", "vodia1"}).out, Catch::Contains("1 tenant(s)"));

    CHECK(s.transcript({"service", "create", "1"}) == Lines{
                                                          login,
                                                          "GET " + T + "/domain_trunks",
                                                          "GET " + T + "/user_settings/8300",
                                                          "GET " + T + "/user_settings/5484815577",
                                                          "GET " + T + "/user_settings/5197830020",
                                                          "GET " + T + "/settings",
                                                          "PUT " + T + R"(/settings/ {"max_calls":"4"})",
                                                      });
    CHECK(s.status() == "Active");
    CHECK(s.pbx().max_calls == "4");

    CHECK(s.transcript({"service", "suspend", "1"}) == Lines{login, "GET " + T + "/domain_trunks", "PUT " + T + R"(/edit_trunk/1 {"dis":"true"})"});
    CHECK(s.pbx().trunks[0].disabled);
    CHECK(s.status() == "Suspended");

    CHECK(s.transcript({"service", "unsuspend", "1"}) == Lines{login, "PUT " + T + R"(/edit_trunk/1 {"dis":"false"})"});
    CHECK_FALSE(s.pbx().trunks[0].disabled);
    CHECK(s.pbx().trunks[1].disabled);  // disabled before we came: stays so

    ok(s.inst, {"product", "set", "Hosted PBX", "--setting", "max_calls=8"});
    CHECK(s.transcript({"service", "change-package", "1"}) == Lines{login, "GET " + T + "/settings", "PUT " + T + R"(/settings/ {"max_calls":"8"})"});
    CHECK(s.pbx().max_calls == "8");

    s.cdr(20751, "\"Ann\" <sip:8300@" + tenant + ">", "<sip:+15145550100@trunk>", 36000, 60);
    CHECK(s.transcript({"cdr", "collect", "--service", "1"}) == Lines{login, "GET " + T + "/cdrs?page=1&size=500"});

    // The host collects the last calls before terminating. Vodia's published account settings
    // have no flag that disables an account: terminate disables the trunks and names the
    // accounts it could not disable.
    CHECK(s.transcript({"service", "terminate", "1"}) == Lines{
                                                             login,
                                                             "GET " + T + "/cdrs?page=1&size=500",
                                                             "GET " + T + "/user_settings/8300",
                                                             "GET " + T + "/user_settings/5484815577",
                                                             "GET " + T + "/user_settings/5197830020",
                                                             "GET " + T + "/domain_trunks",
                                                             "PUT " + T + R"(/edit_trunk/1 {"dis":"true"})",
                                                         });
    CHECK(s.pbx().trunks[0].disabled);
    const RunResult log = s.inst.run({"module", "log"});
    CHECK_THAT(log.out, Catch::Contains("edit_trunk/1"));
    CHECK_THAT(log.out, Catch::Contains("account(s) 8300 left as they are (no 'dis' flag on this PBX)"));
    CHECK(log.out.find(password) == std::string::npos);
    const json services = json::parse(s.inst.run({"--json", "service", "show", "1"}).out);
    CHECK(services["status"] == "Terminated");
}

TEST_CASE("vodia transcripts: account mode on a PBX with an account 'dis' flag; a mode change while suspended undoes exactly that") {
    VodiaSetup s("accounts");
    s.sim.account_flag(true);
    ok(s.inst, {"service", "create", "1"});
    CHECK(s.transcript({"service", "suspend", "1"}) == Lines{
                                                           login,
                                                           "GET " + T + "/user_settings/8300",
                                                           "PUT " + T + R"(/user_settings/8300 {"dis":"true"})",
                                                           "GET " + T + "/user_settings/5484815577",
                                                           "GET " + T + "/user_settings/5197830020",
                                                       });
    CHECK(s.pbx().accounts["8300"].disabled);
    CHECK_FALSE(s.pbx().accounts["8301"].disabled);
    CHECK_FALSE(s.pbx().trunks[0].disabled);
    ok(s.inst, {"product", "set", "Hosted PBX", "--setting", "suspend_mode=trunks"});
    CHECK(s.transcript({"service", "unsuspend", "1"}) == Lines{login, "PUT " + T + R"(/user_settings/8300 {"dis":"false"})"});
    CHECK_FALSE(s.pbx().accounts["8300"].disabled);
    CHECK_FALSE(s.pbx().trunks[0].disabled);  // not touched although the mode now says trunks
    CHECK(s.pbx().trunks[1].disabled);
}

TEST_CASE("vodia: account mode on a PBX whose account settings have no 'dis' flag fails the suspend, naming the account") {
    VodiaSetup s("accounts");
    ok(s.inst, {"service", "create", "1"});
    const auto requests = s.transcript({"service", "suspend", "1"}, 1);
    for (const auto &r : requests) CHECK(r.rfind("PUT " + T, 0) != 0);  // nothing written
    CHECK(s.status() == "Active");
    const RunResult log = s.inst.run({"module", "log"});
    CHECK_THAT(log.out, Catch::Contains("account(s) 8300 on " + tenant + " have no 'dis' flag"));
}

TEST_CASE("vodia: each fault is a clear error in the call log, retryable where a retry helps, and the status stays") {
    VodiaSetup s;
    ok(s.inst, {"service", "create", "1"});
    drill_faults(s.inst, s.sim, http_fault_cases("refused the credentials", 2), {"service", "suspend", "1"}, [&] {
        CHECK(s.status() == "Active");
        CHECK_FALSE(s.pbx().trunks[0].disabled);
    }, password);
    ok(s.inst, {"service", "suspend", "1"});
    CHECK(s.pbx().trunks[0].disabled);
}

// Before: the module read "1795860000.250" as an integer, got 0 and skipped every call, so
// `cdr collect` said "0 record(s)" and the client was never charged.
TEST_CASE("vodia: usage from CDRs with fractional text times across runs, never a call twice, then autobill and autosuspend") {
    VodiaSetup s("trunks", "");
    ok(s.inst, {"field", "add-voip"});
    ok(s.inst, {"field", "set", "1", "Has VoIP Service", "yes"});
    ok(s.inst, {"--now", "2026-11-01T10:00:00Z", "service", "create", "1"});
    s.cdr(20751, "\"Ann\" <sip:8300@" + tenant + ">", "<sip:+15145550100@trunk>", 36000, 60);
    s.cdr(20752, "\"Bob\" <sip:8301@" + tenant + ">", "<sip:+15145550101@trunk>", 36100, 60);  // Bob's, not this service's
    s.cdr(20753, "\"Ann\" <sip:8300@" + tenant + ">", "<sip:+15145550103@trunk>", 36200, 120);
    RunResult r = s.inst.run({"cdr", "collect", "--service", "1"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("2 stored"));
    s.cdr(20754, "\"Ann\" <sip:8300@" + tenant + ">", "<sip:+15145550102@trunk>", 90000, 30);
    r = s.inst.run({"cdr", "collect", "--service", "1"});
    CHECK_THAT(r.out, Catch::Contains("1 stored"));
    r = s.inst.run({"cdr", "collect", "--service", "1"});
    CHECK_THAT(r.out, Catch::Contains("0 record(s)"));
    const json calls = json::parse(s.inst.run({"--json", "cdr", "list", "--service", "1"}).out);
    REQUIRE(calls.size() == 3);

    ok(s.inst, {"credit", "add", "1", "0.05", "--description", "Top-up"});
    r = s.inst.run({"--now", "2026-11-30T06:00:00Z", "cron", "--task", "autobill", "--verbose"});
    INFO(r.out << r.err);
    CHECK_THAT(r.out, Catch::Contains("service 1 (client 1): 3 call(s), 0.0420 → 0.04 USD debited from credit"));
    // 0.01 of credit left is still above zero; spending it suspends the tenant's trunks.
    ok(s.inst, {"credit", "remove", "1", "0.01", "--description", "Adjustment"});
    r = s.inst.run({"--now", "2026-11-30T06:05:00Z", "cron", "--task", "autosuspend", "--verbose"});
    INFO(r.out << r.err);
    CHECK(s.status() == "Suspended");
    CHECK(s.pbx().trunks[0].disabled);
    ok(s.inst, {"credit", "add", "1", "10.00", "--description", "Top-up"});
    r = s.inst.run({"--now", "2026-11-30T06:10:00Z", "cron", "--task", "autosuspend", "--verbose"});
    INFO(r.out << r.err);
    CHECK(s.status() == "Active");
    CHECK_FALSE(s.pbx().trunks[0].disabled);
}

TEST_CASE("vodia: a CDR whose start cannot be read fails the collection, naming the record and the field; nothing is stored") {
    VodiaSetup s("trunks", "");
    ok(s.inst, {"--now", "2026-11-01T10:00:00Z", "service", "create", "1"});
    s.cdr(20751, "\"Ann\" <sip:8300@" + tenant + ">", "<sip:+15145550100@trunk>", 36000, 60);
    s.sim.add_cdr(tenant, {20752, "\"Ann\" <sip:8300@" + tenant + ">", "<sip:+15145550101@trunk>", (nov28 + 36300) * 1000, 0,
                           (nov28 + 36500) * 1000, "28.11.2026 10:05"});  // listed first: the newest
    const RunResult r = s.inst.run({"cdr", "collect", "--service", "1"});
    INFO(r.out << r.err);
    CHECK(r.exit_code != 0);
    CHECK_THAT(r.out + r.err + s.inst.run({"module", "log"}).out,
               Catch::Contains("CDR 20752 (page 1, record 1): field 'start' is \"28.11.2026 10:05\", not a time in seconds since 1970"));
    CHECK(json::parse(s.inst.run({"--json", "cdr", "list", "--service", "1"}).out).empty());
}

TEST_CASE("vodia: change password writes the billed account's password setting; list trunks (a custom action) shows each trunk") {
    VodiaSetup s;
    ok(s.inst, {"service", "create", "1"});
    const std::string pw = "Acct-Pass-51x";
    CHECK(s.transcript({"service", "change-password", "1", "--password", pw}) ==
          Lines{login, "GET " + T + "/user_settings/8300", "PUT " + T + "/user_settings/8300 {\"password\":\"" + pw + "\"}"});
    CHECK(s.pbx().accounts["8300"].password == pw);
    CHECK(s.pbx().accounts["8301"].password.empty());
    const RunResult log = s.inst.run({"module", "log", "--service", "1"});
    CHECK_THAT(log.out, Catch::Contains("user_settings/8300"));
    CHECK(log.out.find(pw) == std::string::npos);
    // The operator's own key, for a PBX version that names the setting otherwise.
    ok(s.inst, {"product", "set", "Hosted PBX", "--setting", "password_key=sip_password"});
    CHECK(s.transcript({"service", "change-password", "1", "--password", pw}).back() ==
          "PUT " + T + "/user_settings/8300 {\"sip_password\":\"" + pw + "\"}");
    // An account the tenant does not have fails, naming it; nothing is written.
    ok(s.inst, {"service", "set", "1", "--username", "8399"});
    CHECK(s.transcript({"service", "change-password", "1", "--password", pw}, 1) == Lines{login, "GET " + T + "/user_settings/8399"});
    CHECK_THAT(s.inst.run({"module", "log", "--service", "1"}).out, Catch::Contains("account 8399 does not exist on tenant " + tenant));

    provisio::sims::VodiaTenant t = s.pbx();
    t.trunks[0].status1 = "200 OK";
    t.trunks[0].status2 = "60 s";
    s.sim.add_tenant(tenant, t);
    CHECK(s.transcript({"service", "call", "1", "list_trunks"}) == Lines{login, "GET " + T + "/domain_trunks"});
    CHECK(s.inst.run({"service", "call", "1", "list_trunks"}).out ==
          "service 1 list_trunks: ok — 2 trunk(s) on " + tenant + ": Main trunk (id 1, enabled, 200 OK, 60 s); Old trunk (id 2, disabled, not registered)\n");
    const json actions = json::parse(s.inst.run({"--json", "service", "actions", "1"}).out);
    REQUIRE(actions.size() == 1);
    CHECK(actions[0]["client_visible"] == false);
}
