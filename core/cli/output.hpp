// How the CLI prints: aligned tables and key/value blocks for people, JSON for scripts.
#pragma once

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace provisio::cli {

using json = nlohmann::ordered_json;

// A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
std::string csv_field(const std::string &s);

class Table {
public:
    explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    bool empty() const { return rows_.empty(); }
    void print(std::ostream &out) const;
    // The widths print() would use; prints one row (or the headers) in `widths`.
    std::vector<size_t> widths() const;
    void print_row(std::ostream &out, const std::vector<std::string> &cells, const std::vector<size_t> &widths) const;
    void print_rows(std::ostream &out, const std::vector<size_t> &widths) const;  // the rows held, not the headers
    void print_csv(std::ostream &out) const;  // RFC 4180: the headers, then the rows
    const std::vector<std::string> &headers() const { return headers_; }
    void clear() { rows_.clear(); }

private:
    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
};

// A table printed while it is filled, for lists of any length: the column widths come from the
// first `sample` rows, held until then; later rows print at once in those widths (a longer cell
// pushes the rest of its row right). finish() prints what is held and returns the row count.
class StreamingTable {
public:
    StreamingTable(std::ostream &out, std::vector<std::string> headers, size_t sample = 200)
        : out_(out), table_(std::move(headers)), sample_(sample) {}
    void add(std::vector<std::string> row);
    size_t finish();

private:
    std::ostream &out_;
    Table table_;
    size_t sample_;
    size_t rows_ = 0;
    std::vector<size_t> widths_;  // set once the sample is printed
};

// A JSON array printed element by element, byte for byte as print_json prints the whole array,
// without holding it.
class JsonArrayWriter {
public:
    explicit JsonArrayWriter(std::ostream &out) : out_(out) {}
    void add(const json &element);
    void finish();

private:
    std::ostream &out_;
    bool any_ = false;
};

// "key: value" lines with the keys aligned.
void print_fields(std::ostream &out, const std::vector<std::pair<std::string, std::string>> &fields);
// JSON text of `value`. Stored text is UTF-8 (every input is checked), but a byte that is not —
// in a database written before those checks — prints as U+FFFD rather than failing the command.
std::string dump_json(const json &value, int indent = -1);
void print_json(std::ostream &out, const json &value);

}  // namespace provisio::cli
