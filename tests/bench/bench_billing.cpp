// Billing benchmarks (figures in docs/performance.md).
//   bench_billing seed DB SERVICES   — fill a fresh installation's database with SERVICES monthly
//                                      services (5 per client) all due on 2026-03-10
//   bench_billing seed-timelog DB N  — N timelog services with one daily cycle due on 2026-03-10
//   bench_billing ledger ENTRIES     — one client with ENTRIES ledger entries: time reading its
//                                      balance, against summing its ledger (the naive way)
#include "ledger/credit_ledger.hpp"
#include "store/database.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

using namespace provisio;

namespace {

int seed(const char *path, long services) {
    Database db = Database::open(path, false);
    Transaction tx(db);
    db.exec("INSERT INTO products (id, name, price_micros, billing_cycle, created_at) VALUES (1, 'Bench', 19990000, 'monthly', 't')");
    auto client = db.prepare("INSERT INTO clients (id, first_name, email, currency, created_at) VALUES (?1, 'B', ?2, 'USD', 't')");
    auto service = db.prepare("INSERT INTO services (client_id, product_id, status, domain, next_due_date, next_invoice_date, "
                              "anchor_day, recurring_micros, billing_cycle, created_at, updated_at) "
                              "VALUES (?1, 1, 'Active', ?2, '2026-03-10', '2026-03-10', 10, 19990000, 'monthly', 't', 't')");
    for (long i = 0; i < services; ++i) {
        const long c = i / 5 + 1;
        if (i % 5 == 0) client.reset().bind(1, int64_t{c}).bind(2, "c" + std::to_string(c) + "@example.org").run();
        service.reset().bind(1, int64_t{c}).bind(2, "s" + std::to_string(i) + ".example.org").run();
    }
    tx.commit();
    std::printf("seeded %ld services for %ld clients\n", services, services / 5);
    return 0;
}

// SERVICES timelog services (daily cycle, price / rate, 10% expiry), each with its last cycle on
// 2026-03-09, so a run on 2026-03-10 has exactly one cycle due for every one of them.
int seed_timelog(const char *path, long services) {
    Database db = Database::open(path, false);
    Transaction tx(db);
    db.exec("INSERT INTO products (id, name, module, price_micros, billing_cycle, created_at) VALUES "
            "(1, 'Hours', 'timelog', 50000000, 'monthly', 't')");
    db.exec("INSERT INTO product_settings VALUES (1, 'cycle', 'daily'), (1, 'hourly_rate', '20'), (1, 'debits', '10%')");
    // Settings are sealed at rest: provisio seals these when it next opens the database, as
    // after an upgrade.
    db.exec("INSERT OR IGNORE INTO pending_sealing (table_name) VALUES ('product_settings')");
    auto client = db.prepare("INSERT INTO clients (id, first_name, email, currency, created_at) VALUES (?1, 'B', ?2, 'USD', 't')");
    auto service = db.prepare("INSERT INTO services (id, client_id, product_id, status, activated_on, recurring_micros, "
                              "billing_cycle, created_at, updated_at) VALUES (?1, ?2, 1, 'Active', '2026-01-01', 50000000, "
                              "'monthly', 't', 't')");
    auto cursor = db.prepare("INSERT INTO credit_cycles (service_id, last_period_date) VALUES (?1, '2026-03-09')");
    auto credit = db.prepare("INSERT INTO time_ledger (client_id, service_id, at, entry_date, micro_hours, kind, description) "
                             "VALUES (?1, ?2, 't', '2026-03-09', 2500000, 'credit', 'seed')");
    for (long i = 1; i <= services; ++i) {
        const long c = (i - 1) / 5 + 1;
        if ((i - 1) % 5 == 0) client.reset().bind(1, int64_t{c}).bind(2, "c" + std::to_string(c) + "@example.org").run();
        service.reset().bind(1, int64_t{i}).bind(2, int64_t{c}).run();
        cursor.reset().bind(1, int64_t{i}).run();
        credit.reset().bind(1, int64_t{c}).bind(2, int64_t{i}).run();
    }
    tx.commit();
    std::printf("seeded %ld timelog services\n", services);
    return 0;
}

int ledger(long entries) {
    std::random_device rd;
    const auto dir = std::filesystem::temp_directory_path() / ("provisio-bench-" + std::to_string(rd()));
    std::filesystem::create_directories(dir);
    {
        Database db = Database::open(dir / "l.db", true);
        db.exec("INSERT INTO clients (id, first_name, email, currency, created_at) VALUES (1, 'L', 'l@example.org', 'USD', 't')");
        Transaction tx(db);
        CreditLedger l(db, "t");
        for (long i = 0; i < entries; ++i)
            l.post({1, Money::from_micros(i % 2 ? 1500000 : -500000), i % 2 ? "credit" : "debit", "bench", std::nullopt,
                    std::nullopt, true});
        tx.commit();
        constexpr int reads = 1000;
        auto t0 = std::chrono::steady_clock::now();
        Money b;
        for (int i = 0; i < reads; ++i) b = l.balance(1);
        const double kept_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / reads;
        t0 = std::chrono::steady_clock::now();
        auto q = db.prepare("SELECT SUM(amount_micros) FROM credit_ledger WHERE client_id = 1");
        q.step();
        const int64_t summed = q.int64(0);
        const double sum_us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
        std::printf("balance of a client with %ld ledger entries: %.2f us per read (kept balance)   (baseline: summing the "
                    "ledger once, %.0f us; ratio %.0f); balances agree: %s\n",
                    entries, kept_us, sum_us, sum_us / kept_us, summed == b.micros() ? "yes" : "NO");
        if (summed != b.micros()) return 1;
    }
    std::filesystem::remove_all(dir);
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "seed" && argc == 4) return seed(argv[2], std::atol(argv[3]));
    if (mode == "ledger" && argc == 3) return ledger(std::atol(argv[2]));
    if (mode == "seed-timelog" && argc == 4) return seed_timelog(argv[2], std::atol(argv[3]));
    std::fprintf(stderr, "usage: %s seed DB SERVICES | seed-timelog DB SERVICES | ledger ENTRIES\n", argv[0]);
    return 2;
}
