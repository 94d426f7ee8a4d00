// Re-rating: a service's stored calls in a time range rated again under its package and
// tariff as they are now (after a tariff or package fix). Each call whose rating changes is
// updated, its old rating kept in the re-rate's audit trail; for the calls already billed the
// difference is posted to the client's credit ledger as one new entry — a refund when it fell,
// a debit when it rose. Past entries and invoices are never edited. Calls not billed yet are
// simply billed at their new cost by the next autobill.
#pragma once

#include "foundation/calendar.hpp"
#include "foundation/clock.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace provisio {
class Database;
class Repository;
}  // namespace provisio

namespace provisio::usage {

struct RerateReport {
    std::optional<int64_t> rerate_id;     // none when nothing changed (or a dry run)
    std::string from, to;                 // the range re-rated, UTC, start_at in [from, to)
    bool widened = false;                 // stretched to whole billing periods (free minutes, tiers)
    int64_t tariff_version_id = 0;
    int64_t calls = 0, changed = 0;
    int64_t billed_difference_micros = 0;    // new − old of the changed calls already billed
    int64_t unbilled_difference_micros = 0;  // new − old of those autobill has yet to charge
    std::string currency;
    std::optional<int64_t> credit_entry;  // the posting of the billed difference
    int64_t posted_micros = 0;            // its amount (negative: a debit), in the currency's minor unit
    std::vector<std::string> lines;       // one per changed call
};

// Re-rates service `service_id`'s calls that started in [from, to). When the package has free
// minutes or tiers the range grows to whole billing periods, since each call's share of them
// depends on the calls before it. `dry_run` reports and changes nothing.
RerateReport rerate_calls(Database &db, Repository &repo, const BusinessZone &zone, const std::string &now, int64_t service_id,
                          TimePoint from, TimePoint to, bool dry_run);

}  // namespace provisio::usage
