// What the shipped server modules share: reading '|'-separated service fields, the server's
// base URL, and server-scope options with their schema defaults. Header-only, SDK-only, so a
// module stays one self-contained shared library.
#pragma once

#include <provisio/module.hpp>

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

inline bool is_digits(std::string_view s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos; }

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
