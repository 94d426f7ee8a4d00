#include "foundation/error.hpp"
#include "money/money.hpp"

#include <catch2/catch.hpp>

using provisio::Error;
using provisio::Money;
using provisio::Rounding;

TEST_CASE("money parses and prints exactly") {
    CHECK(Money::parse("12", "x").micros() == 12'000'000);
    CHECK(Money::parse("12.5", "x").to_string() == "12.50");
    CHECK(Money::parse("-0.000001", "x").micros() == -1);
    CHECK(Money::parse("+3.10", "x").to_string() == "3.10");
    CHECK(Money::parse("0.1", "x") + Money::parse("0.2", "x") == Money::parse("0.3", "x"));
    CHECK(Money::parse("1.123456", "x").to_string() == "1.123456");
    CHECK(Money::parse("1.500", "x", 2).to_string() == "1.50");  // trailing zeros beyond the currency are harmless
}

TEST_CASE("money refuses what is not a plain decimal") {
    for (const char *bad : {"", "abc", "1e5", "1,5", " 1", "1.", ".5", "--1", "1.2.3", "0x10"}) {
        INFO(bad);
        CHECK_THROWS_AS(Money::parse(bad, "amount"), Error);
    }
    CHECK_THROWS_WITH(Money::parse("1.005", "--price", 2), Catch::Contains("more than 2 decimal places"));
    CHECK_THROWS_WITH(Money::parse("99999999999999999", "--price"), Catch::Contains("too large"));
}

TEST_CASE("rounding is explicit and named") {
    const Money m = Money::parse("2.345", "x");
    CHECK(m.rounded(2, Rounding::half_up).to_string() == "2.35");
    CHECK(m.rounded(2, Rounding::down).to_string() == "2.34");
    CHECK(m.rounded(2, Rounding::up).to_string() == "2.35");
    CHECK(Money::parse("-2.345", "x").rounded(2, Rounding::half_up).to_string() == "-2.35");
    CHECK(Money::parse("2.344", "x").rounded(2, Rounding::half_up).to_string() == "2.34");
    CHECK(Money::parse("2.341", "x").rounded(2, Rounding::up).to_string() == "2.35");
}

TEST_CASE("money arithmetic refuses to overflow") {
    const Money big = Money::from_micros(INT64_MAX - 1);
    CHECK_THROWS_AS(big + Money::from_micros(10), Error);
    CHECK_THROWS_AS(Money::from_micros(INT64_MIN + 1) - Money::from_micros(10), Error);
}

TEST_CASE("scaling money by a ratio rounds half-up at the micro and refuses to overflow") {
    CHECK(Money::parse("30", "x").scaled(10, 30, "prorata").to_string() == "10.00");
    CHECK(Money::from_micros(5).scaled(1, 2, "x").micros() == 3);    // 2.5 → 3
    CHECK(Money::from_micros(-5).scaled(1, 2, "x").micros() == -3);  // away from zero
    CHECK(Money::from_micros(INT64_MAX / 2).scaled(2, 1, "x").micros() == INT64_MAX - 1);
    CHECK_THROWS_WITH(Money::from_micros(INT64_MAX / 2).scaled(3, 1, "late fee"), Catch::Contains("late fee"));
}
