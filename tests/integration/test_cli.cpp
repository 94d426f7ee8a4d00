// End to end through the provisio program: a real configuration, key file and SQLite database
// in a scratch directory, modules loaded from its modules directory.
#include <provisio/abi.h>

#include "support/http_server.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

using namespace provisio::test;
using nlohmann::json;

namespace {

bool contains(const std::string &haystack, const std::string &needle) { return haystack.find(needle) != std::string::npos; }

const std::string abi = std::to_string(PROVISIO_ABI_MAJOR) + "." + std::to_string(PROVISIO_ABI_MINOR);

std::string service_status(const Installation &inst, const std::string &id) {
    const RunResult r = inst.run({"--json", "service", "show", id});
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out).at("status").get<std::string>();
}

// A client, a scripted-module server and product, and one service on them.
void seed_scripted(const Installation &inst, const std::string &outcome = "ok") {
    REQUIRE(inst.run({"client", "add", "--first-name", "Grace", "--email", "grace@example.org"}).exit_code == 0);
    REQUIRE(inst.run({"server", "add", "--name", "pbx1", "--module", "scripted", "--hostname", "pbx1.example",
                      "--username", "admin", "--password-stdin", "--option", "db_password=db-secret-42"},
                     "server-pw-987\n")
                .exit_code == 0);
    REQUIRE(inst.run({"product", "add", "--name", "Voice", "--module", "scripted", "--price", "20", "--setting",
                      "outcome=" + outcome, "--setting", "api_key=KEY-123456", "--setting", "region=eu"})
                .exit_code == 0);
    REQUIRE(inst.run({"service", "add", "--client", "1", "--product", "Voice", "--domain", "tenant.example",
                      "--password", "svc-pw-555"})
                .exit_code == 0);
}

}  // namespace

TEST_CASE("init creates everything once, and is safe to run again") {
    Installation inst;
    CHECK(std::filesystem::exists(inst.config()));
    CHECK(std::filesystem::exists(inst.database()));
    CHECK(std::filesystem::exists(inst.dir() / "provisio.key"));
    const RunResult again = inst.run({"init"});
    CHECK(again.exit_code == 0);
    CHECK(contains(again.out, "kept"));
}

TEST_CASE("module list shows loaded and refused modules, as a table and as JSON") {
    Installation inst;
    inst.install_module("hello");
    inst.install_module("wrong_abi");
    const RunResult table = inst.run({"module", "list"});
    CHECK(table.exit_code == 0);
    CHECK(contains(table.out, "hello  loaded"));
    CHECK(contains(table.out, "refused wrong_abi.so: module wrong_abi.so built for ABI 2, this host speaks ABI 1"));

    const json list = json::parse(inst.run({"--json", "module", "list"}).out);
    REQUIRE(list.size() == 2);
    CHECK(list[0]["name"] == "hello");
    CHECK(list[0]["abi"] == abi);
    CHECK(list[0]["capabilities"] == json::array({"provisioning"}));
    CHECK(list[1]["status"] == "refused");
    // Every capability is named: a usage module says so.
    inst.install_module("cdrsource");
    CHECK(contains(inst.run({"module", "show", "cdrsource"}).out, "usage"));
    bool usage = false;
    for (const auto &m : json::parse(inst.run({"--json", "module", "list"}).out))
        if (m["name"] == "cdrsource") usage = std::find(m["capabilities"].begin(), m["capabilities"].end(), "usage") != m["capabilities"].end();
    CHECK(usage);

    const RunResult shown = inst.run({"module", "show", "hello"});
    CHECK(shown.exit_code == 0);
    CHECK(contains(shown.out, "calm|cheerful|loud"));
    CHECK(inst.run({"module", "show", "wrong_abi"}).exit_code == 3);
}

TEST_CASE("module check validates a file in a child process") {
    Installation inst;
    const RunResult ok = inst.run({"module", "check", fixture_module("hello").string()});
    CHECK(ok.exit_code == 0);
    CHECK(contains(ok.out, "ok — module hello 1.0.0, ABI " + abi));
    const RunResult crash = inst.run({"module", "check", fixture_module("crash_on_load").string()});
    CHECK(crash.exit_code == 1);
    CHECK(contains(crash.out, "crashed while loading: signal 11"));
    const RunResult none = inst.run({"module", "check", fixture_module("no_entry").string()});
    CHECK(none.exit_code == 1);
    CHECK(contains(none.out, "has no entry point"));
}

TEST_CASE("a service goes through its lifecycle on the hello module") {
    Installation inst;
    inst.install_module("hello");
    REQUIRE(inst.run({"client", "add", "--first-name", "Ada", "--email", "ada@example.org"}).exit_code == 0);
    REQUIRE(inst.run({"product", "add", "--name", "Hello", "--module", "hello", "--price", "9.99", "--setting", "mood=loud"}).exit_code == 0);
    REQUIRE(inst.run({"service", "add", "--client", "1", "--product", "Hello", "--domain", "ada.example"}).exit_code == 0);
    CHECK(service_status(inst, "1") == "Pending");

    const RunResult created = inst.run({"--now", "2026-03-01T12:00:00Z", "service", "create", "1"});
    CHECK(created.exit_code == 0);
    CHECK(contains(created.out, "Pending -> Active"));
    CHECK(contains(created.out, "Hello, ada.example!"));

    CHECK(inst.run({"service", "suspend", "1", "--reason", "Overdue on Payment"}).exit_code == 0);
    const json suspended = json::parse(inst.run({"--json", "service", "show", "1"}).out);
    CHECK(suspended["status"] == "Suspended");
    CHECK(suspended["suspend_reason"] == "Overdue on Payment");
    CHECK(suspended["module_state"]["suspended_for"] == "Overdue on Payment");

    CHECK(inst.run({"service", "unsuspend", "1"}).exit_code == 0);
    CHECK(inst.run({"service", "terminate", "1"}).exit_code == 0);
    CHECK(service_status(inst, "1") == "Terminated");

    const json log = json::parse(inst.run({"--json", "module", "log", "--service", "1"}).out);
    REQUIRE(log.size() == 4);
    CHECK(log[0]["action"] == "create");
    CHECK(log[0]["at"] == "2026-03-01T12:00:00Z");
    CHECK(log[3]["action"] == "terminate");
    CHECK(log[3]["status"] == "ok");
}

TEST_CASE("the state machine refuses forbidden transitions and changes nothing") {
    Installation inst;
    inst.install_module("hello");
    REQUIRE(inst.run({"client", "add", "--first-name", "Ada", "--email", "ada@example.org"}).exit_code == 0);
    REQUIRE(inst.run({"product", "add", "--name", "Hello", "--module", "hello"}).exit_code == 0);
    REQUIRE(inst.run({"service", "add", "--client", "1", "--product", "Hello"}).exit_code == 0);
    const std::string before = inst.dump();
    const RunResult r = inst.run({"service", "suspend", "1"});
    CHECK(r.exit_code == 4);
    CHECK(r.err == "provisio: service 1: suspend needs a service that is Active, and this one is Pending\n");
    CHECK(inst.dump() == before);
    CHECK(inst.run({"service", "unsuspend", "1"}).exit_code == 4);
    CHECK(inst.run({"service", "terminate", "1"}).exit_code == 4);
}

TEST_CASE("unknown ids and malformed arguments get one clear line") {
    Installation inst;
    inst.install_module("hello");
    RunResult r = inst.run({"service", "create", "99"});
    CHECK(r.exit_code == 3);
    CHECK(r.err == "provisio: service 99 does not exist\n");
    r = inst.run({"service", "create", "abc"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "'abc' is not a valid id"));
    r = inst.run({"client", "add", "--first-name", "X", "--email", "not-an-email"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "is not an e-mail address"));
    r = inst.run({"product", "add", "--name", "P", "--price", "1.999"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "--price: '1.999' has more than 2 decimal places"));
    r = inst.run({"product", "add", "--name", "P", "--cycle", "fortnightly"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "billing cycle 'fortnightly' is not one of"));
    r = inst.run({"--now", "tomorrow", "service", "list"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "--now: 'tomorrow' is not a valid time"));
    r = inst.run({"service", "frobnicate"});
    CHECK(r.exit_code == 2);
}

TEST_CASE("option values that fail the module's schema are refused and nothing is stored") {
    Installation inst;
    inst.install_module("hello");
    inst.install_module("scripted");
    const std::string before = inst.dump();
    RunResult r = inst.run({"product", "add", "--name", "Hello", "--module", "hello", "--setting", "mood=angry"});
    CHECK(r.exit_code == 2);
    CHECK(r.err == "provisio: module hello option 'mood' (dropdown): 'angry' must be one of: 'calm' 'cheerful' 'loud'\n");
    r = inst.run({"product", "add", "--name", "Hello", "--module", "hello", "--setting", "remember=perhaps"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "'remember' (yesno): 'perhaps' must be yes or no"));
    r = inst.run({"product", "add", "--name", "Hello", "--module", "hello", "--setting", "colour=red"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "module hello has no option 'colour' (known: greeting, mood, remember, ping_url)"));
    r = inst.run({"product", "add", "--name", "V", "--module", "scripted", "--setting", "quota=lots"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, "'quota' (number): 'lots' must be a number"));
    r = inst.run({"server", "add", "--name", "s", "--module", "scripted", "--option", "db_port=fast"});
    CHECK(r.exit_code == 2);
    r = inst.run({"product", "add", "--name", "X", "--module", "nonesuch"});
    CHECK(r.exit_code == 3);
    CHECK(contains(r.err, "module 'nonesuch' is not loaded"));
    CHECK(inst.dump() == before);

    // Overrides are checked the same way, and show beside the product's values.
    REQUIRE(inst.run({"client", "add", "--first-name", "Ada", "--email", "ada@example.org"}).exit_code == 0);
    REQUIRE(inst.run({"product", "add", "--name", "Hello", "--module", "hello", "--setting", "mood=loud"}).exit_code == 0);
    REQUIRE(inst.run({"service", "add", "--client", "1", "--product", "Hello"}).exit_code == 0);
    CHECK(inst.run({"service", "set", "1", "--setting", "mood=sleepy"}).exit_code == 2);
    REQUIRE(inst.run({"service", "set", "1", "--setting", "mood=cheerful"}).exit_code == 0);
    const json settings = json::parse(inst.run({"--json", "service", "settings", "1"}).out);
    CHECK(settings[1]["key"] == "mood");
    CHECK(settings[1]["default"] == "calm");
    CHECK(settings[1]["product"] == "loud");
    CHECK(settings[1]["override"] == "cheerful");
    CHECK(settings[1]["effective"] == "cheerful");
    REQUIRE(inst.run({"service", "set", "1", "--unset-setting", "mood"}).exit_code == 0);
    CHECK(json::parse(inst.run({"--json", "service", "settings", "1"}).out)[1]["effective"] == "loud");
}

TEST_CASE("a module error leaves the status alone, is logged scrubbed, and exits non-zero") {
    Installation inst;
    inst.install_module("scripted");
    seed_scripted(inst, "error");
    const RunResult r = inst.run({"service", "create", "1"});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "service 1 create failed: refused by the PBX (key ********)"));
    CHECK_FALSE(contains(r.err, "KEY-123456"));
    CHECK(service_status(inst, "1") == "Pending");

    const RunResult log = inst.run({"--json", "module", "log"});
    CHECK_FALSE(contains(log.out, "KEY-123456"));
    CHECK_FALSE(contains(log.out, "server-pw-987"));
    CHECK_FALSE(contains(log.out, "svc-pw-555"));
    const json entries = json::parse(log.out);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0]["status"] == "exchange");
    CHECK(entries[0]["request"] == "login user=admin password=******** key=********");
    CHECK(entries[1]["status"] == "error");

    // Secrets are sealed at rest: none appears in a dump of the database.
    const std::string dump = inst.dump();
    for (const char *secret : {"server-pw-987", "db-secret-42", "svc-pw-555"}) {
        INFO(secret);
        CHECK_FALSE(contains(dump, secret));
    }
}

TEST_CASE("a retryable failure is queued, and a retry that succeeds applies the transition") {
    Installation inst;
    inst.install_module("scripted");
    seed_scripted(inst, "retryable");
    RunResult r = inst.run({"service", "create", "1"});
    CHECK(r.exit_code == 6);
    CHECK(contains(r.err, "queued for retry as item 1"));
    CHECK(inst.run({"service", "create", "1"}).exit_code == 6);  // a second failure counts an attempt, no new item

    json queue = json::parse(inst.run({"--json", "queue", "list"}).out);
    REQUIRE(queue.size() == 1);
    CHECK(queue[0]["action"] == "create");
    CHECK(queue[0]["attempts"] == 2);
    CHECK(queue[0]["last_error"] == "PBX busy, try later");

    CHECK(inst.run({"queue", "retry"}).exit_code == 6);
    REQUIRE(inst.run({"product", "set", "Voice", "--setting", "outcome=ok"}).exit_code == 0);
    r = inst.run({"queue", "retry", "1"});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "queue item 1: ok"));
    CHECK(service_status(inst, "1") == "Active");
    CHECK(json::parse(inst.run({"--json", "queue", "list"}).out).empty());
    queue = json::parse(inst.run({"--json", "queue", "list", "--all"}).out);
    CHECK(queue[0]["outcome"] == "done");
    CHECK(inst.run({"queue", "retry", "1"}).exit_code == 4);  // already resolved
}

TEST_CASE("a queued call the service has outgrown is closed as obsolete") {
    Installation inst;
    inst.install_module("scripted");
    seed_scripted(inst, "ok");
    REQUIRE(inst.run({"service", "create", "1"}).exit_code == 0);
    REQUIRE(inst.run({"product", "set", "Voice", "--setting", "outcome=retryable"}).exit_code == 0);
    REQUIRE(inst.run({"service", "suspend", "1"}).exit_code == 6);
    REQUIRE(inst.run({"product", "set", "Voice", "--setting", "outcome=ok"}).exit_code == 0);
    REQUIRE(inst.run({"service", "terminate", "1"}).exit_code == 0);
    const RunResult r = inst.run({"queue", "retry"});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "suspend needs a service that is Active"));
    CHECK(json::parse(inst.run({"--json", "queue", "list", "--all"}).out)[0]["outcome"] == "obsolete");
}

TEST_CASE("a module that needs a server refuses a service without one") {
    Installation inst;
    inst.install_module("scripted");
    REQUIRE(inst.run({"client", "add", "--first-name", "Ada", "--email", "ada@example.org"}).exit_code == 0);
    REQUIRE(inst.run({"product", "add", "--name", "Voice", "--module", "scripted", "--setting", "region=eu"}).exit_code == 0);
    REQUIRE(inst.run({"service", "add", "--client", "1", "--product", "Voice"}).exit_code == 0);
    const RunResult r = inst.run({"service", "create", "1"});
    CHECK(r.exit_code == 4);
    CHECK(contains(r.err, "has no server, and module scripted needs one"));
}

TEST_CASE("change-password saves the new password only when the module succeeds") {
    Installation inst;
    inst.install_module("scripted");
    seed_scripted(inst, "ok");
    REQUIRE(inst.run({"service", "create", "1"}).exit_code == 0);
    REQUIRE(inst.run({"product", "set", "Voice", "--setting", "outcome=error"}).exit_code == 0);
    const std::string before = inst.dump();
    CHECK(inst.run({"service", "change-password", "1", "--password-stdin"}, "new-pw-1\n").exit_code == 1);
    // Only the call log grew: the service row (and its sealed password) is as it was.
    const auto service_rows = [](const std::string &dump) {
        std::string rows;
        std::istringstream in(dump);
        for (std::string line; std::getline(in, line);)
            if (line.rfind("INSERT INTO services", 0) == 0) rows += line;
        return rows;
    };
    CHECK(service_rows(inst.dump()) == service_rows(before));
    REQUIRE(inst.run({"product", "set", "Voice", "--setting", "outcome=ok"}).exit_code == 0);
    CHECK(inst.run({"service", "change-password", "1", "--password-stdin"}, "new-pw-1\n").exit_code == 0);
    CHECK(service_rows(inst.dump()) != service_rows(before));
}

TEST_CASE("cancel: a pending service directly, an active one through the module's terminate") {
    Installation inst;
    inst.install_module("hello");
    REQUIRE(inst.run({"client", "add", "--first-name", "Ada", "--email", "ada@example.org"}).exit_code == 0);
    REQUIRE(inst.run({"product", "add", "--name", "Hello", "--module", "hello"}).exit_code == 0);
    REQUIRE(inst.run({"service", "add", "--client", "1", "--product", "Hello"}).exit_code == 0);
    REQUIRE(inst.run({"service", "add", "--client", "1", "--product", "Hello"}).exit_code == 0);
    CHECK(inst.run({"service", "cancel", "1"}).exit_code == 0);
    CHECK(service_status(inst, "1") == "Cancelled");
    REQUIRE(inst.run({"service", "create", "2"}).exit_code == 0);
    CHECK(inst.run({"service", "cancel", "2"}).exit_code == 0);
    CHECK(service_status(inst, "2") == "Cancelled");
    CHECK(json::parse(inst.run({"--json", "module", "log", "--service", "2"}).out).back()["action"] == "terminate");
    CHECK(inst.run({"service", "cancel", "2"}).exit_code == 4);
}

TEST_CASE("a database that is not SQLite, or from a newer provisio, is refused by every command") {
    Installation inst;
    {
        std::ofstream(inst.database(), std::ios::trunc) << std::string(4096, 'x');
    }
    RunResult r = inst.run({"client", "list"});
    CHECK(r.exit_code == 7);
    CHECK(contains(r.err, "is not a provisio database"));

    Installation newer;
    REQUIRE(run_program("/usr/bin/sqlite3", {newer.database().string(), "PRAGMA user_version = 42"}).exit_code == 0);
    r = newer.run({"client", "list"});
    CHECK(r.exit_code == 7);
    CHECK(contains(r.err, "schema version 42, newer than this provisio understands"));
}

TEST_CASE("servers keep secrets out of every listing") {
    Installation inst;
    inst.install_module("scripted");
    seed_scripted(inst);
    for (const auto &args : std::vector<std::vector<std::string>>{{"server", "show", "pbx1"}, {"--json", "server", "show", "pbx1"},
                                                                   {"--json", "server", "list"}, {"--json", "service", "show", "1"},
                                                                   {"--json", "product", "show", "Voice"}}) {
        const RunResult r = inst.run(args);
        CHECK(r.exit_code == 0);
        CHECK_FALSE(contains(r.out, "server-pw-987"));
        CHECK_FALSE(contains(r.out, "db-secret-42"));
        CHECK_FALSE(contains(r.out, "svc-pw-555"));
        CHECK_FALSE(contains(r.out, "KEY-123456"));
    }
    CHECK(contains(inst.run({"server", "show", "pbx1"}).out, "option db_password: (set)"));
}

TEST_CASE("modules reach the network through the host: TLS verified per server, timeouts queued") {
    Installation inst;
    inst.install_module("scripted");
    seed_scripted(inst, "ok");
    const TlsFiles tls = make_self_signed(inst.dir().path());
    HttpServer pbx(tls);
    pbx.set_body("pong");
    REQUIRE(inst.run({"product", "set", "Voice", "--setting", "url=" + pbx.url("/api/ping")}).exit_code == 0);

    // A self-signed certificate fails verification: an error, not worth retrying.
    RunResult r = inst.run({"service", "create", "1"});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "failed verification"));
    CHECK(pbx.requests().empty());

    // The operator turns verification off for this server only.
    REQUIRE(inst.run({"server", "set", "pbx1", "--tls-verify", "no"}).exit_code == 0);
    r = inst.run({"service", "create", "1"});
    CHECK(r.exit_code == 0);
    CHECK(contains(r.out, "http 200 pong"));
    CHECK(pbx.requests() == std::vector<std::string>{"GET /api/ping"});

    // Or trusts its CA in the configuration, with verification back on.
    REQUIRE(inst.run({"server", "set", "pbx1", "--tls-verify", "yes"}).exit_code == 0);
    {
        std::ifstream in(inst.config());
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        text.replace(text.find("ca_file = \"\""), 12, "ca_file = \"" + tls.certificate.string() + "\"");
        text.replace(text.find("timeout_ms = 15000"), 18, "timeout_ms = 300");
        std::ofstream(inst.config(), std::ios::trunc) << text;
    }
    CHECK(inst.run({"service", "change-package", "1"}).exit_code == 0);

    // A server that stalls past the deadline: retryable, queued, status unchanged.
    pbx.delay_ms = 1500;
    r = inst.run({"service", "suspend", "1"});
    CHECK(r.exit_code == 6);
    CHECK(contains(r.err, "timed out after 300 ms"));
    CHECK(service_status(inst, "1") == "Active");
    CHECK(json::parse(inst.run({"--json", "queue", "list"}).out)[0]["action"] == "suspend");
}

TEST_CASE("names and e-mail addresses are unique, with a clear conflict") {
    Installation inst;
    REQUIRE(inst.run({"client", "add", "--first-name", "Ada", "--email", "ada@example.org"}).exit_code == 0);
    const RunResult r = inst.run({"client", "add", "--first-name", "Other", "--email", "ada@example.org"});
    CHECK(r.exit_code == 5);
    CHECK(r.err == "provisio: e-mail address 'ada@example.org' is already taken by client 1\n");
}

TEST_CASE("hidden files and non-.so files in the modules directory are ignored") {
    Installation inst;
    inst.install_module("hello", ".hello.tmp");  // .hello.tmp.so: a half-finished atomic install
    std::ofstream(inst.modules() / "README") << "notes\n";
    const json list = json::parse(inst.run({"--json", "module", "list"}).out);
    CHECK(list.empty());
}

TEST_CASE("invoice events reach modules that take them, with every line, at least once") {
    Installation inst;
    inst.install_module("scripted");
    seed_scripted(inst, "ok");
    REQUIRE(inst.run({"service", "set", "1", "--next-due", "2026-06-01"}).exit_code == 0);
    REQUIRE(inst.run({"service", "create", "1"}).exit_code == 0);
    REQUIRE(inst.run({"--json", "module", "show", "scripted"}).out.find("invoice-events") != std::string::npos);

    // The cron run that makes the invoice delivers its created event in the same run.
    REQUIRE(inst.run({"--now", "2026-05-28T12:00:00Z", "cron"}).exit_code == 0);
    json s = json::parse(inst.run({"--json", "service", "show", "1"}).out);
    CHECK(s["module_state"]["events"] == "created#1:20.00:1");
    // Paying delivers the paid event at once.
    const RunResult paid = inst.run({"--now", "2026-05-29T12:00:00Z", "invoice", "pay", "1", "--method", "bank"});
    CHECK(paid.exit_code == 0);
    CHECK(paid.out.find("invoice_paid #1 for service 1 delivered to module scripted") != std::string::npos);
    s = json::parse(inst.run({"--json", "service", "show", "1"}).out);
    CHECK(s["module_state"]["events"] == "created#1:20.00:1,paid#1:20.00:1");
    // Delivered once: later runs add nothing.
    REQUIRE(inst.run({"--now", "2026-05-29T12:05:00Z", "cron"}).exit_code == 0);
    s = json::parse(inst.run({"--json", "service", "show", "1"}).out);
    CHECK(s["module_state"]["events"] == "created#1:20.00:1,paid#1:20.00:1");
    const json log = json::parse(inst.run({"--json", "module", "log", "--service", "1"}).out);
    CHECK(log.back()["action"] == "invoice_paid");

    // A module that fails keeps the event for the next run.
    REQUIRE(inst.run({"product", "set", "Voice", "--setting", "outcome=retryable"}).exit_code == 0);
    REQUIRE(inst.run({"--now", "2026-06-25T12:00:00Z", "cron"}).exit_code == 1);
    REQUIRE(inst.run({"product", "set", "Voice", "--setting", "outcome=ok"}).exit_code == 0);
    REQUIRE(inst.run({"--now", "2026-06-25T12:05:00Z", "cron"}).exit_code == 0);
    s = json::parse(inst.run({"--json", "service", "show", "1"}).out);
    CHECK(s["module_state"]["events"] == "created#1:20.00:1,paid#1:20.00:1,created#2:20.00:1,created#2:20.00:1");

    // A product without a module has nobody to tell: its invoices queue no events.
    REQUIRE(inst.run({"product", "add", "--name", "Plain", "--price", "5"}).exit_code == 0);
    REQUIRE(inst.run({"service", "add", "--client", "1", "--product", "Plain", "--next-due", "2026-07-10"}).exit_code == 0);
    REQUIRE(inst.run({"service", "create", "2"}).exit_code == 0);
    REQUIRE(inst.run({"--now", "2026-07-05T12:00:00Z", "cron"}).exit_code == 0);
    CHECK(inst.sql("SELECT count(*) FROM invoice_items WHERE item_type = 'service' AND item_id = 2") == "1");
    CHECK(inst.sql("SELECT count(*) FROM module_events WHERE service_id = 2") == "0");
}
