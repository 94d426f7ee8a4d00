// Low-balance alerts (a daily task): a client whose "Low Balance Threshold" is set and whose
// credit is at or below it gets the "Low Balance Alert" template — every day while low (the
// default, as the original does), or once each time the credit falls to the threshold.
// A blank threshold disables the alerts; closed clients get none.
#pragma once

#include "foundation/calendar.hpp"
#include "money/money.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace provisio {
class Database;
}

namespace provisio::usage {

inline constexpr const char *low_balance_template = "Low Balance Alert";

struct LowBalanceReport {
    int64_t low = 0;    // clients at or below their threshold
    int sent = 0;       // alerts queued
    std::vector<std::string> lines, errors;
};

// A "Low Balance Threshold" value: nullopt when blank (no alerts); Error(invalid_input) when it
// is not an amount (a leading '-' allowed).
std::optional<Money> parse_low_balance_threshold(std::string_view text);
// The client's threshold (its value, else the field's default); nullopt when the field is not
// defined or blank.
std::optional<Money> low_balance_threshold(Database &db, int64_t client_id);

// `once_per_crossing`: alert when a client first goes low, not again until its credit has been
// above the threshold. `dry_run`: report, queue nothing.
LowBalanceReport send_low_balance_alerts(Database &db, const std::string &now, Date today, bool once_per_crossing, bool dry_run);

}  // namespace provisio::usage
