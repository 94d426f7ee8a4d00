// The forms a secret takes on the wire — URL-encoded, JSON-escaped, base64 (HTTP Basic) — for
// tests that check the host masks every one. Header-only and dependency-free, so fixture
// modules built against the SDK alone can use it too.
#pragma once

#include <cctype>
#include <string>

namespace provisio::test {

inline std::string url_encoded(const std::string &text) {
    static const char *hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') out += static_cast<char>(c);
        else out += {'%', hex[c >> 4], hex[c & 15]};
    }
    return out;
}

// Only the two characters JSON must escape in these tests' secrets: '"' and '\'.
inline std::string json_escaped(const std::string &text) {
    std::string out;
    for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out;
}

inline std::string base64(const std::string &bytes) {
    static const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (size_t i = 0; i < bytes.size(); i += 3) {
        unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        if (i + 2 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 2]);
        out += {alphabet[v >> 18], alphabet[(v >> 12) & 63], i + 1 < bytes.size() ? alphabet[(v >> 6) & 63] : '=',
                i + 2 < bytes.size() ? alphabet[v & 63] : '='};
    }
    return out;
}

}  // namespace provisio::test
