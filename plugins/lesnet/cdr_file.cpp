#include "cdr_file.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace lesnet {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// One CSV record; double quotes may wrap a field ("" is a quote inside one).
std::vector<std::string> split_csv(std::string_view line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') out.back() += '"', ++i;
            else if (c == '"') quoted = false;
            else out.back() += c;
        } else if (c == '"') quoted = true;
        else if (c == ',') out.emplace_back();
        else out.back() += c;
    }
    for (auto &f : out) f = std::string(trim(f));
    return out;
}

bool number(std::string_view s, int64_t &v) {
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && end == s.data() + s.size() && v >= 0;
}

// "2026-11-29 09:05:00" at `offset_minutes` east of UTC → seconds since the epoch. Every field
// is all digits (no sign), the year 1970 to 9999.
bool wall_clock(std::string_view s, int offset_minutes, std::chrono::sys_seconds &out) {
    const bool shaped = s.size() == 19 && s[4] == '-' && s[7] == '-' && (s[10] == ' ' || s[10] == 'T') && s[13] == ':' && s[16] == ':';
    if (!shaped) return false;
    auto digits = [&](size_t at, size_t n) {
        int v = 0;
        for (size_t i = at; i < at + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return -1;
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    const int y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2), mi = digits(14, 2), se = digits(17, 2);
    if (y < 1970 || mo < 0 || d < 0 || h < 0 || mi < 0 || se < 0) return false;
    const std::chrono::year_month_day day{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                          std::chrono::day(static_cast<unsigned>(d))};
    if (!day.ok() || h > 23 || mi > 59 || se > 60) return false;
    out = std::chrono::sys_days(day) + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(se) -
          std::chrono::minutes(offset_minutes);
    return true;
}

std::string utc_text(std::chrono::sys_seconds t) {
    const auto day = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd(day);
    const std::chrono::hh_mm_ss hms(t - day);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

int offset_minutes(std::string_view offset) {
    const auto digit = [&](size_t i) { return offset[i] >= '0' && offset[i] <= '9' ? offset[i] - '0' : -100; };
    const bool shaped = offset.size() == 6 && (offset[0] == '+' || offset[0] == '-') && offset[3] == ':';
    const int h = shaped ? digit(1) * 10 + digit(2) : -1, m = shaped ? digit(4) * 10 + digit(5) : -1;
    if (h < 0 || m < 0 || h > 14 || m > 59)
        throw std::invalid_argument("UTC offset '" + std::string(offset) + "' is not +HH:MM or -HH:MM");
    return (offset[0] == '-' ? -1 : 1) * (h * 60 + m);
}

}  // namespace

ColumnMap parse_column_map(std::string_view text) {
    ColumnMap map;
    for (const auto &entry : split_csv(text)) {
        if (entry.empty()) continue;
        const size_t eq = entry.find('=');
        const std::string field = eq == std::string::npos ? "" : std::string(trim(std::string_view(entry).substr(0, eq)));
        static const char *known[] = {"id", "peer", "start", "caller", "destination", "direction", "duration", "billsec"};
        bool ok = false;
        for (const char *k : known) ok = ok || field == k;
        if (eq == std::string::npos || !ok || trim(std::string_view(entry).substr(eq + 1)).empty())
            throw std::invalid_argument("CDR column map entry '" + entry +
                                        "' is not FIELD=COLUMN with FIELD one of id, peer, start, caller, destination, direction, "
                                        "duration, billsec");
        map[field] = std::string(trim(std::string_view(entry).substr(eq + 1)));
    }
    return map;
}

CdrFile parse_cdr_file(std::string_view text, const ColumnMap &columns, std::string_view utc_offset) {
    const int offset = offset_minutes(utc_offset);
    CdrFile out;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 byte-order mark (Excel's "CSV UTF-8")
    size_t at = 0, line_no = 0, header_fields = 0;
    std::map<std::string, size_t> index;  // our field → position
    while (at < text.size()) {
        size_t nl = text.find('\n', at);
        if (nl == std::string_view::npos) nl = text.size();
        const std::string_view line = text.substr(at, nl - at);
        at = nl + 1;
        ++line_no;
        if (trim(line).empty()) continue;
        const std::vector<std::string> f = split_csv(line);
        if (index.empty()) {
            std::map<std::string, size_t> header;
            for (size_t i = 0; i < f.size(); ++i) header[f[i]] = i;
            std::string missing;
            for (const auto &[field, column] : columns) {
                auto it = header.find(column);
                if (it != header.end()) index[field] = it->second;
                else if (field == "id" || field == "start" || field == "destination" || field == "billsec")
                    missing += (missing.empty() ? "" : ", ") + column;
            }
            for (const char *required : {"id", "start", "destination", "billsec"})
                if (!columns.count(required)) missing += (missing.empty() ? "" : ", ") + std::string("(") + required + ")";
            if (!missing.empty()) throw std::invalid_argument("the CDR file's header lacks column(s) " + missing);
            header_fields = f.size();
            continue;
        }
        std::string where = "line " + std::to_string(line_no) + ": ";
        // A stray comma shifts every field after it: such a row is refused, never read askew.
        if (f.size() != header_fields) {
            out.errors.push_back(where + "the record has " + std::to_string(f.size()) + " fields, the header has " +
                                 std::to_string(header_fields));
            continue;
        }
        auto field = [&](const char *name) -> std::string {
            auto it = index.find(name);
            return it != index.end() && it->second < f.size() ? f[it->second] : std::string();
        };
        if (!field("id").empty()) where = "line " + std::to_string(line_no) + " (call " + field("id") + "): ";
        CdrRow r;
        r.id = field("id");
        r.peer = field("peer");
        r.caller = field("caller");
        r.destination = field("destination");
        r.direction = field("direction");
        std::chrono::sys_seconds start;
        if (r.id.empty()) {
            out.errors.push_back(where + "the call id is empty");
            continue;
        }
        if (!wall_clock(field("start"), offset, start)) {
            out.errors.push_back(where + "start '" + field("start") + "' is not YYYY-MM-DD HH:MM:SS");
            continue;
        }
        if (!number(field("billsec"), r.billsec)) {
            out.errors.push_back(where + "billsec '" + field("billsec") + "' is not a whole number of seconds");
            continue;
        }
        const std::string duration = field("duration");
        if (duration.empty()) r.duration = r.billsec;
        else if (!number(duration, r.duration) || r.duration < r.billsec) {
            out.errors.push_back(where + "duration '" + duration + "' is not a whole number of seconds ≥ billsec");
            continue;
        }
        r.start_utc = utc_text(start);
        r.end_utc = utc_text(start + std::chrono::seconds(r.duration));
        out.rows.push_back(std::move(r));
    }
    if (index.empty()) throw std::invalid_argument("the CDR file is empty: it has no header row");
    return out;
}

}  // namespace lesnet
