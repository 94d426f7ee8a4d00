// Getting paid through a gateway, end to end: the stripe module loaded by the real core, in its
// runners, against the Stripe simulator on loopback, through the CLI, cron and `provisio serve`.
// The simulator's faults are the issue's: a charge that times out after succeeding is charged
// once; a declined card leaves the invoice unpaid with "Credit Card Payment Failed" queued;
// authentication required falls back to a hosted page mailed to the client; duplicate,
// out-of-order and badly signed webhooks post once or not at all; refunds post entries and never
// refund more than was paid; a dispute reopens the invoice; a capture killed mid-run and run
// again ends with the ledger of an uninterrupted one.
#include "stripe_sim.hpp"
#include "support/browser.hpp"
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"
#include "support/served.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <thread>

using namespace provisio::test;
using provisio::HttpResult;
using provisio::sims::StripeSim;
using nlohmann::json;

namespace {

const std::string secret_key = "sk_test_51ProvisioSecret";
const std::string webhook_secret = "whsec_provisio_test";
const std::string dec5 = "2026-12-05T10:00:00Z";

// A gateway account "stripe" on the simulator and `clients` clients, each with a $25.99
// monthly service due 2026-12-10 (hello module), captured up to 7 days before the due date.
void set_up(Installation &inst, const StripeSim &sim, int clients = 1) {
    inst.install_module("hello");
    inst.install_module("stripe");
    inst.edit_config("timeout_ms = 15000", "timeout_ms = 1500");
    inst.edit_config("gateway = \"\"", "gateway = \"stripe\"");
    inst.edit_config("capture_days_before = 0", "capture_days_before = 7");
    ok(inst, {"server", "add", "--name", "stripe", "--module", "stripe", "--hostname", "127.0.0.1", "--port", std::to_string(sim.port()),
              "--secure", "no", "--password", secret_key, "--option", "webhook_secret=" + webhook_secret});
    ok(inst, {"product", "add", "--name", "Hosted PBX", "--module", "hello", "--price", "25.99"});
    for (int c = 1; c <= clients; ++c) {
        ok(inst, {"client", "add", "--first-name", "Client" + std::to_string(c), "--email", "c" + std::to_string(c) + "@example.org"});
        ok(inst, {"service", "add", "--client", std::to_string(c), "--product", "Hosted PBX", "--next-due", "2026-12-10"});
        ok(inst, {"service", "create", std::to_string(c)});
    }
}

json cron_task(const Installation &inst, const std::string &now, const std::string &task) {
    const RunResult r = inst.run({"--json", "--now", now, "cron", "--task", task});
    INFO(r.err);
    REQUIRE((r.exit_code == 0 || r.exit_code == 1));
    return json::parse(r.out);
}

std::string sql(const Installation &inst, const std::string &q) { return inst.sql(q); }

json outbox(const Installation &inst) { return run_json(inst, {"mail", "outbox", "--all"}); }

bool mailed(const Installation &inst, const std::string &subject_part) {
    for (const auto &m : outbox(inst))
        if (m["subject"].get<std::string>().find(subject_part) != std::string::npos) return true;
    return false;
}

// An installation whose client 1 has a saved card and invoice #1 to pay.
std::function<void(Installation &)> with_saved_card(StripeSim &sim) {
    return [&sim](Installation &inst) {
        set_up(inst, sim);
        ok(inst, {"paymethod", "add", "1", "--token", "pm_card_visa"});
        ok(inst, {"--now", dec5, "invoice", "generate"});
    };
}
// Webhooks go to `s`, and invoice #1 is charged to the saved card.
void pay_by_card(Served &s, StripeSim &sim) {
    sim.set_webhook_endpoint(s.base + "/hooks/payments/stripe");
    ok(s.inst, {"--now", dec5, "invoice", "charge", "1"});
}

struct Payments {
    StripeSim sim{secret_key, webhook_secret};
    Installation inst;
    explicit Payments(int clients = 1, const std::string &card = "pm_card_visa") {
        set_up(inst, sim, clients);
        for (int c = 1; c <= clients; ++c) {
            const auto [customer, method] = sim.save_card(card, "c" + std::to_string(c) + "@example.org");
            ok(inst, {"paymethod", "add", std::to_string(c), "--customer", customer, "--token", method, "--label", "Visa ending 4242"});
        }
        ok(inst, {"--now", dec5, "invoice", "generate"});
    }
    std::string invoice_status(int id = 1) { return run_json(inst, {"invoice", "show", std::to_string(id)})["status"].get<std::string>(); }
};

}  // namespace

TEST_CASE("capture: a charge that times out after succeeding is asked again under its key and charged once") {
    Payments p;
    p.sim.answer_late(3000);  // Stripe charges the card; the answer comes after provisio's 1.5 s timeout
    json run = cron_task(p.inst, dec5, "capture");
    CHECK(p.invoice_status() == "Unpaid");
    CHECK(p.sim.payment_intents().size() == 1);
    json attempts = run_json(p.inst, {"invoice", "attempts", "1"});
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0]["state"] == "sent");
    CHECK(attempts[0]["idempotency_key"] == "provisio-invoice-1-attempt-1");

    run = cron_task(p.inst, "2026-12-05T10:05:00Z", "capture-recheck");  // the next cron run asks again: Stripe replays the first answer
    CHECK(p.invoice_status() == "Paid");
    CHECK(p.sim.payment_intents().size() == 1);
    attempts = run_json(p.inst, {"invoice", "attempts", "1"});
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0]["state"] == "succeeded");
    const std::string pi = attempts[0]["payment_ref"];
    CHECK(pi == p.sim.payment_intents().begin().key());
    CHECK(sql(p.inst, "SELECT count(*), sum(amount_micros), method, gateway_id FROM transactions") == "1|25990000|stripe|" + pi);
    // Both requests carried the same key and body.
    int charges = 0;
    for (const auto &r : p.sim.requests())
        if (r.path() == "/v1/payment_intents") {
            ++charges;
            CHECK(r.header("idempotency-key") == "provisio-invoice-1-attempt-1");
            CHECK(r.body.find("amount=2599&currency=usd&confirm=true&off_session=true&payment_method=pm_") == 0);
            CHECK(r.body.find("&customer=cus_") != std::string::npos);
        }
    CHECK(charges == 2);
    CHECK(mailed(p.inst, "Payment received for invoice #1"));
    // The secret key never reaches the call log.
    CHECK(sql(p.inst, "SELECT count(*) FROM module_calls WHERE request LIKE '%" + secret_key + "%' OR response LIKE '%" + secret_key + "%'") == "0");
    // Nothing more to do.
    cron_task(p.inst, "2026-12-07T10:00:00Z", "capture");
    CHECK(p.sim.payment_intents().size() == 1);
}

TEST_CASE("capture: a declined card leaves the invoice unpaid, mails the client and retries on the schedule") {
    Payments p(1, "pm_card_chargeDeclinedInsufficientFunds");
    json run = cron_task(p.inst, dec5, "capture");
    CHECK(p.invoice_status() == "Unpaid");
    json attempts = run_json(p.inst, {"invoice", "attempts", "1"});
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0]["state"] == "declined");
    CHECK(attempts[0]["message"] == "Your card has insufficient funds. (insufficient_funds)");
    REQUIRE(mailed(p.inst, "Payment for invoice #1 failed"));
    for (const auto &m : outbox(p.inst))
        if (m["subject"] == "Payment for invoice #1 failed") CHECK(m["body"].get<std::string>().find("insufficient funds") != std::string::npos);
    CHECK(sql(p.inst, "SELECT count(*) FROM transactions") == "0");

    cron_task(p.inst, dec5, "capture");  // the same day: no second try
    CHECK(run_json(p.inst, {"invoice", "attempts", "1"}).size() == 1);
    cron_task(p.inst, "2026-12-06T10:00:00Z", "capture");  // capture_retry_days [1, 3, 5]: a day later
    attempts = run_json(p.inst, {"invoice", "attempts", "1"});
    REQUIRE(attempts.size() == 2);
    CHECK(attempts[1]["idempotency_key"] == "provisio-invoice-1-attempt-2");
    // The client saves a working card; the next retry day pays.
    const auto [customer, method] = p.sim.save_card("pm_card_visa", "c1@example.org");
    ok(p.inst, {"paymethod", "add", "1", "--customer", customer, "--token", method, "--default"});
    cron_task(p.inst, "2026-12-07T10:00:00Z", "capture");
    CHECK(run_json(p.inst, {"invoice", "attempts", "1"}).size() == 2);  // day 2 is not a retry day
    cron_task(p.inst, "2026-12-08T10:00:00Z", "capture");
    CHECK(p.invoice_status() == "Paid");
    CHECK(run_json(p.inst, {"invoice", "attempts", "1"}).size() == 3);
}

TEST_CASE("authentication required: a hosted page is mailed, and its webhook pays the invoice once") {
    StripeSim sim{secret_key, webhook_secret};
    Served s([&](Installation &inst) {
        set_up(inst, sim);
        ok(inst, {"paymethod", "add", "1", "--token", "pm_card_authenticationRequired"});
        ok(inst, {"--now", dec5, "invoice", "generate"});
    });
    sim.set_webhook_endpoint(s.base + "/hooks/payments/stripe");
    cron_task(s.inst, dec5, "capture");
    json attempts = run_json(s.inst, {"invoice", "attempts", "1"});
    REQUIRE(attempts.size() == 2);
    CHECK(attempts[0]["state"] == "action_required");
    CHECK(attempts[1]["kind"] == "checkout");
    const std::string url = attempts[1]["url"];
    CHECK(url.find(sim.url("/c/pay/cs_test_")) == 0);
    CHECK(attempts[0]["url"] == url);
    REQUIRE(mailed(s.inst, "Please confirm your payment for invoice #1"));
    for (const auto &m : outbox(s.inst))
        if (m["subject"] == "Please confirm your payment for invoice #1") CHECK(m["body"].get<std::string>().find(url) != std::string::npos);

    const std::string session = attempts[1]["gateway_ref"];
    sim.complete_checkout(session, "pm_card_authenticationRequired");  // on the page, the client passes 3-D Secure
    CHECK(sim.deliver() == 3);  // the first charge's payment_failed, then payment_intent.succeeded, checkout.session.completed
    CHECK(run_json(s.inst, {"invoice", "show", "1"})["status"] == "Paid");
    CHECK(sql(s.inst, "SELECT count(*) FROM transactions") == "1");
    CHECK(sql(s.inst, "SELECT count(*) FROM gateway_events WHERE processed_at IS NOT NULL") == "3");
    // The failure event of the first, off-session attempt came first and left it as it was.
    CHECK(run_json(s.inst, {"invoice", "attempts", "1"})[0]["state"] == "action_required");
}

TEST_CASE("top-up: the hosted page's webhook posts the credit once, whatever the order and however often it comes") {
    StripeSim sim{secret_key, webhook_secret};
    Served s([&](Installation &inst) { set_up(inst, sim); });
    sim.set_webhook_endpoint(s.base + "/hooks/payments/stripe");

    RunResult bad = s.inst.run({"credit", "topup", "1", "2.00"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("outside the top-up limits 5.00 to 1000.00") != std::string::npos);
    bad = s.inst.run({"credit", "topup", "1", "12.345"});
    CHECK(bad.exit_code == 2);

    json t = run_json(s.inst, {"credit", "topup", "1", "50.00"});
    CHECK(t["state"] == "open");
    const std::string url = t["url"];
    CHECK(url.find(sim.url("/c/pay/cs_test_")) == 0);
    const std::string session = t["attempt"]["gateway_ref"];
    CHECK(t["attempt"]["idempotency_key"] == "provisio-topup-1");

    // The page is a real page.
    provisio::HttpExchange page;
    page.url = url;
    const provisio::HttpResult shown = provisio::http_exchange(page);
    CHECK(shown.status == 200);
    CHECK(shown.body.find("5000 usd") != std::string::npos);

    // A card declined on the page: its payment_failed event leaves the top-up open for another card.
    CHECK_THROWS(sim.complete_checkout(session, "pm_card_chargeDeclined"));
    CHECK(sim.deliver() == 1);
    CHECK(run_json(s.inst, {"credit", "topups", "1"})[0]["state"] == "open");
    sim.complete_checkout(session, "pm_card_visa");
    CHECK(sim.deliver(/*reversed=*/true) == 2);  // checkout.session.completed before payment_intent.succeeded
    CHECK(run_json(s.inst, {"credit", "list", "1"})["balance"] == "50.00");
    CHECK(sql(s.inst, "SELECT count(*), sum(amount_micros) FROM credit_ledger WHERE kind = 'topup'") == "1|50000000");
    CHECK(run_json(s.inst, {"credit", "topups", "1"})[0]["state"] == "paid");
    // The card was kept: the session's PaymentIntent says so.
    json methods = run_json(s.inst, {"paymethod", "list", "1"});
    REQUIRE(methods.size() == 1);
    CHECK(methods[0]["label"] == "Visa ending 4242");
    CHECK(methods[0]["default"] == true);

    // A duplicate delivery changes nothing; a badly signed one is refused.
    const json events = sim.events();
    const std::string completed = events.back()["type"] == "checkout.session.completed" ? events.back()["id"] : events[events.size() - 2]["id"];
    const std::string before = s.inst.dump();
    CHECK(sim.resend(completed) == 200);
    CHECK(sim.resend(completed, /*bad_signature=*/true) == 400);
    CHECK(s.inst.dump().find("topup") != std::string::npos);
    CHECK(sql(s.inst, "SELECT count(*) FROM credit_ledger WHERE kind = 'topup'") == "1");
    CHECK(sql(s.inst, "SELECT count(*) FROM gateway_events") == "3");
    (void)before;

    // With a saved card, the next top-up is charged at once.
    t = run_json(s.inst, {"credit", "topup", "1", "20"});
    CHECK(t["paid"] == true);
    CHECK(run_json(s.inst, {"credit", "list", "1"})["balance"] == "70.00");
    sim.deliver();  // its payment_intent.succeeded: already posted
    CHECK(sql(s.inst, "SELECT count(*), sum(amount_micros) FROM credit_ledger WHERE kind = 'topup'") == "2|70000000");

    // No such gateway; not a Stripe event.
    CHECK(s.request("POST", "/hooks/payments/nope", "", "{}").status == 404);
    CHECK(s.request("POST", "/hooks/payments/stripe", "", "{\"id\":\"evt_x\"}").status == 400);
}

TEST_CASE("refunds: to the gateway and to credit, never more than was paid; a dispute reopens the invoice") {
    StripeSim sim{secret_key, webhook_secret};
    Served s(with_saved_card(sim));
    pay_by_card(s, sim);
    CHECK(run_json(s.inst, {"invoice", "show", "1"})["status"] == "Paid");
    const std::string pi = sim.payment_intents().begin().key();

    json r = run_json(s.inst, {"invoice", "refund", "1", "--amount", "10.00", "--to", "gateway"});
    CHECK(r["refunded"] == "10.00");
    REQUIRE(sim.refunds().size() == 1);
    CHECK(sim.refunds()[0]["amount"] == 1000);
    CHECK(sim.refunds()[0]["payment_intent"] == pi);
    r = run_json(s.inst, {"invoice", "refund", "1", "--to", "credit"});
    CHECK(r["refunded"] == "15.99");
    CHECK(run_json(s.inst, {"credit", "list", "1"})["balance"] == "15.99");
    CHECK(sql(s.inst, "SELECT group_concat(amount_micros || ':' || coalesce(refund_of, '-'), ' ') FROM transactions ORDER BY id") ==
          "25990000:- -10000000:1 -15990000:1");
    RunResult more = s.inst.run({"invoice", "refund", "1", "--amount", "0.01", "--to", "gateway"});
    CHECK(more.exit_code == 4);
    CHECK(more.err.find("more than the 0.00 left to refund") != std::string::npos);
    CHECK(sim.refunds().size() == 1);
    CHECK(run_json(s.inst, {"invoice", "show", "1"})["status"] == "Paid");
    sim.deliver();  // payment_intent.succeeded and charge.refunded: nothing new
    CHECK(sql(s.inst, "SELECT count(*) FROM transactions") == "3");
}

TEST_CASE("a dispute reopens the invoice and suspends its services; a dispute won pays it again") {
    StripeSim sim{secret_key, webhook_secret};
    Served s(with_saved_card(sim));
    pay_by_card(s, sim);
    sim.deliver();
    const std::string pi = sim.payment_intents().begin().key();
    const std::string dispute = sim.dispute(pi);
    CHECK(sim.deliver() == 1);
    CHECK(run_json(s.inst, {"invoice", "show", "1"})["status"] == "Unpaid");
    CHECK(run_json(s.inst, {"service", "show", "1"})["status"] == "Suspended");
    CHECK(sql(s.inst, "SELECT disputed_at IS NOT NULL FROM transactions WHERE gateway_id = '" + pi + "'") == "1");
    sim.close_dispute(dispute, /*won=*/true);
    CHECK(sim.deliver() == 1);
    CHECK(run_json(s.inst, {"invoice", "show", "1"})["status"] == "Paid");
    CHECK(run_json(s.inst, {"service", "show", "1"})["status"] == "Active");
}

TEST_CASE("capture killed mid-run and run again ends with the ledger of an uninterrupted run") {
    auto ledger = [](const Installation &inst) {
        return inst.sql("SELECT group_concat(invoice_id || ':' || amount_micros || ':' || method, ' ') FROM "
                        "(SELECT invoice_id, amount_micros, method FROM transactions ORDER BY invoice_id)") +
               " / " + inst.sql("SELECT group_concat(id || ':' || status || ':' || paid_micros, ' ') FROM invoices");
    };
    Payments straight(4);
    cron_task(straight.inst, dec5, "capture");
    const std::string expected = ledger(straight.inst);
    CHECK(expected.find("1:Paid:25990000 2:Paid:25990000 3:Paid:25990000 4:Paid:25990000") != std::string::npos);

    Payments killed(4);
    killed.inst.edit_config("timeout_ms = 1500", "timeout_ms = 15000");
    killed.inst.edit_config("capture_workers = 16", "capture_workers = 1");
    killed.sim.answer_late(4000, 1);  // the first charge succeeds at Stripe and hangs there
    const pid_t pid = killed.inst.start({"--now", dec5, "cron", "--task", "capture"});
    for (int i = 0; i < 100 && killed.sim.payment_intents().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    REQUIRE(killed.sim.payment_intents().size() == 1);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    CHECK(killed.inst.sql("SELECT count(*) FROM transactions") == "0");
    // Every attempt was stored before the first charge went out; one reached Stripe.
    CHECK(killed.inst.sql("SELECT group_concat(state) FROM payment_attempts") == "sent,sent,sent,sent");
    cron_task(killed.inst, dec5, "capture");
    CHECK(ledger(killed.inst) == expected);
    CHECK(killed.sim.payment_intents().size() == 4);
    CHECK(killed.inst.sql("SELECT count(DISTINCT idempotency_key), count(*) FROM payment_attempts") == "4|4");
}

TEST_CASE("auto top-up: the autosuspend sweep charges the saved card instead of cutting the client off, within the day's cap") {
    StripeSim sim{secret_key, webhook_secret};
    Installation inst;
    set_up(inst, sim);
    inst.edit_config("auto_topups_per_day = 3", "auto_topups_per_day = 1");
    ok(inst, {"field", "add-voip"});
    std::ofstream(inst.dir() / "rates.csv") << "Description,Prefix,RateValue,Increment\nNANP,1,0.01,6\n";
    ok(inst, {"tariff", "import", "Wholesale", (inst.dir() / "rates.csv").string()});
    ok(inst, {"package", "set", "Hosted PBX", "--tariff", "Wholesale"});
    ok(inst, {"field", "set", "1", "Has VoIP Service", "Yes"});
    ok(inst, {"credit", "add", "1", "3.00", "--description", "Opening balance"});
    const auto [customer, method] = sim.save_card("pm_card_visa", "c1@example.org");
    ok(inst, {"paymethod", "add", "1", "--customer", customer, "--token", method});

    RunResult bad = inst.run({"credit", "auto-topup", "1", "--below", "5"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("needs both --below and --amount") != std::string::npos);
    CHECK(inst.run({"credit", "auto-topup", "1", "--below", "5", "--amount", "5000"}).err.find("outside the top-up limits") != std::string::npos);
    json a = run_json(inst, {"credit", "auto-topup", "1", "--below", "5", "--amount", "20"});
    CHECK(a["enabled"] == true);
    CHECK(a["amount"] == "20.00");

    // Credit 3.00 is below 5.00: charged 20.00, and the service stays Active.
    cron_task(inst, dec5, "autosuspend");
    CHECK(run_json(inst, {"credit", "list", "1"})["balance"] == "23.00");
    CHECK(run_json(inst, {"service", "show", "1"})["status"] == "Active");
    json t = run_json(inst, {"credit", "topups", "1"});
    REQUIRE(t.size() == 1);
    CHECK(t[0]["source"] == "auto");
    CHECK(t[0]["state"] == "paid");

    // Spent down to zero the same day: the cap (1 a day) holds, so the sweep suspends.
    ok(inst, {"credit", "remove", "1", "23.00", "--description", "Calls"});
    json run = cron_task(inst, "2026-12-05T11:00:00Z", "autosuspend");
    CHECK(run.dump().find("1 today already") != std::string::npos);
    CHECK(run_json(inst, {"service", "show", "1"})["status"] == "Suspended");
    // The next day it tops up again, and the sweep releases the service.
    cron_task(inst, "2026-12-06T10:00:00Z", "autosuspend");
    CHECK(run_json(inst, {"credit", "list", "1"})["balance"] == "20.00");
    CHECK(run_json(inst, {"service", "show", "1"})["status"] == "Active");
    CHECK(sim.payment_intents().size() == 2);

    // Off: nothing is charged.
    ok(inst, {"credit", "auto-topup", "1", "--off"});
    ok(inst, {"credit", "remove", "1", "20.00", "--description", "Calls"});
    cron_task(inst, "2026-12-07T10:00:00Z", "autosuspend");
    CHECK(sim.payment_intents().size() == 2);
    CHECK(run_json(inst, {"service", "show", "1"})["status"] == "Suspended");
}

TEST_CASE("client area: add funds on the gateway's page, and switch auto top-up on; CSRF and limits hold") {
    StripeSim sim{secret_key, webhook_secret};
    Served s([&](Installation &inst) {
        set_up(inst, sim, 2);
        for (const char *id : {"1", "2"}) REQUIRE(inst.run({"client", "password", "set", id}, "correct horse battery\n").exit_code == 0);
    });
    sim.set_webhook_endpoint(s.base + "/hooks/payments/stripe");
    Browser b(s);
    REQUIRE(b.log_in("c1@example.org", "correct horse battery").status == 303);
    HttpResult page = b.get("/credit");
    REQUIRE(page.status == 200);
    CHECK(page.body.find("id=\"topup-form\"") != std::string::npos);
    CHECK(b.go("POST", "/credit/topup", {{"csrf", "forged"}, {"amount", "25"}}).status == 403);
    HttpResult r = b.post_from(page, "/credit/topup", {{"amount", "1.00"}, {"pay_with", "page"}});
    CHECK(r.status == 400);
    CHECK(r.body.find("outside the top-up limits") != std::string::npos);
    r = b.post_from(page, "/credit/topup", {{"amount", "25.00"}, {"pay_with", "page"}, {"save", "yes"}});
    REQUIRE(r.status == 303);
    std::string location;
    for (const auto &[k, v] : r.headers)
        if (k == "location") location = v;
    REQUIRE(location.find(sim.url("/c/pay/cs_test_")) == 0);
    const std::string session = location.substr(location.rfind('/') + 1);
    const std::string back = sim.complete_checkout(session, "pm_card_visa");
    CHECK(back.find("/credit?topup=1") != std::string::npos);
    sim.deliver();
    page = b.get(back.substr(back.find("/credit")));
    CHECK(page.body.find("your top-up 1 is paid") != std::string::npos);
    CHECK(page.body.find("25.00 USD") != std::string::npos);
    // The card was kept, so the page offers it, and auto top-up can use it.
    CHECK(page.body.find("Charge my Visa ending 4242") != std::string::npos);
    r = b.post_from(page, "/credit/auto-topup", {{"below", "5"}, {"amount", "10"}, {"enabled", "yes"}});
    CHECK(r.status == 200);
    CHECK(r.body.find("Automatic top-up is on.") != std::string::npos);
    CHECK(run_json(s.inst, {"credit", "auto-topup", "1"})["enabled"] == true);
    // Another client sees none of it, and cannot read client 1's top-up.
    Browser other(s);
    REQUIRE(other.log_in("c2@example.org", "correct horse battery").status == 303);
    CHECK(other.get("/credit?topup=1").status == 404);
    CHECK(other.get("/credit").body.find("Visa ending 4242") == std::string::npos);
}

TEST_CASE("capture-recheck: an unreadable answer is no answer; a charge unanswered for 23 h waits for the operator") {
    Payments p;
    p.sim.inject({"malformed", 1, 0});  // a 200 whose body is not JSON: Stripe may have charged
    cron_task(p.inst, dec5, "capture");
    json attempts = run_json(p.inst, {"invoice", "attempts", "1"});
    REQUIRE(attempts.size() == 1);
    CHECK(attempts[0]["state"] == "sent");
    CHECK(mailed(p.inst, "failed") == false);
    cron_task(p.inst, "2026-12-05T10:05:00Z", "capture-recheck");  // the next cron run
    CHECK(p.invoice_status() == "Paid");
    CHECK(run_json(p.inst, {"invoice", "attempts", "1"}).size() == 1);

    Payments q(1);
    q.sim.inject({"timeout", -1, 2000});  // no answer at all, ever
    cron_task(q.inst, dec5, "capture");
    cron_task(q.inst, "2026-12-05T22:00:00Z", "capture-recheck");
    CHECK(run_json(q.inst, {"invoice", "attempts", "1"})[0]["state"] == "sent");
    const json late = cron_task(q.inst, "2026-12-06T10:00:00Z", "capture-recheck");  // 24 h after the first try
    CHECK(late.dump().find("no answer for 23 h; check stripe for idempotency key provisio-invoice-1-attempt-1") != std::string::npos);
    CHECK(run_json(q.inst, {"invoice", "attempts", "1"})[0]["state"] == "unresolved");
    cron_task(q.inst, "2026-12-07T10:00:00Z", "capture");  // capture leaves it to the operator
    CHECK(run_json(q.inst, {"invoice", "attempts", "1"}).size() == 1);
    RunResult r = q.inst.run({"--now", "2026-12-07T10:00:00Z", "invoice", "charge", "1"});
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("--new-attempt") != std::string::npos);
    q.sim.inject({"", 0, 0});
    ok(q.inst, {"--now", "2026-12-07T10:00:00Z", "invoice", "charge", "1", "--new-attempt"});
    CHECK(q.invoice_status() == "Paid");
    CHECK(run_json(q.inst, {"invoice", "attempts", "1"})[1]["idempotency_key"] == "provisio-invoice-1-attempt-2");
    // The new attempt settled it; and a new invoice for the same client is captured as usual.
    ok(q.inst, {"--now", "2027-01-03T10:00:00Z", "invoice", "generate"});
    cron_task(q.inst, "2027-01-05T10:00:00Z", "capture");
    CHECK(q.invoice_status(2) == "Paid");
}

// A gateway module is contained like any other: tests/modules/hostile.c's hostile_gateway
// segfaults, exits or hangs in charge and parse_webhook when its account's hostname says so.
// A charge whose runner died has no known answer: its attempt stays `sent` and is asked again
// under the same idempotency key (the payment's id, "pay-" + key, proves which key paid); a
// webhook the module could not read is answered 503 so the gateway sends it again.
TEST_CASE("a gateway module that crashes, exits or hangs leaves the charge unanswered, asked again under its key; its webhooks get 503") {
    auto hostile_gateway = [](Installation &inst) {
        inst.edit_config("call_timeout = 60", "call_timeout = 2");
        inst.install_module("hello");
        inst.install_module("hostile_gateway");
        inst.edit_config("gateway = \"\"", "gateway = \"hg\"");
        inst.edit_config("capture_days_before = 0", "capture_days_before = 7");
        ok(inst, {"server", "add", "--name", "hg", "--module", "hostile_gateway", "--hostname", "segv"});
        ok(inst, {"product", "add", "--name", "Hosted PBX", "--module", "hello", "--price", "25.99"});
        for (const std::string c : {"1", "2"}) {
            ok(inst, {"client", "add", "--first-name", "Client" + c, "--email", "c" + c + "@example.org"});
            ok(inst, {"service", "add", "--client", c, "--product", "Hosted PBX", "--next-due", "2026-12-10"});
            ok(inst, {"service", "create", c});
        }
        ok(inst, {"paymethod", "add", "1", "--customer", "cus_1", "--token", "pm_1"});
        ok(inst, {"--now", dec5, "invoice", "generate"});
    };
    Served s(hostile_gateway);
    auto attempts = [&] { return run_json(s.inst, {"invoice", "attempts", "1"}); };

    // Through cron: the capture task reports the crash and goes on; nothing is paid or mailed.
    const json run = cron_task(s.inst, dec5, "capture");
    CHECK(run.dump().find("killed by signal SIGSEGV") != std::string::npos);
    REQUIRE(attempts().size() == 1);
    CHECK(attempts()[0]["state"] == "sent");
    CHECK(attempts()[0]["idempotency_key"] == "provisio-invoice-1-attempt-1");
    CHECK(mailed(s.inst, "failed") == false);

    // By hand, the runner exiting, then hanging past its deadline: the same attempt each time.
    for (const auto &[fault, says] : {std::pair{"exit", "exited with status 0 during charge"}, {"hang", "did not answer within 2 s (charge"}}) {
        INFO(fault);
        ok(s.inst, {"server", "set", "hg", "--hostname", fault});
        const RunResult r = s.inst.run({"--now", "2026-12-05T10:05:00Z", "invoice", "charge", "1"});
        CHECK(r.exit_code != 0);
        INFO(r.out);
        CHECK_THAT(r.out + r.err, Catch::Contains(says));
        REQUIRE(attempts().size() == 1);
        CHECK(attempts()[0]["state"] == "sent");
    }
    CHECK(run_json(s.inst, {"invoice", "show", "1"})["status"] == "Unpaid");
    CHECK(sql(s.inst, "SELECT count(*) FROM module_calls WHERE module = 'hostile_gateway' AND action = 'charge'") == "3");

    // Mended, the next cron run's recheck asks once more under the first key, and is paid once.
    ok(s.inst, {"server", "set", "hg", "--hostname", "mended"});
    cron_task(s.inst, "2026-12-05T10:10:00Z", "capture-recheck");
    CHECK(run_json(s.inst, {"invoice", "show", "1"})["status"] == "Paid");
    REQUIRE(attempts().size() == 1);
    CHECK(attempts()[0]["state"] == "succeeded");
    CHECK(sql(s.inst, "SELECT count(*), group_concat(gateway_id) FROM transactions WHERE invoice_id = 1") == "1|pay-provisio-invoice-1-attempt-1");

    // A webhook the module dies reading is not stored, and answered 503; sent again once the
    // module is mended, it pays invoice #2 once.
    const std::string event = "evt_7 invoice-2 pay-web-2 2599";
    for (const char *fault : {"segv", "exit"}) {
        ok(s.inst, {"server", "set", "hg", "--hostname", fault});
        const HttpResult dead = s.request("POST", "/hooks/payments/hg", "", event);
        CHECK(dead.status == 503);
        CHECK(sql(s.inst, "SELECT count(*) FROM gateway_events") == "0");
    }
    ok(s.inst, {"server", "set", "hg", "--hostname", "mended"});
    CHECK(s.request("POST", "/hooks/payments/hg", "", "not a webhook").status == 400);
    CHECK(s.request("POST", "/hooks/payments/hg", "", event).status == 200);
    CHECK(s.request("POST", "/hooks/payments/hg", "", event).status == 200);
    CHECK(run_json(s.inst, {"invoice", "show", "2"})["status"] == "Paid");
    CHECK(sql(s.inst, "SELECT count(*) FROM transactions WHERE invoice_id = 2") == "1");
    ok(s.inst, {"verify"});
}
