// What the shipped server modules share: reading '|'-separated service fields, the server's
// base URL, and server-scope options with their schema defaults. Header-only, SDK-only, so a
// module stays one self-contained shared library.
#pragma once

#include <provisio/module.hpp>

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

// "2026-11-28T10:00:00Z", or with a ±HH:MM offset → epoch seconds.
inline int64_t epoch_of(const std::string &iso) {
    std::tm tm{};
    int offset_h = 0, offset_m = 0;
    char sign = 'Z';
    if (std::sscanf(iso.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
                    &tm.tm_sec, &sign, &offset_h, &offset_m) < 6)
        throw std::runtime_error("'" + iso + "' is not an ISO 8601 time");
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const int64_t offset = (offset_h * 3600 + offset_m * 60) * (sign == '-' ? -1 : sign == '+' ? 1 : 0);
    return static_cast<int64_t>(timegm(&tm)) - offset;
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
