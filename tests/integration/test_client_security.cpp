// Stored cards and client-area passwords through the CLI: the card key and its passphrase,
// the Luhn and expiry checks, the full number shown only against the passphrase and audited,
// never in JSON, logs or a database dump; key rotation; password hashing, reminders, and reset
// codes that expire, work once and cannot be forged.
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <regex>

using namespace provisio::test;
using nlohmann::json;

namespace {

const std::string passphrase = "correct horse battery staple";
const std::string number = "4111111111111111";

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

void refused(const Installation &inst, const std::vector<std::string> &args, const std::string &input, int exit_code,
             const std::string &message) {
    const std::string before = inst.dump();
    const RunResult r = inst.run(args, input);
    INFO(r.out << r.err);
    CHECK(r.exit_code == exit_code);
    CHECK(contains(r.err, message));
    CHECK(!contains(r.out + r.err, number));
    // Only the audit log may grow (a refused passphrase is recorded).
    if (!contains(message, "passphrase is wrong")) CHECK(inst.dump() == before);
}

// The last outbox message's body.
std::string last_mail(const Installation &inst) { return run_json(inst, {"mail", "outbox", "--all"}).back()["body"].get<std::string>(); }

std::string after(const std::string &text, const std::string &pattern) {
    std::smatch m;
    REQUIRE(std::regex_search(text, m, std::regex(pattern)));
    return m[1].str();
}

}  // namespace

TEST_CASE("cards: stored sealed, shown in full only with the passphrase, audited, and never in a dump") {
    Installation inst;
    ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    refused(inst, {"card", "set", "1", "--type", "Visa", "--expiry", "12/29"}, number + "\n", 7, "card key create");
    refused(inst, {"card", "key", "create"}, "short\n", 2, "at least 12 characters");
    refused(inst, {"card", "key", "create"}, "", 2, "expected the card key passphrase on standard input");
    REQUIRE(inst.run({"card", "key", "create"}, passphrase + "\n").exit_code == 0);
    const RunResult again = inst.run({"card", "key", "create"}, passphrase + "\n");
    CHECK(again.exit_code == 5);
    CHECK(contains(again.err, "exists already"));
}

TEST_CASE("cards: the whole round trip") {
    Installation inst;
    ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    const RunResult created = inst.run({"card", "key", "create"}, passphrase + "\n");
    INFO(created.err);
    REQUIRE(created.exit_code == 0);

    refused(inst, {"--now", "2026-11-30T12:00:00Z", "card", "set", "1", "--type", "Visa", "--expiry", "12/29"}, "4111 1111 1111 1112\n", 2,
            "fails the Luhn check");
    refused(inst, {"--now", "2026-11-30T12:00:00Z", "card", "set", "1", "--type", "Visa", "--expiry", "10/26"}, number + "\n", 2,
            "the card expired in 2026-10");
    refused(inst, {"--now", "2026-11-30T12:00:00Z", "card", "set", "1", "--type", "Visa", "--expiry", "13/29"}, number + "\n", 2,
            "is not a month");
    refused(inst, {"card", "set", "7", "--type", "Visa", "--expiry", "12/29"}, number + "\n", 3, "client 7 does not exist");

    const RunResult set = inst.run({"--now", "2026-11-30T12:00:00Z", "card", "set", "1", "--type", "Visa", "--expiry", "11/26",
                                    "--issue-number", "2"},
                                   "4111-1111-1111-1111\n");
    INFO(set.err);
    REQUIRE(set.exit_code == 0);
    CHECK(contains(set.out, "Visa ending 1111, expires 11/2026"));
    const json shown = run_json(inst, {"card", "show", "1"});
    CHECK(shown["last_four"] == "1111");
    CHECK(shown["issue_number"] == "2");
    CHECK(!shown.contains("number"));
    CHECK(!contains(inst.dump(), number));                 // sealed in the database
    CHECK(!contains(inst.run({"card", "show", "1"}).out, number));

    refused(inst, {"card", "show", "1", "--full"}, "not the passphrase\n", 4, "passphrase is wrong");
    const RunResult full = inst.run({"--json", "card", "show", "1", "--full"}, passphrase + "\n");
    INFO(full.err);
    REQUIRE(full.exit_code == 0);
    CHECK(json::parse(full.out)["number"] == number);
    const json log = run_json(inst, {"audit", "list", "--client", "1"});
    std::vector<std::string> actions;
    for (const auto &e : log) actions.push_back(e["action"]);
    CHECK(actions == std::vector<std::string>{"card.set", "card.show_full_refused", "card.show_full"});
    CHECK(!log.back()["actor"].get<std::string>().empty());

    // Rotation: a new key and passphrase; the old passphrase opens nothing any more.
    const std::string next = "a different long passphrase";
    RunResult r = inst.run({"card", "key", "rotate"}, passphrase + "\n" + next + "\n");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out, "1 stored card(s) sealed to the new key"));
    CHECK(inst.run({"card", "show", "1", "--full"}, passphrase + "\n").exit_code == 4);
    CHECK(json::parse(inst.run({"--json", "card", "show", "1", "--full"}, next + "\n").out)["number"] == number);
    CHECK(!contains(inst.dump(), number));

    ok(inst, {"card", "clear", "1"});
    CHECK(inst.run({"card", "show", "1"}).exit_code == 3);
}

TEST_CASE("passwords: hashed, checked, reminded, and reset with codes that work once, expire and cannot be forged") {
    Installation inst;
    ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    refused(inst, {"client", "password", "set", "1"}, "short\n", 2, "at least 8 characters");
    REQUIRE(inst.run({"client", "password", "set", "1"}, "first-secret-1\n").exit_code == 0);
    CHECK(!contains(inst.dump(), "first-secret-1"));
    CHECK(contains(inst.dump(), "$argon2id$"));
    CHECK(inst.run({"client", "password", "check", "ada@example.org"}, "first-secret-1\n").exit_code == 0);
    CHECK(inst.run({"client", "password", "check", "ada@example.org"}, "wrong-secret\n").exit_code == 4);
    CHECK(inst.run({"client", "password", "check", "nobody@example.org"}, "first-secret-1\n").exit_code == 4);

    // A reset round trip through the outbox.
    ok(inst, {"--now", "2026-11-30T10:00:00Z", "client", "password", "reset-request", "--email", "ada@example.org"});
    const std::string code = after(last_mail(inst), "use this code within\\ntwo hours: (\\S+)");
    CHECK(run_json(inst, {"mail", "outbox"}).back()["to"] == "ada@example.org");
    ok(inst, {"mail", "send"});
    CHECK(!contains(inst.dump(), code));  // only its hash is kept, and the sent mail's body is blanked
    refused(inst, {"--now", "2026-11-30T10:30:00Z", "client", "password", "reset-confirm", code + "x"}, "", 4, "unknown password reset code");
    ok(inst, {"--now", "2026-11-30T10:30:00Z", "client", "password", "reset-confirm", code});
    const std::string fresh = after(last_mail(inst), "change it:\\n(\\S+)");
    CHECK(inst.run({"client", "password", "check", "ada@example.org"}, fresh + "\n").exit_code == 0);
    CHECK(inst.run({"client", "password", "check", "ada@example.org"}, "first-secret-1\n").exit_code == 4);
    refused(inst, {"--now", "2026-11-30T10:40:00Z", "client", "password", "reset-confirm", code}, "", 4, "was used already");

    ok(inst, {"--now", "2026-11-30T11:00:00Z", "client", "password", "reset-request", "1"});
    const std::string late = after(last_mail(inst), "use this code within\\ntwo hours: (\\S+)");
    refused(inst, {"--now", "2026-11-30T13:00:01Z", "client", "password", "reset-confirm", late}, "", 4, "expired at 2026-11-30T13:00:00Z");

    // An administrator's reminder sets and mails a new random password.
    ok(inst, {"client", "password", "reminder", "1"});
    const std::string reminded = after(last_mail(inst), "has been set for it:\\n(\\S+)");
    CHECK(inst.run({"client", "password", "check", "ada@example.org"}, reminded + "\n").exit_code == 0);

    // A closed client cannot log in.
    ok(inst, {"client", "set", "1", "--status", "Closed"});
    const RunResult r = inst.run({"client", "password", "check", "ada@example.org"}, reminded + "\n");
    CHECK(r.exit_code == 4);
    CHECK(contains(r.err, "closed and cannot log in"));
}
