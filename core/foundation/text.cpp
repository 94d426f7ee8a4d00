#include "foundation/text.hpp"

#include "foundation/error.hpp"

#include <cstdio>

namespace provisio {

namespace {

// The byte length of a well-formed UTF-8 sequence of two or more bytes starting at s[i], or 0.
size_t utf8_sequence(std::string_view s, size_t i) {
    const auto b = static_cast<unsigned char>(s[i]);
    const size_t n = b < 0xC2 ? 0 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : b < 0xF5 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    for (size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
    // Overlong three- and four-byte forms, surrogates, and code points above U+10FFFF.
    const auto b1 = static_cast<unsigned char>(s[i + 1]);
    if ((b == 0xE0 && b1 < 0xA0) || (b == 0xED && b1 >= 0xA0) || (b == 0xF0 && b1 < 0x90) || (b == 0xF4 && b1 >= 0x90)) return 0;
    return n;
}

}  // namespace

size_t first_invalid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b == 0) return i;
        if (b < 0x80) {
            ++i;
            continue;
        }
        const size_t n = utf8_sequence(s, i);
        if (n == 0) return i;
        i += n;
    }
    return std::string_view::npos;
}

namespace {
// "byte 4 is 0xFF" / "byte 4 is a NUL", counting from 1 at `from`; `of` follows the number.
std::string describe_bad_byte(std::string_view text, size_t bad, size_t from, const std::string &of = "") {
    const std::string at = "byte " + std::to_string(bad - from + 1) + of;
    if (text[bad] == '\0') return at + " is a NUL";
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(text[bad]));
    return at + " is " + hex;
}
}  // namespace

std::string utf8_problem(std::string_view text) {
    const size_t bad = first_invalid_utf8(text);
    return bad == std::string_view::npos ? std::string() : describe_bad_byte(text, bad, 0);
}

void require_utf8(std::string_view text, const std::string &what) {
    if (const std::string why = utf8_problem(text); !why.empty())
        fail(ErrorKind::invalid_input, what + " is not UTF-8 text (" + why + ")");
}

void require_utf8_file(std::string_view contents, const std::string &file) {
    const size_t bad = first_invalid_utf8(contents);
    if (bad == std::string_view::npos) return;
    size_t line = 1, line_start = 0;
    for (size_t i = 0; i < bad; ++i)
        if (contents[i] == '\n') ++line, line_start = i + 1;
    fail(ErrorKind::invalid_input, file + ":" + std::to_string(line) + ": not UTF-8 text (" +
                                       describe_bad_byte(contents, bad, line_start, " of the line") + ")");
}

std::string repair_utf8(std::string_view s) {
    if (first_invalid_utf8(s) == std::string_view::npos) return std::string(s);
    std::string out;
    out.reserve(s.size() + 8);
    for (size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (b != 0 && b < 0x80) {
            out += s[i++];
            continue;
        }
        const size_t n = b == 0 ? 0 : utf8_sequence(s, i);
        if (n == 0) {
            out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
            ++i;
            continue;
        }
        out.append(s.substr(i, n));
        i += n;
    }
    return out;
}

std::string ascii_upper(std::string_view text) {
    std::string out(text);
    for (char &c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

std::string join(const std::vector<std::string> &items, std::string_view separator) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += separator;
        out += items[i];
    }
    return out;
}

std::vector<std::string> split_list(std::string_view text, char separator) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t end = std::min(text.find(separator, start), text.size());
        std::string_view item = text.substr(start, end - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) out.emplace_back(item);
        start = end + 1;
    }
    return out;
}

int fixed_digits(std::string_view text, size_t at, size_t count) {
    if (at > text.size() || count > text.size() - at) return -1;
    int value = 0;
    for (size_t i = at; i < at + count; ++i) {
        if (text[i] < '0' || text[i] > '9') return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

}  // namespace provisio
