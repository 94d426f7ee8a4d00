// Taxes worked by hand, to the cent: exclusive, inclusive, compound, per-line against
// per-invoice rounding, a currency without decimals, credit lines; which rule a client gets;
// exemption and EU reverse charge; rates and VAT numbers as typed.
#include "billing/taxes.hpp"
#include "foundation/error.hpp"

#include <catch2/catch.hpp>

using namespace provisio;

namespace {

Money m(const char *text) { return Money::parse(text, "t"); }

InvoiceTax rates(const char *r1, const char *r2 = "0", bool compound = false, bool inclusive = false, bool per_line = false) {
    InvoiceTax t;
    t.name1 = "L1";
    t.name2 = "L2";
    t.rate1 = TaxRate::parse(r1, "r1");
    t.rate2 = TaxRate::parse(r2, "r2");
    t.compound = compound;
    t.inclusive = inclusive;
    t.per_line = per_line;
    return t;
}

std::vector<TaxedLine> lines(std::initializer_list<std::pair<const char *, bool>> given) {
    std::vector<TaxedLine> out;
    for (const auto &[amount, taxed] : given) out.push_back({m(amount), taxed});
    return out;
}

}  // namespace

TEST_CASE("exclusive: the taxed lines' sum times the rate, rounded once; untaxed lines add no tax") {
    // 10.00 + 5.99 taxed at 20% = 15.99 × 0.2 = 3.198 → 3.20; the 3.00 line is not taxed.
    const TaxTotals t = compute_tax(rates("20"), lines({{"10.00", true}, {"5.99", true}, {"3.00", false}}), 2);
    CHECK(t.lines == m("18.99"));
    CHECK(t.taxable == m("15.99"));
    CHECK(t.tax1 == m("3.20"));
    CHECK(t.tax2 == m("0"));
    CHECK(t.total == m("22.19"));
    CHECK(t.net() == m("18.99"));
}

TEST_CASE("rounding per line against per invoice: three 0.05 lines at 10%") {
    const auto three = lines({{"0.05", true}, {"0.05", true}, {"0.05", true}});
    // Per invoice: 0.15 × 10% = 0.015 → 0.02. Per line: 0.005 → 0.01, three times: 0.03.
    CHECK(compute_tax(rates("10"), three, 2).tax1 == m("0.02"));
    CHECK(compute_tax(rates("10", "0", false, false, true), three, 2).tax1 == m("0.03"));
    // Half a cent rounds away from zero on a credit line too.
    CHECK(compute_tax(rates("10", "0", false, false, true), lines({{"-0.05", true}}), 2).tax1 == m("-0.01"));
}

TEST_CASE("two levels: level 2 on the net, or compound on the net plus level 1's tax") {
    // GST 5% and QST 9.975% on 100.00.
    TaxTotals t = compute_tax(rates("5", "9.975"), lines({{"100.00", true}}), 2);
    CHECK(t.tax1 == m("5.00"));
    CHECK(t.tax2 == m("9.98"));  // 9.975 → 9.98
    CHECK(t.total == m("114.98"));
    t = compute_tax(rates("5", "9.975", true), lines({{"100.00", true}}), 2);
    CHECK(t.tax2 == m("10.47"));  // 105.00 × 9.975% = 10.47375
    CHECK(t.total == m("115.47"));
}

TEST_CASE("inclusive: the price is fixed; net and taxes add up to it exactly") {
    // 25.99 including 20%: net 25.99 / 1.2 = 21.658… → 21.66, tax 4.33.
    TaxTotals t = compute_tax(rates("20", "0", false, true), lines({{"25.99", true}, {"4.00", false}}), 2);
    CHECK(t.lines == m("29.99"));
    CHECK(t.total == m("29.99"));
    CHECK(t.taxable == m("21.66"));
    CHECK(t.tax1 == m("4.33"));
    CHECK(t.net() == m("25.66"));
    // Two levels: 114.98 / 1.14975 = 100.004… → 100.00; 5% of it 5.00; level 2 the rest, 9.98.
    t = compute_tax(rates("5", "9.975", false, true), lines({{"114.98", true}}), 2);
    CHECK(t.taxable == m("100.00"));
    CHECK(t.tax1 == m("5.00"));
    CHECK(t.tax2 == m("9.98"));
    // Compound: 115.47 / (1.05 × 1.09975) = 99.9967… → 100.00; 5.00; the rest 10.47.
    t = compute_tax(rates("5", "9.975", true, true), lines({{"115.47", true}}), 2);
    CHECK(t.taxable == m("100.00"));
    CHECK(t.tax1 == m("5.00"));
    CHECK(t.tax2 == m("10.47"));
    CHECK(t.total == m("115.47"));
}

TEST_CASE("a currency without decimals rounds to whole units") {
    // 999 JPY at 10% = 99.9 → 100; 1000 JPY including 10%: 909.09… → 909 net, 91 tax.
    CHECK(compute_tax(rates("10"), lines({{"999", true}}), 0).tax1 == m("100"));
    const TaxTotals t = compute_tax(rates("10", "0", false, true), lines({{"1000", true}}), 0);
    CHECK(t.taxable == m("909"));
    CHECK(t.tax1 == m("91"));
}

TEST_CASE("no rates: nothing is taxed and the total is the lines") {
    const TaxTotals t = compute_tax(InvoiceTax{}, lines({{"12.34", true}}), 2);
    CHECK(t.tax1.zero());
    CHECK(t.taxable.zero());
    CHECK(t.total == m("12.34"));
}

TEST_CASE("a client gets each level's most specific rule: state, then country, then every country") {
    const std::vector<TaxRule> rules{{1, 1, "Tax", "", "", TaxRate::parse("10", "r")},
                                     {2, 1, "Sales tax", "US", "", TaxRate::parse("4", "r")},
                                     {3, 1, "NY sales tax", "US", "NY", TaxRate::parse("8.875", "r")},
                                     {4, 2, "VAT surcharge", "GB", "", TaxRate::parse("1", "r")}};
    TaxSettings s;
    s.home_country = "GB";
    CHECK(tax_for_client(s, rules, {"US", "ny", "", false}).name1 == "NY sales tax");
    CHECK(tax_for_client(s, rules, {"US", "CA", "", false}).rate1.to_string() == "4");
    const InvoiceTax fr = tax_for_client(s, rules, {"FR", "", "", false});
    CHECK(fr.name1 == "Tax");
    CHECK(fr.rate2.zero());
    const InvoiceTax gb = tax_for_client(s, rules, {"GB", "", "GB123456789", false});  // at home: taxed, VAT number or not
    CHECK(gb.rate1.to_string() == "10");
    CHECK(gb.name2 == "VAT surcharge");
    CHECK(gb.note.empty());
    CHECK_FALSE(tax_for_client(s, rules, {"US", "NY", "", true}).any());  // exempt
    // Reverse charge: an EU business outside the home country; not without a VAT number, not
    // outside the EU, and not when switched off or with no home country.
    const InvoiceTax de = tax_for_client(s, rules, {"DE", "", "DE123456789", false});
    CHECK_FALSE(de.any());
    CHECK(de.note.find("Reverse charge") == 0);
    CHECK(de.note.find("DE123456789") != std::string::npos);
    CHECK(tax_for_client(s, rules, {"DE", "", "", false}).any());
    CHECK(tax_for_client(s, rules, {"US", "", "123456789", false}).any());
    TaxSettings off = s;
    off.eu_reverse_charge = false;
    CHECK(tax_for_client(off, rules, {"DE", "", "DE123456789", false}).any());
    off = s;
    off.home_country = "";
    CHECK(tax_for_client(off, rules, {"DE", "", "DE123456789", false}).any());
}

TEST_CASE("rates and VAT numbers as typed") {
    CHECK(TaxRate::parse("20", "r").micros == 20'000'000);
    CHECK(TaxRate::parse("8.875", "r").to_string() == "8.875");
    CHECK(TaxRate::parse("0", "r").zero());
    for (const char *bad : {"101", "-1", "+5", "abc", "1.23456", "", "20%"}) {
        INFO(bad);
        CHECK_THROWS_AS(TaxRate::parse(bad, "--rate"), Error);
    }
    CHECK_THROWS_WITH(TaxRate::parse("101", "--rate"), "--rate '101' is more than 100 percent");

    CHECK(checked_vat_number("de 123.456.789", "DE", "--tax-id") == "DE123456789");
    CHECK(checked_vat_number("EL123456789", "GR", "--tax-id") == "EL123456789");
    CHECK(checked_vat_number("", "DE", "--tax-id").empty());
    CHECK(checked_vat_number("12-3456789", "US", "--tax-id") == "123456789");  // not the EU: any letters and digits
    CHECK_THROWS_WITH(checked_vat_number("GR123456789", "GR", "--tax-id"),
                      "--tax-id 'GR123456789' does not start with EL, the client's country's prefix");
    CHECK_THROWS_WITH(checked_vat_number("DE12345678_9", "DE", "--tax-id"), "--tax-id 'DE12345678_9' has '_', which no tax number has");
    CHECK_THROWS_AS(checked_vat_number("123456789", "DE", "--tax-id"), Error);
}
