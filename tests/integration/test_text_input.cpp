// Text that is not UTF-8: refused where it enters (arguments, standard input, files, module
// outcomes and descriptors) with the place named and nothing stored, and never a failed --json
// for text a database already holds.
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace provisio::test;
using nlohmann::json;

namespace {

bool contains(const std::string &haystack, const std::string &needle) { return haystack.find(needle) != std::string::npos; }

void sql(const Installation &inst, const std::string &statement) {
    const RunResult r = run_program("/usr/bin/sqlite3", {inst.database().string(), statement});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
}

// A client, a scripted-module server and product whose calls return `outcome`, one service.
void seed_scripted(const Installation &inst, const std::string &outcome) {
    inst.install_module("scripted");
    REQUIRE(inst.run({"client", "add", "--first-name", "Grace", "--email", "grace@example.org"}).exit_code == 0);
    REQUIRE(inst.run({"server", "add", "--name", "pbx1", "--module", "scripted", "--hostname", "pbx1.example"}).exit_code == 0);
    REQUIRE(inst.run({"product", "add", "--name", "Voice", "--module", "scripted", "--price", "20", "--setting",
                      "outcome=" + outcome, "--setting", "region=eu"})
                .exit_code == 0);
    REQUIRE(inst.run({"service", "add", "--client", "1", "--product", "Voice", "--domain", "tenant.example"}).exit_code == 0);
}

}  // namespace

TEST_CASE("an argument that is not UTF-8 is refused, naming the option, and nothing is stored") {
    Installation inst;
    const std::string before = inst.dump();

    const RunResult named = inst.run({"client", "add", "--first-name", "Bad\xff" "Name", "--email", "bad@example.org"});
    CHECK(named.exit_code == 2);
    CHECK(named.err == "provisio: --first-name is not UTF-8 text (byte 4 is 0xFF)\n");

    const RunResult joined = inst.run({"client", "add", "--first-name=Ada", "--last-name=Love\xc3", "--email", "ada@example.org"});
    CHECK(joined.exit_code == 2);
    CHECK(joined.err == "provisio: --last-name is not UTF-8 text (byte 5 is 0xC3)\n");

    const RunResult positional = inst.run({"mail", "template", "show", "Caf\xe9"});
    CHECK(positional.exit_code == 2);
    CHECK(positional.err == "provisio: argument NAME is not UTF-8 text (byte 4 is 0xE9)\n");

    // An overlong encoding of '/' is not UTF-8 either.
    const RunResult overlong = inst.run({"client", "add", "--first-name", "a\xc0\xaf", "--email", "c@example.org"});
    CHECK(overlong.exit_code == 2);
    CHECK(contains(overlong.err, "--first-name is not UTF-8 text (byte 2 is 0xC0)"));

    CHECK(inst.dump() == before);
    const RunResult list = inst.run({"--json", "client", "list"});
    CHECK(list.exit_code == 0);
    CHECK(json::parse(list.out).empty());
}

TEST_CASE("a secret on standard input and a template file that are not UTF-8 are refused, naming where") {
    Installation inst;
    inst.install_module("scripted");
    const std::string before = inst.dump();

    const RunResult password = inst.run(
        {"server", "add", "--name", "pbx1", "--module", "scripted", "--hostname", "pbx1.example", "--password-stdin"},
        "pass\xfe" "word\n");
    CHECK(password.exit_code == 2);
    CHECK(contains(password.err, "on standard input is not UTF-8 text (byte 5 is 0xFE)"));

    const auto body = inst.dir() / "body.txt";
    std::ofstream(body) << "Dear {$client_name},\nyour balance is 5 \xa3.\n";
    const RunResult file = inst.run({"mail", "template", "add", "Low Balance Alert", "--subject", "Low", "--body-file", body.string()});
    CHECK(file.exit_code == 2);
    CHECK(file.err == "provisio: " + body.string() + ":2: not UTF-8 text (byte 19 of the line is 0xA3)\n");
    CHECK(inst.dump() == before);

    std::ofstream(body, std::ios::trunc) << "Dear {$client_name},\nyour balance is 5 \xc2\xa3.\n";
    CHECK(inst.run({"mail", "template", "add", "Low Balance Alert", "--subject", "Low", "--body-file", body.string()}).exit_code == 0);
}

TEST_CASE("--json prints stored text that is not UTF-8 with U+FFFD instead of failing") {
    Installation inst;
    seed_scripted(inst, "ok");
    REQUIRE(inst.run({"service", "create", "1"}).exit_code == 0);
    REQUIRE(inst.run({"mail", "template", "add", "Welcome", "--subject", "Hi", "--body", "Hello"}).exit_code == 0);
    // Bytes a database written before these checks may hold: Latin-1 and a lone continuation byte.
    sql(inst, "UPDATE clients SET first_name = CAST(X'426164FF4E616D65' AS TEXT) WHERE id = 1");
    sql(inst, "UPDATE service_module_state SET value = CAST(X'436166E9' AS TEXT) WHERE service_id = 1 AND key = 'last_action'");
    sql(inst, "UPDATE module_calls SET message = CAST(X'6F6B80' AS TEXT)");
    sql(inst, "UPDATE mail_templates SET subject = CAST(X'4869E9' AS TEXT)");

    const RunResult clients = inst.run({"--json", "client", "list"});
    REQUIRE(clients.exit_code == 0);
    CHECK(json::parse(clients.out)[0]["first_name"] == "Bad\xef\xbf\xbdName");

    const RunResult client = inst.run({"--json", "client", "show", "1"});
    CHECK(client.exit_code == 0);
    CHECK(json::parse(client.out)["first_name"] == "Bad\xef\xbf\xbdName");

    const RunResult service = inst.run({"--json", "service", "show", "1"});
    REQUIRE(service.exit_code == 0);
    CHECK(json::parse(service.out)["module_state"]["last_action"] == "Caf\xef\xbf\xbd");

    const RunResult log = inst.run({"--json", "module", "log"});
    REQUIRE(log.exit_code == 0);
    CHECK(json::parse(log.out)[0]["message"] == "ok\xef\xbf\xbd");

    const RunResult templates = inst.run({"--json", "mail", "template", "list"});
    REQUIRE(templates.exit_code == 0);
    CHECK(json::parse(templates.out)[0]["subject"] == "Hi\xef\xbf\xbd");
}

TEST_CASE("a module outcome that is not UTF-8 breaks the ABI: the call fails and its state is not saved") {
    Installation inst;
    seed_scripted(inst, "not_utf8");
    const std::string state_before = inst.run({"--json", "service", "show", "1"}).out;

    const RunResult created = inst.run({"service", "create", "1"});
    CHECK(created.exit_code == 1);
    CHECK(contains(created.err, "module broke the ABI"));
    CHECK(contains(created.err, "state value 'greeting' is not UTF-8 text (byte 4 is 0xE9)"));
    CHECK(contains(created.err, "outcome message is not UTF-8 text (byte 12 is 0xE9)"));

    const RunResult shown = inst.run({"--json", "service", "show", "1"});
    REQUIRE(shown.exit_code == 0);
    const json service = json::parse(shown.out);
    CHECK(service["status"] == "Pending");
    CHECK_FALSE(service["module_state"].contains("greeting"));
    CHECK(shown.out == state_before);

    const RunResult log = inst.run({"--json", "module", "log"});
    REQUIRE(log.exit_code == 0);
    const json calls = json::parse(log.out);
    REQUIRE_FALSE(calls.empty());
    CHECK(calls.back()["status"] == "error");
    CHECK(contains(calls.back()["message"].get<std::string>(), "(its message: created Caf\xef\xbf\xbd)"));
}

TEST_CASE("a module whose descriptor is not UTF-8 is refused, and module list --json still answers") {
    Installation inst;
    inst.install_module("hello");
    inst.install_module("not_utf8");
    const RunResult list = inst.run({"--json", "module", "list"});
    REQUIRE(list.exit_code == 0);
    const json modules = json::parse(list.out);
    REQUIRE(modules.size() == 2);
    CHECK(modules[0]["name"] == "hello");
    CHECK(modules[1]["status"] == "refused");
    CHECK(modules[1]["reason"] == "option 'host' label is not UTF-8 text (byte 4 is 0xE9)");

    const RunResult check = inst.run({"module", "check", fixture_module("not_utf8").string()});
    CHECK(check.exit_code == 1);
    CHECK(contains(check.out + check.err, "label is not UTF-8 text (byte 4 is 0xE9)"));
}
