// Exact money: a signed count of micro-units (1e-6 of the currency unit) in an int64.
//
// Parsing and printing are exact decimal; no floating point is ever involved. Arithmetic
// checks for overflow and throws rather than wrapping. Rounding to fewer decimals is explicit
// and names its mode, so every place that rounds says how.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

namespace provisio {

enum class Rounding { half_up, up, down };  // half_up: away from zero at .5; up/down: away from / toward zero

class Money {
public:
    static constexpr int64_t micros_per_unit = 1'000'000;
    static constexpr int max_decimals = 6;

    constexpr Money() = default;
    static constexpr Money from_micros(int64_t micros) { return Money(micros); }

    // Parses "12", "12.5", "-0.000001", "+3.10". Refuses anything else (exponents, commas,
    // spaces, more than `max_places` decimals) with Error(invalid_input) naming `what`.
    static Money parse(std::string_view text, std::string_view what, int max_places = max_decimals);

    constexpr int64_t micros() const { return micros_; }
    constexpr bool negative() const { return micros_ < 0; }
    constexpr bool zero() const { return micros_ == 0; }

    // This amount × numerator / denominator, rounded half-up (away from zero) at the micro-unit:
    // the one way money is multiplied (prorata, cycle restatement, percentages). The product is
    // formed in 128 bits; a result that does not fit throws Error(invalid_input) naming `what`.
    Money scaled(int64_t numerator, int64_t denominator, std::string_view what) const;

    // Rounds to `places` decimals (0..6) with the given mode.
    Money rounded(int places, Rounding mode) const;

    // "12.50" with at least `min_places` decimals and no trailing zeros beyond them.
    std::string to_string(int min_places = 2) const;

    Money operator+(Money o) const;
    Money operator-(Money o) const;
    Money operator-() const;
    Money &operator+=(Money o) { return *this = *this + o; }
    Money &operator-=(Money o) { return *this = *this - o; }
    constexpr auto operator<=>(const Money &) const = default;

private:
    constexpr explicit Money(int64_t micros) : micros_(micros) {}
    int64_t micros_ = 0;
};

}  // namespace provisio
