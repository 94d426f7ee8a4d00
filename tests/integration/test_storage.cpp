// Storage failures through the CLI, each made real rather than simulated: a directory, database
// or -shm file that cannot be written (the immutable attribute stops root too), a full disk (a
// small tmpfs in a private mount namespace), and `init` undoing what it created when a step
// fails. Each must be named as what it is, never as "not a provisio database".
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace provisio::test;
using nlohmann::json;

namespace {

// `chattr +i PATH` for the guard's lifetime. ok() is false where the file system or the
// privileges do not allow it (the test then says so and checks nothing it cannot).
class Immutable {
public:
    explicit Immutable(std::filesystem::path path) : path_(std::move(path)) {
        ok_ = std::filesystem::exists("/usr/bin/chattr") && run_program("/usr/bin/chattr", {"+i", path_.string()}).exit_code == 0;
    }
    ~Immutable() {
        if (ok_) run_program("/usr/bin/chattr", {"-i", path_.string()});
    }
    Immutable(const Immutable &) = delete;
    Immutable &operator=(const Immutable &) = delete;
    bool ok() const { return ok_; }

private:
    std::filesystem::path path_;
    bool ok_ = false;
};

void write_text(const std::filesystem::path &path, const std::string &text) { std::ofstream(path, std::ios::trunc) << text; }

}  // namespace

TEST_CASE("init is all or nothing: a bad database path leaves no key file, configuration or directory behind") {
    TempDir dir;
    const auto config = dir / "provisio.toml";
    write_text(config, "database = \"no/such/dir/provisio.db\"\n");
    RunResult r = run_program(provisio_binary(), {"--config", config.string(), "init"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 7);
    CHECK_THAT(r.err, Catch::Contains("the directory " + (dir / "no/such/dir").string() + " does not exist"));
    CHECK_FALSE(std::filesystem::exists(dir / "provisio.key"));  // it was left behind before
    CHECK_FALSE(std::filesystem::exists(dir / "modules"));
    CHECK(std::filesystem::exists(config));                       // the operator's own file is kept

    // A read-only directory for the database: the key file made before it is removed again.
    Immutable locked(dir.path());
    if (!locked.ok()) {
        WARN("chattr +i is not available here: the read-only directory case is not checked");
        return;
    }
    TempDir other;
    const auto with_db = other / "provisio.toml";
    write_text(with_db, "database = \"" + (dir / "provisio.db").string() + "\"\n");
    r = run_program(provisio_binary(), {"--config", with_db.string(), "init"});
    INFO(r.err);
    CHECK(r.exit_code == 7);
    CHECK_THAT(r.err, Catch::Contains("the directory " + dir.path().string() + " is read-only"));
    CHECK_FALSE(std::filesystem::exists(other / "provisio.key"));
    CHECK_FALSE(std::filesystem::exists(other / "modules"));
    CHECK_FALSE(std::filesystem::exists(dir / "provisio.db"));
}

TEST_CASE("a read-only directory, database file or -shm file is named as the cause") {
    Installation inst;
    ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    const std::string before = inst.dump();

    SECTION("the directory") {
        Immutable locked(inst.dir().path());
        if (!locked.ok()) {
            WARN("chattr +i is not available here");
            return;
        }
        for (const auto &args : std::vector<std::vector<std::string>>{
                 {"client", "list"}, {"client", "add", "--first-name", "Bob", "--email", "bob@example.org"}}) {
            const RunResult r = inst.run(args);
            INFO(r.err);
            CHECK(r.exit_code == 7);
            CHECK_THAT(r.err, Catch::Contains("the directory " + inst.dir().path().string() + " is read-only"));
            CHECK_THAT(r.err, Catch::Contains("provisio.db-wal and provisio.db-shm"));
            CHECK_THAT(r.err, !Catch::Contains("not a provisio database"));
        }
    }
    SECTION("the database file") {
        Immutable locked(inst.database());
        if (!locked.ok()) {
            WARN("chattr +i is not available here");
            return;
        }
        const RunResult r = inst.run({"client", "add", "--first-name", "Bob", "--email", "bob@example.org"});
        INFO(r.err);
        CHECK(r.exit_code == 7);
        CHECK_THAT(r.err, Catch::Contains("the database file " + inst.database().string() + " is read-only"));
    }
    SECTION("the -shm file") {
        const auto shm = inst.database().string() + "-shm";
        write_text(shm, "");
        Immutable locked(shm);
        if (!locked.ok()) {
            WARN("chattr +i is not available here");
            return;
        }
        const RunResult r = inst.run({"client", "add", "--first-name", "Bob", "--email", "bob@example.org"});
        INFO(r.err);
        CHECK(r.exit_code == 7);
        CHECK_THAT(r.err, Catch::Contains("SQLite's " + shm + " file is read-only"));
    }
    std::filesystem::remove(inst.database().string() + "-shm");
    CHECK(inst.dump() == before);  // nothing was written by the failed commands
}

TEST_CASE("a full disk is named as the cause, and the failed command changes nothing") {
    Installation inst;
    ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    // The database on a 1 MiB tmpfs mounted in a private mount namespace (so nothing outside
    // this test sees it), then the tmpfs filled up; a copy of the configuration points there.
    TempDir mnt;
    const auto config = inst.dir() / "full.toml";
    write_text(config, "database = \"" + (mnt / "provisio.db").string() + "\"\nkey_file = \"" +
                           (inst.dir() / "provisio.key").string() + "\"\nmodules_dir = \"" + inst.modules().string() + "\"\n");
    const std::string script =
        "mount -t tmpfs -o size=1m tmpfs \"$1\" || exit 99\n"
        "cp \"$2\" \"$1/provisio.db\" || exit 98\n"
        "dd if=/dev/zero of=\"$1/filler\" bs=4096 2>/dev/null\n"
        "\"$3\" --config \"$4\" client list; echo \"list exit $?\" >&2\n"
        "\"$3\" --config \"$4\" client add --first-name Bob --email bob@example.org; echo \"add exit $?\" >&2\n"
        "rm \"$1/filler\"\n"
        "sqlite3 \"$1/provisio.db\" 'SELECT count(*) FROM clients' >&2\n";
    if (!std::filesystem::exists("/usr/bin/unshare")) {
        WARN("no unshare(1) here: the full-disk case is not checked");
        return;
    }
    const RunResult r = run_program("/usr/bin/unshare", {"-m", "--propagation", "private", "sh", "-c", script, "sh", mnt.path().string(),
                                                         inst.database().string(), provisio_binary(), config.string()});
    INFO(r.out << r.err);
    if (r.exit_code == 99 || r.exit_code == 98 || r.err.find("unshare failed") != std::string::npos) {
        WARN("cannot mount a scratch tmpfs here: the full-disk case is not checked");
        return;
    }
    CHECK_THAT(r.err, Catch::Contains("the disk holding " + mnt.path().string() + " is full"));
    CHECK_THAT(r.err, !Catch::Contains("not a provisio database"));
    CHECK_THAT(r.err, Catch::Contains("list exit 7"));
    CHECK_THAT(r.err, Catch::Contains("add exit 7"));
    CHECK_THAT(r.err, Catch::EndsWith("\n1\n"));  // Bob was not added
}

TEST_CASE("client files and mail written beside the database say why they could not be written, and leave nothing half-written") {
    Installation inst;
    ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org", "--send-welcome"});
    const auto source = inst.dir() / "contract.pdf";
    write_text(source, "%PDF-1.4 signed");
    std::filesystem::create_directories(inst.dir() / "files");
    std::filesystem::create_directories(inst.dir() / "mail");
    Immutable files(inst.dir() / "files");
    Immutable mail(inst.dir() / "mail");
    if (!files.ok() || !mail.ok()) {
        WARN("chattr +i is not available here");
        return;
    }
    const std::string before = inst.dump();
    RunResult r = inst.run({"client", "file", "add", "1", source.string(), "--title", "Contract"});
    INFO(r.err);
    CHECK(r.exit_code == 7);
    CHECK_THAT(r.err, Catch::Contains("cannot write " + (inst.dir() / "files").string()) && Catch::Contains(": Operation not permitted"));
    CHECK(inst.dump() == before);

    r = inst.run({"mail", "send"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("cannot write " + (inst.dir() / "mail").string()) &&
                          Catch::Contains("Operation not permitted"));
    CHECK(json::parse(inst.run({"--json", "mail", "outbox"}).out).size() == 1);  // still queued
}
