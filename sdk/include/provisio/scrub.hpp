// provisio SDK — how the host masks secrets in what a module logs.
//
// The host applies this to every text a module hands it that ends up in a log (log lines,
// log_call exchanges, outcome messages, HTTP errors); the fake host in testing.hpp applies the
// very same function, so a module's unit tests see exactly what an operator will see in
// `provisio module log`. A module never needs to call it itself.
//
// A secret is masked however the module encoded it on its way to the wire — as is,
// JSON-escaped ("Les\"Api\\Key", "\u00e9", "\/"), URL-encoded (%XX in either case, '+' for a
// space), XML-escaped (&quot;, &#34;), or inside base64 (HTTP Basic credentials "user:secret",
// at any byte offset).
//
// Escaped forms are found by decoding the text (each escaping scheme in turn) into a view that
// remembers where each of its characters came from, and looking for the secret in that view;
// whatever mix of escaped and plain characters the encoder chose, the secret is found and the
// original span masked. Base64 is found by the characters that encode the secret alone, at each
// of the three byte offsets; the whole base64 token holding them is masked.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace provisio::rules {

namespace scrub_detail {

inline constexpr std::string_view mask = "********";

// A decoded copy of the text; origin[i] is where view character i starts in the text, and
// origin[size] is the text's size.
struct View {
    std::string text;
    std::vector<size_t> origin;
    void put(char c, size_t from) {
        text.push_back(c);
        origin.push_back(from);
    }
};

inline int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Reads `digits` hex digits at `at`; -1 when they are not all there.
inline long hex_at(std::string_view s, size_t at, size_t digits) {
    if (at + digits > s.size()) return -1;
    long v = 0;
    for (size_t i = 0; i < digits; ++i) {
        const int d = hex_value(s[at + i]);
        if (d < 0) return -1;
        v = v * 16 + d;
    }
    return v;
}

inline void put_utf8(View &v, unsigned long cp, size_t from) {
    if (cp < 0x80) {
        v.put(static_cast<char>(cp), from);
    } else if (cp < 0x800) {
        v.put(static_cast<char>(0xC0 | (cp >> 6)), from);
        v.put(static_cast<char>(0x80 | (cp & 0x3F)), from);
    } else if (cp < 0x10000) {
        v.put(static_cast<char>(0xE0 | (cp >> 12)), from);
        v.put(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), from);
        v.put(static_cast<char>(0x80 | (cp & 0x3F)), from);
    } else {
        v.put(static_cast<char>(0xF0 | (cp >> 18)), from);
        v.put(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)), from);
        v.put(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), from);
        v.put(static_cast<char>(0x80 | (cp & 0x3F)), from);
    }
}

// %XX, and '+' as a space when `plus_is_space` (form encoding).
inline View percent_decoded(std::string_view s, bool plus_is_space) {
    View v;
    for (size_t i = 0; i < s.size();) {
        if (s[i] == '%') {
            if (const long b = hex_at(s, i + 1, 2); b >= 0) {
                v.put(static_cast<char>(b), i);
                i += 3;
                continue;
            }
        }
        v.put(plus_is_space && s[i] == '+' ? ' ' : s[i], i);
        ++i;
    }
    return v;
}

// JSON string escapes: \" \\ \/ \b \f \n \r \t and \uXXXX (surrogate pairs joined).
inline View json_decoded(std::string_view s) {
    View v;
    for (size_t i = 0; i < s.size();) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            const char e = s[i + 1];
            const std::string_view simple = "\"\\/bfnrt", meaning = "\"\\/\b\f\n\r\t";
            if (const size_t k = simple.find(e); k != std::string_view::npos) {
                v.put(meaning[k], i);
                i += 2;
                continue;
            }
            if (e == 'u') {
                long cp = hex_at(s, i + 2, 4);
                size_t used = 6;
                if (cp >= 0xD800 && cp < 0xDC00 && i + 12 <= s.size() && s.substr(i + 6, 2) == "\\u") {
                    const long low = hex_at(s, i + 8, 4);
                    if (low >= 0xDC00 && low < 0xE000) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        used = 12;
                    }
                }
                if (cp >= 0) {
                    put_utf8(v, static_cast<unsigned long>(cp), i);
                    i += used;
                    continue;
                }
            }
        }
        v.put(s[i], i);
        ++i;
    }
    return v;
}

// XML/HTML: &amp; &lt; &gt; &quot; &apos; &#NN; &#xHH;
inline View xml_decoded(std::string_view s) {
    static const std::pair<std::string_view, char> named[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    View v;
    for (size_t i = 0; i < s.size();) {
        if (s[i] == '&') {
            bool done = false;
            for (const auto &[entity, c] : named)
                if (s.substr(i, entity.size()) == entity) {
                    v.put(c, i);
                    i += entity.size();
                    done = true;
                    break;
                }
            if (done) continue;
            if (s.substr(i, 2) == "&#") {
                const bool hex = i + 2 < s.size() && (s[i + 2] == 'x' || s[i + 2] == 'X');
                size_t j = i + (hex ? 3 : 2);
                unsigned long cp = 0;
                const size_t digits_from = j;
                while (j < s.size() && j - digits_from < 7 && (hex ? hex_value(s[j]) >= 0 : (s[j] >= '0' && s[j] <= '9'))) {
                    cp = cp * (hex ? 16 : 10) + static_cast<unsigned long>(hex ? hex_value(s[j]) : s[j] - '0');
                    ++j;
                }
                if (j > digits_from && j < s.size() && s[j] == ';' && cp <= 0x10FFFF) {
                    put_utf8(v, cp, i);
                    i = j + 1;
                    continue;
                }
            }
        }
        v.put(s[i], i);
        ++i;
    }
    return v;
}

using Spans = std::vector<std::pair<size_t, size_t>>;  // [begin, end) in the text

inline void find_in(const View &v, size_t text_size, const std::vector<std::string> &secrets, Spans &out) {
    for (const auto &secret : secrets) {
        if (secret.empty()) continue;
        for (size_t p = v.text.find(secret); p != std::string::npos; p = v.text.find(secret, p + 1)) {
            const size_t end = p + secret.size();
            out.emplace_back(v.origin[p], end < v.origin.size() ? v.origin[end] : text_size);
        }
    }
}

inline constexpr std::string_view b64_standard = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
inline constexpr std::string_view b64_url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

inline std::string base64(std::string_view bytes, std::string_view alphabet) {
    std::string out;
    for (size_t i = 0; i < bytes.size(); i += 3) {
        unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        if (i + 2 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 2]);
        out += {alphabet[v >> 18], alphabet[(v >> 12) & 63], alphabet[(v >> 6) & 63], alphabet[v & 63]};
    }
    return out;
}

// The base64 characters that depend on the secret's bytes alone, when it starts `offset` bytes
// (0, 1 or 2) into a three-byte group; empty when too few to be telling.
inline std::string base64_core(std::string_view secret, size_t offset, std::string_view alphabet) {
    const std::string padded = std::string(offset, '\0') + std::string(secret) + std::string(2, '\0');
    const std::string encoded = base64(padded, alphabet);
    const size_t first_bit = 8 * offset, end_bit = 8 * (offset + secret.size());
    const size_t from = (first_bit + 5) / 6;                      // first character wholly inside
    if (end_bit < 6 * from + 6) return {};
    const size_t to = (end_bit - 6) / 6;                          // last character wholly inside
    if (to < from || to - from + 1 < 4) return {};
    return encoded.substr(from, to - from + 1);
}

inline bool base64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '-' || c == '_';
}

inline void find_base64(std::string_view text, const std::vector<std::string> &secrets, Spans &out) {
    std::vector<std::string> cores;
    for (const auto &secret : secrets)
        for (size_t offset = 0; offset < 3; ++offset)
            for (const auto alphabet : {b64_standard, b64_url})
                if (std::string core = base64_core(secret, offset, alphabet); !core.empty()) cores.push_back(std::move(core));
    if (cores.empty()) return;
    for (size_t i = 0; i < text.size();) {
        if (!base64_char(text[i])) {
            ++i;
            continue;
        }
        size_t end = i;
        while (end < text.size() && base64_char(text[end])) ++end;
        while (end < text.size() && text[end] == '=') ++end;
        const std::string_view token = text.substr(i, end - i);
        for (const auto &core : cores)
            if (token.find(core) != std::string_view::npos) {
                out.emplace_back(i, end);
                break;
            }
        i = end;
    }
}

}  // namespace scrub_detail

// Replaces every occurrence of each secret in `text` by ********, in whichever of the forms
// above it appears. Overlapping occurrences are masked as one; empty secrets are ignored.
inline std::string scrub_secrets(std::string text, const std::vector<std::string> &secrets) {
    using namespace scrub_detail;
    if (text.empty() || std::all_of(secrets.begin(), secrets.end(), [](const auto &s) { return s.empty(); })) return text;
    Spans spans;
    for (const auto &secret : secrets) {
        if (secret.empty()) continue;
        for (size_t p = text.find(secret); p != std::string::npos; p = text.find(secret, p + 1))
            spans.emplace_back(p, p + secret.size());
    }
    // Each decoding only when the text holds what it decodes.
    if (text.find('%') != std::string::npos || text.find('+') != std::string::npos) {
        find_in(percent_decoded(text, false), text.size(), secrets, spans);
        find_in(percent_decoded(text, true), text.size(), secrets, spans);
    }
    if (text.find('\\') != std::string::npos) find_in(json_decoded(text), text.size(), secrets, spans);
    if (text.find('&') != std::string::npos) find_in(xml_decoded(text), text.size(), secrets, spans);
    find_base64(text, secrets, spans);
    if (spans.empty()) return text;

    std::sort(spans.begin(), spans.end());
    std::string out;
    out.reserve(text.size());
    size_t at = 0;
    for (size_t i = 0; i < spans.size();) {
        size_t begin = spans[i].first, end = spans[i].second;
        for (++i; i < spans.size() && spans[i].first <= end; ++i) end = std::max(end, spans[i].second);
        out.append(text, at, begin - at);
        out += mask;
        at = end;
    }
    out.append(text, at, std::string::npos);
    return out;
}

}  // namespace provisio::rules
