// Upgrades and downgrades: moving a service to another product (and optionally cycle) part way
// through its billing period. The unused part of the old price is credited and the new price
// charged for the same remaining days (same day count as prorata: price × days ÷ (30 × months)),
// keeping the next due date. A positive difference is invoiced and the change takes effect when
// that invoice is paid; a negative one is credited to the client and the change takes effect at
// once. Moving from a free product charges the new price for a whole cycle from today, and the
// next due date moves one cycle out. The module's change_package follows each change.
#pragma once

#include "foundation/calendar.hpp"
#include "money/money.hpp"

#include <optional>
#include <string>

namespace provisio {

class Database;

struct UpgradeQuote {
    int64_t service_id = 0;
    int64_t old_product = 0, new_product = 0;
    std::string old_name, new_name;
    std::string old_cycle, new_cycle;
    Money old_recurring, new_recurring;
    int days_left = 0;
    Money unused_credit;    // for the old product's remaining days
    Money new_charge;       // for the new product over the same days
    Money difference;       // new_charge - unused_credit
    bool free_to_paid = false;
    std::string period_start, period_end;
    std::optional<std::string> new_next_due;  // set when the due date moves (free to paid)
};

UpgradeQuote quote_upgrade(Database &db, Date today, int64_t service_id, int64_t new_product, const std::string &new_cycle);

struct UpgradeOrder {
    std::optional<int64_t> invoice_id;  // the upgrade invoice, when there is something to pay
    Money credited;                     // a downgrade's difference, added to credit
    bool applied_now = false;           // the service already has the new product
};

// Orders the change. With `no_invoice`, nothing is charged or credited and it applies at once.
UpgradeOrder order_upgrade(Database &db, const std::string &now, Date today, const UpgradeQuote &quote, bool no_invoice);

}  // namespace provisio
