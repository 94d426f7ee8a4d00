// Billing cycles and due-date arithmetic.
//
// A recurring cycle is a whole number of calendar months. Due dates advance anchored on the
// service's original day of the month, clamped to the month's end, so a service first due on
// the 31st is due Jan 31, Feb 28 (29), Mar 31, Apr 30, ... and never drifts to the 28th.
#pragma once

#include "foundation/calendar.hpp"
#include "money/money.hpp"

#include <string_view>

namespace provisio {

// Months in one cycle: monthly 1, quarterly 3, semiannually 6, annually 12, biennially 24,
// triennially 36; 0 for free and onetime (they do not recur).
int cycle_months(std::string_view cycle);
bool cycle_recurs(std::string_view cycle);
// free products are never invoiced; everything else is (onetime once).
bool cycle_invoices(std::string_view cycle);
// The due date one cycle after `due`, on `anchor_day`. For a cycle that does not recur,
// returns `due`.
Date next_due_date(Date due, std::string_view cycle, unsigned anchor_day);
// The due date one cycle before `due` (the start of the period `due` closes).
Date previous_due_date(Date due, std::string_view cycle, unsigned anchor_day);

// A product's price for `product_cycle` restated for `service_cycle` (pro rata by months),
// rounded half-up to `decimals`. Equal cycles, or cycles that do not recur, keep the price.
Money recurring_price(Money price, std::string_view product_cycle, std::string_view service_cycle, int decimals);

}  // namespace provisio
