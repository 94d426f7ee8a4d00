#include "billing/cycles.hpp"
#include "foundation/calendar.hpp"
#include "foundation/error.hpp"

#include <catch2/catch.hpp>

using namespace provisio;

namespace {
std::string d(const char *text) { return format_date(parse_date(text, "t")); }
std::string next(const char *due, const char *cycle, unsigned anchor) {
    return format_date(next_due_date(parse_date(due, "t"), cycle, anchor));
}
}  // namespace

TEST_CASE("dates parse strictly") {
    CHECK(d("2024-02-29") == "2024-02-29");
    CHECK_THROWS_WITH(parse_date("2025-02-29", "--next-due"), Catch::Contains("--next-due") && Catch::Contains("no such day"));
    CHECK_THROWS_AS(parse_date("2025-2-1", "x"), Error);
    CHECK_THROWS_AS(parse_date("01/02/2025", "x"), Error);
    CHECK_THROWS_AS(parse_date("-001-01-01", "x"), Error);  // was stored as 7295-01-01
    CHECK_THROWS_AS(parse_date("2025--1-01", "x"), Error);
    CHECK_THROWS_AS(parse_date("+025-01-01", "x"), Error);
    CHECK_THROWS_WITH(parse_date("1969-12-31", "--next-due"), Catch::Contains("before 1970"));
    CHECK(d("1970-01-01") == "1970-01-01");
    CHECK(d("9999-12-31") == "9999-12-31");
    CHECK(days_between(parse_date("2012-01-01", "x"), parse_date("2012-01-10", "x")) == 9);
}

TEST_CASE("due dates advance by calendar months anchored on the original day, clamped to month end") {
    CHECK(next("2025-01-31", "monthly", 31) == "2025-02-28");
    CHECK(next("2025-02-28", "monthly", 31) == "2025-03-31");
    CHECK(next("2024-01-31", "monthly", 31) == "2024-02-29");
    CHECK(next("2025-03-31", "monthly", 31) == "2025-04-30");
    CHECK(next("2025-01-30", "monthly", 30) == "2025-02-28");
    CHECK(next("2025-02-28", "monthly", 30) == "2025-03-30");
    CHECK(next("2025-11-30", "quarterly", 30) == "2026-02-28");
    CHECK(next("2024-02-29", "annually", 29) == "2025-02-28");
    CHECK(next("2025-02-28", "annually", 29) == "2026-02-28");
    CHECK(next("2027-02-28", "annually", 29) == "2028-02-29");
    CHECK(next("2025-08-31", "semiannually", 31) == "2026-02-28");
    CHECK(next("2025-01-15", "biennially", 15) == "2027-01-15");
    CHECK(next("2025-01-15", "triennially", 15) == "2028-01-15");
    CHECK(next("2025-01-15", "onetime", 15) == "2025-01-15");
    CHECK(format_date(previous_due_date(parse_date("2025-03-31", "t"), "monthly", 31)) == "2025-02-28");
    CHECK_FALSE(cycle_invoices("free"));
    CHECK(cycle_invoices("onetime"));
    CHECK_FALSE(cycle_recurs("onetime"));
}

TEST_CASE("the business date follows the configured time zone") {
    const BusinessZone toronto("America/Toronto");
    // 03:30 UTC on 1 March is still 28 February in Toronto (UTC-5).
    CHECK(format_date(toronto.date_at(parse_instant("2026-03-01T03:30:00Z", "t"))) == "2026-02-28");
    CHECK(toronto.hour_at(parse_instant("2026-03-01T03:30:00Z", "t")) == 22);
    // After the spring change (8 March 2026) Toronto is UTC-4.
    CHECK(toronto.hour_at(parse_instant("2026-03-09T13:00:00Z", "t")) == 9);
    // A business day starts at local midnight: 05:00 UTC before the change, 04:00 after.
    CHECK(format_utc(toronto.start_of(parse_date("2026-03-01", "d"))) == "2026-03-01T05:00:00Z");
    CHECK(format_utc(toronto.start_of(parse_date("2026-03-10", "d"))) == "2026-03-10T04:00:00Z");
    const BusinessZone utc("UTC");
    CHECK(format_date(utc.date_at(parse_instant("2026-03-01T03:30:00Z", "t"))) == "2026-03-01");
    CHECK_THROWS_WITH(BusinessZone("Mars/Olympus_Mons"), Catch::Contains("Mars/Olympus_Mons") && Catch::Contains("IANA"));
}

#include "billing/prorata.hpp"

TEST_CASE("prorata amounts: recurring x days / (30 x months), half-up once") {
    const auto m = [](const char *t) { return Money::parse(t, "m"); };
    CHECK(prorata_amount(m("30"), 1, 9, 2).to_string() == "9.00");
    CHECK(prorata_amount(m("60"), 1, 5, 2).to_string() == "10.00");
    CHECK(prorata_amount(m("19.99"), 1, 7, 2).to_string() == "4.66");    // 4.664333...
    CHECK(prorata_amount(m("100"), 3, 45, 2).to_string() == "50.00");
    CHECK(prorata_amount(m("10"), 1, 1, 2).to_string() == "0.33");
    CHECK(prorata_amount(m("1000"), 1, 1, 0).to_string(0) == "33");
}
