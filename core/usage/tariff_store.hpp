// Tariffs in the database: each import is a new version of the tariff's rates, the previous
// ones kept for audit and re-rating; the column map used is saved for the next import.
#pragma once

#include "usage/tariff.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace provisio {
class Database;
}

namespace provisio::usage {

struct TariffVersion {
    int64_t id = 0;
    int version = 0;
    std::string imported_at, source_file;
    int64_t rate_count = 0;
};

struct Tariff {
    int64_t id = 0;
    std::string name;
    std::map<std::string, std::string> column_map;  // the provider's header → our field
    std::optional<TariffVersion> current;
};

class TariffStore {
public:
    TariffStore(Database &db, std::string now) : db_(db), now_(std::move(now)) {}

    // Reads `file` as the next version of tariff `name` (created on first import). `map`
    // adds to (and overrides) the saved column map. A card with any error changes nothing and
    // throws Error(invalid_input) listing the errors with their line numbers.
    TariffVersion import(const std::string &name, const std::filesystem::path &file, const std::map<std::string, std::string> &map);
    // The same from a rate card's text (an upload); `source` is recorded as where it came from.
    TariffVersion import_text(const std::string &name, const std::string &csv, const std::string &source,
                              const std::map<std::string, std::string> &map);
    Tariff find(const std::string &name_or_id);  // Error(not_found)
    Tariff get(int64_t id);
    std::vector<Tariff> list();
    std::vector<TariffVersion> versions(int64_t tariff_id);
    std::vector<Rate> rates(int64_t version_id);

private:
    Tariff read(int64_t id);
    TariffVersion import_card(const std::string &name, const std::string &source, const std::map<std::string, std::string> &map,
                              const std::function<ParsedCard(const std::map<std::string, std::string> &)> &read_card);
    Database &db_;
    std::string now_;
};

}  // namespace provisio::usage
