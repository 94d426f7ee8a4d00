#include "cli/output.hpp"

#include <algorithm>
#include <ostream>

namespace provisio::cli {

namespace {
// Display width: counts UTF-8 code points, which is right for the text we print.
size_t width(const std::string &s) {
    return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](unsigned char c) { return (c & 0xC0) != 0x80; }));
}
std::string one_line(std::string s) {
    std::replace(s.begin(), s.end(), '\n', ' ');
    return s;
}
}  // namespace

void Table::print(std::ostream &out) const {
    std::vector<size_t> widths;
    for (const auto &h : headers_) widths.push_back(width(h));
    for (const auto &row : rows_)
        for (size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], width(one_line(row[i])));
    auto line = [&](const std::vector<std::string> &cells) {
        std::string text;
        for (size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
            const std::string cell = one_line(cells[i]);
            text += cell;
            if (i + 1 < cells.size()) text += std::string(widths[i] - width(cell) + 2, ' ');
        }
        out << text << '\n';
    };
    line(headers_);
    for (const auto &row : rows_) line(row);
}

void print_fields(std::ostream &out, const std::vector<std::pair<std::string, std::string>> &fields) {
    size_t w = 0;
    for (const auto &[k, v] : fields) w = std::max(w, width(k));
    for (const auto &[k, v] : fields) out << k << ':' << std::string(w - width(k) + 1, ' ') << v << '\n';
}

std::string dump_json(const json &value, int indent) { return value.dump(indent, ' ', false, json::error_handler_t::replace); }

void print_json(std::ostream &out, const json &value) { out << dump_json(value, 2) << '\n'; }

}  // namespace provisio::cli
