// Invoice generation: every service and addon whose next invoice date falls within the lead
// time (`days_before` the due date) gets a line for that period; a client's lines with the same
// due date share one invoice (or get one each when the client asks for separate invoices).
// Periods missed while cron was down are each invoiced with their own due date.
//
// Each line's natural key (service:ID:DUE or addon:ID:DUE) is unique: no period is invoiced
// twice, whatever crashes or re-runs happen. Work is committed in batches of clients.
#pragma once

#include "foundation/calendar.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

class Database;

struct GenerationOptions {
    Date today;
    int days_before = 7;                 // invoice this many days ahead of the due date
    std::optional<int64_t> service_id;   // only this service ("invoice early")
    std::optional<int64_t> addon_id;     // only this addon (its first invoice)
    bool early = false;                  // ignore the lead time: invoice the next due date now
    int max_periods_per_item = 36;       // catch-up bound per run
    int clients_per_transaction = 500;
    bool dry_run = false;                // count what would be invoiced, change nothing
};

struct GenerationReport {
    int invoices = 0;
    int lines = 0;
    int paid_by_credit = 0;
    std::vector<int64_t> invoice_ids;
    std::vector<std::string> notes;      // e.g. catch-up bounds hit
};

GenerationReport generate_invoices(Database &db, const std::string &now, const GenerationOptions &options);

}  // namespace provisio
