#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "ledger/credit_ledger.hpp"
#include "ledger/time_ledger.hpp"
#include "ledger/verify.hpp"
#include "secrets/secret_box.hpp"
#include "store/database.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

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
    REQUIRE(problems.size() == 3);
    CHECK(problems[0] == "client 1: credit balance 0.000001 but its ledger sums to 10.00");
    CHECK(problems[1].find("points at clients 42, which does not exist") != std::string::npos);
    // The orphan also holds an id no client has had yet: the next client would inherit its entry.
    CHECK(problems[2] == "the next clients id would be 2, but id 42 is already in use or kept by a reference");
}

TEST_CASE("time-credit cycles post in bulk, each (service, period, kind) once") {
    Fixture f;
    f.db.exec("INSERT INTO products (name, created_at) VALUES ('P', 'now')");
    const int64_t product = f.db.last_insert_id();
    std::vector<int64_t> services;
    for (int i = 0; i < 40; ++i) {
        f.db.prepare("INSERT INTO services (client_id, product_id, created_at, updated_at) VALUES (?1, ?2, 'now', 'now')")
            .bind(1, f.client).bind(2, product).run();
        services.push_back(f.db.last_insert_id());
    }
    TimeLedger ledger(f.db, "2026-03-01T00:00:00Z");
    auto postings_for = [&](const std::string &period) {
        std::vector<TimePosting> out;  // 80 rows: one full chunk of the bulk insert and a remainder
        for (int64_t s : services)
            for (const char *kind : {"expiry", "credit"})
                out.push_back({f.client, s, period, Hours::parse(kind[0] == 'c' ? "2.5" : "-1", "h"), kind, "x", std::nullopt, period});
        return out;
    };
    const auto first = ledger.post_cycles(postings_for("2026-03-01"));
    CHECK(std::count(first.begin(), first.end(), true) == 80);
    CHECK(ledger.client_balance(f.client) == Hours::parse("60", "h"));

    // A second run over the same periods, with a few new ones among them (a chunk that only
    // partly inserts): only the new ones post, and the answer says which.
    auto again = postings_for("2026-03-01");
    for (size_t i : {3u, 40u, 70u}) again[i].period = "2026-04-01";
    const auto second = ledger.post_cycles(again);
    for (size_t i = 0; i < again.size(); ++i) CHECK(second[i] == (i == 3 || i == 40 || i == 70));
    CHECK(ledger.entries(f.client, std::nullopt).size() == 83);

    std::vector<TimePosting> unkeyed{{f.client, services[0], "2026-03-02", Hours::parse("1", "h"), "time", "work", 60, std::nullopt}};
    CHECK_THROWS_WITH(ledger.post_cycles(unkeyed), Catch::Contains("period"));
}
