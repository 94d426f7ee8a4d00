// The lesnet module loaded by the real core, driven through the CLI, against the LesNet
// simulator over HTTPS with a self-signed certificate: each action's exact requests (the
// transcripts), faults, LesNet's error answers, credentials kept out of logs, usage from the
// CDR file across fetches, and autobill.
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

    // The requests the simulator received from the `from`th on, each "METHOD TARGET BODY" with
    // the apikey masked (a wrong apikey would show as itself).
    std::vector<std::string> transcript(size_t from) const {
        std::vector<std::string> out;
        const auto all = sim.requests();
        for (size_t i = from; i < all.size(); ++i) {
            std::string body = all[i].body;
            if (!body.empty()) {
                json j = json::parse(body);
                if (j.contains("authentication") && j["authentication"].value("apikey", "") == apikey) j["authentication"]["apikey"] = "<apikey>";
                body = j.dump();
            }
            out.push_back(all[i].method + " " + all[i].target + (body.empty() ? "" : " " + body));
        }
        return out;
    }
};

}  // namespace

// What LesNet's sample client sends for a call (rwyc-devon/simple-dashboard
// include/lesnet_api.php: POST /v1/ENDPOINT/, the parameters plus "authentication" and
// "sequence" = time()), for every action; the peer endpoints' names are the module's defaults.
TEST_CASE("lesnet: transcripts: each action's exact requests, and what they changed at LesNet") {
    LesNetSetup s;
    // Every command runs at this instant, so each request's sequence (Unix seconds) is known.
    const std::string now = "2026-11-30T06:00:00Z";
    const std::string auth = R"({"authentication":{"apikey":"<apikey>","idkey":"11330"},)", sequence = R"("sequence":1796018400})";
    const auto step = [&](std::vector<std::string> args, const std::vector<std::string> &expected) {
        const size_t from = s.sim.requests().size();
        args.insert(args.begin(), {"--now", now});
        const RunResult r = s.inst.run(args);
        INFO(args[2] << " " << args[3] << ": " << r.out << r.err);
        CHECK(r.exit_code == 0);
        CHECK(s.transcript(from) == expected);
        return r;
    };
    const RunResult test = step({"server", "test", "lesnet1"}, {"POST /v1/account/balance/ " + auth + sequence});
    CHECK_THAT(test.out, Catch::Contains("balance 25.75"));

    step({"service", "create", "1"}, {"POST /v1/peer/info/ " + auth + R"("peer":"D4E3CD2BFC791",)" + sequence,
                                      "POST /v1/peer/enable/ " + auth + R"("peer":"D4E3CD2BFC791",)" + sequence});
    CHECK(s.status() == "Active");
    step({"service", "suspend", "1"}, {"POST /v1/peer/disable/ " + auth + R"("peer":"D4E3CD2BFC791",)" + sequence});
    CHECK(s.sim.peer("D4E3CD2BFC791")->status == "disabled");
    CHECK(s.status() == "Suspended");
    step({"service", "unsuspend", "1"}, {"POST /v1/peer/enable/ " + auth + R"("peer":"D4E3CD2BFC791",)" + sequence});
    CHECK(s.sim.peer("D4E3CD2BFC791")->status == "enabled");
    step({"service", "change-package", "1"},
         {"POST /v1/peer/update/ " + auth + R"("max_channels":5,"peer":"D4E3CD2BFC791",)" + sequence});
    CHECK(s.sim.peer("D4E3CD2BFC791")->max_channels == 5);

    // Terminating collects the trunk's calls once more first; while the CDR link fails, nothing
    // is terminated.
    const RunResult no_cdrs = s.inst.run({"--now", now, "service", "terminate", "1"});
    CHECK(no_cdrs.exit_code != 0);
    CHECK_THAT(no_cdrs.err, Catch::Contains("last usage collection before terminating failed"));
    CHECK(s.sim.peer("D4E3CD2BFC791")->status == "enabled");
    s.sim.set_cdr_file("11330_0000.txt", "uniqueid,peer,calldate,src,dst,direction,duration,billsec\n"
                                         "last,D4E3CD2BFC791,2026-11-30 05:00:00,12046664021,15145550100,outbound,70,60\n",
                       "Mon, 30 Nov 2026 05:30:00 GMT");
    step({"cdr", "collect", "--service", "1"}, {"GET /cdr/11330_0000.txt"});
    step({"service", "terminate", "1"}, {"GET /cdr/11330_0000.txt", "POST /v1/peer/disable/ " + auth + R"("peer":"D4E3CD2BFC791",)" + sequence});
    CHECK(s.sim.peer("D4E3CD2BFC791")->status == "disabled");
    CHECK(s.sim.cdr_downloads() == 1);  // the second fetch was a 304
    CHECK(json::parse(s.inst.run({"--json", "cdr", "list", "--service", "1"}).out).size() == 1);

    CHECK(json::parse(s.sim.requests().front().body)["authentication"]["apikey"] == apikey);  // it was sent ...
    const RunResult log = s.inst.run({"module", "log"});
    CHECK_THAT(log.out, Catch::Contains("peer/disable"));
    CHECK(log.out.find(apikey) == std::string::npos);  // ... and never logged
}

TEST_CASE("lesnet: LesNet's error answer fails the action with its error and error_detail, and changes nothing") {
    LesNetSetup s;
    ok(s.inst, {"service", "create", "1"});
    ok(s.inst, {"service", "set", "1", "--domain", "GONE000000001 | 12046664021"});
    const RunResult r = s.inst.run({"service", "suspend", "1"});
    CHECK(r.exit_code == 1);
    const RunResult log = s.inst.run({"module", "log"});
    CHECK_THAT(log.out + r.err, Catch::Contains("answered an error: peer_not_found: peer GONE000000001 does not exist"));
    CHECK(s.status() == "Active");
    CHECK(s.sim.peer("D4E3CD2BFC791")->status == "enabled");
}

TEST_CASE("lesnet: each fault is a clear error in the call log, retryable where a retry helps, and the status stays") {
    LesNetSetup s;
    ok(s.inst, {"service", "create", "1"});
    drill_faults(s.inst, s.sim, http_fault_cases("answered an error: authentication_failed: unknown apikey or idkey"), {"service", "suspend", "1"}, [&] {
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
