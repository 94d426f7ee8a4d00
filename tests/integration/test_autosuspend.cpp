// VoIP autosuspend and low-balance alerts through the CLI: client custom fields, the sweep's
// decisions (credit, invoices due, manual and forced settings), what it never touches, its dry
// run, concurrent module calls within per-server limits, and the e-mails, once through a real
// SMTP server.
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"
#include "support/smtp_server.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>

using namespace provisio::test;
using nlohmann::json;

namespace {

struct VoipClients {
    Installation inst;
    explicit VoipClients(int delay_ms = 0, bool templates = true) {
        inst.install_module("scripted");
        ok(inst, {"field", "add-voip"});
        std::ofstream(inst.dir() / "rates.csv") << "Description,Prefix,RateValue,Increment\nNANP,1,0.01,6\n";
        ok(inst, {"tariff", "import", "Wholesale", (inst.dir() / "rates.csv").string()});
        ok(inst, {"server", "add", "--name", "pbx1", "--module", "scripted", "--hostname", "pbx1.example", "--max-concurrent", "2"});
        ok(inst, {"server", "add", "--name", "pbx2", "--module", "scripted", "--hostname", "pbx2.example", "--max-concurrent", "3"});
        ok(inst, {"product", "add", "--name", "Voice", "--module", "scripted", "--price", "20", "--setting", "region=ca", "--setting",
                  "delay_ms=" + std::to_string(delay_ms)});
        ok(inst, {"package", "set", "Voice", "--tariff", "Wholesale"});
        ok(inst, {"product", "add", "--name", "Web", "--module", "scripted", "--price", "5", "--setting", "region=ca"});
        if (!templates) return;
        ok(inst, {"mail", "template", "add", "VoIP Zero Balance", "--subject", "VoIP paused for {$client_name}", "--body",
                  "Credit Balance: ${$client_credit}\nOutstanding Balance: {$client_due_invoices_balance}\n"
                  "Low Balance Threshold: ${$client_custom_field_lowbalancethreshold}.00\n"});
        ok(inst, {"mail", "template", "add", "Low Balance Alert", "--subject", "Low balance, account {$client_id}", "--body",
                  "Dear {$client_first_name}, your balance is {$client_credit}; alerts at "
                  "${$client_custom_field_lowbalancethreshold}.00\n"});
    }
    // A client with `services` Voice services (alternating servers), all created.
    int64_t client(const std::string &name, const std::string &credit, const std::string &has_voip, int services = 1) {
        const RunResult r = inst.run({"--json", "client", "add", "--first-name", name, "--email", name + "@example.org"});
        REQUIRE(r.exit_code == 0);
        const int64_t id = json::parse(r.out)["id"].get<int64_t>();
        if (credit != "0") ok(inst, {"credit", "add", std::to_string(id), credit, "--description", "Top-up"});
        ok(inst, {"field", "set", std::to_string(id), "Has VoIP Service", has_voip});
        for (int i = 0; i < services; ++i) {
            const RunResult s = inst.run({"--json", "service", "add", "--client", std::to_string(id), "--product", "Voice", "--server",
                                          i % 2 ? "pbx2" : "pbx1", "--domain", name + std::to_string(i) + ".example", "--next-due",
                                          "2026-04-01"});
            REQUIRE(s.exit_code == 0);
            ok(inst, {"service", "create", std::to_string(json::parse(s.out)["id"].get<int64_t>())});
        }
        return id;
    }
    std::map<int64_t, std::string> statuses() {
        std::map<int64_t, std::string> out;
        for (const auto &s : json::parse(inst.run({"--json", "service", "list"}).out)) out[s["id"]] = s["status"];
        return out;
    }
    json outbox() { return json::parse(inst.run({"--json", "mail", "outbox", "--all"}).out); }
    RunResult sweep(const std::string &now = "2026-03-10T12:00:00Z", bool dry_run = false) {
        std::vector<std::string> args{"--now", now, "cron", "--task", "autosuspend", "--verbose"};
        if (dry_run) args.push_back("--dry-run");
        return inst.run(args);
    }
};

}  // namespace

TEST_CASE("client custom fields are defined once, checked, and set per client") {
    Installation inst;
    ok(inst, {"client", "add", "--first-name", "Ann", "--email", "ann@example.org"});
    CHECK_THAT(inst.run({"field", "set", "1", "Has VoIP Service", "Yes"}).err, Catch::Contains("none are defined"));
    ok(inst, {"field", "add-voip"});
    CHECK_THAT(inst.run({"field", "add-voip"}).out, Catch::Contains("already exists"));
    const std::string before = inst.dump();
    CHECK_THAT(inst.run({"field", "set", "1", "Has VoIP Service", "maybe"}).err, Catch::Contains("is yes/no: 'maybe' is neither"));
    CHECK_THAT(inst.run({"field", "set", "1", "VoIP Suspended", "Sometimes"}).err, Catch::Contains("is one of None, Yes, No"));
    CHECK_THAT(inst.run({"field", "set", "1", "Low Balance Threshold", "5 dollars"}).err, Catch::Contains("Low Balance Threshold"));
    CHECK_THAT(inst.run({"field", "set", "9", "Has VoIP Service", "Yes"}).err, Catch::Contains("client 9 does not exist"));
    CHECK_THAT(inst.run({"field", "set", "1", "Colour", "red"}).err, Catch::Contains("no client field named 'Colour'"));
    CHECK_THAT(inst.run({"field", "add", "--name", "Tier", "--type", "dropdown"}).err, Catch::Contains("needs its choices"));
    CHECK_THAT(inst.run({"field", "add", "--name", "has voip service", "--type", "text"}).err, Catch::Contains("already exists"));
    CHECK_THAT(inst.run({"field", "add", "--name", "Size", "--type", "colour"}).err, Catch::Contains("not one of text, yesno"));
    CHECK(inst.dump() == before);

    ok(inst, {"field", "set", "1", "has voip service", "yes"});
    ok(inst, {"field", "set", "1", "VoIP Suspended", "no"});
    ok(inst, {"field", "set", "1", "Low Balance Threshold", "5"});
    const json values = json::parse(inst.run({"--json", "field", "show", "1"}).out);
    CHECK(values["Has VoIP Service"] == "Yes");
    CHECK(values["VoIP Suspended"] == "No");
    CHECK(values["Manual VoIP Suspend"] == "No");  // the default
    CHECK(values["Low Balance Threshold"] == "5");
    ok(inst, {"field", "set", "1", "Low Balance Threshold", ""});
    CHECK(json::parse(inst.run({"--json", "field", "show", "1"}).out)["Low Balance Threshold"] == "");
}

TEST_CASE("autosuspend suspends VoIP clients out of credit, mails them, and releases only its own suspensions") {
    VoipClients v;
    const int64_t ann = v.client("ann", "0", "Yes", 3);      // services 1 (pbx1), 2 (pbx2), 3 (pbx1)
    const int64_t bob = v.client("bob", "5.00", "Yes");      // 4: in credit
    const int64_t cy = v.client("cy", "0", "No");            // 5: not a VoIP client
    const int64_t dee = v.client("dee", "0", "Yes");         // 6: exempt
    const int64_t eve = v.client("eve", "10.00", "Yes");     // 7: manual suspend
    ok(v.inst, {"field", "set", std::to_string(dee), "VoIP Suspended", "No"});
    ok(v.inst, {"field", "set", std::to_string(eve), "Manual VoIP Suspend", "Yes"});
    ok(v.inst, {"field", "set", std::to_string(ann), "Low Balance Threshold", "2"});
    ok(v.inst, {"service", "suspend", "3", "--reason", "abuse"});  // an operator's suspension
    (void)cy;

    // The dry run says who and why, and changes nothing.
    const std::string before = v.inst.dump();
    const RunResult dry = v.sweep("2026-03-10T12:00:00Z", true);
    INFO(dry.out << dry.err);
    CHECK_THAT(dry.out, Catch::Contains("would suspend services 1, 2 of client 1 (ann): credit 0.00 is not above zero"));
    CHECK_THAT(dry.out, Catch::Contains("would suspend service 7 of client 5 (eve): Manual VoIP Suspend = Yes"));
    CHECK_THAT(dry.out, !Catch::Contains("client 4 (dee)"));
    CHECK(v.inst.dump() == before);

    const RunResult run = v.sweep();
    INFO(run.out << run.err);
    CHECK(run.exit_code == 0);
    auto s = v.statuses();
    CHECK(s[1] == "Suspended");
    CHECK(s[2] == "Suspended");
    CHECK(s[4] == "Active");
    CHECK(s[5] == "Active");
    CHECK(s[6] == "Active");
    CHECK(s[7] == "Suspended");
    const json mails = v.outbox();
    // One per client out of credit, however many services; none for eve, whose suspension she
    // asked for (Manual VoIP Suspend) while in credit.
    REQUIRE(mails.size() == 1);
    const json &to_ann = mails[0];
    CHECK(to_ann["subject"] == "VoIP paused for ann");
    CHECK_THAT(to_ann["body"].get<std::string>(), Catch::Contains("Credit Balance: $0.00"));
    CHECK_THAT(to_ann["body"].get<std::string>(), Catch::Contains("Low Balance Threshold: $2.00"));
    CHECK(json::parse(v.inst.run({"--json", "service", "show", "1"}).out)["suspend_reason"] ==
          "VoIP autosuspend: credit 0.00 is not above zero");

    // "VoIP Suspended" shows the state: Yes while autosuspend holds the services, and the
    // operator's own No (dee) untouched.
    auto voip_suspended = [&](int64_t client) {
        return json::parse(v.inst.run({"--json", "field", "show", std::to_string(client)}).out)["VoIP Suspended"].get<std::string>();
    };
    CHECK(voip_suspended(ann) == "Yes");
    CHECK(voip_suspended(eve) == "Yes");
    CHECK(voip_suspended(bob) == "None");
    CHECK(voip_suspended(dee) == "No");

    // Again: nothing more to do, nothing mailed twice.
    CHECK_THAT(v.sweep("2026-03-10T12:05:00Z").out, Catch::Contains("0 service(s) suspended, 0 unsuspended, 0 e-mail(s)"));
    CHECK(v.outbox().size() == 1);

    // A top-up releases what autosuspend suspended — not the operator's suspension, and not a
    // client who asked to stay suspended.
    ok(v.inst, {"credit", "add", std::to_string(ann), "20.00", "--description", "Top-up"});
    const RunResult after = v.sweep("2026-03-10T12:10:00Z");
    INFO(after.out);
    CHECK_THAT(after.out, Catch::Contains("0 service(s) suspended, 2 unsuspended"));
    s = v.statuses();
    CHECK(s[1] == "Active");
    CHECK(s[2] == "Active");
    CHECK(s[3] == "Suspended");
    CHECK(s[7] == "Suspended");
    CHECK(voip_suspended(ann) == "None");  // the Yes autosuspend set was its state, not an override
    CHECK(voip_suspended(eve) == "Yes");
    ok(v.inst, {"field", "set", std::to_string(eve), "Manual VoIP Suspend", "No"});
    v.sweep("2026-03-10T12:15:00Z");
    CHECK(v.statuses()[7] == "Active");
    CHECK(voip_suspended(eve) == "None");

    // Invoices due beyond the credit suspend too; paying them releases.
    ok(v.inst, {"credit", "remove", std::to_string(ann), "19.00", "--description", "Refund"});  // 1.00 left
    ok(v.inst, {"--now", "2026-03-10T12:20:00Z", "invoice", "early", "1"});
    const RunResult owing = v.sweep("2026-04-02T12:00:00Z");
    INFO(owing.out);
    CHECK_THAT(owing.out, Catch::Contains("of client 1 (ann) suspended"));
    CHECK(v.statuses()[1] == "Suspended");
    ok(v.inst, {"verify"});
}

TEST_CASE("VoIP Suspended: an operator's Yes is an override autosuspend never changes, and sends no zero-balance e-mail") {
    VoipClients v;
    const int64_t fay = v.client("fay", "25.00", "Yes");  // service 1, in credit
    const int64_t gus = v.client("gus", "0", "Yes");      // service 2
    ok(v.inst, {"field", "set", std::to_string(fay), "VoIP Suspended", "Yes"});
    ok(v.inst, {"field", "set", std::to_string(gus), "VoIP Suspended", "None"});  // the operator hands it to autosuspend
    const RunResult run = v.sweep();
    INFO(run.out << run.err);
    CHECK(run.exit_code == 0);
    CHECK(v.statuses()[1] == "Suspended");
    CHECK(v.statuses()[2] == "Suspended");
    const json mails = v.outbox();
    REQUIRE(mails.size() == 1);
    CHECK(mails[0]["subject"] == "VoIP paused for gus");
    auto voip_suspended = [&](int64_t client) {
        return json::parse(v.inst.run({"--json", "field", "show", std::to_string(client)}).out)["VoIP Suspended"].get<std::string>();
    };
    CHECK(voip_suspended(gus) == "Yes");
    // The table says whose Yes it is: autosuspend's state for gus, fay's operator's own.
    CHECK_THAT(v.inst.run({"field", "show", std::to_string(gus)}).out, Catch::Contains(" Yes (set by autosuspend)\n"));
    const std::string fays = v.inst.run({"field", "show", std::to_string(fay)}).out;
    CHECK_THAT(fays, Catch::Contains(" Yes\n") && !Catch::Contains("set by"));
    // Top-ups: gus is released and his field goes back to None; fay's own Yes keeps her suspended.
    ok(v.inst, {"credit", "add", std::to_string(gus), "10.00", "--description", "Top-up"});
    ok(v.inst, {"credit", "add", std::to_string(fay), "10.00", "--description", "Top-up"});
    v.sweep("2026-03-10T12:05:00Z");
    CHECK(v.statuses()[1] == "Suspended");
    CHECK(v.statuses()[2] == "Active");
    CHECK(voip_suspended(fay) == "Yes");
    CHECK(voip_suspended(gus) == "None");
    // A manual suspension shows as Yes; an operator who releases the service by hand: the field
    // follows on the next sweep.
    ok(v.inst, {"field", "set", std::to_string(gus), "Manual VoIP Suspend", "Yes"});
    v.sweep("2026-03-10T12:10:00Z");
    CHECK(voip_suspended(gus) == "Yes");
    CHECK(v.outbox().size() == 1);  // in credit: no zero-balance e-mail for a manual suspension
    ok(v.inst, {"field", "set", std::to_string(gus), "Manual VoIP Suspend", "No"});
    ok(v.inst, {"service", "unsuspend", "2"});
    v.sweep("2026-03-10T12:15:00Z");
    CHECK(v.statuses()[2] == "Active");
    CHECK(voip_suspended(gus) == "None");
}

TEST_CASE("autosuspend calls modules concurrently within each server's limit; a failed call does not stop the sweep") {
    VoipClients v(150);
    for (int i = 0; i < 6; ++i) v.client("c" + std::to_string(i), "0", "Yes", 2);  // 6 on pbx1, 6 on pbx2
    ok(v.inst, {"service", "set", "3", "--setting", "outcome=retryable"});
    ok(v.inst, {"service", "set", "4", "--setting", "outcome=error"});
    const RunResult run = v.sweep();
    INFO(run.out << run.err);
    CHECK(run.exit_code != 0);  // two calls failed
    CHECK_THAT(run.out, Catch::Contains("service 3 of client 2 (c1) suspended: credit 0.00 is not above zero — failed (queued for retry)"));
    CHECK_THAT(run.out, Catch::Contains("service 4 of client 2 (c1) suspended"));
    auto s = v.statuses();
    int suspended = 0;
    for (const auto &[id, status] : s) suspended += status == "Suspended";
    CHECK(suspended == 10);
    CHECK(s[3] == "Active");
    CHECK(s[4] == "Active");
    // The most calls in flight at once per server, from the intervals the calls recorded.
    std::map<int, std::vector<std::pair<int64_t, int>>> edges;  // server → (time, +1 start / -1 end)
    for (const auto &sv : json::parse(v.inst.run({"--json", "service", "list"}).out)) {
        const json detail = json::parse(v.inst.run({"--json", "service", "show", sv["id"].dump()}).out);
        if (!detail["module_state"].contains("ran_from_us")) continue;
        auto &e = edges[sv["server_id"].get<int>()];
        e.emplace_back(std::stoll(detail["module_state"]["ran_from_us"].get<std::string>()), +1);
        e.emplace_back(std::stoll(detail["module_state"]["ran_to_us"].get<std::string>()), -1);
    }
    auto peak_of = [&](int server) {
        auto e = edges[server];
        std::sort(e.begin(), e.end());  // an end before a start at the same instant
        int now = 0, peak = 0;
        for (const auto &[at, step] : e) peak = std::max(peak, now += step);
        return peak;
    };
    const int peak1 = peak_of(1), peak2 = peak_of(2);
    CHECK(peak1 == 2);  // pbx1 allows 2 at once, pbx2 3: both reached, neither passed
    CHECK(peak2 == 3);
    // The queued call is marked as autosuspend's: retried and released by it alone.
    const json queue = json::parse(v.inst.run({"--json", "queue", "list"}).out);
    REQUIRE(queue.size() == 1);
    CHECK(queue[0]["requested_by"] == "autosuspend");
}

TEST_CASE("a missing template is reported and the suspension stands; the e-mail goes out through a real SMTP server") {
    SECTION("no template") {
        VoipClients v(0, false);
        v.client("ann", "0", "Yes");
        const RunResult run = v.sweep();
        INFO(run.out << run.err);
        CHECK(run.exit_code != 0);
        CHECK_THAT(run.out, Catch::Contains("client 1: no \"VoIP Zero Balance\" e-mail: no template named 'VoIP Zero Balance'"));
        CHECK(v.statuses()[1] == "Suspended");
        CHECK(v.outbox().empty());
    }
    SECTION("SMTP") {
        VoipClients v;
        SmtpServer smtp;
        use_smtp(v.inst, smtp);
        v.client("ann", "0", "Yes");
        ok(v.inst, {"field", "set", "1", "Low Balance Threshold", "3"});
        ok(v.inst, {"--now", "2026-03-10T12:00:00Z", "cron", "--task", "autosuspend"});
        ok(v.inst, {"--now", "2026-03-10T12:01:00Z", "mail", "send"});
        const auto received = smtp.received();
        REQUIRE(received.size() == 1);
        REQUIRE(received[0].recipients.size() == 1);
        CHECK_THAT(received[0].recipients[0], Catch::Contains("ann@example.org"));
        CHECK_THAT(received[0].data, Catch::Contains("Subject: VoIP paused for ann"));
        CHECK_THAT(received[0].data, Catch::Contains("Low Balance Threshold: $3.00"));
    }
}

TEST_CASE("low-balance alerts go out every day while low, or once per fall, as configured") {
    SECTION("daily (the default)") {
        VoipClients v;
        v.client("ann", "5.00", "Yes");
        ok(v.inst, {"field", "set", "1", "Low Balance Threshold", "10"});
        v.client("bob", "50.00", "Yes");
        ok(v.inst, {"field", "set", "2", "Low Balance Threshold", "10"});
        v.client("cy", "0", "No");  // no threshold: no alerts
        const RunResult first = v.inst.run({"--now", "2026-03-10T12:00:00Z", "cron", "--task", "low-balance", "--verbose"});
        INFO(first.out << first.err);
        CHECK_THAT(first.out, Catch::Contains("client 1: credit 5.00 ≤ threshold 10.00"));
        ok(v.inst, {"--now", "2026-03-10T18:00:00Z", "cron", "--task", "low-balance"});  // same day: not again
        ok(v.inst, {"--now", "2026-03-11T12:00:00Z", "cron", "--task", "low-balance"});  // next day: again
        const json mails = v.outbox();
        REQUIRE(mails.size() == 2);
        CHECK(mails[0]["subject"] == "Low balance, account 1");
        CHECK(mails[0]["body"] == "Dear ann, your balance is 5.00; alerts at $10.00\n");
    }
    SECTION("once per fall") {
        VoipClients v;
        v.inst.edit_config("low_balance_alerts = \"daily\"", "low_balance_alerts = \"once\"");
        v.client("ann", "5.00", "Yes");
        ok(v.inst, {"field", "set", "1", "Low Balance Threshold", "10"});
        ok(v.inst, {"--now", "2026-03-10T12:00:00Z", "cron", "--task", "low-balance"});
        ok(v.inst, {"--now", "2026-03-11T12:00:00Z", "cron", "--task", "low-balance"});
        CHECK(v.outbox().size() == 1);
        ok(v.inst, {"credit", "add", "1", "20.00", "--description", "Top-up"});  // back above
        ok(v.inst, {"--now", "2026-03-12T12:00:00Z", "cron", "--task", "low-balance"});
        ok(v.inst, {"credit", "remove", "1", "20.00", "--description", "Refund"});  // and down again
        ok(v.inst, {"--now", "2026-03-13T12:00:00Z", "cron", "--task", "low-balance"});
        CHECK(v.outbox().size() == 2);
    }
}

TEST_CASE("a sweep that looks only at changed clients misses no one a full sweep would suspend or release") {
    // Random changes through the CLI — credit, invoices, the VoIP fields, an operator's
    // suspensions, auto-suspend overrides — each followed by a sweep on the same day (which looks
    // at the changed clients only) and a dry run (which looks at every client): the dry run must
    // find nothing left to do. A new day's first sweep looks at everyone, for invoices that fell
    // due by the date alone.
    VoipClients v;
    std::vector<int64_t> clients;
    for (int i = 0; i < 8; ++i) clients.push_back(v.client("c" + std::to_string(i), i % 3 ? "5.00" : "0", i == 7 ? "No" : "Yes", 1 + i % 2));
    const size_t services = v.statuses().size();
    uint64_t seed = 20261202;
    auto next = [&](uint64_t n) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        return (seed >> 33) % n;
    };
    std::vector<std::string> invoices;
    int day = 10, minute = 0;
    auto now = [&] {
        char text[32];
        std::snprintf(text, sizeof text, "2026-03-%02dT%02d:%02d:00Z", day, 8 + minute / 60, minute % 60);
        return std::string(text);
    };
    CHECK_THAT(v.sweep(now()).out, !Catch::Contains("changed since the last sweep"));  // the day's first: everyone
    int incremental = 0;
    for (int step = 0; step < 40; ++step) {
        const std::string client = std::to_string(clients[next(clients.size())]);
        const std::string service = std::to_string(1 + next(services));
        std::vector<std::string> change;
        switch (next(9)) {
        case 0: change = {"credit", "add", client, std::to_string(1 + next(9)) + ".00", "--description", "Top-up"}; break;
        case 1: change = {"credit", "remove", client, std::to_string(1 + next(9)) + ".00", "--description", "Calls"}; break;
        case 2: change = {"field", "set", client, "Manual VoIP Suspend", next(2) ? "Yes" : "No"}; break;
        case 3: change = {"field", "set", client, "VoIP Suspended", std::vector<std::string>{"Yes", "No", "None"}[next(3)]}; break;
        case 4: change = {"--now", now(), "invoice", "early", service}; break;
        case 5:
            if (invoices.empty()) continue;
            change = {"invoice", "pay", invoices[next(invoices.size())], "--method", "cash"};
            break;
        case 6: change = {"service", next(2) ? "suspend" : "unsuspend", service}; break;
        case 7: change = {"service", "set", service, "--autosuspend-override", next(2) ? "never" : "none"}; break;
        default: change = {"field", "set", client, "Has VoIP Service", next(4) ? "Yes" : "No"}; break;
        }
        const RunResult changed = v.inst.run(change);
        INFO("step " << step << ": provisio " << [&] {
            std::string s;
            for (const auto &a : change) s += a + " ";
            return s;
        }() << "→ " << changed.out << changed.err);
        if (change[0] == "--now" && changed.exit_code == 0) {
            const json listed = json::parse(v.inst.run({"--json", "invoice", "list"}).out);
            invoices.clear();
            for (const auto &i : listed) invoices.push_back(std::to_string(i["id"].get<int64_t>()));
        }
        if (next(6) == 0) {
            ++day;  // a new business day: its first sweep looks at everyone
            minute = 0;
        } else {
            minute += 5;
        }
        const RunResult swept = v.sweep(now());
        INFO(swept.out << swept.err);
        REQUIRE(swept.exit_code == 0);
        if (swept.out.find("changed since the last sweep") != std::string::npos) ++incremental;
        const RunResult dry = v.sweep(now(), true);
        INFO(dry.out);
        CHECK_THAT(dry.out, !Catch::Contains("would suspend") && !Catch::Contains("would unsuspend"));
    }
    CHECK(incremental > 20);
    ok(v.inst, {"verify"});
}
