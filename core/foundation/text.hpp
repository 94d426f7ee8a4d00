// Small text helpers for comma-separated lists kept in one column or given as one option.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace provisio {

// "a", "b" → "a,b" (with `separator` between).
std::string join(const std::vector<std::string> &items, std::string_view separator);
// "a, b,,c " → {"a", "b", "c"}: items trimmed of spaces, empty ones dropped.
std::vector<std::string> split_list(std::string_view text, char separator = ',');

}  // namespace provisio
