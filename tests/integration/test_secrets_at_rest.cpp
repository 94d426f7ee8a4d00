// No secret at rest in the clear (issue 14): module options of every scope sealed and given on
// standard input, secrets masked in the module log however the module encoded them, files and
// directories private to provisio's user, mail that carried a secret leaving no copy on disk,
// and server options held to the module's schema like product options.
#include "support/encodings.hpp"
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"
#include "support/schema_rewind.hpp"

#include "store/database.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

using namespace provisio::test;
using nlohmann::json;

namespace {

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }
bool matches(const std::string &text, const std::string &pattern) { return std::regex_search(text, std::regex(pattern)); }

std::string read_all(const std::filesystem::path &file) {
    std::ifstream in(file, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

unsigned mode_of(const std::filesystem::path &path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

// Every form a secret could be found in: as is, JSON-escaped, URL-encoded.
std::vector<std::string> forms(const std::string &secret) {
    std::vector<std::string> out{secret, json_escaped(secret), url_encoded(secret)};
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::string after(const std::string &text, const std::string &pattern) {
    std::smatch m;
    REQUIRE(std::regex_search(text, m, std::regex(pattern)));
    return m[1].str();
}

std::string last_mail(const Installation &inst) { return run_json(inst, {"mail", "outbox", "--all"}).back()["body"].get<std::string>(); }

void ok_with(const Installation &inst, const std::vector<std::string> &args, const std::string &input) {
    const RunResult r = inst.run(args, input);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
}

void refused(const Installation &inst, const std::vector<std::string> &args, const std::string &input, int exit_code,
             const std::string &message) {
    const std::string before = inst.dump();
    const RunResult r = inst.run(args, input);
    INFO(r.out << r.err);
    CHECK(r.exit_code == exit_code);
    CHECK(contains(r.err, message));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK(inst.dump() == before);
}

}  // namespace

TEST_CASE("no secret is in a dump of the database, its WAL or any file of the installation, and all of it is private") {
    Installation inst;
    inst.install_module("scripted");
    // A connection held open for the whole test keeps the WAL, with every page version each
    // command wrote, instead of letting the last command delete it.
    provisio::Database held = provisio::Database::open(inst.database(), false);
    held.exec("SELECT count(*) FROM servers");

    const std::string server_pw = "server-pw-987", access_hash = "access-hash-4242", db_pw = "Db-Secret-42", api_key = "Les\"Api\\Key",
                      service_pw = "svc-pw-555", override_key = "override-key-777", new_service_pw = "new-svc-pw-888",
                      client_pw = "client-pw-31337";
    ok(inst, {"client", "add", "--first-name", "Grace", "--email", "grace@example.org"});
    ok_with(inst, {"server", "add", "--name", "pbx1", "--module", "scripted", "--hostname", "pbx1.example", "--username", "admin",
                   "--password-stdin", "--access-hash-stdin", "--option-stdin", "db_password"},
            server_pw + "\n" + access_hash + "\n" + db_pw + "\n");
    CHECK(matches(inst.run({"server", "show", "pbx1"}).out, "access hash: +\\(set\\)"));
    ok_with(inst, {"product", "add", "--name", "Voice", "--module", "scripted", "--setting", "region=eu", "--setting", "verbose=yes",
                   "--setting-stdin", "api_key"},
            api_key + "\n");
    ok_with(inst, {"service", "add", "--client", "1", "--product", "Voice", "--domain", "tenant.example", "--password-stdin"},
            service_pw + "\n");
    ok(inst, {"service", "create", "1"});
    ok_with(inst, {"service", "set", "1", "--setting-stdin", "api_key"}, override_key + "\n");
    ok_with(inst, {"service", "change-password", "1", "--password-stdin"}, new_service_pw + "\n");
    ok_with(inst, {"client", "password", "set", "1"}, client_pw + "\n");
    ok(inst, {"client", "password", "reminder", "1"});
    const std::string reminded = after(last_mail(inst), "has been set for it:\\n(\\S+)");
    ok(inst, {"client", "password", "reset-request", "1"});
    const std::string code = after(last_mail(inst), "use this code within\\ntwo hours: (\\S+)");
    ok(inst, {"mail", "send"});

    // The module logged every secret, some encoded as an HTTP client sends them; the log masks
    // each form.
    const std::string log = inst.run({"--json", "module", "log"}).out;
    const json entries = json::parse(log);
    bool saw_http = false;
    for (const auto &e : entries)
        if (contains(e["action"].get<std::string>(), ":http")) {  // create:http, change_password:http
            saw_http = true;
            CHECK(contains(e["request"].get<std::string>(), "Authorization: Basic ********"));
            CHECK(contains(e["request"].get<std::string>(), "&pass=********"));
        }
    CHECK(saw_http);
    CHECK_FALSE(contains(log, base64("admin:" + server_pw)));

    std::vector<std::string> secrets{server_pw, access_hash, db_pw, api_key, service_pw, override_key, new_service_pw, client_pw, reminded, code};
    std::map<std::string, std::string> places{{"module log", log}, {"sqlite3 .dump", inst.dump()}};
    REQUIRE(std::filesystem::exists(inst.dir() / "provisio.db-wal"));
    for (const auto &entry : std::filesystem::recursive_directory_iterator(inst.dir().path())) {
        const auto relative = std::filesystem::relative(entry.path(), inst.dir().path());
        if (entry.is_regular_file()) places[relative.string()] = read_all(entry.path());
        // Everything provisio made is its user's alone (the test copied the module in itself).
        if (relative.begin()->string() == "modules" && relative != "modules") continue;
        INFO(relative.string());
        CHECK((mode_of(entry.path()) & 077) == 0);
    }
    CHECK(places.count("mail/1.eml"));
    for (const auto &[where, text] : places)
        for (const auto &secret : secrets)
            for (const auto &form : forms(secret)) {
                INFO(where << " holds " << form);
                CHECK_FALSE(contains(text, form));
            }
    CHECK(contains(places["mail/1.eml"], "(removed once sent: it held a password or a reset code)"));
}

TEST_CASE("product and service settings an older provisio stored in the clear are sealed on upgrade") {
    Installation inst;
    inst.install_module("scripted");
    ok(inst, {"client", "add", "--first-name", "Grace", "--email", "grace@example.org"});
    ok(inst, {"server", "add", "--name", "pbx1", "--module", "scripted", "--hostname", "pbx1.example"});
    ok(inst, {"product", "add", "--name", "Voice", "--module", "scripted", "--setting", "region=eu"});
    ok(inst, {"service", "add", "--client", "1", "--product", "Voice", "--domain", "tenant.example"});
    // The database as schema version 14 left it: module option values in the clear.
    const std::string old_state = "BEGIN;"
                                  "DROP TABLE pending_sealing;"
                                  "DELETE FROM product_settings; DELETE FROM service_settings;"
                                  "INSERT INTO product_settings VALUES (1, 'region', 'ca'), (1, 'api_key', 'old-product-key-123');"
                                  "INSERT INTO service_settings VALUES (1, 'api_key', 'old-service-key-456');"
                                  // what migration 16 added goes too
                                  "ALTER TABLE module_queue DROP COLUMN aborts; ALTER TABLE module_queue DROP COLUMN parked_at;"
                                  "ALTER TABLE module_queue DROP COLUMN parked_reason; DROP INDEX cron_task_runs_by_run; DROP TABLE idempotency_keys; DROP TABLE api_keys;" +
                                  std::string(undo_migrations_since_21) + "PRAGMA user_version = 14;"
                                  "COMMIT;";
    REQUIRE(run_program("/usr/bin/sqlite3", {inst.database().string(), old_state}).exit_code == 0);
    REQUIRE(contains(inst.dump(), "old-product-key-123"));

    // The first command that opens the database with the key migrates and seals.
    const json settings = run_json(inst, {"service", "settings", "1"});
    std::map<std::string, json> by_key;
    for (const auto &s : settings) by_key[s["key"].get<std::string>()] = s;
    CHECK(by_key["region"]["effective"] == "ca");
    CHECK(by_key["api_key"]["override"] == "(set)");
    const std::string dump = inst.dump();
    CHECK_FALSE(contains(dump, "old-product-key-123"));
    CHECK_FALSE(contains(dump, "old-service-key-456"));
    const RunResult clear = run_program("/usr/bin/sqlite3", {inst.database().string(),
                                                             "SELECT count(*) FROM product_settings WHERE value NOT LIKE 'sbx1:%';"
                                                             "SELECT count(*) FROM service_settings WHERE value NOT LIKE 'sbx1:%';"
                                                             "SELECT count(*) FROM pending_sealing;"});
    CHECK(clear.out == "0\n0\n0\n");
    // And the values still reach the module as they were.
    const RunResult created = inst.run({"service", "create", "1"});
    INFO(created.err);
    CHECK(created.exit_code == 0);
    CHECK(contains(created.out, "in ca"));
    CHECK(contains(inst.run({"--json", "module", "log"}).out, "key=********"));
}

TEST_CASE("server options are held to the module's schema: REQUIRED on save, defaults reach the module") {
    Installation inst;
    inst.install_module("scripted_strict");
    ok(inst, {"client", "add", "--first-name", "Grace", "--email", "grace@example.org"});
    refused(inst, {"server", "add", "--name", "s1", "--module", "scripted_strict"}, "", 2,
            "module scripted_strict server option 'tenant' (Tenant) is required but has no value");
    refused(inst, {"server", "add", "--name", "s1", "--module", "scripted_strict", "--option", "tenant="}, "", 2,
            "server option 'tenant' (Tenant) is required but has no value");
    ok(inst, {"server", "add", "--name", "s1", "--module", "scripted_strict", "--option", "tenant=t1"});
    refused(inst, {"server", "set", "s1", "--unset-option", "tenant"}, "", 2, "server option 'tenant' (Tenant) is required");
    // A server's connection test has no product, so no product option is required of it.
    ok(inst, {"server", "test", "s1"});

    // Product REQUIRED options are checked when the product is saved, not first at call time.
    refused(inst, {"product", "add", "--name", "Voice", "--module", "scripted_strict"}, "", 2,
            "module scripted_strict option 'region' (Region) is required but has no value");
    ok(inst, {"product", "add", "--name", "Voice", "--module", "scripted_strict", "--setting", "region=eu", "--setting", "verbose=yes"});
    refused(inst, {"product", "set", "Voice", "--setting", "region="}, "", 2, "option 'region' (Region) is required");
    ok(inst, {"service", "add", "--client", "1", "--product", "Voice", "--domain", "tenant.example"});
    refused(inst, {"service", "set", "1", "--setting", "region="}, "", 2, "option 'region' (Region) is required");

    // The server's db_port was never set: the module gets the schema's default, as module show lists it.
    CHECK(contains(inst.run({"module", "show", "scripted_strict"}).out, "5432"));
    ok(inst, {"service", "create", "1"});
    const json log = run_json(inst, {"module", "log", "--service", "1"});
    bool saw = false;
    for (const auto &e : log)
        if (e["action"] == "create:http") saw = contains(e["response"].get<std::string>(), "\"db_port\":\"5432\"");
    CHECK(saw);

    // A server stored before the rule, without its REQUIRED option: the call does not go out.
    REQUIRE(run_program("/usr/bin/sqlite3", {inst.database().string(), "DELETE FROM server_options WHERE key = 'tenant'"}).exit_code == 0);
    const size_t calls = log.size();
    const RunResult r = inst.run({"service", "suspend", "1"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "module scripted_strict (server 's1') server option 'tenant' (Tenant) is required but has no value"));
    CHECK(run_json(inst, {"module", "log", "--service", "1"}).size() == calls);
}

TEST_CASE("any module option can be given on standard input, never only on the command line") {
    Installation inst;
    inst.install_module("scripted");
    ok(inst, {"client", "add", "--first-name", "Grace", "--email", "grace@example.org"});
    ok_with(inst, {"server", "add", "--name", "s1", "--module", "scripted", "--option-stdin", "db_password", "--option-stdin", "db_port"},
            "first-db-pw\n6543\n");
    CHECK(matches(inst.run({"server", "show", "s1"}).out, "option db_port: +6543"));
    CHECK(matches(inst.run({"server", "show", "s1"}).out, "option db_password: +\\(set\\)"));
    refused(inst, {"server", "set", "s1", "--option-stdin", "db_password"}, "", 2,
            "expected the value of 'db_password' (--option-stdin) on standard input");
    refused(inst, {"server", "set", "s1", "--option", "db_password=x", "--option-stdin", "db_password"}, "y\n", 2,
            "--option-stdin db_password: also given with --option");
    refused(inst, {"server", "set", "s1", "--option-stdin", "db_port"}, "fast\n", 2, "'db_port' (number): 'fast' must be a number");
    refused(inst, {"server", "set", "s1", "--option-stdin", "nonesuch"}, "x\n", 2, "module scripted has no server option 'nonesuch'");
    // The password given on standard input is not repeated in an error.
    const RunResult bad = inst.run({"product", "add", "--name", "V", "--module", "scripted", "--setting", "region=eu", "--setting",
                                    "api_key=line1\nline2"});
    CHECK(bad.exit_code == 2);
    CHECK(contains(bad.err, "option 'api_key' (password): the value must be a single line"));
    CHECK_FALSE(contains(bad.err, "line1"));

    ok_with(inst, {"product", "add", "--name", "V", "--module", "scripted", "--setting", "region=eu", "--setting-stdin", "api_key"},
            "product-key\n");
    ok_with(inst, {"service", "add", "--client", "1", "--product", "V", "--password-stdin", "--setting-stdin", "api_key"},
            "svc-pw\nservice-key\n");
    const json settings = run_json(inst, {"service", "settings", "1"});
    for (const auto &s : settings)
        if (s["key"] == "api_key") {
            CHECK(s["product"] == "(set)");
            CHECK(s["override"] == "(set)");
        }
    CHECK_FALSE(contains(inst.dump(), "product-key"));
    CHECK_FALSE(contains(inst.dump(), "service-key"));
}

TEST_CASE("files: private modes, older ones tightened, and the file transport says it reaches no one") {
    Installation inst;
    for (const char *name : {"provisio.toml", "provisio.db", "provisio.key"}) {
        INFO(name);
        CHECK(mode_of(inst.dir() / name) == 0600);
    }
    CHECK(mode_of(inst.modules()) == 0700);
    const RunResult again = inst.run({"init"});
    CHECK(contains(again.out, "mail is written to files in " + (inst.dir() / "mail").string() + " and reaches no one"));

    // A database an older provisio left readable by others is tightened when next opened.
    std::filesystem::permissions(inst.database(), std::filesystem::perms::group_read | std::filesystem::perms::others_read,
                                 std::filesystem::perm_options::add);
    REQUIRE(mode_of(inst.database()) == 0644);
    ok(inst, {"client", "add", "--first-name", "Grace", "--email", "grace@example.org"});
    CHECK(mode_of(inst.database()) == 0600);

    // A mail that carried a secret leaves no copy of it on disk; mail files are private.
    ok_with(inst, {"client", "password", "set", "1"}, "first-secret-1\n");
    ok(inst, {"client", "password", "reminder", "1"});
    const std::string reminded = after(last_mail(inst), "has been set for it:\\n(\\S+)");
    const RunResult sent = inst.run({"mail", "send"});
    CHECK(sent.exit_code == 0);
    CHECK(contains(sent.out, "note: mail is written to files in " + (inst.dir() / "mail").string() + " and reaches no one"));
    CHECK(contains(sent.out, "message 1 written to " + (inst.dir() / "mail" / "1.eml").string() + " (not sent)"));
    CHECK(mode_of(inst.dir() / "mail") == 0700);
    CHECK(mode_of(inst.dir() / "mail" / "1.eml") == 0600);
    const std::string eml = read_all(inst.dir() / "mail" / "1.eml");
    CHECK(contains(eml, "Subject: Your client area details"));
    CHECK_FALSE(contains(eml, reminded));
    CHECK(run_json(inst, {"mail", "send"})["note"].get<std::string>().find("reaches no one") != std::string::npos);
}
