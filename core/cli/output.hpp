// How the CLI prints: aligned tables and key/value blocks for people, JSON for scripts.
#pragma once

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace provisio::cli {

using json = nlohmann::ordered_json;

class Table {
public:
    explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    bool empty() const { return rows_.empty(); }
    void print(std::ostream &out) const;

private:
    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
};

// "key: value" lines with the keys aligned.
void print_fields(std::ostream &out, const std::vector<std::pair<std::string, std::string>> &fields);
// JSON text of `value`. Stored text is UTF-8 (every input is checked), but a byte that is not —
// in a database written before those checks — prints as U+FFFD rather than failing the command.
std::string dump_json(const json &value, int indent = -1);
void print_json(std::ostream &out, const json &value);

}  // namespace provisio::cli
