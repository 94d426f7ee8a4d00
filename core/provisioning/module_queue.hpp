// The module queue: lifecycle calls that failed with a retryable error wait here until
// `provisio queue retry` (or the cron task of a later issue) runs them again. There is at most
// one open item per service and action; a repeat failure counts another attempt on it.
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
};

// Opens an item, or counts one more attempt on the open one; returns its id.
int64_t enqueue(Database &db, int64_t service_id, const std::string &action, const std::string &reason,
                const std::string &requested_by, const std::string &error, const std::string &now);
// Closes the open item for (service, action), if any, with `outcome` and the error to keep.
void resolve_queued(Database &db, int64_t service_id, const std::string &action, const std::string &outcome,
                    const std::string &error, const std::string &now);
std::vector<QueueItem> list_queue(Database &db, bool include_resolved);
std::optional<QueueItem> get_queue_item(Database &db, int64_t id);

}  // namespace provisio
