// The timelog module's arithmetic and checks on the SDK's fake host: no core, no database.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <provisio/testing.hpp>

using provisio::Status;
using provisio::testing::CallInput;
using provisio::testing::FakeHost;
using provisio::testing::Pairs;

namespace {

struct Fixture {
    FakeHost host;
    Fixture() { host.load(provisio::testing::linked_module()); }

    CallInput with(Pairs settings, const std::string &cycle = "monthly") {
        CallInput in;
        in.service_id = 7;
        in.settings = std::move(settings);
        in.service = {{"billing_cycle", cycle}, {"recurring_amount", "100.00"}};
        return in;
    }
    // Runs one regular cycle; returns "kind:hours" of each posted entry.
    std::vector<std::string> cycle(Pairs settings, const std::string &balance, const std::string &price = "100.00",
                                   provisio_credit_trigger trigger = PROVISIO_CREDIT_MONTHLY) {
        provisio::CreditCycle c;
        c.trigger = trigger;
        c.period = c.period_date = "2026-03-01";
        c.price = price;
        c.billing_cycle = "monthly";
        c.balance = balance;
        const auto r = host.generate(c, with(std::move(settings)));
        REQUIRE(r.status == Status::ok);
        std::vector<std::string> out;
        for (const auto &e : host.credits) out.push_back(e.kind + ":" + e.hours);
        return out;
    }
};

}  // namespace

TEST_CASE("credits per cycle: price / hourly rate, exact to the micro-hour") {
    Fixture f;
    CHECK(f.cycle({{"hourly_rate", "25"}}, "0") == std::vector<std::string>{"credit:4.00"});
    CHECK(f.cycle({{"hourly_rate", "30"}}, "0") == std::vector<std::string>{"credit:3.333333"});
    CHECK(f.cycle({{"hourly_rate", "7.5"}}, "0", "19.99") == std::vector<std::string>{"credit:2.665333"});
    CHECK(f.cycle({}, "5").empty());  // neither rate nor fixed credits: nothing
}

TEST_CASE("Credits to Apply overrides the hourly rate") {
    Fixture f;
    CHECK(f.cycle({{"hourly_rate", "25"}, {"credits", "10"}}, "0") == std::vector<std::string>{"credit:10.00"});
}

TEST_CASE("Debits to Apply expire existing credit first, never below zero") {
    Fixture f;
    CHECK(f.cycle({{"credits", "10"}, {"debits", "3"}}, "12.5") == std::vector<std::string>{"expiry:-3.00", "credit:10.00"});
    CHECK(f.cycle({{"credits", "10"}, {"debits", "3"}}, "1.25") == std::vector<std::string>{"expiry:-1.25", "credit:10.00"});
    CHECK(f.cycle({{"credits", "10"}, {"debits", "10%"}}, "12.5") == std::vector<std::string>{"expiry:-1.25", "credit:10.00"});
    // n% of a fractional balance, rounded half-up at the micro-hour.
    CHECK(f.cycle({{"credits", "1"}, {"debits", "33%"}}, "3.333333") == std::vector<std::string>{"expiry:-1.10", "credit:1.00"});
    CHECK(f.cycle({{"credits", "1"}, {"debits", "12.5%"}}, "0.333333") == std::vector<std::string>{"expiry:-0.041667", "credit:1.00"});
    CHECK(f.cycle({{"credits", "1"}, {"debits", "100%"}}, "4") == std::vector<std::string>{"expiry:-4.00", "credit:1.00"});
    // Nothing to expire when the balance is zero or owed.
    CHECK(f.cycle({{"credits", "2"}, {"debits", "50%"}}, "0") == std::vector<std::string>{"credit:2.00"});
    CHECK(f.cycle({{"credits", "2"}, {"debits", "1"}}, "-3") == std::vector<std::string>{"credit:2.00"});
}

TEST_CASE("a cycle of another kind posts nothing (only the keyphrase may apply)") {
    Fixture f;
    CHECK(f.cycle({{"cycle", "weekly"}, {"credits", "2"}}, "0", "1", PROVISIO_CREDIT_MONTHLY).empty());
    CHECK(f.cycle({{"cycle", "weekly"}, {"credits", "2"}}, "0", "1", PROVISIO_CREDIT_WEEKLY) == std::vector<std::string>{"credit:2.00"});
}

TEST_CASE("the schedule follows the settings") {
    Fixture f;
    auto s = f.host.schedule(f.with({{"cycle", "weekly"}, {"offset", "3"}}));
    CHECK(s.trigger == PROVISIO_CREDIT_WEEKLY);
    CHECK(s.offset == 3);
    CHECK(s.also_on_paid == 0);
    s = f.host.schedule(f.with({{"cycle", "create"}, {"keyphrase", "%d credit hours"}}));
    CHECK(s.trigger == PROVISIO_CREDIT_ON_CREATE);
    CHECK(s.also_on_paid == 1);
    CHECK(f.host.schedule(f.with({})).trigger == PROVISIO_CREDIT_MONTHLY);
}

TEST_CASE("bad settings are refused with the reason") {
    Fixture f;
    auto refused = [&](Pairs settings, const std::string &cycle = "monthly") {
        const auto r = f.host.validate(f.with(std::move(settings), cycle));
        return r.status == Status::ok ? std::string() : r.message;
    };
    CHECK(refused({{"hourly_rate", "0"}}) == "Hourly Rate must be more than zero");
    CHECK(refused({{"hourly_rate", "-5"}}) == "Hourly Rate must be more than zero");
    CHECK(refused({{"cycle", "weekly"}, {"offset", "7"}}) == "Generation Offset 7 is out of range for a weekly cycle (0..6)");
    CHECK(refused({{"cycle", "monthly"}, {"offset", "31"}}) == "Generation Offset 31 is out of range for a monthly cycle (0..30)");
    CHECK(refused({{"cycle", "yearly"}, {"offset", "366"}}).find("0..365") != std::string::npos);
    CHECK(refused({{"cycle", "yearly"}, {"offset", "365"}}).empty());
    for (const char *bad : {"abc", "150%", "-3", "%", "1.2.3"}) {
        INFO(bad);
        CHECK(refused({{"debits", bad}}).find("must be a number of hours (n) or a percentage") != std::string::npos);
    }
    CHECK(refused({{"debits", "2.5"}}).empty());
    CHECK(refused({{"debits", "100%"}}).empty());
    CHECK(refused({{"cycle", "invoice_paid"}}, "free") ==
          "Credit Generation Cycle 'invoice_paid' needs a product that invoices; this one is free and never does");
    CHECK(refused({{"cycle", "invoice_paid"}}, "monthly").empty());
    CHECK(refused({{"keyphrase", "credit hours"}}).find("must contain %d") != std::string::npos);
}

TEST_CASE("the invoice keyphrase credits the hours named in the service's own paid lines") {
    Fixture f;
    provisio::InvoiceEvent inv;
    inv.kind = provisio::InvoiceEvent::paid;
    inv.invoice_id = 12;
    inv.lines = {{"Support pack - 10 Credit Hours", "100.00", "service", 7, ""},
                 {"Extra 2.5 credit hours", "25.00", "service", 7, ""},
                 {"Someone else's 99 credit hours", "1.00", "service", 8, ""}};
    provisio::CreditCycle c;
    c.trigger = PROVISIO_CREDIT_ON_INVOICE_PAID;
    c.period = "invoice:12:paid";
    c.period_date = "2026-03-01";
    c.price = "100.00";
    c.balance = "0";
    c.invoice = inv;
    auto r = f.host.generate(c, f.with({{"cycle", "monthly"}, {"keyphrase", "%d credit hours"}}));
    REQUIRE(r.status == Status::ok);
    REQUIRE(f.host.credits.size() == 1);
    CHECK(f.host.credits[0].kind == "keyphrase");
    CHECK(f.host.credits[0].hours == "12.50");
    // With the cycle itself on invoice paid, both post.
    r = f.host.generate(c, f.with({{"cycle", "invoice_paid"}, {"credits", "1"}, {"keyphrase", "%d credit hours"}}));
    CHECK(f.host.credits.size() == 2);
}
