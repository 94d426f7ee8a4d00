// Amounts and dates as a client's language writes them on its invoices.
#include "documents/local_format.hpp"

#include <catch2/catch.hpp>

using namespace provisio;

TEST_CASE("amounts and dates in the client's language; an unknown one is English") {
    const Money big = Money::parse("1234567.5", "t");
    CHECK(LocalFormat("en").amount(big, 2) == "1,234,567.50");
    CHECK(LocalFormat("fr").amount(big, 2) == "1\u202f234\u202f567,50");
    CHECK(LocalFormat("de").amount(big, 2) == "1.234.567,50");
    CHECK(LocalFormat("pt-BR").amount(big, 2) == "1.234.567,50");
    CHECK(LocalFormat("en").amount(Money::parse("-0.5", "t"), 2) == "-0.50");
    CHECK(LocalFormat("de").amount(Money::parse("-1000", "t"), 2) == "-1.000,00");
    CHECK(LocalFormat("en").amount(Money::parse("999", "t"), 0) == "999");
    CHECK(LocalFormat("en").amount(Money::parse("12.345", "t"), 3) == "12.345");
    const Date d = parse_date("2026-12-05", "t");
    CHECK(LocalFormat("").date(d) == "5 December 2026");
    CHECK(LocalFormat("FR").date(d) == "5 décembre 2026");
    CHECK(LocalFormat("de_DE").date(d) == "5. Dezember 2026");
    CHECK(LocalFormat("es").date(d) == "5 de diciembre de 2026");
    CHECK(LocalFormat("klingon").language() == "en");
    CHECK(LocalFormat("klingon").date(d) == "5 December 2026");
}
