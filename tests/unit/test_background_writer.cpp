#include "foundation/error.hpp"
#include "store/background_writer.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

using namespace provisio;

namespace {
struct Fixture {
    test::TempDir dir;
    Database db = Database::open(dir / "w.db", true);
    Fixture() { db.exec("CREATE TABLE seen (n INTEGER)"); }
    int64_t count() {
        auto q = db.prepare("SELECT count(*) FROM seen");
        q.step();
        return q.int64(0);
    }
};
void insert(Database &db, int n) {
    Transaction tx(db);
    db.prepare("INSERT INTO seen (n) VALUES (?1)").bind(1, n).run();
    tx.commit();
}
}  // namespace

TEST_CASE("the background writer runs its jobs in order on its own connection") {
    Fixture f;
    std::vector<int> order;
    {
        BackgroundWriter writer(f.db.file(), 2);
        for (int n = 0; n < 50; ++n)
            writer.submit([n, &order](Database &db) {
                insert(db, n);
                order.push_back(n);
            });
        // The first connection reads while the writer writes (WAL).
        CHECK(f.count() <= 50);
        writer.finish();
    }
    CHECK(f.count() == 50);
    std::vector<int> expected(50);
    for (int n = 0; n < 50; ++n) expected[static_cast<size_t>(n)] = n;
    CHECK(order == expected);
}

TEST_CASE("a job's escaped failure stops the writer and reaches the caller") {
    Fixture f;
    BackgroundWriter writer(f.db.file(), 1);
    writer.submit([](Database &db) { insert(db, 1); });
    writer.submit([](Database &) { fail(ErrorKind::storage, "disk full"); });
    // Later jobs are refused with the failure, or dropped when they were already queued.
    try {
        for (int n = 0; n < 100; ++n) writer.submit([](Database &db) { insert(db, 2); });
    } catch (const Error &e) {
        CHECK(std::string(e.what()) == "disk full");
    }
    CHECK_THROWS_WITH(writer.finish(), "disk full");
    CHECK(f.count() == 1);  // nothing ran after the failure
}

TEST_CASE("a writer on a borrowed connection works inside the caller's transaction; discard drops what waits") {
    Fixture f;
    {
        Transaction outer(f.db);
        BackgroundWriter writer(f.db, 2);
        for (int n = 0; n < 10; ++n) writer.submit([n](Database &db) { insert(db, n); });  // savepoints in `outer`
        writer.finish();
        CHECK(f.count() == 10);
    }  // `outer` rolls back: the jobs' rows were part of it
    CHECK(f.count() == 0);

    std::atomic<bool> started{false}, release{false};
    BackgroundWriter writer(f.db, 5);
    writer.submit([&](Database &db) {
        started = true;
        while (!release) std::this_thread::yield();
        insert(db, 1);
    });
    for (int n = 0; n < 5; ++n) writer.submit([](Database &db) { insert(db, 2); });
    while (!started) std::this_thread::yield();
    std::thread let_go([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        release = true;
    });
    writer.discard();  // the running job finishes; the five waiting never run
    let_go.join();
    CHECK(f.count() == 1);
}
