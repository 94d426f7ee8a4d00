// VoIP packages: how a product's calls are rated and billed. One per product; a product without
// one has no usage billing.
#pragma once

#include "usage/rating.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace provisio {
class Database;
}

namespace provisio::usage {

// The defaults a new package starts from: toll-free and emergency numbers excluded from
// billing (NANP toll-free and 911/933 for country code 1; 112 and 999 elsewhere), feature codes
// (*x to *xxxx) suppressed.
std::string default_exclude_patterns(const std::string &country_code);
inline constexpr const char *default_suppress_patterns = "*x,*xx,*xxx,*xxxx";

struct PackageRecord {
    int64_t product_id = 0;
    std::optional<int64_t> tariff_id;
    Package rating;
    std::string markup = "0";            // percent as entered
    std::string billing_mode = "prepaid";  // prepaid | invoice | consolidated
    std::string invoice_period = "month";  // invoice modes: a usage invoice per ended day | calendar month
    std::vector<Rate> custom_rates;
    std::string updated_at;
    // Stored fields that no longer read (saved by an older version, or edited by hand), as
    // {option that replaces it, why}: only filled by LoadMode::repairable. A custom rate's
    // option is "--custom-rate PREFIX" (replaced by --custom-rate or --remove-custom-rate).
    std::vector<std::pair<std::string, std::string>> damaged;
};

// What load_package does with a stored field that no longer reads: `strict` refuses, naming the
// field and the `package set` option that replaces it; `repairable` (for `package set` itself)
// leaves the field at its default and lists it in `damaged`.
enum class LoadMode { strict, repairable };

// A package for a product that has none yet, with the defaults for `country_code`.
PackageRecord new_package(int64_t product_id, const std::string &country_code);

std::optional<PackageRecord> load_package(Database &db, int64_t product_id, LoadMode mode = LoadMode::strict);
// Saves the package and its custom rates (replacing the previous ones).
void save_package(Database &db, const PackageRecord &p, const std::string &now);

// The billing modes, validated: Error(invalid_input) otherwise.
const std::string &check_billing_mode(const std::string &mode);
// "day" or "month", validated.
const std::string &check_invoice_period(const std::string &period);

}  // namespace provisio::usage
