// Exact hours for the timelog module: a signed count of micro-hours in an int64, parsed from and
// printed as decimal text. (Modules see only the SDK, so this is the module's own small type;
// the host keeps hours with the same precision.)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace timelog {

struct Hours {
    int64_t micro = 0;

    // "12", "1.5", "-0.25"; at most 6 decimals. nullopt for anything else.
    static std::optional<Hours> parse(std::string_view text);
    // "12.50": at least two decimals, no trailing zeros beyond them.
    std::string str() const;

    // a * numerator / denominator, rounded half away from zero, in micro-hours.
    static Hours scaled(int64_t micro, int64_t numerator, int64_t denominator);
};

}  // namespace timelog
