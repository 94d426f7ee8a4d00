// The core's notion of "now", and UTC timestamps as stored.
//
// Everything time-dependent takes a Clock so an operator's --now, and tests, can fix the
// instant. Stored timestamps are UTC text "YYYY-MM-DDTHH:MM:SSZ" (sorts as it reads).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace provisio {

using TimePoint = std::chrono::sys_time<std::chrono::microseconds>;

class Clock {
public:
    Clock() = default;                                   // the system clock
    explicit Clock(TimePoint fixed) : fixed_(fixed) {}   // always this instant
    TimePoint now() const;
    bool fixed() const { return fixed_.has_value(); }

private:
    std::optional<TimePoint> fixed_;
};

// Unix time of `t` in whole seconds (floored).
inline int64_t unix_seconds(TimePoint t) { return std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count(); }

// "2026-11-22T01:43:50Z" (whole seconds) for storage and display.
std::string format_utc(TimePoint t);
// Parses ISO 8601: a date ("2026-11-22", midnight UTC), or a date-time with 'T' or ' ',
// optional fractional seconds, and 'Z' or a numeric offset ("+05:00", "-0500"). A date-time
// without a zone is refused, because the instant would be ambiguous. Throws Error(invalid_input)
// naming `what` on failure.
TimePoint parse_instant(std::string_view text, std::string_view what);

}  // namespace provisio
