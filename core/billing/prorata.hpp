// Moving services' next due date with a prorata invoice: one line per service covering the
// gap between its current and its new due date, at its recurring price per day. The due dates
// move only when that invoice is paid (a pending change settled with it).
//
// Day-count convention: days = new due date − current due date (calendar days; the line's
// period reads current .. new−1, inclusive). Price per day = recurring amount ÷ (30 × months in
// the cycle). Amount = recurring × days ÷ (30 × months), rounded half-up to the currency's
// decimals once, per line. See docs/operator-guide.md for the worked example.
#pragma once

#include "foundation/calendar.hpp"
#include "money/money.hpp"

#include <cstdint>
#include <vector>

namespace provisio {

class Database;

// The prorata amount for moving a due date on by `days` (see the convention above).
Money prorata_amount(Money recurring, int cycle_months, int days, int decimals);

// Creates the prorata invoice for `services` (all of one client) moving to `new_due`, with a
// pending due-date change per service applied when it is paid. Returns the invoice id.
// Refuses a date not after a service's current due date, a service without a recurring cycle
// or due date, and services of different clients.
int64_t create_prorata_invoice(Database &db, const std::string &now, Date today, const std::vector<int64_t> &services,
                               Date new_due);

// Applies one pending change (a new due date, or an upgrade — which also queues the module's
// change_package); nothing if it was applied or cancelled already.
void apply_pending_change(Database &db, int64_t change_id, const std::string &now);
// Applies the pending changes tied to a paid invoice (called when it is settled).
void apply_pending_changes(Database &db, int64_t invoice_id, const std::string &now);

}  // namespace provisio
