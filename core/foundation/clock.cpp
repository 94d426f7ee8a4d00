#include "foundation/clock.hpp"

#include "foundation/calendar.hpp"
#include "foundation/error.hpp"
#include "foundation/text.hpp"


namespace provisio {

TimePoint Clock::now() const {
    if (fixed_) return *fixed_;
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

std::string format_utc(TimePoint t) {
    using namespace std::chrono;
    const auto day = floor<days>(t);
    const auto seconds_of_day = static_cast<unsigned>(floor<seconds>(t - day).count());
    std::string out = format_date(Date(day));
    out += "T00:00:00Z";
    const auto put = [&](size_t at, unsigned value) {
        out[at] = static_cast<char>('0' + value / 10);
        out[at + 1] = static_cast<char>('0' + value % 10);
    };
    put(11, seconds_of_day / 3600);
    put(14, seconds_of_day / 60 % 60);
    put(17, seconds_of_day % 60);
    return out;
}

namespace {

class Scanner {
public:
    explicit Scanner(std::string_view s) : s_(s) {}
    bool done() const { return pos_ == s_.size(); }
    char peek() const { return done() ? '\0' : s_[pos_]; }
    bool take(char c) {
        if (peek() != c) return false;
        ++pos_;
        return true;
    }
    // Exactly `count` decimal digits: no sign, no spaces.
    bool digits(int count, int &out) {
        out = fixed_digits(s_, pos_, static_cast<size_t>(count));
        if (out < 0) return false;
        pos_ += static_cast<size_t>(count);
        return true;
    }
    // Fraction digits after '.', as microseconds (extra digits beyond six are truncated).
    bool fraction(int &micros) {
        int n = 0;
        micros = 0;
        while (!done() && peek() >= '0' && peek() <= '9') {
            if (n < 6) micros = micros * 10 + (peek() - '0');
            ++n;
            ++pos_;
        }
        for (int i = n; i < 6; ++i) micros *= 10;
        return n > 0;
    }

private:
    std::string_view s_;
    size_t pos_ = 0;
};

}  // namespace

TimePoint parse_instant(std::string_view text, std::string_view what) {
    using namespace std::chrono;
    auto bad = [&](const char *why) -> TimePoint {
        fail(ErrorKind::invalid_input, std::string(what) + ": '" + std::string(text) + "' is not a valid time (" +
                                           why + "; expected e.g. 2026-11-22 or 2026-11-22T10:00:00Z)");
    };
    Scanner s(text);
    int y, mo, d;
    if (!s.digits(4, y) || !s.take('-') || !s.digits(2, mo) || !s.take('-') || !s.digits(2, d))
        return bad("bad date");
    const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)), day(static_cast<unsigned>(d))};
    if (!ymd.ok()) return bad("no such date");
    if (y < min_year) return bad("years before 1970 are not accepted");
    TimePoint t = sys_days(ymd);
    if (s.done()) return t;
    if (!s.take('T') && !s.take(' ')) return bad("expected 'T' after the date");
    int h, mi, sec = 0, micros = 0;
    if (!s.digits(2, h) || !s.take(':') || !s.digits(2, mi)) return bad("bad time of day");
    if (s.take(':') && !s.digits(2, sec)) return bad("bad seconds");
    if (s.take('.') && !s.fraction(micros)) return bad("bad fraction");
    if (h > 23 || mi > 59 || sec > 59) return bad("time of day out of range");
    t += hours(h) + minutes(mi) + seconds(sec) + microseconds(micros);
    if (s.take('Z') || s.take('z')) {
        if (!s.done()) return bad("trailing characters");
        return t;
    }
    const char sign = s.peek();
    if (sign != '+' && sign != '-') return bad("a time needs a zone: 'Z' or an offset like +01:00");
    s.take(sign);
    int oh, om = 0;
    if (!s.digits(2, oh)) return bad("bad offset");
    s.take(':');
    if (!s.done() && !s.digits(2, om)) return bad("bad offset");
    if (!s.done() || oh > 23 || om > 59) return bad("bad offset");
    const minutes offset = hours(oh) + minutes(om);
    return sign == '+' ? t - offset : t + offset;
}

}  // namespace provisio
