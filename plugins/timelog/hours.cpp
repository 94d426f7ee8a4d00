#include "hours.hpp"

namespace timelog {

std::optional<Hours> Hours::parse(std::string_view t) {
    size_t i = 0;
    bool neg = false;
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) neg = t[i++] == '-';
    int64_t whole = 0, frac = 0;
    size_t digits = 0, places = 0;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, ++digits) {
        if (whole > 1'000'000'000'000LL) return std::nullopt;
        whole = whole * 10 + (t[i] - '0');
    }
    if (i < t.size() && t[i] == '.') {
        ++i;
        for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, ++places) {
            if (places >= 6) return std::nullopt;
            frac = frac * 10 + (t[i] - '0');
        }
        if (places == 0) return std::nullopt;
    }
    if (digits == 0 || i != t.size()) return std::nullopt;
    for (size_t p = places; p < 6; ++p) frac *= 10;
    const int64_t micro = whole * 1'000'000 + frac;
    return Hours{neg ? -micro : micro};
}

std::string Hours::str() const {
    const int64_t mag = micro < 0 ? -micro : micro;
    std::string out = micro < 0 ? "-" : "";
    out += std::to_string(mag / 1'000'000);
    std::string frac = std::to_string(mag % 1'000'000);
    frac.insert(0, 6 - frac.size(), '0');
    while (frac.size() > 2 && frac.back() == '0') frac.pop_back();
    return out + "." + frac;
}

Hours Hours::scaled(int64_t micro, int64_t numerator, int64_t denominator) {
    const __int128 n = static_cast<__int128>(micro) * numerator;
    const __int128 half = denominator / 2;
    const __int128 q = n >= 0 ? (n + half) / denominator : -((-n + half) / denominator);
    return Hours{static_cast<int64_t>(q)};
}

}  // namespace timelog
