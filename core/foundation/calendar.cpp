#include "foundation/calendar.hpp"

#include "foundation/error.hpp"
#include "foundation/text.hpp"

#include <date/tz.h>

namespace provisio {

Date parse_date(std::string_view text, std::string_view what) {
    auto bad = [&]() -> Date {
        fail(ErrorKind::invalid_input, std::string(what) + ": '" + std::string(text) + "' is not a date (expected YYYY-MM-DD)");
    };
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
    const int y = fixed_digits(text, 0, 4), m = fixed_digits(text, 5, 2), d = fixed_digits(text, 8, 2);
    if (y < 0 || m < 0 || d < 0) return bad();
    if (y < min_year)
        fail(ErrorKind::invalid_input, std::string(what) + ": '" + std::string(text) + "' is before 1970 (years 1970 to 9999 are accepted)");
    const Date date{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)), std::chrono::day(static_cast<unsigned>(d))};
    if (!date.ok()) {
        fail(ErrorKind::invalid_input, std::string(what) + ": '" + std::string(text) + "' is not a date (no such day)");
    }
    return date;
}

std::string format_date(Date d) {
    // By hand rather than snprintf: CDR import formats a date for every call.
    std::string out(10, '-');
    const auto put = [&](size_t at, unsigned value, int width) {
        for (int i = width - 1; i >= 0; --i, value /= 10) out[at + static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
    };
    put(0, static_cast<unsigned>(static_cast<int>(d.year())), 4);
    put(5, static_cast<unsigned>(d.month()), 2);
    put(8, static_cast<unsigned>(d.day()), 2);
    return out;
}

int days_between(Date from, Date to) {
    return static_cast<int>((std::chrono::sys_days(to) - std::chrono::sys_days(from)).count());
}

Date add_days(Date d, int days) { return Date(std::chrono::sys_days(d) + std::chrono::days(days)); }

Date add_months_anchored(Date d, int months, unsigned anchor_day) {
    using namespace std::chrono;
    const year_month ym = year_month(d.year(), d.month()) + std::chrono::months(months);
    const unsigned last = static_cast<unsigned>(year_month_day_last(ym.year(), month_day_last(ym.month())).day());
    return Date(ym.year(), ym.month(), day(anchor_day < last ? anchor_day : last));
}

BusinessZone::BusinessZone(const std::string &iana_name) : name_(iana_name) {
    try {
        zone_ = date::locate_zone(iana_name);
    } catch (const std::exception &) {
        fail(ErrorKind::invalid_input, "time zone '" + iana_name +
                                           "' is not in the system's time-zone database (use an IANA name such as "
                                           "America/Toronto or UTC)");
    }
}

Date BusinessZone::date_at(TimePoint t) const {
    const auto local = static_cast<const date::time_zone *>(zone_)->to_local(t);
    return Date(std::chrono::year_month_day(std::chrono::sys_days(
        std::chrono::floor<std::chrono::days>(local.time_since_epoch()))));
}

int BusinessZone::hour_at(TimePoint t) const {
    const auto local = static_cast<const date::time_zone *>(zone_)->to_local(t);
    const auto since_midnight = local.time_since_epoch() - std::chrono::floor<std::chrono::days>(local.time_since_epoch());
    return static_cast<int>(std::chrono::duration_cast<std::chrono::hours>(since_midnight).count());
}

TimePoint BusinessZone::date_or_instant(std::string_view text, std::string_view what) const {
    if (text.size() == 10) return start_of(parse_date(text, what));
    return parse_instant(text, what);
}

std::string BusinessZone::local_text(TimePoint t) const {
    const auto local = static_cast<const date::time_zone *>(zone_)->to_local(t);
    std::string text = format_utc(TimePoint(std::chrono::floor<std::chrono::seconds>(local.time_since_epoch())));  // "…T14:05:22Z"
    text[10] = ' ';
    text.pop_back();
    return text;
}

TimePoint BusinessZone::from_local(std::string_view text, std::string_view what) const {
    const bool zoned = text.size() > 19 && (text.back() == 'Z' || text.find_first_of("+-", 19) != std::string_view::npos);
    if (zoned) return parse_instant(text, what);
    auto digits = [&](size_t at, size_t n) { return fixed_digits(text, at, n); };
    const bool shaped = text.size() == 19 && text[4] == '-' && text[7] == '-' && (text[10] == ' ' || text[10] == 'T') &&
                        text[13] == ':' && text[16] == ':';
    const int h = shaped ? digits(11, 2) : -1, mi = shaped ? digits(14, 2) : -1, se = shaped ? digits(17, 2) : -1;
    if (!shaped || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
        fail(ErrorKind::invalid_input, std::string(what) + " '" + std::string(text) + "' is not a time (YYYY-MM-DD HH:MM:SS)");
    return at_local(parse_date(text.substr(0, 10), what), std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(se));
}

TimePoint BusinessZone::start_of(Date day) const { return at_local(day, std::chrono::seconds(0)); }

TimePoint BusinessZone::at_local(Date day, std::chrono::seconds since_midnight) const {
    const date::local_seconds local{std::chrono::sys_days(day).time_since_epoch() + since_midnight};
    const auto sys = static_cast<const date::time_zone *>(zone_)->to_sys(local, date::choose::earliest);
    return std::chrono::time_point_cast<std::chrono::microseconds>(sys);
}

}  // namespace provisio
