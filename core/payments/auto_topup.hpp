// Auto top-up: "when a client's credit falls below X, charge Y to its saved payment method".
// The autosuspend sweep asks before it judges a VoIP client, so a prepaid client with a card is
// topped up instead of cut off. At most [payments] auto_topups_per_day a business day per client;
// a top-up whose outcome is unknown is asked again (same key) before any new one.
#pragma once

#include "automation/task.hpp"
#include "foundation/field_spelling.hpp"
#include "money/money.hpp"

#include <optional>
#include <string>

namespace provisio {

struct AutoTopupSetting {
    int64_t client_id = 0;
    Money threshold, amount;
    bool enabled = false;
    std::string updated_at;
};

std::optional<AutoTopupSetting> auto_topup_setting(Database &db, int64_t client_id);

// Sets or changes the client's auto top-up. `below` and `amount` are decimal text in the
// client's currency (nullopt: keep the stored one; required the first time); the amount must be
// within [payments] topup_min and topup_max. Error naming the field (as `spelling` spells it).
AutoTopupSetting set_auto_topup(TaskContext &ctx, int64_t client_id, const std::optional<std::string> &below,
                                const std::optional<std::string> &amount, bool enabled, FieldSpelling spelling);

struct AutoTopupOutcome {
    std::optional<Money> credit;  // the client's credit after a top-up posted
    std::string line, error;
};

// What the sweep asks: tops the client up when auto top-up is on and credit less what is due
// is below the threshold, within the day's cap, with a saved method at the default gateway.
AutoTopupOutcome run_auto_topup(TaskContext &ctx, int64_t client_id, Money credit, Money due);

}  // namespace provisio
