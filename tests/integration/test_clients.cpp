// Client accounts through the CLI: the full profile and status changes, contacts and the
// e-mail categories they receive, the default billing contact on invoices, client files, and
// each bad input refused with nothing changed.
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace provisio::test;
using nlohmann::json;

namespace {

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

// A failing command: its exit code, its message, and an unchanged database.
void refused(const Installation &inst, const std::vector<std::string> &args, int exit_code, const std::string &message) {
    const std::string before = inst.dump();
    const RunResult r = inst.run(args);
    INFO(r.out << r.err);
    CHECK(r.exit_code == exit_code);
    CHECK(contains(r.err, message));
    CHECK(inst.dump() == before);
}

}  // namespace

TEST_CASE("clients: the full profile, the welcome e-mail, and what a status change means") {
    Installation inst;
    inst.install_module("hello");
    ok(inst, {"client", "add", "--first-name", "Grace", "--last-name", "Hopper", "--company", "Navy Labs", "--email", "grace@example.org",
              "--address1", "1 Harbour Rd", "--city", "Arlington", "--state", "VA", "--postcode", "22201", "--country", "us", "--phone",
              "+1 703 555 0100", "--language", "en", "--send-welcome"});
    const json c = run_json(inst, {"client", "show", "1"});
    CHECK(c["company"] == "Navy Labs");
    CHECK(c["address"]["country"] == "US");
    CHECK(c["phone"] == "+1 703 555 0100");
    CHECK(c["bill_to"] == "Grace Hopper\nNavy Labs\n1 Harbour Rd\nArlington, VA 22201\nUS\n");
    const json outbox = run_json(inst, {"mail", "outbox"});
    REQUIRE(outbox.size() == 1);
    CHECK(outbox[0]["template"] == "Client Signup Email");
    CHECK(outbox[0]["to"] == "grace@example.org");
    CHECK(contains(outbox[0]["body"].get<std::string>(), "Your account number is 1"));

    ok(inst, {"product", "add", "--name", "A", "--module", "hello", "--price", "30"});
    ok(inst, {"service", "add", "--client", "1", "--product", "A", "--next-due", "2026-12-01"});
    ok(inst, {"service", "create", "1"});
    RunResult r = inst.run({"client", "set", "1", "--status", "Closed"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out, "cannot log in, but its 1 active or suspended service(s) are still invoiced"));
    r = inst.run({"client", "set", "1", "--status", "Inactive"});
    CHECK(contains(r.out, "inactive, though it has 1 active or suspended service(s)"));

    refused(inst, {"client", "set", "1", "--country", "USA"}, 2, "is not a two-letter ISO 3166 code");
    refused(inst, {"client", "set", "1", "--status", "Gone"}, 2, "is not one of: Active, Inactive, Closed");
    refused(inst, {"client", "add", "--first-name", "X", "--email", "not-an-address"}, 2, "is not an e-mail address");
}

TEST_CASE("contacts: required fields, categories, who gets which e-mail, and the billing contact on invoices") {
    Installation inst;
    inst.install_module("hello");
    ok(inst, {"client", "add", "--first-name", "Ada", "--last-name", "Lovelace", "--email", "ada@example.org"});
    ok(inst, {"client", "add", "--first-name", "Bob", "--email", "bob@example.org"});
    refused(inst, {"contact", "add", "1", "--last-name", "Babbage", "--email", "cb@example.org"}, 2, "needs a first name");
    refused(inst, {"contact", "add", "1", "--first-name", "Charles", "--email", "cb@example.org"}, 2, "needs a last name");
    refused(inst, {"contact", "add", "1", "--first-name", "Charles", "--last-name", "Babbage"}, 2, "needs an e-mail address");
    refused(inst, {"contact", "add", "1", "--first-name", "Charles", "--last-name", "Babbage", "--email", "cb@@example"}, 2,
            "is not an e-mail address");
    refused(inst, {"contact", "add", "1", "--first-name", "Charles", "--last-name", "Babbage", "--email", "cb@example.org", "--subscribe",
                   "invoice,billing"},
            2, "'billing' is not an e-mail category");
    refused(inst, {"contact", "add", "9", "--first-name", "Charles", "--last-name", "Babbage", "--email", "cb@example.org"}, 3,
            "client 9 does not exist");

    ok(inst, {"contact", "add", "1", "--first-name", "Charles", "--last-name", "Babbage", "--email", "accounts@example.org", "--subscribe",
              "invoice", "--company", "Engines Ltd", "--address1", "5 Dorset St", "--city", "London", "--country", "GB"});
    ok(inst, {"contact", "add", "1", "--first-name", "Mary", "--last-name", "Somerville", "--email", "mary@example.org", "--subscribe",
              "general,support"});
    const json contacts = run_json(inst, {"contact", "list", "1"});
    REQUIRE(contacts.size() == 2);
    CHECK(contacts[1]["email_categories"] == json::array({"general", "support"}));

    // An invoice's mail goes to the client and the contact subscribed to invoices only.
    ok(inst, {"product", "add", "--name", "A", "--module", "hello", "--price", "30"});
    ok(inst, {"service", "add", "--client", "1", "--product", "A", "--next-due", "2026-12-01"});
    ok(inst, {"service", "create", "1"});
    ok(inst, {"--now", "2026-11-28T12:00:00Z", "invoice", "generate"});
    json outbox = run_json(inst, {"mail", "outbox"});
    REQUIRE(outbox.size() == 1);
    CHECK(outbox[0]["template"] == "Invoice Created");
    CHECK(outbox[0]["to"] == "ada@example.org,accounts@example.org");

    // The billing contact's name and address go on the invoice; another client's contact cannot be it.
    refused(inst, {"client", "set", "2", "--billing-contact", "1"}, 2, "belongs to client 1, not 2");
    ok(inst, {"client", "set", "1", "--billing-contact", "1"});
    RunResult r = inst.run({"invoice", "show", "1"});
    CHECK(contains(r.out, "Bill to:\n  Charles Babbage\n  Engines Ltd\n  5 Dorset St\n  London\n  GB\n"));
    r = inst.run({"contact", "delete", "1"});
    CHECK(contains(r.out, "made out to the client again"));
    CHECK(contains(inst.run({"invoice", "show", "1"}).out, "Bill to:\n  Ada Lovelace\n"));

    // Template categories: a general mail reaches Mary; a bad category is refused.
    ok(inst, {"mail", "template", "add", "Client Signup Email", "--subject", "Hello", "--body", "Hi {$client_first_name}"});
    CHECK(run_json(inst, {"mail", "template", "show", "Client Signup Email"})["category"] == "general");
    refused(inst, {"mail", "template", "add", "X", "--subject", "s", "--body", "b", "--category", "billing"}, 2, "is not an e-mail category");
}

TEST_CASE("client files: stored under generated names, fetched back, and bad files refused with nothing kept") {
    Installation inst;
    inst.edit_config("max_bytes = 10485760", "max_bytes = 64");
    ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    const auto source = inst.dir() / "contract.txt";
    std::ofstream(source) << "signed on 2026-11-30\n";
    const json added = run_json(inst, {"client", "file", "add", "1", source.string(), "--title", "Signed contract", "--admin-only"});
    CHECK(added["filename"] == "contract.txt");
    CHECK(added["admin_only"] == true);
    const auto stored_dir = inst.dir() / "files";
    size_t stored = 0;
    for (const auto &e : std::filesystem::directory_iterator(stored_dir)) {
        ++stored;
        CHECK(e.path().filename().string().find("contract") == std::string::npos);  // a generated name
    }
    CHECK(stored == 1);

    const auto out = inst.dir() / "fetched.txt";
    ok(inst, {"client", "file", "get", "1", "--output", out.string()});
    std::ifstream in(out);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(text == "signed on 2026-11-30\n");
    refused(inst, {"client", "file", "get", "1", "--output", out.string()}, 5, "exists already");

    refused(inst, {"client", "file", "add", "1", source.string(), "--title", "Sneaky", "--name", "../../etc/passwd"}, 2, "has a path in it");
    std::ofstream(inst.dir() / "big.bin") << std::string(65, 'x');
    refused(inst, {"client", "file", "add", "1", (inst.dir() / "big.bin").string(), "--title", "Too big"}, 2, "over the limit of 64");
    refused(inst, {"client", "file", "add", "7", source.string(), "--title", "Nobody's"}, 3, "client 7 does not exist");
    refused(inst, {"client", "file", "add", "1", (inst.dir() / "missing.pdf").string(), "--title", "Gone"}, 2, "not a regular file");
    stored = 0;
    for ([[maybe_unused]] const auto &e : std::filesystem::directory_iterator(stored_dir)) ++stored;
    CHECK(stored == 1);  // nothing left behind by the refusals

    ok(inst, {"client", "file", "delete", "1"});
    CHECK(run_json(inst, {"client", "file", "list", "1"}).empty());
    CHECK(std::filesystem::is_empty(stored_dir));
}

TEST_CASE("client merge: everything moves to the kept client, balances add up, and bad merges are refused") {
    Installation inst;
    inst.install_module("hello");
    ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    ok(inst, {"client", "add", "--first-name", "Ada (old)", "--email", "ada.old@example.org"});
    ok(inst, {"client", "add", "--first-name", "Eve", "--email", "eve@example.org", "--currency", "EUR"});
    ok(inst, {"product", "add", "--name", "A", "--module", "hello", "--price", "30"});
    for (const char *client : {"1", "2"}) ok(inst, {"service", "add", "--client", client, "--product", "A", "--next-due", "2026-12-01"});
    ok(inst, {"service", "create", "1"});
    ok(inst, {"service", "create", "2"});
    ok(inst, {"--now", "2026-11-28T12:00:00Z", "invoice", "generate"});
    ok(inst, {"credit", "add", "1", "10.00", "--description", "Top-up"});
    ok(inst, {"credit", "add", "2", "2.50", "--description", "Top-up"});
    ok(inst, {"contact", "add", "2", "--first-name", "Old", "--last-name", "Accounts", "--email", "old.accounts@example.org"});
    ok(inst, {"client", "note", "add", "2", "--text", "Called about the duplicate account"});
    refused(inst, {"client", "note", "add", "2", "--text", "  "}, 2, "a note needs some text");
    std::ofstream(inst.dir() / "note.txt") << "old paperwork\n";
    ok(inst, {"client", "file", "add", "2", (inst.dir() / "note.txt").string(), "--title", "Old paperwork"});

    refused(inst, {"client", "merge", "1", "1", "--keep", "1"}, 4, "cannot merge client 1 with itself");
    refused(inst, {"client", "merge", "1", "3", "--keep", "1"}, 4, "would mix currencies");
    refused(inst, {"client", "merge", "1", "9", "--keep", "1"}, 3, "client 9 does not exist");
    refused(inst, {"client", "merge", "1", "2", "--keep", "3"}, 2, "--keep must be 1 or 2");

    const json r = run_json(inst, {"client", "merge", "1", "2", "--keep", "1"});
    CHECK(r["discarded"] == 2);
    CHECK(r["moved"]["services"] == 1);
    CHECK(r["moved"]["contacts"] == 1);
    CHECK(r["moved"]["client_files"] == 1);
    CHECK(r["moved"]["invoices"] == 1);
    CHECK(r["moved"]["credit_ledger"] == 1);
    CHECK(r["moved"]["client_notes"] == 1);
    CHECK(run_json(inst, {"client", "note", "list", "1"})[0]["text"] == "Called about the duplicate account");
    CHECK(r["credit"] == "12.50");
    CHECK(inst.run({"client", "show", "2"}).exit_code == 3);
    CHECK(run_json(inst, {"service", "list", "--client", "1"}).size() == 2);
    CHECK(run_json(inst, {"credit", "list", "1"})["balance"] == "12.50");
    CHECK(run_json(inst, {"client", "file", "list", "1"}).size() == 1);
    ok(inst, {"verify"});  // balances are the sums of their ledgers, no orphans
    const json log = run_json(inst, {"audit", "list", "--client", "1"});
    REQUIRE(!log.empty());
    CHECK(log.back()["action"] == "client.merge");
    CHECK(contains(log.back()["detail"].get<std::string>(), "credit 10.00 + 2.50 = 12.50"));
}

TEST_CASE("client delete: refused with live services unless forced; transactions stay, everything else goes") {
    Installation inst;
    inst.install_module("hello");
    ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    ok(inst, {"product", "add", "--name", "A", "--module", "hello", "--price", "30"});
    ok(inst, {"service", "add", "--client", "1", "--product", "A", "--next-due", "2026-12-01"});
    ok(inst, {"service", "create", "1"});
    ok(inst, {"--now", "2026-11-28T12:00:00Z", "invoice", "generate"});
    ok(inst, {"--now", "2026-11-29T12:00:00Z", "invoice", "pay", "1", "--amount", "30", "--method", "banktransfer", "--transaction-id", "T-1"});
    ok(inst, {"contact", "add", "1", "--first-name", "Charles", "--last-name", "Babbage", "--email", "cb@example.org"});
    ok(inst, {"client", "set", "1", "--billing-contact", "1"});
    std::ofstream(inst.dir() / "c.txt") << "contract\n";
    ok(inst, {"client", "file", "add", "1", (inst.dir() / "c.txt").string(), "--title", "Contract"});

    refused(inst, {"client", "delete", "9"}, 3, "client 9 does not exist");
    refused(inst, {"client", "delete", "1"}, 4, "does not terminate anything on the servers");
    const RunResult r = inst.run({"client", "delete", "1", "--force"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out, "1 service(s), 1 invoice(s), 1 file(s) removed; 1 transaction(s) kept"));
    CHECK(inst.run({"client", "show", "1"}).exit_code == 3);
    const std::string dump = inst.dump();
    CHECK(contains(dump, "INSERT INTO transactions VALUES(1,NULL,"));  // detached, still income
    CHECK(!contains(dump, "INSERT INTO services VALUES"));
    CHECK(!contains(dump, "INSERT INTO contacts VALUES"));
    CHECK(std::filesystem::is_empty(inst.dir() / "files"));
    ok(inst, {"verify"});
}

TEST_CASE("service administration: move to another client, delete the record, resend the welcome e-mail") {
    Installation inst;
    inst.install_module("hello");
    ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    ok(inst, {"client", "add", "--first-name", "Bob", "--email", "bob@example.org"});
    ok(inst, {"client", "add", "--first-name", "Cy", "--email", "cy@example.org", "--status", "Closed"});
    ok(inst, {"product", "add", "--name", "A", "--module", "hello", "--price", "30"});
    ok(inst, {"service", "add", "--client", "1", "--product", "A", "--next-due", "2026-12-01", "--domain", "ada.example"});
    ok(inst, {"service", "create", "1"});
    ok(inst, {"--now", "2026-11-28T12:00:00Z", "invoice", "generate"});

    refused(inst, {"service", "move", "1", "--to-client", "9"}, 3, "client 9 does not exist");
    refused(inst, {"service", "move", "1", "--to-client", "3"}, 4, "client 3 is closed");
    refused(inst, {"service", "set", "1", "--client", "2"}, 2, "provisio service move 1 --to-client 2");
    refused(inst, {"service", "add", "--client", "3", "--product", "A"}, 4, "client 3 is closed");
    RunResult r = inst.run({"service", "move", "1", "--to-client", "2"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out, "moved from client 1 to client 2"));
    CHECK(contains(r.out, "unpaid invoice(s) for it stay with client 1: #1"));
    CHECK(run_json(inst, {"service", "show", "1"})["client_id"] == 2);
    CHECK(run_json(inst, {"invoice", "show", "1"})["client_id"] == 1);

    ok(inst, {"service", "welcome", "1"});
    const json outbox = run_json(inst, {"mail", "outbox", "--client", "2"});
    REQUIRE(outbox.size() == 1);
    CHECK(outbox[0]["subject"] == "Your A is ready");
    CHECK(contains(outbox[0]["body"].get<std::string>(), "(ada.example) is set up: service number 1"));

    r = inst.run({"service", "delete", "1"});
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out, "its account on the server was not touched"));
    CHECK(inst.run({"service", "show", "1"}).exit_code == 3);
    CHECK(inst.run({"invoice", "show", "1"}).exit_code == 0);  // invoices stay
    refused(inst, {"service", "delete", "1"}, 3, "service 1 does not exist");
}

TEST_CASE("orders: a service with addons and its first invoice, provisioned at once, on payment or by hand") {
    Installation inst;
    inst.install_module("hello");
    ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    ok(inst, {"client", "add", "--first-name", "Cy", "--email", "cy@example.org", "--status", "Closed"});
    ok(inst, {"product", "add", "--name", "Now", "--module", "hello", "--price", "10", "--auto-setup", "order"});
    ok(inst, {"product", "add", "--name", "Paid", "--module", "hello", "--price", "20"});
    ok(inst, {"product", "add", "--name", "Manual", "--module", "hello", "--price", "5", "--auto-setup", "manual"});
    ok(inst, {"addon", "catalogue", "add", "--name", "Extra IP", "--price", "3"});
    refused(inst, {"product", "add", "--name", "Bad", "--auto-setup", "sometimes"}, 2, "is not order, payment or manual");
    refused(inst, {"order", "add", "2", "--product", "Now"}, 4, "client 2 is closed");
    refused(inst, {"order", "add", "1", "--product", "Nope"}, 3, "Nope");

    RunResult r = inst.run({"--now", "2026-11-30T12:00:00Z", "order", "add", "1", "--product", "Now", "--domain", "now.example"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out, "invoice #1"));
    CHECK(contains(r.out, "service 1 create: ok"));
    CHECK(run_json(inst, {"service", "show", "1"})["status"] == "Active");

    r = inst.run({"--now", "2026-11-30T12:00:00Z", "order", "add", "1", "--product", "Paid", "--addon", "Extra IP", "--price", "18", "--cycle",
                  "annually"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out, "service 2 (Paid, 18.00 annually) with 1 addon(s)"));
    CHECK(contains(r.out, "provisioned when its first invoice is paid"));
    CHECK(run_json(inst, {"service", "show", "2"})["status"] == "Pending");
    CHECK(run_json(inst, {"addon", "list", "--service", "2"}).size() == 1);
    const json invoices = run_json(inst, {"invoice", "list", "--client", "1"});
    REQUIRE(invoices.size() == 3);  // the first order's, the second's, and its addon's
    const int64_t first = invoices[1]["id"];
    r = inst.run({"--now", "2026-11-30T13:00:00Z", "invoice", "pay", std::to_string(first), "--method", "banktransfer"});
    INFO(r.out << r.err);
    CHECK(contains(r.out, "service 2 create: ok"));
    CHECK(run_json(inst, {"service", "show", "2"})["status"] == "Active");

    r = inst.run({"--now", "2026-11-30T12:00:00Z", "order", "add", "1", "--product", "Manual", "--no-invoice"});
    CHECK(contains(r.out, "provision it with provisio service create 3"));
    CHECK(run_json(inst, {"service", "show", "3"})["status"] == "Pending");
}

TEST_CASE("service mass update: one client's services changed together, then a module command on each") {
    Installation inst;
    inst.install_module("hello");
    ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    ok(inst, {"client", "add", "--first-name", "Bob", "--email", "bob@example.org"});
    ok(inst, {"product", "add", "--name", "A", "--module", "hello", "--price", "30"});
    for (const char *c : {"1", "1", "2"}) ok(inst, {"service", "add", "--client", c, "--product", "A", "--next-due", "2026-12-01"});
    for (const char *s : {"1", "2", "3"}) ok(inst, {"service", "create", s});

    refused(inst, {"service", "mass-update", "1", "3", "--amount", "25"}, 2, "belong to different clients");
    refused(inst, {"service", "mass-update", "1", "2", "--status", "Sleeping"}, 2, "is not Pending, Active");
    refused(inst, {"service", "mass-update", "1", "2", "--prorata"}, 2, "--prorata needs --next-due");
    refused(inst, {"service", "mass-update", "1", "2", "--module-command", "reboot"}, 2, "is not create, suspend");

    const RunResult r = inst.run({"service", "mass-update", "1", "2", "--amount", "25", "--cycle", "quarterly", "--payment-method",
                                  "stripe", "--autosuspend-override", "2027-01-31", "--module-command", "suspend"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out, "2 service(s) of client 1 updated"));
    CHECK(contains(r.out, "service 1 suspend: ok"));
    CHECK(contains(r.out, "service 2 suspend: ok"));
    for (const char *s : {"1", "2"}) {
        const json svc = run_json(inst, {"service", "show", s});
        CHECK(svc["status"] == "Suspended");
        CHECK(svc["recurring_amount"] == "25.00");
        CHECK(svc["billing_cycle"] == "quarterly");
        CHECK(svc["autosuspend_override"] == "2027-01-31");
    }
    CHECK(run_json(inst, {"service", "show", "1"})["payment_method"] == "stripe");
    CHECK(run_json(inst, {"service", "show", "3"})["status"] == "Active");
    ok(inst, {"service", "mass-update", "1", "2", "--status", "Terminated"});  // a record correction
    CHECK(run_json(inst, {"service", "show", "2"})["status"] == "Terminated");
}

TEST_CASE("service set refuses a product change and points to service upgrade") {
    Installation inst;
    inst.install_module("hello");
    ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    ok(inst, {"product", "add", "--name", "A", "--module", "hello", "--price", "30"});
    ok(inst, {"product", "add", "--name", "B", "--module", "hello", "--price", "60"});
    ok(inst, {"service", "add", "--client", "1", "--product", "A", "--next-due", "2026-12-01"});
    refused(inst, {"service", "set", "1", "--product", "B"}, 4, "provisio service upgrade 1 --product B");
}
