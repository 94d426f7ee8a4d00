#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "ledger/credit_ledger.hpp"
#include "ledger/verify.hpp"
#include "secrets/secret_box.hpp"
#include "store/database.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>

using namespace provisio;

namespace {
struct Fixture {
    test::TempDir dir;
    Database db = Database::open(dir / "l.db", true);
    int64_t client = 0;
    Fixture() {
        db.exec("INSERT INTO clients (first_name, email, currency, created_at) VALUES ('A', 'a@x.org', 'USD', 'now')");
        client = db.last_insert_id();
    }
    Money m(const char *text) { return Money::parse(text, "m"); }
};
}  // namespace

TEST_CASE("the balance is the sum of the entries, kept in step") {
    Fixture f;
    CreditLedger ledger(f.db, "2026-01-01T00:00:00Z");
    ledger.post({f.client, f.m("25"), credit_kind::credit, "Goodwill"});
    const auto debit = ledger.post({f.client, f.m("-5.50"), credit_kind::debit, "Used"});
    CHECK(ledger.balance(f.client) == f.m("19.50"));
    CHECK_THROWS_WITH(ledger.post({f.client, f.m("-20"), credit_kind::debit, "Too much"}), Catch::Contains("negative"));
    CHECK(ledger.balance(f.client) == f.m("19.50"));

    const int64_t r = ledger.reverse(*debit);
    CHECK(ledger.balance(f.client) == f.m("25"));
    CHECK_THROWS_WITH(ledger.reverse(*debit), Catch::Contains("already reversed by entry " + std::to_string(r)));
    CHECK_THROWS_WITH(ledger.reverse(r), Catch::Contains("itself a reversal"));
    CHECK_THROWS_AS(ledger.reverse(999), Error);

    ledger.set_balance(f.client, f.m("100"), "Manual adjustment");
    CHECK(ledger.balance(f.client) == f.m("100"));
    CHECK_FALSE(ledger.set_balance(f.client, f.m("100"), "again"));
    CHECK(ledger.entries(f.client).size() == 4);
    CHECK(verify_database(f.db).empty());
}

TEST_CASE("a natural key posts once") {
    Fixture f;
    CreditLedger ledger(f.db, "t");
    CHECK(ledger.post({f.client, f.m("10"), credit_kind::overpayment, "Overpaid", 7, std::string("overpay:invoice:7")}));
    CHECK_FALSE(ledger.post({f.client, f.m("10"), credit_kind::overpayment, "Overpaid", 7, std::string("overpay:invoice:7")}));
    CHECK(ledger.balance(f.client) == f.m("10"));
}

TEST_CASE("verify finds a balance that disagrees with its ledger, and orphan rows") {
    Fixture f;
    CreditLedger ledger(f.db, "t");
    ledger.post({f.client, f.m("10"), credit_kind::credit, "x"});
    f.db.exec("UPDATE clients SET credit_micros = 1");
    f.db.exec("PRAGMA foreign_keys = OFF");
    f.db.exec("INSERT INTO credit_ledger (client_id, at, amount_micros, kind, description) VALUES (42, 't', 5, 'credit', 'orphan')");
    const auto problems = verify_database(f.db);
    REQUIRE(problems.size() == 2);
    CHECK(problems[0] == "client 1: credit balance 0.000001 but its ledger sums to 10.00");
    CHECK(problems[1].find("points at clients 42, which does not exist") != std::string::npos);
}
