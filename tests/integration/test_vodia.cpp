// The vodia module loaded by the real core, driven through the CLI, against the Vodia simulator
// over HTTPS with a self-signed certificate: session login, both suspend modes and a mode
// change while suspended, faults, credentials kept out of logs, usage across runs, autobill
// and autosuspend.
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
constexpr int64_t nov28 = 1795824000;  // 2026-11-28T00:00:00Z

struct VodiaSetup {
    Installation inst;
    provisio::sims::TlsFiles tls = provisio::sims::make_self_signed_certificate(inst.dir() / "tls");
    VodiaSim sim{"admin", password, tls};

    explicit VodiaSetup(const std::string &mode = "trunks") {
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
        ok(inst, {"product", "add", "--name", "Hosted PBX", "--module", "vodia", "--price", "20", "--setting", "suspend_mode=" + mode,
                  "--setting", "max_calls=4"});
        ok(inst, {"package", "set", "Hosted PBX", "--tariff", "Wholesale"});
        ok(inst, {"client", "add", "--first-name", "Ann", "--email", "ann@example.org"});
        ok(inst, {"service", "add", "--client", "1", "--product", "Hosted PBX", "--server", "vodia1", "--domain",
                  tenant + " | 5484815577 | 5197830020 | 8300", "--username", "8300", "--field", "Ext Profile First Name=Ann",
                  "--field", "Inbound Search String=8300", "--next-due", "2026-11-01"});
    }
    std::string status() { return json::parse(inst.run({"--json", "service", "show", "1"}).out)["status"].get<std::string>(); }
    provisio::sims::VodiaTenant pbx() { return *sim.tenant(tenant); }
};

}  // namespace

TEST_CASE("vodia: test connection, create, trunk suspend, unsuspend, change package, terminate against the simulator") {
    VodiaSetup s;
    const RunResult test = s.inst.run({"server", "test", "vodia1"});
    INFO(test.out << test.err);
    REQUIRE(test.exit_code == 0);
    CHECK_THAT(test.out, Catch::Contains("1 tenant(s)"));

    ok(s.inst, {"service", "create", "1"});
    CHECK(s.status() == "Active");
    CHECK(s.pbx().max_calls == "4");
    ok(s.inst, {"service", "suspend", "1"});
    CHECK(s.pbx().trunks[0].disabled);
    CHECK(s.status() == "Suspended");
    ok(s.inst, {"service", "unsuspend", "1"});
    CHECK_FALSE(s.pbx().trunks[0].disabled);
    CHECK(s.pbx().trunks[1].disabled);  // disabled before we came: stays so
    ok(s.inst, {"product", "set", "Hosted PBX", "--setting", "max_calls=8"});
    ok(s.inst, {"service", "change-package", "1"});
    CHECK(s.pbx().max_calls == "8");
    ok(s.inst, {"service", "terminate", "1"});
    CHECK(s.pbx().accounts["8300"].disabled);
    CHECK_FALSE(s.pbx().accounts["8301"].disabled);  // another client's extension on the tenant
    CHECK(s.pbx().trunks[0].disabled);

    // Every request after the login carried the session cookie, never the password.
    const auto requests = s.sim.requests();
    REQUIRE(!requests.empty());
    CHECK(requests.front().method == "PUT");
    for (const auto &r : requests) CHECK(r.body.find(password) == std::string::npos);
    const RunResult log = s.inst.run({"module", "log"});
    CHECK_THAT(log.out, Catch::Contains("edit_trunk/1"));
    CHECK(log.out.find(password) == std::string::npos);
}

TEST_CASE("vodia: account mode suspends only the service's extension; a mode change while suspended undoes exactly that") {
    VodiaSetup s("accounts");
    ok(s.inst, {"service", "create", "1"});
    ok(s.inst, {"service", "suspend", "1"});
    CHECK(s.pbx().accounts["8300"].disabled);
    CHECK_FALSE(s.pbx().accounts["8301"].disabled);
    CHECK_FALSE(s.pbx().trunks[0].disabled);
    ok(s.inst, {"product", "set", "Hosted PBX", "--setting", "suspend_mode=trunks"});
    ok(s.inst, {"service", "unsuspend", "1"});
    CHECK_FALSE(s.pbx().accounts["8300"].disabled);
    CHECK_FALSE(s.pbx().trunks[0].disabled);  // not touched although the mode now says trunks
    CHECK(s.pbx().trunks[1].disabled);
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

TEST_CASE("vodia: usage from the CDR list across runs, never a call twice, then autobill and autosuspend") {
    VodiaSetup s;
    ok(s.inst, {"field", "add-voip"});
    ok(s.inst, {"field", "set", "1", "Has VoIP Service", "yes"});
    ok(s.inst, {"--now", "2026-11-01T10:00:00Z", "service", "create", "1"});
    auto cdr = [&](const std::string &id, const std::string &from, const std::string &to, int64_t at, int64_t talk) {
        s.sim.add_cdr(tenant, {id, from, to, nov28 + at, talk ? nov28 + at + 5 : 0, nov28 + at + 5 + talk});
    };
    cdr("c1", "\"Ann\" <sip:8300@" + tenant + ">", "<sip:+15145550100@trunk>", 36000, 60);
    cdr("c2", "\"Bob\" <sip:8301@" + tenant + ">", "<sip:+15145550101@trunk>", 36100, 60);  // Bob's, not this service's
    cdr("c3", "\"Ann\" <sip:8300@" + tenant + ">", "<sip:+15145550103@trunk>", 36200, 120);
    RunResult r = s.inst.run({"cdr", "collect", "--service", "1"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("2 stored"));
    cdr("c4", "\"Ann\" <sip:8300@" + tenant + ">", "<sip:+15145550102@trunk>", 90000, 30);
    r = s.inst.run({"cdr", "collect", "--service", "1"});
    CHECK_THAT(r.out, Catch::Contains("1 stored"));
    r = s.inst.run({"cdr", "collect", "--service", "1"});
    CHECK_THAT(r.out, Catch::Contains("0 record(s)"));
    const json calls = json::parse(s.inst.run({"--json", "cdr", "list", "--service", "1"}).out);
    CHECK(calls.size() == 3);

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
