// Taxes end to end through the CLI on a real installation: WHMCS's rules (level 1 and 2 by
// country and state, compound or not, prices exclusive or inclusive), taxable products, exempt
// clients and EU reverse charge, worked to the cent; every kind of invoice taxed by the same
// rules (renewals, addons, prorata, upgrades, late fees, usage); an invoice keeps the tax it was
// made with; the taxes report; and what the invoice PDF prints.
#include "money/money.hpp"
#include "support/browser.hpp"
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"
#include "support/served.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace provisio::test;
using nlohmann::json;
using provisio::HttpResult;

namespace {

json invoice(const Installation &inst, int id) { return run_json(inst, {"invoice", "show", std::to_string(id)}); }

// "VAT 20%=5.20; ..." — an invoice's tax lines, for one CHECK.
std::string taxes_of(const json &inv) {
    std::string out;
    for (const auto &t : inv["taxes"])
        out += (out.empty() ? "" : "; ") + t["name"].get<std::string>() + " " + t["rate"].get<std::string>() + "%=" + t["amount"].get<std::string>();
    return out;
}

// Rules for the UK (VAT 20%) and Canada (GST 5%, and QST 9.975% in Quebec); the operator is
// in GB; a taxable "Phone" at 25.99 and an untaxed "Support" at 10.00, monthly.
void taxed_shop(Installation &inst) {
    ok(inst, {"tax", "rule", "add", "--name", "VAT", "--rate", "20", "--country", "GB"});
    ok(inst, {"tax", "rule", "add", "--name", "GST", "--rate", "5", "--country", "CA"});
    ok(inst, {"tax", "rule", "add", "--level", "2", "--name", "QST", "--rate", "9.975", "--country", "CA", "--state", "QC"});
    ok(inst, {"tax", "settings", "--home-country", "GB"});
    ok(inst, {"product", "add", "--name", "Phone", "--price", "25.99", "--taxable", "yes"});
    ok(inst, {"product", "add", "--name", "Support", "--price", "10.00"});
}

int add_client(Installation &inst, const std::vector<std::string> &flags, const std::vector<std::string> &products) {
    static int n = 0;
    std::vector<std::string> args{"--json", "client", "add", "--first-name", "C", "--email", "c" + std::to_string(++n) + "@example.org"};
    args.insert(args.end(), flags.begin(), flags.end());
    const int id = run_json(inst, {args.begin() + 1, args.end()})["id"];
    for (const auto &p : products) {
        const int s = run_json(inst, {"service", "add", "--client", std::to_string(id), "--product", p, "--next-due", "2026-12-10"})["id"];
        ok(inst, {"service", "create", std::to_string(s)});
    }
    return id;
}

}  // namespace

TEST_CASE("worked examples: exclusive, two levels, compound, inclusive, exempt and reverse charge, to the cent") {
    Installation inst;
    taxed_shop(inst);
    add_client(inst, {"--country", "GB"}, {"Phone", "Support"});                            // invoice 1
    add_client(inst, {"--country", "CA", "--state", "qc"}, {"Phone"});                       // invoice 2
    add_client(inst, {"--country", "DE", "--company", "Muster GmbH", "--tax-id", "DE 123 456 789"}, {"Phone"});  // 3
    add_client(inst, {"--country", "GB", "--tax-exempt", "yes"}, {"Phone"});                 // invoice 4
    add_client(inst, {"--country", "CA", "--state", "ON"}, {"Phone"});                       // invoice 5
    ok(inst, {"--now", "2026-12-05T10:00:00Z", "invoice", "generate"});

    // Exclusive, one rate: 25.99 × 20% = 5.198 → 5.20; Support is not taxable.
    json i = invoice(inst, 1);
    CHECK(i["subtotal"] == "35.99");
    CHECK(i["taxable"] == "25.99");
    CHECK(taxes_of(i) == "VAT 20%=5.20");
    CHECK(i["total"] == "41.19");
    CHECK(i["balance_due"] == "41.19");
    CHECK(i["lines"][0]["taxed"] == true);
    CHECK(i["lines"][1]["taxed"] == false);
    // Quebec: GST 5% = 1.2995 → 1.30 and QST on the net, 9.975% = 2.5925… → 2.59.
    i = invoice(inst, 2);
    CHECK(taxes_of(i) == "GST 5%=1.30; QST 9.975%=2.59");
    CHECK(i["total"] == "29.88");
    // Reverse charge: no tax, and the invoice says why, with the client's VAT number.
    i = invoice(inst, 3);
    CHECK(i["taxes"].empty());
    CHECK(i["total"] == "25.99");
    CHECK(i["tax_note"] == "Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC). "
                           "Customer VAT number: DE123456789");
    // Exempt: no tax, no note. Ontario: the country's rule only.
    CHECK(invoice(inst, 4)["total"] == "25.99");
    CHECK(invoice(inst, 4)["tax_note"] == "");
    CHECK(taxes_of(invoice(inst, 5)) == "GST 5%=1.30");
    ok(inst, {"verify"});

    // The human view prints the tax lines and the note.
    const std::string shown = inst.run({"invoice", "show", "2"}).out;
    CHECK_THAT(shown, Catch::Contains("GST 5%:") && Catch::Contains("QST 9.975%:") && Catch::Contains("29.88"));
    CHECK_THAT(inst.run({"invoice", "show", "3"}).out, Catch::Contains("Reverse charge"));

    // The PDF prints the tax lines and total (pdftotext), and marks the taxed line where only some are.
    auto pdf_text = [&](int id) {
        const std::string file = (inst.dir() / ("invoice-" + std::to_string(id) + ".pdf")).string();
        ok(inst, {"invoice", "pdf", std::to_string(id), "-o", file});
        const RunResult text = run_program("/usr/bin/pdftotext", {"-layout", file, "-"});
        REQUIRE(text.exit_code == 0);
        return text.out;
    };
    const std::string quebec = pdf_text(2);
    for (const char *printed : {"Subtotal", "25.99 USD", "GST 5%", "1.30 USD", "QST 9.975%", "2.59 USD", "Total", "29.88 USD"}) {
        INFO(printed);
        CHECK(quebec.find(printed) != std::string::npos);
    }
    const std::string mixed = pdf_text(1);
    CHECK(mixed.find("25.99 USD *") != std::string::npos);
    CHECK(mixed.find("* Taxed item.") != std::string::npos);
    CHECK(mixed.find("VAT 20%") != std::string::npos);
    CHECK(mixed.find("41.19 USD") != std::string::npos);
    CHECK(pdf_text(3).find("Customer VAT number: DE123456789") != std::string::npos);

    // The policy changes: compound, prices inclusive, rounded per line. December's invoices keep
    // what they were made with; January's (the December ones paid) take the new rules.
    ok(inst, {"tax", "settings", "--compound", "yes", "--prices", "inclusive", "--rounding", "per-line"});
    for (int id = 1; id <= 5; ++id) ok(inst, {"invoice", "pay", std::to_string(id), "--method", "banktransfer"});
    CHECK(invoice(inst, 2)["total"] == "29.88");
    ok(inst, {"--now", "2027-01-05T10:00:00Z", "invoice", "generate"});
    // Inclusive: 25.99 including 20% → net 21.658… → 21.66, VAT 4.33; Support 10.00 untaxed.
    i = invoice(inst, 6);
    CHECK(i["prices_include_tax"] == true);
    CHECK(taxes_of(i) == "VAT 20%=4.33");
    CHECK(i["subtotal"] == "31.66");
    CHECK(i["total"] == "35.99");
    // Inclusive compound: 25.99 / (1.05 × 1.09975) = 22.507… → 22.51; GST 1.1255 → 1.13; QST the rest, 2.35.
    i = invoice(inst, 7);
    CHECK(taxes_of(i) == "GST 5%=1.13; QST 9.975%=2.35");
    CHECK(i["taxable"] == "22.51");
    CHECK(i["total"] == "25.99");
    ok(inst, {"verify"});
}

TEST_CASE("every kind of invoice is taxed by the same rules: addons, prorata, upgrades, late fees") {
    Installation inst;
    taxed_shop(inst);
    ok(inst, {"product", "add", "--name", "Phone Plus", "--price", "55.99", "--taxable", "yes"});
    inst.edit_config("late_fee = \"\"", "late_fee = \"5.00\"");
    inst.edit_config("late_fee_days = 0", "late_fee_days = 2");
    add_client(inst, {"--country", "GB"}, {"Phone", "Support"});

    // An addon of a taxable product's service is taxed: its first month at once, 4.99 × 20% = 0.998 → 1.00.
    ok(inst, {"--now", "2026-12-05T10:00:00Z", "addon", "add", "1", "--name", "Static IP", "--price", "4.99", "--cycle", "monthly", "--next-due",
              "2026-12-10"});
    json i = invoice(inst, 1);
    REQUIRE(i["lines"].size() == 1);
    CHECK(i["lines"][0]["type"] == "addon");
    CHECK(taxes_of(i) == "VAT 20%=1.00");
    CHECK(i["total"] == "5.99");
    ok(inst, {"invoice", "pay", "1", "--method", "banktransfer"});
    ok(inst, {"--now", "2026-12-05T10:00:00Z", "invoice", "generate"});
    i = invoice(inst, 2);
    CHECK(taxes_of(i) == "VAT 20%=5.20");
    CHECK(i["total"] == "41.19");

    // A late fee (taxed by default) changes the tax at the invoice's rate: 30.99 × 20% = 6.198 → 6.20.
    ok(inst, {"--now", "2026-12-13T10:00:00Z", "cron", "--task", "late-fees"});
    i = invoice(inst, 2);
    REQUIRE(i["lines"].size() == 3);
    CHECK(i["lines"][2]["type"] == "latefee");
    CHECK(i["lines"][2]["taxed"] == true);
    CHECK(taxes_of(i) == "VAT 20%=6.20");
    CHECK(i["total"] == "47.19");  // 40.99 + 6.20
    CHECK(i["balance_due"] == "47.19");
    ok(inst, {"invoice", "pay", "2", "--method", "banktransfer"});
    CHECK(invoice(inst, 2)["status"] == "Paid");

    // Prorata to a new due date: the taxable service's days are taxed, Support's are not.
    ok(inst, {"--now", "2026-12-14T10:00:00Z", "service", "prorata", "1", "2", "--next-due", "2027-01-20"});
    i = invoice(inst, 3);
    CHECK(i["kind"] == "prorata");
    REQUIRE(i["lines"].size() == 2);
    CHECK(i["lines"][0]["taxed"] == true);
    CHECK(i["lines"][1]["taxed"] == false);
    const provisio::Money prorata_phone = provisio::Money::parse(i["lines"][0]["amount"].get<std::string>(), "line");
    CHECK(i["taxes"][0]["amount"] == prorata_phone.scaled(20, 100, "t").rounded(2, provisio::Rounding::half_up).to_string());
    ok(inst, {"invoice", "pay", "3", "--method", "banktransfer"});

    // An upgrade: the new product's charge less the unused credit, the net taxed (a credit line
    // lowers the tax it bears).
    const RunResult up = inst.run({"--now", "2027-01-10T10:00:00Z", "service", "upgrade", "1", "--product", "Phone Plus"});
    INFO(up.out << up.err);
    REQUIRE(up.exit_code == 0);
    i = invoice(inst, 4);
    CHECK(i["kind"] == "upgrade");
    provisio::Money net;
    for (const auto &l : i["lines"]) {
        CHECK(l["taxed"] == true);
        net += provisio::Money::parse(l["amount"].get<std::string>(), "line");
    }
    CHECK(i["taxes"][0]["amount"] == net.scaled(20, 100, "t").rounded(2, provisio::Rounding::half_up).to_string());
    CHECK(i["total"] == (net + net.scaled(20, 100, "t").rounded(2, provisio::Rounding::half_up)).to_string());

    // Late fees untaxed when the operator says so.
    ok(inst, {"tax", "settings", "--late-fees", "no"});
    ok(inst, {"--now", "2027-01-25T10:00:00Z", "cron", "--task", "late-fees"});
    i = invoice(inst, 4);
    REQUIRE(i["lines"].back()["type"] == "latefee");
    CHECK(i["lines"].back()["taxed"] == false);
    CHECK(i["taxes"][0]["amount"] == net.scaled(20, 100, "t").rounded(2, provisio::Rounding::half_up).to_string());
    ok(inst, {"verify"});
}

TEST_CASE("usage invoices are taxed as the service's product is") {
    Installation inst;
    ok(inst, {"tax", "rule", "add", "--name", "HST", "--rate", "13", "--country", "CA", "--state", "ON"});
    inst.write_file("rates.csv", "Description,Prefix,RateValue,Increment,ConnectFee,GracePeriod\nCanada/US,1,0.012,30/6,0,3\n");
    ok(inst, {"tariff", "import", "Wholesale", (inst.dir() / "rates.csv").string()});
    ok(inst, {"product", "add", "--name", "Metered", "--price", "10", "--taxable", "yes"});
    ok(inst, {"package", "set", "Metered", "--tariff", "Wholesale", "--billing-mode", "invoice"});
    ok(inst, {"client", "add", "--first-name", "Ann", "--email", "ann@example.org", "--country", "CA", "--state", "ON"});
    ok(inst, {"service", "add", "--client", "1", "--product", "Metered", "--domain", "pbx.example.ca | 5192229000", "--next-due", "2026-03-05"});
    ok(inst, {"service", "create", "1"});
    // 25 one-hour calls to 1 at 0.012/min: 0.72 each, 18.00 in all; HST 13% = 2.34.
    std::string cdrs = "xml_cdr_uuid,domain_name,direction,caller_id_number,caller_destination,destination_number,start_stamp,"
                       "answer_stamp,end_stamp,duration,billsec,hangup_cause\n";
    for (int k = 0; k < 25; ++k) {
        const std::string day = "2026-03-1" + std::to_string(k % 10);
        cdrs += "u" + std::to_string(k) + ",pbx.example.ca,outbound,2112,,15145550100," + day + " 09:00:00," + day + " 09:00:00," + day +
                " 23:00:00,3600,3600,NORMAL_CLEARING\n";
    }
    const RunResult imported = inst.run({"cdr", "import", "--service", "1", inst.write_file("cdrs.csv", cdrs)});
    INFO(imported.out << imported.err);
    REQUIRE(imported.exit_code == 0);
    ok(inst, {"--now", "2026-04-03T06:00:00Z", "cron", "--task", "autobill"});
    const json list = run_json(inst, {"invoice", "list"});
    REQUIRE(list.size() >= 1);
    json usage;
    for (const auto &inv : list)
        if (inv["kind"] == "usage") usage = invoice(inst, inv["id"]);
    REQUIRE(usage.is_object());
    CHECK(usage["lines"][0]["taxed"] == true);
    CHECK(usage["subtotal"] == "18.00");
    CHECK(taxes_of(usage) == "HST 13%=2.34");
    CHECK(usage["total"] == "20.34");
}

TEST_CASE("the taxes report: by level, name and rate, on invoice date or payment; reverse charge apart; CSV and JSON") {
    Installation inst;
    taxed_shop(inst);
    add_client(inst, {"--country", "GB"}, {"Phone", "Support"});
    add_client(inst, {"--country", "CA", "--state", "QC"}, {"Phone"});
    add_client(inst, {"--country", "GB"}, {"Phone"});
    add_client(inst, {"--country", "FR", "--tax-id", "FR12345678901"}, {"Phone"});
    ok(inst, {"--now", "2026-12-05T10:00:00Z", "invoice", "generate"});
    ok(inst, {"--now", "2026-12-06T10:00:00Z", "invoice", "pay", "3", "--method", "banktransfer"});

    const json r = run_json(inst, {"report", "taxes", "--from", "2026-12-01", "--to", "2027-01-01"});
    REQUIRE(r["rows"].size() == 4);
    auto row = [&](size_t k) {
        const json &x = r["rows"][k];
        return std::to_string(x["level"].get<int>()) + " " + x["name"].get<std::string>() + " " + x["rate"].get<std::string>() + " " +
               std::to_string(x["invoices"].get<int>()) + " " + x["taxable"].get<std::string>() + " " + x["tax"].get<std::string>();
    };
    CHECK(row(0) == "1 VAT 20 2 51.98 10.40");   // two GB invoices of 25.99 taxed: 5.20 each
    CHECK(row(1) == "1 GST 5 1 25.99 1.30");
    CHECK(row(2) == "2 QST 9.975 1 25.99 2.59");
    CHECK(row(3) == "0 Reverse charge 0 1 25.99 0.00");
    CHECK(r["tax"]["USD"] == "14.29");
    CHECK(r["basis"] == "invoiced");

    // On payment: only invoice #3 was paid in the period.
    const json paid = run_json(inst, {"report", "taxes", "--from", "2026-12-01", "--to", "2027-01-01", "--basis", "paid"});
    REQUIRE(paid["rows"].size() == 1);
    CHECK(paid["rows"][0]["tax"] == "5.20");

    const std::string csv = inst.run({"report", "taxes", "--from", "2026-12-01", "--to", "2027-01-01", "--csv"}).out;
    CHECK_THAT(csv, Catch::StartsWith("LEVEL,TAX,RATE %,CURRENCY,INVOICES,TAXABLE,TAX\r\n1,VAT,20,USD,2,51.98,10.40\r\n"));
    CHECK(inst.run({"report", "taxes", "--from", "2026-12-01", "--to", "2027-01-01", "--basis", "due"}).exit_code == 2);
    // A cancelled invoice's tax is not charged.
    ok(inst, {"invoice", "cancel", "2"});
    CHECK(run_json(inst, {"report", "taxes", "--from", "2026-12-01", "--to", "2027-01-01"})["tax"]["USD"] == "10.40");
}

TEST_CASE("tax input is checked and a refused change changes nothing") {
    Installation inst;
    taxed_shop(inst);
    const std::string before = inst.dump();
    struct Bad {
        std::vector<std::string> args;
        std::string says;
    };
    for (const Bad &b : {Bad{{"tax", "rule", "add", "--name", "VAT", "--rate", "20", "--country", "GB"}, "covers level 1 for GB already"},
                         Bad{{"tax", "rule", "add", "--name", "X", "--rate", "120"}, "--rate '120' is more than 100 percent"},
                         Bad{{"tax", "rule", "add", "--name", "X", "--rate", "7,5"}, "--rate '7,5' must be a percentage"},
                         Bad{{"tax", "rule", "add", "--name", "X", "--rate", "5", "--level", "3"}, "--level 3 is not 1 or 2"},
                         Bad{{"tax", "rule", "add", "--name", "X", "--rate", "5", "--state", "QC"}, "--state QC needs --country"},
                         Bad{{"tax", "rule", "add", "--name", "X", "--rate", "5", "--country", "UK"}, "(the United Kingdom is GB)"},
                         Bad{{"tax", "rule", "remove", "99"}, "tax rule 99 does not exist"},
                         Bad{{"tax", "settings", "--prices", "gross"}, "--prices 'gross' is not inclusive or exclusive"},
                         Bad{{"tax", "settings", "--rounding", "banker"}, "--rounding 'banker' is not per-line or per-invoice"},
                         Bad{{"tax", "settings", "--compound", "maybe"}, "--compound"},
                         Bad{{"product", "add", "--name", "Y", "--taxable", "perhaps"}, "--taxable"},
                         Bad{{"client", "add", "--first-name", "Z", "--email", "z@example.org", "--country", "DE", "--tax-id", "FR123456789"},
                             "--tax-id 'FR123456789' does not start with DE"}}) {
        const RunResult r = inst.run(b.args);
        INFO(r.err);
        CHECK(r.exit_code != 0);
        CHECK_THAT(r.err, Catch::Contains(b.says));
    }
    CHECK(inst.dump() == before);
    // A client who moves to another EU country with a VAT number of the old one is refused too.
    ok(inst, {"client", "add", "--first-name", "Z", "--email", "z@example.org", "--country", "DE", "--tax-id", "DE123456789"});
    const RunResult moved = inst.run({"client", "set", "1", "--country", "FR"});
    CHECK(moved.exit_code == 2);
    CHECK_THAT(moved.err, Catch::Contains("--tax-id 'DE123456789' does not start with FR"));
    ok(inst, {"client", "set", "1", "--country", "FR", "--tax-id", "none"});
}

TEST_CASE("the client area's invoice page shows the tax lines, the total and the reverse-charge note, escaped") {
    Served s([](Installation &inst) {
        taxed_shop(inst);
        ok(inst, {"tax", "rule", "add", "--name", "<b>VAT</b>", "--rate", "19", "--country", "AT"});
        add_client(inst, {"--country", "CA", "--state", "QC"}, {"Phone"});
        add_client(inst, {"--country", "AT"}, {"Phone"});
        add_client(inst, {"--country", "DE", "--tax-id", "DE123456789"}, {"Phone"});
        ok(inst, {"--now", "2026-12-05T10:00:00Z", "invoice", "generate"});
        for (const char *id : {"1", "2", "3"}) REQUIRE(inst.run({"client", "password", "set", id}, "correct horse battery\n").exit_code == 0);
    });
    auto page_of = [&](int client, int invoice) {
        Browser b(s);
        const std::string email = run_json(s.inst, {"client", "show", std::to_string(client)})["email"];
        REQUIRE(b.log_in(email, "correct horse battery").status == 303);
        const HttpResult page = b.get("/invoices/" + std::to_string(invoice));
        REQUIRE(page.status == 200);
        return page.body;
    };
    std::string page = page_of(1, 1);
    CHECK(page.find("<th>GST 5%</th><td class=\"num\">1.30</td>") != std::string::npos);
    CHECK(page.find("<th>QST 9.975%</th><td class=\"num\">2.59</td>") != std::string::npos);
    CHECK(page.find("id=\"total\">29.88<") != std::string::npos);
    CHECK(page.find("id=\"balance\">29.88<") != std::string::npos);
    page = page_of(2, 2);
    CHECK(page.find("&lt;b&gt;VAT&lt;/b&gt; 19%") != std::string::npos);  // an operator's text is escaped too
    CHECK(page.find("<b>VAT</b>") == std::string::npos);
    page = page_of(3, 3);
    CHECK(page.find("Customer VAT number: DE123456789") != std::string::npos);
    // Another client's invoice is not shown.
    Browser other(s);
    REQUIRE(other.log_in(run_json(s.inst, {"client", "show", "1"})["email"], "correct horse battery").status == 303);
    CHECK(other.get("/invoices/3").status == 404);
}
