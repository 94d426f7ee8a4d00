#include "cli/output.hpp"

#include <algorithm>
#include <ostream>

namespace provisio::cli {

std::string csv_field(const std::string &s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

void Table::print_csv(std::ostream &out) const {
    auto line = [&](const std::vector<std::string> &cells) {
        for (size_t i = 0; i < cells.size(); ++i) out << (i ? "," : "") << csv_field(cells[i]);
        out << "\r\n";
    };
    line(headers_);
    for (const auto &r : rows_) line(r);
}

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

std::vector<size_t> Table::widths() const {
    std::vector<size_t> widths;
    for (const auto &h : headers_) widths.push_back(width(h));
    for (const auto &row : rows_)
        for (size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], width(one_line(row[i])));
    return widths;
}

void Table::print_row(std::ostream &out, const std::vector<std::string> &cells, const std::vector<size_t> &widths) const {
    std::string text;
    for (size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
        const std::string cell = one_line(cells[i]);
        text += cell;
        if (i + 1 < cells.size()) text += std::string(widths[i] > width(cell) ? widths[i] - width(cell) + 2 : 2, ' ');
    }
    out << text << '\n';
}

void Table::print_rows(std::ostream &out, const std::vector<size_t> &widths) const {
    for (const auto &row : rows_) print_row(out, row, widths);
}

void Table::print(std::ostream &out) const {
    const auto w = widths();
    print_row(out, headers_, w);
    print_rows(out, w);
}

void StreamingTable::add(std::vector<std::string> row) {
    ++rows_;
    if (!widths_.empty()) {
        table_.print_row(out_, row, widths_);
        return;
    }
    table_.add(std::move(row));
    if (rows_ == sample_) {
        widths_ = table_.widths();
        table_.print(out_);
        table_.clear();
    }
}

size_t StreamingTable::finish() {
    if (widths_.empty() && rows_ > 0) {
        table_.print(out_);
        table_.clear();
    }
    return rows_;
}

void JsonArrayWriter::add(const json &element) {
    // Indented one level deeper than on its own: each of its lines two spaces in.
    const std::string text = dump_json(element, 2);
    out_ << (any_ ? ",\n  " : "[\n  ");
    size_t start = 0;
    for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) out_ << text.substr(start, nl + 1 - start) << "  ";
    out_ << text.substr(start);
    any_ = true;
}

void JsonArrayWriter::finish() { out_ << (any_ ? "\n]\n" : "[]\n"); }

void print_fields(std::ostream &out, const std::vector<std::pair<std::string, std::string>> &fields) {
    size_t w = 0;
    for (const auto &[k, v] : fields) w = std::max(w, width(k));
    for (const auto &[k, v] : fields) out << k << ':' << std::string(w - width(k) + 1, ' ') << v << '\n';
}

std::string dump_json(const json &value, int indent) { return value.dump(indent, ' ', false, json::error_handler_t::replace); }

void print_json(std::ostream &out, const json &value) { out << dump_json(value, 2) << '\n'; }

}  // namespace provisio::cli
