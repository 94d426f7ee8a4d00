#include "foundation/clock.hpp"
#include "foundation/error.hpp"

#include <catch2/catch.hpp>

using namespace provisio;

TEST_CASE("instants parse from ISO 8601 with an explicit zone") {
    CHECK(format_utc(parse_instant("2026-11-22T10:00:00Z", "t")) == "2026-11-22T10:00:00Z");
    CHECK(format_utc(parse_instant("2026-11-22 10:00:00+02:00", "t")) == "2026-11-22T08:00:00Z");
    CHECK(format_utc(parse_instant("2026-11-22T10:00-0500", "t")) == "2026-11-22T15:00:00Z");
    CHECK(format_utc(parse_instant("2024-02-29", "t")) == "2024-02-29T00:00:00Z");
    CHECK(parse_instant("2026-01-01T00:00:00.25Z", "t").time_since_epoch().count() % 1000000 == 250000);
}

TEST_CASE("bad instants are refused with the flag named") {
    CHECK_THROWS_WITH(parse_instant("2026-11-22T10:00:00", "--now"), Catch::Contains("--now") && Catch::Contains("zone"));
    CHECK_THROWS_WITH(parse_instant("2025-02-29", "--now"), Catch::Contains("no such date"));
    CHECK_THROWS_AS(parse_instant("yesterday", "--now"), Error);
    CHECK_THROWS_AS(parse_instant("2026-11-22T25:00:00Z", "--now"), Error);
    CHECK_THROWS_AS(parse_instant("2026-11-22T10:00:00Zjunk", "--now"), Error);
    // Signs and years outside 1970..9999: from_chars took "-1" as a field and "-001" as a year.
    CHECK_THROWS_AS(parse_instant("2026-01-01T-1:00:00Z", "--now"), Error);
    CHECK_THROWS_AS(parse_instant("2026-01-01T10:-5:00Z", "--now"), Error);
    CHECK_THROWS_AS(parse_instant("2026-01-01T10:05:-3Z", "--now"), Error);
    CHECK_THROWS_AS(parse_instant("-001-01-01", "--now"), Error);
    CHECK_THROWS_AS(parse_instant("+026-01-01", "--now"), Error);
    CHECK_THROWS_AS(parse_instant("2026-01-01T10:00:00+-1:00", "--now"), Error);
    CHECK_THROWS_WITH(parse_instant("1969-12-31T23:59:59Z", "--now"), Catch::Contains("1970"));
    CHECK(format_utc(parse_instant("9999-12-31T23:59:59Z", "t")) == "9999-12-31T23:59:59Z");
}

TEST_CASE("a fixed clock stays put") {
    const Clock c(parse_instant("2026-01-01T00:00:00Z", "t"));
    CHECK(c.fixed());
    CHECK(c.now() == c.now());
}
