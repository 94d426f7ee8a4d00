// Invoice PDFs: `provisio invoice pdf` and the client area's download, read back with poppler's
// pdftotext (every line, total and payment is there, in the client's number and date format),
// page count from pdfinfo, page 1 rendered with pdftoppm and kept as test output; a bad logo is
// refused by name; another client's invoice is not found.
#include "support/browser.hpp"
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"
#include "support/served.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

using namespace provisio::test;

namespace {

// Client 1 (French) with invoice #1: 120 lines, one of 1,234.56, and a part payment.
void seed(Installation &inst) {
    ok(inst, {"client", "add", "--first-name", "Émilie", "--last-name", "Du Châtelet", "--email", "emilie@example.org", "--language", "fr",
              "--address1", "12 rue de Seine", "--city", "Paris", "--postcode", "75006", "--country", "FR"});
    ok(inst, {"client", "add", "--first-name", "Bob", "--email", "bob@example.org"});
    for (const char *id : {"1", "2"}) REQUIRE(inst.run({"client", "password", "set", id}, "correct horse battery\n").exit_code == 0);
    ok(inst, {"product", "add", "--name", "Hosted PBX", "--price", "1234.56"});
    ok(inst, {"service", "add", "--client", "1", "--product", "Hosted PBX", "--domain", "pbx.example.fr", "--next-due", "2026-12-10"});
    ok(inst, {"service", "create", "1"});
    ok(inst, {"--now", "2026-12-05T10:00:00Z", "invoice", "generate"});
    inst.sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 119) "
             "INSERT INTO invoice_items (invoice_id, item_type, description, amount_micros) "
             "SELECT 1, 'manual', 'Appel sortant n° ' || i || ' vers +33 1 23 45 67 ' || printf('%02d', i % 100), 10000 * i FROM n; "
             "UPDATE invoices SET subtotal_micros = (SELECT sum(amount_micros) FROM invoice_items WHERE invoice_id = 1), "
             "total_micros = (SELECT sum(amount_micros) FROM invoice_items WHERE invoice_id = 1) WHERE id = 1;");
    ok(inst, {"--now", "2026-12-06T10:00:00Z", "invoice", "pay", "1", "--amount", "500.00", "--method", "banktransfer", "--transaction-id", "VIR-77"});
    inst.edit_config("company_name = \"\"", "company_name = \"Acme Téléphonie\"");
    inst.edit_config("company_address = \"\"", "company_address = \"1 Main Street\\nToronto ON M5V 2T6\"");
    inst.edit_config("footer = \"\"", "footer = \"IBAN FR76 3000 6000 0112 3456 7890 189\"");
}

std::string run_tool(const std::string &program, const std::vector<std::string> &args) {
    const RunResult r = run_program(program, args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
}

std::filesystem::path output_dir() {
    const auto dir = std::filesystem::path(PROVISIO_TEST_OUTPUT_DIR) / "documents";
    std::filesystem::create_directories(dir);
    return dir;
}

}  // namespace

TEST_CASE("invoice pdf: every line, total and payment, in the client's format, over as many pages as it takes") {
    Installation inst;
    seed(inst);
    const std::string file = (inst.dir() / "invoice-1.pdf").string();
    const RunResult r = ok_output(inst, {"invoice", "pdf", "1", "-o", file});
    CHECK(r.out == "invoice #1: " + file + "\n");
    struct stat st{};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    const std::string text = run_tool("/usr/bin/pdftotext", {"-layout", file, "-"});
    CHECK(text.find("Acme Téléphonie") != std::string::npos);
    CHECK(text.find("Toronto ON M5V 2T6") != std::string::npos);
    CHECK(text.find("Invoice #1") != std::string::npos);
    CHECK(text.find("Émilie Du Châtelet") != std::string::npos);
    CHECK(text.find("12 rue de Seine") != std::string::npos);
    CHECK(text.find("10 décembre 2026") != std::string::npos);  // the due date, in French
    CHECK(text.find("Hosted PBX - pbx.example.fr") != std::string::npos);
    CHECK(text.find("1 234,56 USD") != std::string::npos);  // U+202F thousands, decimal comma
    for (int i = 1; i <= 119; ++i) {
        INFO(i);
        CHECK(text.find("Appel sortant n° " + std::to_string(i) + " vers") != std::string::npos);
    }
    // 1,234.56 + 0.01 + ... + 1.19 = 1,234.56 + 71.40
    CHECK(text.find("1 305,96 USD") != std::string::npos);   // subtotal and total
    CHECK(text.find("-500,00 USD") != std::string::npos);    // paid
    CHECK(text.find("805,96 USD") != std::string::npos);     // balance due
    CHECK(text.find("VIR-77") != std::string::npos);
    CHECK(text.find("6 décembre 2026") != std::string::npos);  // the payment's date
    CHECK(text.find("IBAN FR76 3000 6000 0112 3456 7890 189") != std::string::npos);
    const std::string info = run_tool("/usr/bin/pdfinfo", {file});
    CHECK(info.find("Title:           Invoice #1") != std::string::npos);
    CHECK(info.find("Pages:           4") != std::string::npos);
    CHECK(text.find("Invoice #1 — page 4") != std::string::npos);

    // Page 1 as an image, kept for people to look at.
    const std::string png = (output_dir() / "invoice-1").string();
    run_tool("/usr/bin/pdftoppm", {"-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", file, png});
    CHECK(std::filesystem::file_size(png + ".png") > 10000);

    // A logo that is not a PNG is refused by name; nothing is written.
    inst.edit_config("logo = \"\"", "logo = \"logo.png\"");
    std::ofstream(inst.dir() / "logo.png") << "not a picture";
    const RunResult bad = inst.run({"invoice", "pdf", "1", "-o", (inst.dir() / "bad.pdf").string()});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("logo.png is not a readable PNG") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(inst.dir() / "bad.pdf"));
    CHECK(inst.run({"invoice", "pdf", "99"}).exit_code == 3);
}

TEST_CASE("client area: a client downloads its own invoice as a PDF and no one else's") {
    Served s(seed);
    Browser b(s);
    REQUIRE(b.log_in("emilie@example.org", "correct horse battery").status == 303);
    CHECK(b.get("/invoices/1").body.find("href=\"/invoices/1/pdf\"") != std::string::npos);
    const provisio::HttpResult pdf = b.get("/invoices/1/pdf");
    REQUIRE(pdf.status == 200);
    CHECK(pdf.body.rfind("%PDF-", 0) == 0);
    bool typed = false;
    for (const auto &[k, v] : pdf.headers) typed = typed || (k == "content-type" && v == "application/pdf");
    CHECK(typed);
    Browser other(s);
    REQUIRE(other.log_in("bob@example.org", "correct horse battery").status == 303);
    CHECK(other.get("/invoices/1/pdf").status == 404);
    Browser nobody(s);
    CHECK(nobody.get("/invoices/1/pdf").status == 303);  // to the login page
}
