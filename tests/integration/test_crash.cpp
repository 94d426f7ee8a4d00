// A cron run killed with SIGKILL at an arbitrary point, then run again, must leave exactly the
// ledger and invoices an uninterrupted run leaves: nothing posted twice, nothing lost.
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

using namespace provisio::test;

namespace {

constexpr int clients = 400;
constexpr int services_per_client = 5;

// Clients with credit and monthly services due on assorted days, written straight into the
// database (thousands of CLI calls would take longer than the test should).
void seed(const Installation &inst) {
    std::string sql = "BEGIN;\nINSERT INTO products (id, name, price_micros, billing_cycle, created_at) VALUES "
                      "(1, 'Basic', 30000000, 'monthly', 't'), (2, 'Pro', 75500000, 'quarterly', 't');\n";
    for (int c = 1; c <= clients; ++c) {
        sql += "INSERT INTO clients (id, first_name, email, currency, created_at, separate_invoices) VALUES (" +
               std::to_string(c) + ", 'C', 'c" + std::to_string(c) + "@example.org', 'USD', 't', " + (c % 7 == 0 ? "1" : "0") + ");\n";
        if (c % 3 == 0)
            sql += "INSERT INTO credit_ledger (client_id, at, amount_micros, kind, description) VALUES (" + std::to_string(c) +
                   ", 't', 45000000, 'credit', 'seed');\nUPDATE clients SET credit_micros = 45000000 WHERE id = " +
                   std::to_string(c) + ";\n";
        for (int s = 0; s < services_per_client; ++s) {
            const int day = 1 + (c * 7 + s * 5) % 28;
            char due[16];
            std::snprintf(due, sizeof due, "2026-0%d-%02d", 1 + (s % 3), day);
            sql += "INSERT INTO services (client_id, product_id, status, next_due_date, next_invoice_date, anchor_day, "
                   "recurring_micros, billing_cycle, created_at, updated_at) VALUES (" +
                   std::to_string(c) + ", " + (s == 4 ? "2" : "1") + ", 'Active', '" + due + "', '" + due + "', " +
                   std::to_string(day) + ", " + (s == 4 ? "75500000" : "30000000") + ", '" + (s == 4 ? "quarterly" : "monthly") +
                   "', 't', 't');\n";
        }
    }
    sql += "COMMIT;\n";
    const RunResult r = run_program("/usr/bin/sqlite3", {inst.database().string()}, sql);
    REQUIRE(r.exit_code == 0);
}

// Everything money: invoices, lines, ledger, balances, the services' billing dates.
std::string money_state(const Installation &inst) {
    const char *sql =
        "SELECT 'inv', id, client_id, status, due_date, subtotal_micros, credit_micros, paid_micros FROM invoices ORDER BY id;"
        "SELECT 'line', invoice_id, item_type, item_id, amount_micros, due_date, natural_key FROM invoice_items ORDER BY id;"
        "SELECT 'ledger', client_id, amount_micros, kind, invoice_id, natural_key FROM credit_ledger ORDER BY id;"
        "SELECT 'client', id, credit_micros FROM clients ORDER BY id;"
        "SELECT 'service', id, next_due_date, next_invoice_date FROM services ORDER BY id;";
    return run_program("/usr/bin/sqlite3", {inst.database().string(), sql}).out;
}

pid_t start_cron(const Installation &inst, const std::string &now, const std::vector<std::string> &extra = {}) {
    std::vector<std::string> args{"--now", now, "cron"};
    args.insert(args.end(), extra.begin(), extra.end());
    return inst.start(args);
}

}  // namespace

TEST_CASE("a cron run killed with SIGKILL and run again posts exactly what an uninterrupted run does") {
    const std::string days[] = {"2026-01-20T12:00:00Z", "2026-02-25T12:00:00Z"};
    Installation reference;
    seed(reference);
    for (const auto &day : days) REQUIRE(reference.run({"--now", day, "cron"}).exit_code == 0);
    const std::string expected = money_state(reference);
    REQUIRE(expected.find("'inv'") == std::string::npos);
    REQUIRE(expected.find("inv|") != std::string::npos);

    // Measure how long an uninterrupted first run takes, to aim the kills inside it.
    Installation timing;
    seed(timing);
    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE(timing.run({"--now", days[0], "cron"}).exit_code == 0);
    const auto full = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);

    int killed_mid_run = 0;
    for (int attempt = 1; attempt <= 6; ++attempt) {
        INFO("attempt " << attempt);
        Installation victim;
        seed(victim);
        for (const auto &day : days) {
            const pid_t pid = start_cron(victim, day);
            std::this_thread::sleep_for(full * attempt / 7);
            ::kill(pid, SIGKILL);
            int status = 0;
            ::waitpid(pid, &status, 0);
            if (WIFSIGNALED(status)) killed_mid_run++;
            // The next cron run (same business day) finishes the job.
            const RunResult again = victim.run({"--now", day, "cron"});
            INFO(again.err);
            REQUIRE(again.exit_code == 0);
        }
        CHECK(money_state(victim) == expected);
        CHECK(victim.run({"verify"}).exit_code == 0);
    }
    CHECK(killed_mid_run > 0);  // the kills did land inside runs
}

namespace {

// Timelog services (daily credits with a 10% expiry) provisioned 40 days before the run.
void seed_timelog(const Installation &inst) {
    inst.install_module("timelog");
    // The product through the CLI (its settings are sealed at rest); its 300 services in bulk.
    const RunResult product = inst.run({"product", "add", "--name", "Hours", "--module", "timelog", "--price", "50", "--cycle",
                                        "monthly", "--setting", "cycle=daily", "--setting", "hourly_rate=20", "--setting", "debits=10%"});
    INFO(product.err);
    REQUIRE(product.exit_code == 0);
    std::string sql = "BEGIN;\n";
    for (int c = 1; c <= 150; ++c) {
        sql += "INSERT INTO clients (id, first_name, email, currency, created_at) VALUES (" + std::to_string(c) +
               ", 'T', 't" + std::to_string(c) + "@example.org', 'USD', 't');\n";
        for (int s = 0; s < 2; ++s)
            sql += "INSERT INTO services (client_id, product_id, status, activated_on, recurring_micros, billing_cycle, created_at, "
                   "updated_at) VALUES (" + std::to_string(c) + ", 1, 'Active', '2026-01-0" + std::to_string(1 + s) +
                   "', 50000000, 'monthly', '2026-01-01T00:00:00Z', 't');\n";
    }
    sql += "INSERT INTO cdr_quarters (service_id, quarter_at, calls, billed_seconds, cost_micros) SELECT service_id, "
           "id / 1000000 / 900 * 900, count(*), sum(billed_seconds), sum(cost_micros) FROM cdrs GROUP BY 1, 2;\n"
           "COMMIT;\n";
    REQUIRE(run_program("/usr/bin/sqlite3", {inst.database().string()}, sql).exit_code == 0);
}

std::string time_state(const Installation &inst) {
    return run_program("/usr/bin/sqlite3",
                       {inst.database().string(),
                        "SELECT client_id, service_id, entry_date, micro_hours, kind, period FROM time_ledger ORDER BY id;"
                        "SELECT * FROM credit_cycles ORDER BY service_id;"})
        .out;
}

}  // namespace

TEST_CASE("time-credit generation killed with SIGKILL and run again posts exactly what an uninterrupted run does") {
    const std::string day = "2026-02-10T12:00:00Z";
    Installation reference;
    seed_timelog(reference);
    REQUIRE(reference.run({"--now", day, "cron"}).exit_code == 0);
    const std::string expected = time_state(reference);
    REQUIRE(std::count(expected.begin(), expected.end(), '\n') > 300 * 30);

    Installation timing;
    seed_timelog(timing);
    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE(timing.run({"--now", day, "cron"}).exit_code == 0);
    const auto full = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);

    int killed = 0;
    for (int attempt = 1; attempt <= 4; ++attempt) {
        INFO("attempt " << attempt);
        Installation victim;
        seed_timelog(victim);
        const pid_t pid = start_cron(victim, day);
        std::this_thread::sleep_for(full * attempt / 5);
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (WIFSIGNALED(status)) killed++;
        REQUIRE(victim.run({"--now", day, "cron"}).exit_code == 0);
        CHECK(time_state(victim) == expected);
    }
    CHECK(killed > 0);
}

namespace {

// Prepaid VoIP services with rated calls waiting to be billed: 200 clients, one service each,
// 25 calls per service.
void seed_usage(const Installation &inst) {
    const auto rates = inst.dir() / "rates.csv";
    REQUIRE(run_program("/bin/sh", {"-c", "printf 'Description,Prefix,RateValue,Increment\\nNANP,1,0.01,6\\n' > " + rates.string()})
                .exit_code == 0);
    for (const std::vector<std::string> &args : {std::vector<std::string>{"tariff", "import", "Wholesale", rates.string()},
                                                 {"product", "add", "--name", "Metered", "--price", "10"},
                                                 {"package", "set", "Metered", "--tariff", "Wholesale"}}) {
        const RunResult r = inst.run(args);
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
    }
    std::string sql = "BEGIN;\n";
    for (int c = 1; c <= 200; ++c) {
        const std::string id = std::to_string(c);
        sql += "INSERT INTO clients (id, first_name, email, currency, created_at, credit_micros) VALUES (" + id + ", 'V', 'v" + id +
               "@example.org', 'USD', 't', 5000000);\n"
               "INSERT INTO credit_ledger (client_id, at, amount_micros, kind, description) VALUES (" + id + ", 't', 5000000, 'credit', 'seed');\n"
               "INSERT INTO services (id, client_id, product_id, status, next_due_date, next_invoice_date, recurring_micros, billing_cycle, "
               "created_at, updated_at) VALUES (" + id + ", " + id + ", 1, 'Active', '2026-03-01', '2026-03-01', 10000000, 'monthly', 't', 't');\n";
        for (int k = 0; k < 25; ++k) {
            const std::string call = id + "-" + std::to_string(k);
            // As an import stores them: the id is the start second × 1,000,000 + the call's place in it.
            sql += "INSERT INTO cdrs (id, service_id, source, source_id, direction, caller, destination, caller_destination, start_at, "
                   "answer_at, end_at, duration, billsec, hangup_cause, status, number, prefix, billed_seconds, cost_micros, "
                   "imported_at) VALUES (unixepoch('2026-03-09T10:00:00Z') * 1000000 + " + std::to_string((c - 1) * 25 + k) + ", " + id +
                   ", 'fusionpbx', '" + call + "', 'outbound', '2112', '5192225555', '', "
                   "'2026-03-09T10:00:00Z', '2026-03-09T10:00:00Z', '2026-03-09T10:10:00Z', 600, " + std::to_string(30 + k) +
                   ", 'NORMAL_CLEARING', 'rated', '15192225555', '1', " + std::to_string(30 + k) + ", " +
                   std::to_string((30 + k) * 1667) + ", 't');\n";
        }
    }
    sql += "INSERT INTO cdr_quarters (service_id, quarter_at, calls, billed_seconds, cost_micros) SELECT service_id, "
           "id / 1000000 / 900 * 900, count(*), sum(billed_seconds), sum(cost_micros) FROM cdrs GROUP BY 1, 2;\n"
           "COMMIT;\n";
    REQUIRE(run_program("/usr/bin/sqlite3", {inst.database().string()}, sql).exit_code == 0);
}

std::string usage_state(const Installation &inst) {
    return run_program("/usr/bin/sqlite3",
                       {inst.database().string(),
                        "SELECT client_id, amount_micros, kind, description FROM credit_ledger ORDER BY client_id, id;"
                        "SELECT id, credit_micros FROM clients ORDER BY id;"
                        "SELECT c.source_id, l.client_id, l.amount_micros FROM cdrs c "
                        "LEFT JOIN credit_ledger l ON 'credit:' || l.id = c.charge_ref ORDER BY c.id;"})
        .out;
}

}  // namespace

TEST_CASE("autobill killed with SIGKILL and run again charges exactly what an uninterrupted run does") {
    const std::string day = "2026-03-10T06:00:00Z";
    const std::vector<std::string> autobill{"--task", "autobill"};
    Installation reference;
    seed_usage(reference);
    REQUIRE(reference.run({"--now", day, "cron", "--task", "autobill"}).exit_code == 0);
    const std::string expected = usage_state(reference);
    REQUIRE(expected.find("|usage|") != std::string::npos);

    Installation timing;
    seed_usage(timing);
    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE(timing.run({"--now", day, "cron", "--task", "autobill"}).exit_code == 0);
    const auto full = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);

    int killed = 0;
    for (int attempt = 1; attempt <= 4; ++attempt) {
        INFO("attempt " << attempt);
        Installation victim;
        seed_usage(victim);
        const pid_t pid = start_cron(victim, day, autobill);
        std::this_thread::sleep_for(full * attempt / 5);
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (WIFSIGNALED(status)) killed++;
        const RunResult again = victim.run({"--now", day, "cron", "--task", "autobill"});
        INFO(again.err);
        REQUIRE(again.exit_code == 0);
        CHECK(usage_state(victim) == expected);
        CHECK(victim.run({"verify"}).exit_code == 0);
    }
    CHECK(killed > 0);
}
