// Overdue automation: suspend services whose invoices are unpaid too long after their due
// date (reason "Overdue on Payment"), unsuspend them when paid up — only services automation
// suspended, or suspended with a blank reason — and terminate them later still, cancelling
// their addons. Each service's auto-suspension can be overridden until a date, or for ever.
#pragma once

#include "automation/task.hpp"

#include <optional>
#include <vector>

namespace provisio {

inline constexpr const char *overdue_reason = "Overdue on Payment";

struct OverdueOptions {
    int suspend_days = 0;    // 0: never suspend
    int terminate_days = 0;  // 0: never terminate
};

// Suspensions and terminations due today.
TaskResult suspend_and_terminate_overdue(TaskContext &ctx, const OverdueOptions &options);
// Unsuspends the services (all, or those given) that automation may release: paid up, and
// suspended by automation or with a blank reason.
TaskResult release_paid_up(TaskContext &ctx, const std::optional<std::vector<int64_t>> &only);

}  // namespace provisio
