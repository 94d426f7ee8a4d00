// Small text helpers: comma-separated lists kept in one column or given as one option, and the
// UTF-8 rule every text that enters provisio is held to (arguments, files, module outcomes).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace provisio {

// "a", "b" → "a,b" (with `separator` between).
std::string join(const std::vector<std::string> &items, std::string_view separator);
// "a, b,,c " → {"a", "b", "c"}: items trimmed of spaces, empty ones dropped.
std::vector<std::string> split_list(std::string_view text, char separator = ',');
// `text` with ASCII letters upper-cased (codes: "usd" → "USD", "qc" → "QC"); other bytes kept.
std::string ascii_upper(std::string_view text);

// The offset of the first byte that keeps `text` from being UTF-8 text — a byte outside a
// well-formed sequence (overlong forms and surrogates included) or a NUL — or npos.
size_t first_invalid_utf8(std::string_view text);
// Why `text` is not UTF-8 text, for a message: "byte 4 is 0xFF", or "" when it is.
std::string utf8_problem(std::string_view text);
// Error(invalid_input) "WHAT is not UTF-8 text (byte 4 is 0xFF)" unless it is.
void require_utf8(std::string_view text, const std::string &what);
// The same for a whole file's contents: "FILE:3: not UTF-8 text (byte 7 of the line is 0xFF)".
void require_utf8_file(std::string_view contents, const std::string &file);
// `text` with each byte that is not UTF-8 text replaced by U+FFFD, for records of foreign
// bytes (a logged exchange) that are kept, not refused.
std::string repair_utf8(std::string_view text);
// The number written by exactly `count` decimal digits of `text` from `at` — no sign, no space
// (std::from_chars would take "-1"); -1 when they are not all there or not all digits.
int fixed_digits(std::string_view text, size_t at, size_t count);

}  // namespace provisio
