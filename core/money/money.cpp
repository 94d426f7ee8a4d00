#include "money/money.hpp"

#include "foundation/error.hpp"

#include <cstdlib>

namespace provisio {

namespace {
[[noreturn]] void overflow() { fail(ErrorKind::invalid_input, "amount out of range"); }

int64_t pow10(int n) {
    int64_t p = 1;
    while (n-- > 0) p *= 10;
    return p;
}
}  // namespace

Money Money::parse(std::string_view text, std::string_view what, int max_places) {
    auto bad = [&](const std::string &why) -> Money {
        fail(ErrorKind::invalid_input, std::string(what) + ": '" + std::string(text) + "' " + why);
    };
    size_t i = 0;
    bool neg = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) neg = text[i++] == '-';
    int64_t units = 0;
    size_t int_digits = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++int_digits) {
        if (units > (INT64_MAX / micros_per_unit - 9) / 10) return bad("is too large");
        units = units * 10 + (text[i] - '0');
    }
    int64_t frac = 0;
    int places = 0;
    if (i < text.size() && text[i] == '.') {
        ++i;
        for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++places)
            if (places < max_decimals) frac = frac * 10 + (text[i] - '0');
            else if (text[i] != '0') return bad("has more than " + std::to_string(max_places) + " decimal places");
        if (places == 0) return bad("is not a number (digits expected after '.')");
    }
    if (int_digits == 0 || i != text.size()) return bad("is not a number (expected e.g. 12.50)");
    if (places > max_places) {
        // Trailing zeros beyond the allowed places are harmless ("1.500" for a 2-decimal currency).
        const int kept = places < max_decimals ? places : max_decimals;
        if (frac % pow10(kept - max_places) != 0)
            return bad("has more than " + std::to_string(max_places) + " decimal places");
    }
    if (places < max_decimals) frac *= pow10(max_decimals - places);
    const int64_t micros = units * micros_per_unit + frac;
    return Money(neg ? -micros : micros);
}

Money Money::scaled(int64_t numerator, int64_t denominator, std::string_view what) const {
    if (denominator <= 0) fail(ErrorKind::internal, std::string(what) + ": scaling by a denominator that is not positive");
    const __int128 product = static_cast<__int128>(micros_) * numerator;
    const __int128 magnitude = product < 0 ? -product : product;
    const __int128 rounded = (magnitude + denominator / 2) / denominator;
    if (rounded > INT64_MAX) fail(ErrorKind::invalid_input, std::string(what) + ": the amount is out of range");
    return Money(product < 0 ? -static_cast<int64_t>(rounded) : static_cast<int64_t>(rounded));
}

Money Money::rounded(int places, Rounding mode) const {
    if (places < 0 || places > max_decimals) fail(ErrorKind::internal, "rounding to an impossible number of places");
    const int64_t step = pow10(max_decimals - places);
    const int64_t mag = std::llabs(micros_);
    int64_t down = mag / step * step;
    const int64_t rest = mag - down;
    int64_t r = down;
    if (rest != 0) {
        switch (mode) {
        case Rounding::down: break;
        case Rounding::up: r = down + step; break;
        case Rounding::half_up: r = rest * 2 >= step ? down + step : down; break;
        }
    }
    return Money(micros_ < 0 ? -r : r);
}

std::string Money::to_string(int min_places) const {
    const int64_t mag = micros_ < 0 ? -static_cast<int64_t>(micros_) : micros_;
    std::string out = micros_ < 0 ? "-" : "";
    out += std::to_string(mag / micros_per_unit);
    std::string frac = std::to_string(mag % micros_per_unit);
    frac.insert(0, static_cast<size_t>(max_decimals) - frac.size(), '0');
    size_t keep = frac.size();
    while (keep > static_cast<size_t>(min_places) && frac[keep - 1] == '0') --keep;
    if (keep > 0) out += "." + frac.substr(0, keep);
    return out;
}

Money Money::operator+(Money o) const {
    int64_t r;
    if (__builtin_add_overflow(micros_, o.micros_, &r)) overflow();
    return Money(r);
}
Money Money::operator-(Money o) const {
    int64_t r;
    if (__builtin_sub_overflow(micros_, o.micros_, &r)) overflow();
    return Money(r);
}
Money Money::operator-() const {
    if (micros_ == INT64_MIN) overflow();
    return Money(-micros_);
}

}  // namespace provisio
