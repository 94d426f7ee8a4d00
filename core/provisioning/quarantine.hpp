// Quarantine: one module call that keeps dying must not cost every run its time, nor stop the
// other services. Every module call the core makes for a service — lifecycle, credit cycle,
// usage collection, invoice event — goes through Quarantine::call(), and this file is the one
// place that counts calls *aborted* (CallOutcome::aborted: the module's runner hit the call's
// deadline or died). Two counts:
//
// - per module, within one run (a cron run, one command): after `skip_module_after` aborted
//   calls of a module in a row, call() makes none of its calls for the rest of the run and
//   answers nullopt; callers leave those calls queued (a lifecycle call goes on the module
//   queue without an attempt counted), never failed. Any call that was not aborted ends the row.
// - per (service, action), across runs, on the call's module-queue item: its `park_after`-th
//   aborted attempt parks the item (park_if_due). No task makes a parked call again until an
//   operator runs `provisio queue release ID`, which starts the count afresh.
//
// Calls other than lifecycle ones are not queued, so they count only toward the module's row:
// their own bookkeeping already retries them (a credit period or a usage cursor waits for the
// next run; an invoice event gives up after 10 attempts). The two questions whose answer is no
// CallOutcome — a module's credit schedule and its whole-settings check — cannot report an
// abort; the schedule is not asked of a skipped module.
//
// Thread-safety: call(), skips() and why_skipped() may run on any thread (autosuspend's
// workers); park_if_due() and the run's lists on the thread that owns the database.
#pragma once

#include "modulehost/module_host.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace provisio {

class Database;
struct Enqueued;

struct QuarantineLimits {
    int park_after = 3;         // [modules] quarantine_after
    int skip_module_after = 3;  // [modules] skip_module_after
};

class Quarantine {
public:
    explicit Quarantine(QuarantineLimits limits = {}) : limits_(limits) {}
    Quarantine(const Quarantine &) = delete;
    Quarantine &operator=(const Quarantine &) = delete;

    const QuarantineLimits &limits() const { return limits_; }

    // Makes one call of `module` about `input` with `make` (returning a CallOutcome), unless the
    // run skips the module: then nullopt, and nothing is called. The outcome counts toward the
    // module's row of aborted calls.
    template <class Make>
    std::optional<CallOutcome> call(const LoadedModule &module, const CallInput &input, Make &&make) {
        if (skips(module.name())) {
            note_not_made(module.name());
            return std::nullopt;
        }
        CallOutcome outcome = make();
        if (rewrite_outcome_for_tests) rewrite_outcome_for_tests(module, input, outcome);
        count(module.name(), outcome);
        return outcome;
    }

    bool skips(std::string_view module) const;
    // Why calls of a skipped module are not made, for the messages of those calls.
    std::string why_skipped(std::string_view module) const;

    // After an aborted lifecycle call was queued (`queued`, from enqueue with Attempt::aborted):
    // parks the item when this was its park_after-th aborted attempt. Returns the reason it was
    // parked for, or nullopt.
    std::optional<std::string> park_if_due(Database &db, const Enqueued &queued, int64_t service_id, const std::string &action,
                                           const std::string &module, const CallOutcome &outcome, const std::string &now);

    // What this run parked and skipped, one line each, for the run's report and history:
    // "create of service 3 (queue item 2) after 3 aborted attempts: …",
    // "module scripted after 3 aborted calls in a row; 4 call(s) not made".
    std::vector<std::string> parked() const;
    std::vector<std::string> skipped_modules() const;

    // Test seam, until the module runners can abort a call for real: rewrites each outcome
    // before it is counted (tests/integration/test_quarantine.cpp marks chosen calls aborted, as
    // a runner would). Production code never sets it. May be called from several threads.
    std::function<void(const LoadedModule &, const CallInput &, CallOutcome &)> rewrite_outcome_for_tests;

private:
    void count(const std::string &module, const CallOutcome &outcome);
    void note_not_made(const std::string &module);

    struct Row {
        int aborted_in_a_row = 0;
        bool skipped = false;
        int not_made = 0;
        std::string last_abort;  // the message of the last aborted call
    };
    QuarantineLimits limits_;
    mutable std::mutex mutex_;
    std::map<std::string, Row, std::less<>> modules_;
    std::vector<std::string> parked_;
};

}  // namespace provisio
