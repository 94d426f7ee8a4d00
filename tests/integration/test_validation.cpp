// Input validated as documented, through the CLI: ISO 4217 currencies (in the configuration and on
// clients), ISO 3166-1 countries, the late fee, template bodies with a NUL byte, time logged on a
// service whose module keeps no time credits, and payment methods. Every refusal names what and
// where, and changes nothing.
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

using namespace provisio::test;
using nlohmann::json;

namespace {

// Runs `args`, expecting exit `code` and `message` on stderr.
void refused(const Installation &inst, const std::vector<std::string> &args, int code, const std::string &message) {
    const RunResult r = inst.run(args);
    INFO(r.out << r.err);
    CHECK(r.exit_code == code);
    CHECK_THAT(r.err, Catch::Contains(message));
}

// The configuration error for `from` replaced by `to` in provisio.toml (restored after).
std::string config_error(const Installation &inst, const std::string &from, const std::string &to) {
    inst.edit_config(from, to);
    const RunResult r = inst.run({"client", "list"});
    inst.edit_config(to, from);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    return r.err;
}

}  // namespace

TEST_CASE("currencies are ISO 4217 codes, in the configuration and on clients") {
    Installation inst;
    CHECK_THAT(config_error(inst, "currency = \"USD\"", "currency = \"XYZ\""),
               Catch::Contains("provisio.toml:") && Catch::Contains("currency 'XYZ' is not an ISO 4217 currency code"));
    CHECK_THAT(config_error(inst, "currency = \"USD\"", "currency = \"usd\""), Catch::Contains("currency 'usd' is not an ISO 4217"));
    CHECK_THAT(config_error(inst, "currency = \"USD\"", "currency = \"XAU\""), Catch::Contains("'XAU' is not"));  // gold

    const std::string before = inst.dump();
    refused(inst, {"client", "add", "--first-name", "Ann", "--email", "ann@example.org", "--currency", "ABC"}, 2,
            "--currency 'ABC' is not an ISO 4217 currency code");
    refused(inst, {"client", "add", "--first-name", "Ann", "--email", "ann@example.org", "--currency", "XXX"}, 2, "'XXX' is not");
    CHECK(inst.dump() == before);

    const json jpy = run_json(inst, {"client", "add", "--first-name", "Aki", "--email", "aki@example.jp", "--currency", "jpy"});
    CHECK(run_json(inst, {"client", "show", std::to_string(jpy["id"].get<int64_t>())})["currency"] == "JPY");
    const json chf = run_json(inst, {"client", "add", "--first-name", "Ueli", "--email", "ueli@example.ch", "--currency", "CHF"});
    refused(inst, {"client", "set", std::to_string(chf["id"].get<int64_t>()), "--currency", "SFR"}, 2, "--currency 'SFR'");
}

TEST_CASE("countries are assigned ISO 3166-1 codes, for clients and contacts") {
    Installation inst;
    ok(inst, {"client", "add", "--first-name", "Ann", "--email", "ann@example.org", "--country", "ca"});
    const std::string before = inst.dump();
    refused(inst, {"client", "add", "--first-name", "Bob", "--email", "bob@example.org", "--country", "QQ"}, 2,
            "--country 'QQ' is not an ISO 3166-1 country code");
    refused(inst, {"client", "set", "1", "--country", "UK"}, 2, "the United Kingdom is GB");
    refused(inst, {"contact", "add", "1", "--first-name", "Cy", "--last-name", "Doe", "--email", "cy@example.org", "--country", "ZZ"}, 2,
            "'ZZ' is not an ISO 3166-1 country code");
    CHECK(inst.dump() == before);
    ok(inst, {"client", "set", "1", "--country", "gb"});
    CHECK(run_json(inst, {"client", "show", "1"})["address"]["country"] == "GB");
}

TEST_CASE("late_fee is an amount or a percentage up to 100%, nothing else") {
    Installation inst;
    for (const std::string bad : {"%", "5 USD", "-2", "+5", "ten", "5%%", "150%", "1e3"}) {
        INFO(bad);
        CHECK_THAT(config_error(inst, "late_fee = \"\"", "late_fee = \"" + bad + "\""),
                   Catch::Contains("provisio.toml:") && Catch::Contains("billing.late_fee '" + bad + "'"));
    }
    for (const std::string good : {"5.00", "10%", "2.5%", "100%"}) {
        INFO(good);
        inst.edit_config("late_fee = \"\"", "late_fee = \"" + good + "\"");
        CHECK(inst.run({"client", "list"}).exit_code == 0);
        inst.edit_config("late_fee = \"" + good + "\"", "late_fee = \"\"");
    }
}

TEST_CASE("a template body with a NUL byte is refused, naming the file and line") {
    Installation inst;
    const auto file = inst.dir() / "body.txt";
    const char body[] = "Dear {$client_name},\nline two\0hidden tail\n";
    std::ofstream(file, std::ios::binary) << std::string(body, sizeof body - 1);
    const std::string before = inst.dump();
    refused(inst, {"mail", "template", "add", "Note", "--subject", "Hello", "--body-file", file.string()}, 2,
            file.string() + " line 2: contains a NUL byte");
    CHECK(inst.dump() == before);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << "Dear {$client_name},\nline two\n";
    ok(inst, {"mail", "template", "add", "Note", "--subject", "Hello", "--body-file", file.string()});
    CHECK(run_json(inst, {"mail", "template", "show", "Note"})["body"] == "Dear {$client_name},\nline two\n");
}

TEST_CASE("time is logged only on services whose module keeps time credits") {
    Installation inst;
    inst.install_module("hello");
    inst.install_module("timelog");
    ok(inst, {"client", "add", "--first-name", "Ann", "--email", "ann@example.org"});
    ok(inst, {"product", "add", "--name", "Web", "--module", "hello", "--price", "10"});
    ok(inst, {"product", "add", "--name", "Plain", "--price", "10"});
    ok(inst, {"product", "add", "--name", "Support", "--module", "timelog", "--price", "100", "--setting", "hourly_rate=25"});
    ok(inst, {"service", "add", "--client", "1", "--product", "Web"});
    ok(inst, {"service", "add", "--client", "1", "--product", "Plain"});
    ok(inst, {"service", "add", "--client", "1", "--product", "Support"});
    const std::string before = inst.dump();
    refused(inst, {"timelog", "add", "1", "--minutes", "30", "--note", "x"}, 4,
            "service 1 (product 'Web'): module 'hello' keeps no time credits");
    refused(inst, {"timelog", "add", "2", "--minutes", "30", "--note", "x"}, 4, "service 2 (product 'Plain') has no module");
    CHECK(inst.dump() == before);
    std::filesystem::remove(inst.modules() / "timelog.so");
    refused(inst, {"timelog", "add", "3", "--minutes", "30", "--note", "x"}, 3, "module 'timelog' is not loaded");
    inst.install_module("timelog");
    ok(inst, {"timelog", "add", "3", "--minutes", "30", "--note", "Printer"});
}

TEST_CASE("payment methods are a known list or the documented free form") {
    Installation inst;
    inst.install_module("hello");
    ok(inst, {"client", "add", "--first-name", "Ann", "--email", "ann@example.org"});
    ok(inst, {"product", "add", "--name", "Web", "--module", "hello", "--price", "10"});
    ok(inst, {"service", "add", "--client", "1", "--product", "Web", "--next-due", "2026-03-01"});
    ok(inst, {"service", "add", "--client", "1", "--product", "Web", "--next-due", "2026-03-01"});
    ok(inst, {"--now", "2026-02-25T10:00:00Z", "invoice", "early", "1"});
    const std::string before = inst.dump();
    refused(inst, {"invoice", "pay", "1", "--method", "bitcoin", "--amount", "1"}, 2,
            "--method 'bitcoin' is not a payment method: one of banktransfer, card, cash, check, mailin, paypal, stripe, or other:");
    refused(inst, {"invoice", "pay", "1", "--method", "other:", "--amount", "1"}, 2, "after 'other:' comes a description");
    refused(inst, {"service", "mass-update", "1", "2", "--payment-method", "gold bars"}, 2, "--payment-method 'gold bars' is not a payment method");
    CHECK(inst.dump() == before);

    ok(inst, {"invoice", "pay", "1", "--method", "Cheque", "--amount", "1", "--transaction-id", "C-1"});
    ok(inst, {"invoice", "pay", "1", "--method", "other:Barter (2 chairs)", "--amount", "1"});
    // The same transaction id under a spelling of the same method is the same payment.
    refused(inst, {"invoice", "pay", "1", "--method", "check", "--amount", "1", "--transaction-id", "C-1"}, 5, "already recorded");
    ok(inst, {"service", "mass-update", "1", "2", "--payment-method", "BankTransfer"});
    CHECK(run_json(inst, {"service", "show", "2"})["payment_method"] == "banktransfer");
}
