// The module-call log: one row per lifecycle call (its outcome) and one per exchange the module
// recorded with log_call. Secrets are scrubbed before anything reaches it.
#pragma once

#include "modulehost/module_host.hpp"

#include <optional>
#include <string>
#include <vector>

namespace provisio {

class Database;

struct CallLogEntry {
    int64_t id = 0;
    std::string at;
    std::string module;
    std::optional<int64_t> service_id;
    std::optional<int64_t> server_id;
    std::string action;
    std::string request;
    std::string response;
    std::string status;   // ok, error, retryable, or "exchange" for a module's own log_call
    std::string message;
    int64_t duration_us = 0;
};

const char *status_name(provisio_status status);

// Records a call's outcome and its exchanges.
void record_call(Database &db, const std::string &at, const std::string &module, std::optional<int64_t> service_id,
                 std::optional<int64_t> server_id, const std::string &action, const CallOutcome &outcome);

struct CallLogFilter {
    std::optional<int64_t> service_id;
    std::optional<std::string> module;
    int limit = 50;
};
std::vector<CallLogEntry> list_calls(Database &db, const CallLogFilter &filter);

}  // namespace provisio
