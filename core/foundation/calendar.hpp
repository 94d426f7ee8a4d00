// Calendar dates and the business time zone.
//
// Billing works in calendar dates (a due date is a day, not an instant); "today" is the date
// in the operator's business time zone (an IANA name), whatever zone the machine or cron is in.
#pragma once

#include "foundation/clock.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace provisio {

using Date = std::chrono::year_month_day;

// Dates and instants are read in years 1970 to 9999 only (four digits, no sign): anything
// earlier is a typo, and would sort and compare wrongly as stored text.
inline constexpr int min_year = 1970;

// "YYYY-MM-DD" naming a real date in years 1970..9999; throws Error(invalid_input) naming `what`.
Date parse_date(std::string_view text, std::string_view what);
std::string format_date(Date d);
int days_between(Date from, Date to);  // to - from, in days
Date add_days(Date d, int days);
// `months` calendar months after `d`, on `anchor_day` (1..31) clamped to the month's last day:
// anchored on the 31st, Jan 31 -> Feb 28 (29 in a leap year) -> Mar 31.
Date add_months_anchored(Date d, int months, unsigned anchor_day);
// The first day of `d`'s month.
inline Date first_of_month(Date d) { return Date(d.year(), d.month(), std::chrono::day(1)); }

class BusinessZone {
public:
    // Throws Error(invalid_input) for a name the system's time-zone database does not know.
    explicit BusinessZone(const std::string &iana_name);
    const std::string &name() const { return name_; }
    // The calendar date at `t` in this zone.
    Date date_at(TimePoint t) const;
    // The hour of day (0..23) at `t` in this zone.
    int hour_at(TimePoint t) const;
    // The wall-clock time at `t` in this zone, to the second: "2026-03-10 14:05:22".
    std::string local_text(TimePoint t) const;
    // The instant a wall-clock time in this zone names: "2026-03-10 14:05:22" (or with 'T');
    // a time that carries 'Z' or an offset is read as written. In a daylight-saving gap or
    // overlap, the earlier instant. Throws Error(invalid_input) naming `what`.
    TimePoint from_local(std::string_view text, std::string_view what) const;
    // The instant business day `day` begins (its midnight; in a gap, the earlier instant).
    TimePoint start_of(Date day) const;
    // A range's bound as a user gives it: a date ("2026-03-10") is its midnight in this zone; a
    // date-time says its own zone. Throws Error(invalid_input) naming `what`.
    TimePoint date_or_instant(std::string_view text, std::string_view what) const;

private:
    TimePoint at_local(Date day, std::chrono::seconds since_midnight) const;
    std::string name_;
    const void *zone_;  // date::time_zone, kept out of this header
};

}  // namespace provisio
