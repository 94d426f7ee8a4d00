#include "http/url_encoding.hpp"

#include "foundation/error.hpp"

#include <cctype>

namespace provisio {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::string percent_decoded(std::string_view in, bool form) {
    std::string out;
    out.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 && hex_value(in[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
            i += 2;
        } else {
            out += form && in[i] == '+' ? ' ' : in[i];
        }
    }
    return out;
}

std::string percent_encoded(std::string_view in) {
    static const char *hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : in) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') out += static_cast<char>(c);
        else out += {'%', hex[c >> 4], hex[c & 15]};
    }
    return out;
}

std::map<std::string, std::string> parse_form(std::string_view rest) {
    std::map<std::string, std::string> out;
    while (!rest.empty()) {
        const size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        const size_t eq = pair.find('=');
        if (!pair.empty())
            out[percent_decoded(pair.substr(0, eq), true)] = eq == std::string_view::npos ? "" : percent_decoded(pair.substr(eq + 1), true);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    }
    return out;
}

std::string cookie_value(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const size_t semi = header.find(';');
        const std::string_view pair = trimmed(header.substr(0, semi));
        const size_t eq = pair.find('=');
        if (eq != std::string_view::npos && trimmed(pair.substr(0, eq)) == name) return std::string(trimmed(pair.substr(eq + 1)));
        header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    }
    return "";
}

std::vector<std::string> path_segments(const std::string &path) {
    std::vector<std::string> out;
    for (size_t at = 1; at <= path.size();) {
        const size_t slash = path.find('/', at);
        out.push_back(path.substr(at, slash == std::string::npos ? std::string::npos : slash - at));
        at = slash == std::string::npos ? path.size() + 1 : slash + 1;
    }
    return out;
}

int64_t id_in_path(const std::string &segment) {
    if (segment.empty() || segment.size() > 18 || segment.find_first_not_of("0123456789") != std::string::npos)
        fail(ErrorKind::not_found, "'" + segment + "' is not the id of anything here");
    return std::stoll(segment);
}

}  // namespace provisio
