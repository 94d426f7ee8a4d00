// What the shipped server modules share: reading '|'-separated service fields, the server's
// base URL, and server-scope options with their schema defaults. Header-only, SDK-only, so a
// module stays one self-contained shared library.
#pragma once

#include <provisio/module.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace provisio::plugin {

inline std::string trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return std::string(s);
}

// "a | b |c" → {"a", "b", "c"}; spaces around the separators do not matter, empty parts stay
// (so a caller can say which position is blank).
inline std::vector<std::string> split_fields(std::string_view text, std::string_view separators = "|") {
    std::vector<std::string> parts;
    size_t at = 0;
    while (true) {
        const size_t end = text.find_first_of(separators, at);
        parts.push_back(trimmed(text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at)));
        if (end == std::string_view::npos) break;
        at = end + 1;
    }
    return parts;
}

inline std::string joined(const std::vector<std::string> &items, std::string_view separator = ",") {
    std::string out;
    for (const auto &i : items) {
        if (!out.empty()) out += separator;
        out += i;
    }
    return out;
}

// A comma-separated list kept in module state → its items (none for an absent key).
inline std::vector<std::string> state_list(const std::optional<std::string> &text) {
    if (!text || text->empty()) return {};
    return split_fields(*text, ",");
}

// Appends `item` unless it is there already.
inline void add_unique(std::vector<std::string> &to, const std::string &item) {
    for (const auto &x : to)
        if (x == item) return;
    to.push_back(item);
}

inline bool is_digits(std::string_view s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos; }

// Epoch seconds → "2026-11-28T10:00:00Z".
inline std::string iso_utc(int64_t epoch) {
    const std::time_t t = static_cast<std::time_t>(epoch);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[24];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// "2026-11-28T10:00:00Z", or with a ±HH:MM offset → epoch seconds. Every field digits only (no
// sign), a real date in years 1970..9999 and a real time of day: anything else throws rather
// than being normalized into another instant.
inline int64_t epoch_of(const std::string &iso) {
    const auto bad = [&]() -> int64_t { throw std::runtime_error("'" + iso + "' is not an ISO 8601 time"); };
    const auto digits = [&](size_t at, size_t n) {
        int v = 0;
        for (size_t i = at; i < at + n; ++i) {
            if (i >= iso.size() || iso[i] < '0' || iso[i] > '9') return -1;
            v = v * 10 + (iso[i] - '0');
        }
        return v;
    };
    if (iso.size() < 19 || iso[4] != '-' || iso[7] != '-' || iso[10] != 'T' || iso[13] != ':' || iso[16] != ':') return bad();
    const int y = digits(0, 4), mo = digits(5, 2), d = digits(8, 2), h = digits(11, 2), mi = digits(14, 2), se = digits(17, 2);
    if (y < 1970 || mo < 1 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60) return bad();
    const std::chrono::year_month_day day{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                          std::chrono::day(static_cast<unsigned>(d))};
    if (!day.ok()) return bad();
    int64_t offset = 0;
    const std::string zone = iso.substr(19);
    if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
        const int oh = digits(20, 2), om = digits(23, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59) return bad();
        offset = (oh * 3600 + om * 60) * (zone[0] == '-' ? -1 : 1);
    } else if (zone != "Z" && !zone.empty()) {
        return bad();
    }
    return std::chrono::sys_days(day).time_since_epoch().count() * int64_t{86400} + h * 3600 + mi * 60 + se - offset;
}

// A usage cursor "TIME|ID" (the last record handed over) → {epoch seconds, id}; a bare time
// (the host's first `since`) has an empty id.
inline std::pair<int64_t, std::string> split_cursor(const std::string &cursor) {
    const size_t bar = cursor.find('|');
    return {epoch_of(cursor.substr(0, bar)), bar == std::string::npos ? "" : cursor.substr(bar + 1)};
}

// http(s)://hostname[:port] from the server record ("secure" no: plain HTTP).
inline std::string base_url(const Call &c) {
    const std::string host(c.server("hostname"));
    const std::string port(c.server("port"));
    return std::string(c.server("secure", "yes") == "no" ? "http://" : "https://") + host + (port.empty() ? "" : ":" + port);
}

// A server-scope option of `Module`, or its schema default when the server record leaves it unset.
template <class Module>
std::string server_option(const Call &c, std::string_view key) {
    for (const auto &o : Module::options)
        if (key == o.key) {
            const std::string_view v = c.server(key);
            return std::string(v.empty() ? o.default_value : v);
        }
    throw std::logic_error("no option " + std::string(key));
}

// A product option of `Module`, or its schema default.
template <class Module>
std::string product_option(const Call &c, std::string_view key) {
    for (const auto &o : Module::options)
        if (key == o.key) return std::string(c.setting(key, o.default_value));
    throw std::logic_error("no option " + std::string(key));
}

}  // namespace provisio::plugin
