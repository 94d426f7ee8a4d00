#include "config/config.hpp"
#include "foundation/error.hpp"
#include "modulehost/permissions.hpp"
#include "secrets/secret_box.hpp"
#include "store/database.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>

using namespace provisio;
using provisio::test::TempDir;

TEST_CASE("secrets are sealed under the key file and open only with it") {
    TempDir dir;
    SecretBox::create_key_file(dir / "a.key");
    SecretBox::create_key_file(dir / "b.key");
    struct stat st {};
    REQUIRE(::stat((dir / "a.key").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    const SecretBox a = SecretBox::from_key_file(dir / "a.key");
    const SecretBox b = SecretBox::from_key_file(dir / "b.key");
    const std::string sealed = a.seal("hunter2");
    CHECK(sealed.find("hunter2") == std::string::npos);
    CHECK(SecretBox::is_sealed(sealed));
    CHECK(a.open(sealed, "x") == "hunter2");
    CHECK(a.seal("hunter2") != sealed);  // a fresh nonce each time
    CHECK_THROWS_WITH(b.open(sealed, "password of server 1"), Catch::Contains("password of server 1") && Catch::Contains("key file"));
    CHECK_THROWS_AS(SecretBox::create_key_file(dir / "a.key"), Error);  // never overwrites a key
}

TEST_CASE("a key file others can read is refused") {
    TempDir dir;
    SecretBox::create_key_file(dir / "k");
    std::filesystem::permissions(dir / "k", std::filesystem::perms::others_read, std::filesystem::perm_options::add);
    CHECK_THROWS_WITH(SecretBox::from_key_file(dir / "k"), Catch::Contains("chmod 600"));
    std::ofstream(dir / "bad") << "not hex\n";
    std::filesystem::permissions(dir / "bad", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    CHECK_THROWS_WITH(SecretBox::from_key_file(dir / "bad"), Catch::Contains("malformed"));
}

TEST_CASE("the database is created, migrated, and refuses what it cannot trust") {
    TempDir dir;
    {
        Database db = Database::open(dir / "p.db", true);
        CHECK(db.schema_version() == Database::latest_schema_version());
    }
    SECTION("reopening is fine") { CHECK_NOTHROW(Database::open(dir / "p.db", false)); }
    SECTION("a missing file is not silently created") {
        CHECK_THROWS_WITH(Database::open(dir / "missing.db", false), Catch::Contains("provisio init"));
    }
    SECTION("a file that is not SQLite") {
        std::ofstream(dir / "junk.db") << std::string(8192, 'j');
        CHECK_THROWS_WITH(Database::open(dir / "junk.db", false), Catch::Contains("is not a provisio database"));
    }
    SECTION("a SQLite database of another program") {
        {
            Database other = Database::open(dir / "p.db", false);
            other.exec("PRAGMA application_id = 42");
        }
        CHECK_THROWS_WITH(Database::open(dir / "p.db", false), Catch::Contains("not a provisio one"));
    }
    SECTION("a database from a newer provisio") {
        {
            Database db = Database::open(dir / "p.db", false);
            db.exec("PRAGMA user_version = 99");
        }
        CHECK_THROWS_WITH(Database::open(dir / "p.db", false),
                          Catch::Contains("schema version 99") && Catch::Contains("upgrade provisio"));
    }
}

TEST_CASE("the database and its WAL and shared memory are private, and one left readable is tightened") {
    TempDir dir;
    const auto mode = [](const std::filesystem::path &p) {
        struct stat st {};
        REQUIRE(::stat(p.c_str(), &st) == 0);
        return st.st_mode & 0777;
    };
    const mode_t old_umask = ::umask(022);  // as an operator's shell has it; provisio itself sets 077
    {
        Database db = Database::open(dir / "p.db", true);
        db.exec("CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('a')");
        CHECK(mode(dir / "p.db") == 0600);
        CHECK(mode(dir / "p.db-wal") == 0600);
        CHECK(mode(dir / "p.db-shm") == 0600);
    }
    std::filesystem::permissions(dir / "p.db", std::filesystem::perms::group_read | std::filesystem::perms::others_read,
                                 std::filesystem::perm_options::add);
    REQUIRE(mode(dir / "p.db") == 0644);
    {
        Database db = Database::open(dir / "p.db", false);
        CHECK(mode(dir / "p.db") == 0600);
        db.exec("INSERT INTO t VALUES ('b')");
        CHECK(mode(dir / "p.db-wal") == 0600);
    }
    ::umask(old_umask);
}

TEST_CASE("nested transactions roll back only their own part") {
    TempDir dir;
    Database db = Database::open(dir / "p.db", true);
    db.exec("CREATE TABLE t (x INTEGER)");
    {
        Transaction outer(db);
        db.exec("INSERT INTO t VALUES (1)");
        {
            Transaction inner(db);
            db.exec("INSERT INTO t VALUES (2)");
        }  // rolled back
        outer.commit();
    }
    auto q = db.prepare("SELECT group_concat(x) FROM t");
    q.step();
    CHECK(q.text(0) == "1");
}

TEST_CASE("the configuration names the key and line of a mistake") {
    TempDir dir;
    std::ofstream(dir / "c.toml") << "database = \"x.db\"\n\nlog_levle = \"info\"\n";
    CHECK_THROWS_WITH(Config::load(dir / "c.toml"), Catch::Contains("c.toml:3") && Catch::Contains("log_levle"));
    std::ofstream(dir / "d.toml") << "[http]\ntimeout_ms = -5\n";
    CHECK_THROWS_WITH(Config::load(dir / "d.toml"), Catch::Contains("d.toml:2") && Catch::Contains("http.timeout_ms"));
    std::ofstream(dir / "e.toml") << "database = \n";
    CHECK_THROWS_WITH(Config::load(dir / "e.toml"), Catch::Contains("e.toml:1"));
    std::ofstream(dir / "f.toml") << Config::default_text();
    const Config c = Config::load(dir / "f.toml");
    CHECK(c.database == dir.path() / "provisio.db");
    CHECK(c.http_timeout.count() == 15000);
}

TEST_CASE("module paths writable by others are unsafe") {
    TempDir dir;
    std::filesystem::create_directory(dir / "mods");
    std::filesystem::permissions(dir / "mods", std::filesystem::perms::owner_all);
    CHECK_FALSE(unsafe_permissions(dir / "mods"));
    std::filesystem::permissions(dir / "mods", std::filesystem::perms::others_write, std::filesystem::perm_options::add);
    const auto why = unsafe_permissions(dir / "mods");
    REQUIRE(why);
    CHECK(why->find("writable by others") != std::string::npos);
    CHECK(why->find("chmod go-w") != std::string::npos);
}
