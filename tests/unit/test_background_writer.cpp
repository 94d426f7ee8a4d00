#include "foundation/error.hpp"
#include "store/background_writer.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>

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
