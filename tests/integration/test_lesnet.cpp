// The lesnet module loaded by the real core, driven through the CLI, against the LesNet
// simulator over HTTPS with a self-signed certificate: provisioning, faults, credentials kept
// out of logs, usage from the CDR file across fetches, and autobill.
#include "lesnet_sim.hpp"
#include "support/expect_ok.hpp"
#include "support/module_faults.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace provisio::test;
using provisio::sims::LesNetSim;
using nlohmann::json;

namespace {

const std::string apikey = "s3cret-apikey-7f2e";

struct LesNetSetup {
    Installation inst;
    provisio::sims::TlsFiles tls = provisio::sims::make_self_signed_certificate(inst.dir() / "tls");
    LesNetSim sim{apikey, "11330", tls};

    LesNetSetup() {
        inst.install_module("lesnet");
        inst.edit_config("ca_file = \"\"", "ca_file = \"" + tls.certificate.string() + "\"");
        inst.edit_config("timeout_ms = 15000", "timeout_ms = 1500");
        sim.add_peer("D4E3CD2BFC791", {"enabled", {"12046664021"}, 2});
        std::ofstream(inst.dir() / "rates.csv") << "Description,Prefix,RateValue,Increment\nCanada/US,1,0.012,6\n";
        ok(inst, {"tariff", "import", "Wholesale", (inst.dir() / "rates.csv").string()});
        ok(inst, {"server", "add", "--name", "lesnet1", "--module", "lesnet", "--hostname", "127.0.0.1", "--port",
                  std::to_string(sim.port()), "--username", "11330", "--password", apikey});
        ok(inst, {"product", "add", "--name", "LesNet Trunk", "--module", "lesnet", "--price", "10", "--setting", "max_channels=5"});
        ok(inst, {"package", "set", "LesNet Trunk", "--tariff", "Wholesale"});
        ok(inst, {"client", "add", "--first-name", "Ann", "--email", "ann@example.org"});
        ok(inst, {"service", "add", "--client", "1", "--product", "LesNet Trunk", "--server", "lesnet1", "--domain",
                  "D4E3CD2BFC791 | 12046664021", "--field", "CDR Link=" + sim.url("/cdr/11330_0000.txt"), "--next-due", "2026-11-01"});
    }
    std::string status() { return json::parse(inst.run({"--json", "service", "show", "1"}).out)["status"].get<std::string>(); }
};

}  // namespace

TEST_CASE("lesnet: test connection, create, suspend, unsuspend, change package, terminate against the simulator") {
    LesNetSetup s;
    const RunResult test = s.inst.run({"server", "test", "lesnet1"});
    INFO(test.out << test.err);
    REQUIRE(test.exit_code == 0);
    CHECK_THAT(test.out, Catch::Contains("account 11330"));

    ok(s.inst, {"service", "create", "1"});
    CHECK(s.status() == "Active");
    ok(s.inst, {"service", "suspend", "1"});
    CHECK(s.sim.peer("D4E3CD2BFC791")->status == "disabled");
    CHECK(s.status() == "Suspended");
    ok(s.inst, {"service", "unsuspend", "1"});
    CHECK(s.sim.peer("D4E3CD2BFC791")->status == "enabled");
    ok(s.inst, {"service", "change-package", "1"});
    CHECK(s.sim.peer("D4E3CD2BFC791")->max_channels == 5);
    // Terminating collects the trunk's calls once more first; while the CDR link fails, nothing
    // is terminated.
    const RunResult no_cdrs = s.inst.run({"service", "terminate", "1"});
    CHECK(no_cdrs.exit_code != 0);
    CHECK_THAT(no_cdrs.err, Catch::Contains("last usage collection before terminating failed"));
    CHECK(s.sim.peer("D4E3CD2BFC791")->status == "enabled");
    s.sim.set_cdr_file("11330_0000.txt", "uniqueid,peer,calldate,src,dst,direction,duration,billsec\n"
                                         "last,D4E3CD2BFC791,2099-01-01 10:00:00,12046664021,15145550100,outbound,70,60\n",
                       "Sat, 28 Nov 2026 06:00:00 GMT");
    ok(s.inst, {"service", "terminate", "1"});
    CHECK(s.sim.peer("D4E3CD2BFC791")->status == "disabled");
    CHECK(json::parse(s.inst.run({"--json", "cdr", "list", "--service", "1"}).out).size() == 1);

    const auto requests = s.sim.requests();
    REQUIRE(!requests.empty());
    CHECK(requests.front().target == "/v1/account/info/");
    CHECK(json::parse(requests.front().body)["authentication"]["apikey"] == apikey);  // it was sent ...
    const RunResult log = s.inst.run({"module", "log"});
    CHECK_THAT(log.out, Catch::Contains("peer/disable"));
    CHECK(log.out.find(apikey) == std::string::npos);  // ... and never logged
}

TEST_CASE("lesnet: each fault is a clear error in the call log, retryable where a retry helps, and the status stays") {
    LesNetSetup s;
    ok(s.inst, {"service", "create", "1"});
    drill_faults(s.inst, s.sim, http_fault_cases("refused the credentials"), {"service", "suspend", "1"}, [&] {
        CHECK(s.status() == "Active");
        CHECK(s.sim.peer("D4E3CD2BFC791")->status == "enabled");
    }, apikey);
    ok(s.inst, {"service", "suspend", "1"});
    CHECK(s.sim.peer("D4E3CD2BFC791")->status == "disabled");
}

TEST_CASE("lesnet: usage from the CDR file, conditional fetches, never a call twice, then autobill") {
    LesNetSetup s;
    ok(s.inst, {"--now", "2026-11-01T10:00:00Z", "service", "create", "1"});  // calls since then are its
    const std::string header = "uniqueid,peer,calldate,src,dst,direction,duration,billsec\n";
    const std::string day1 = "u1,D4E3CD2BFC791,2026-11-28 10:00:00,12046664021,15145550100,outbound,70,60\n"
                             "u2,D4E3CD2BFC791,2026-11-28 11:00:00,12046664021,15145550101,outbound,130,120\n"
                             "u9,OTHERPEER0001,2026-11-28 11:30:00,12045550000,15145550101,outbound,70,60\n";
    s.sim.set_cdr_file("11330_0000.txt", header + day1, "Sat, 28 Nov 2026 06:00:00 GMT");
    RunResult r = s.inst.run({"cdr", "collect", "--service", "1"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("cursor 2026-11-28T11:00:00Z: 2 stored"));
    // Unchanged: a 304, nothing new.
    r = s.inst.run({"cdr", "collect", "--service", "1"});
    CHECK_THAT(r.out, Catch::Contains("0 record(s)"));
    CHECK(s.sim.cdr_downloads() == 1);
    // The next day's file holds yesterday's calls too: only the new one is stored.
    s.sim.set_cdr_file("11330_0000.txt", header + day1 + "u3,D4E3CD2BFC791,2026-11-29 09:00:00,12046664021,15145550102,outbound,70,30\n",
                       "Sun, 29 Nov 2026 06:00:00 GMT");
    r = s.inst.run({"cdr", "collect", "--service", "1"});
    INFO(r.out << r.err);
    CHECK_THAT(r.out, Catch::Contains("1 duplicate(s) skipped"));
    CHECK(json::parse(s.inst.run({"--json", "cdr", "list", "--service", "1"}).out).size() == 3);

    ok(s.inst, {"credit", "add", "1", "5.00", "--description", "Top-up"});
    r = s.inst.run({"--now", "2026-11-30T06:00:00Z", "cron", "--task", "autobill", "--verbose"});
    INFO(r.out << r.err);
    CHECK_THAT(r.out, Catch::Contains("server lesnet1: 0 CDR(s) found"));
    CHECK_THAT(r.out, Catch::Contains("service 1 (client 1): 3 call(s), 0.0420 → 0.04 USD debited from credit"));
}

TEST_CASE("lesnet: autosuspend disables the peer when credit runs out and enables it again on top-up") {
    LesNetSetup s;
    ok(s.inst, {"field", "add-voip"});
    ok(s.inst, {"field", "set", "1", "Has VoIP Service", "yes"});
    ok(s.inst, {"service", "create", "1"});
    RunResult r = s.inst.run({"--now", "2026-11-30T06:00:00Z", "cron", "--task", "autosuspend", "--verbose"});
    INFO(r.out << r.err);
    CHECK_THAT(r.out, Catch::Contains("service 1 of client 1 (Ann) suspended: credit 0.00 is not above zero"));
    CHECK(s.status() == "Suspended");
    CHECK(s.sim.peer("D4E3CD2BFC791")->status == "disabled");
    ok(s.inst, {"credit", "add", "1", "10.00", "--description", "Top-up"});
    r = s.inst.run({"--now", "2026-11-30T06:05:00Z", "cron", "--task", "autosuspend", "--verbose"});
    INFO(r.out << r.err);
    CHECK(s.status() == "Active");
    CHECK(s.sim.peer("D4E3CD2BFC791")->status == "enabled");
}
