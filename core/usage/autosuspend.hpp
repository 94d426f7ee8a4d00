// Autosuspend (every cron run): for clients whose "Has VoIP Service" is Yes, suspend all their
// VoIP services when credit is at or below zero or the unpaid invoices due exceed the credit,
// and mail "VoIP Zero Balance" (only when the client is out of credit, not for a suspension the
// manual fields asked for); unsuspend what autosuspend suspended once credit is positive and
// nothing is owing. "Manual VoIP Suspend" = Yes keeps them suspended; "VoIP Suspended" set by an
// operator to Yes or No forces the outcome (No exempts a trusted account), and otherwise shows
// the autosuspension state: Yes while autosuspend holds services suspended, None after. A service an operator or the overdue
// task suspended is never released here; a service whose auto-suspend override is in effect is
// not suspended. Module calls run concurrently within per-server limits; a failed call is
// reported (a retryable one queued) and the sweep goes on.
// A sweep looks at every VoIP client on the business day's first run, and otherwise only at the
// clients whose credit, invoices, client fields or services changed since the last sweep (kept
// by database triggers in the transactions that change them), plus those whose calls failed.
// A dry run always looks at every client and changes nothing. A client with auto top-up is
// topped up first (AutoTopUp), so a prepaid client with a card is charged instead of cut off.
#pragma once

#include "foundation/calendar.hpp"
#include "money/money.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <map>
#include <string>
#include <vector>

namespace provisio {
class Repository;
class ModuleHost;
class Quarantine;
}  // namespace provisio

namespace provisio::usage {

inline constexpr const char *autosuspend_task = "autosuspend";
inline constexpr const char *zero_balance_template = "VoIP Zero Balance";

struct AutosuspendReport {
    bool full_sweep = true;  // every VoIP client looked at; otherwise only those changed since the last sweep
    int64_t clients_checked = 0;
    int suspended = 0, unsuspended = 0, emails = 0;
    std::vector<std::string> lines;   // one per client acted on (or that would be, in a dry run)
    std::vector<std::string> errors;  // failed calls, missing templates; the sweep went on
};

// Auto top-up, asked about each client the sweep looks at before it judges it (never in a dry
// run, nor for a client an operator suspended or exempted by hand): given the client's credit and
// what it owes, it may buy credit and answer the new credit; `line` and `error`, when set, join
// the sweep's report.
struct TopUpResult {
    std::optional<Money> credit;
    std::string line, error;
};
using AutoTopUp = std::function<TopUpResult(int64_t client_id, Money credit, Money due)>;

// Module calls go through `quarantine` (provisioning/quarantine.hpp).
AutosuspendReport run_autosuspend(Repository &repo, const ModuleHost &host, Quarantine &quarantine, Date today, bool dry_run,
                                  int workers, const AutoTopUp &top_up = {});

}  // namespace provisio::usage
