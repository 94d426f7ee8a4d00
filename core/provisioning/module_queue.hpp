// The module queue: lifecycle calls that failed with a retryable error wait here until
// `provisio queue retry` or cron's module-queue task runs them again. There is at most one open
// item per service and action; a repeat failure counts another attempt on it.
//
// An open item may be parked (provisioning/quarantine.hpp): its call kept being aborted — the
// module's runner hit the deadline or died — so no task makes it again until an operator
// releases it (`provisio queue release ID`), which starts its count afresh.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

class Database;

struct QueueItem {
    int64_t id = 0;
    int64_t service_id = 0;
    std::string action;
    std::string reason;
    int64_t attempts = 0;
    std::string last_error;
    std::string created_at;
    std::string last_attempt_at;
    std::optional<std::string> resolved_at;
    std::optional<std::string> outcome;  // done, failed, obsolete
    std::string requested_by;            // the task that made the call ("autosuspend"), empty for an operator
    int64_t aborts = 0;                  // attempts aborted (timeout, crash) since it was queued or released
    std::optional<std::string> parked_at;
    std::string parked_reason;
    // open, parked, or the outcome once resolved.
    std::string state() const { return outcome ? *outcome : parked_at ? "parked" : "open"; }
};

// What one attempt was, for the counts enqueue() keeps.
enum class Attempt {
    failed,    // the module answered with a retryable error
    aborted,   // the call never finished in the module (CallOutcome::aborted)
    not_made,  // the call was not made (its module is skipped for the rest of the run): no attempt counted
};

struct Enqueued {
    int64_t id = 0;
    int64_t aborts = 0;  // on the item, this attempt included
    bool parked = false; // it was parked before this attempt
};

// Opens an item, or counts one more attempt on the open one.
Enqueued enqueue(Database &db, int64_t service_id, const std::string &action, const std::string &reason,
                 const std::string &requested_by, const std::string &error, const std::string &now,
                 Attempt attempt = Attempt::failed);
// Closes the open item for (service, action), if any, with `outcome` and the error to keep.
void resolve_queued(Database &db, int64_t service_id, const std::string &action, const std::string &outcome,
                    const std::string &error, const std::string &now);
// Parks the open item `id` with the reason; releasing it clears the mark and its abort count.
void park_queued(Database &db, int64_t id, const std::string &reason, const std::string &now);
void release_queued(Database &db, int64_t id);
// The same for an operator: Error(not_found) for no such item, Error(refused) for one resolved
// or not parked. Answers the item as it was (its parked reason).
QueueItem release_parked(Database &db, int64_t id);
// The parked item for (service, action), if there is one.
std::optional<QueueItem> parked_item(Database &db, int64_t service_id, const std::string &action);
std::vector<QueueItem> list_queue(Database &db, bool include_resolved);
std::optional<QueueItem> get_queue_item(Database &db, int64_t id);

}  // namespace provisio
