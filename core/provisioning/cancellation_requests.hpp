// Cancellation requests: a client (or the operator for it) asks for a service to be cancelled at
// once or at the end of its billing period; cron applies it (automation/tasks/cancellations),
// and no renewal invoice is made while one is open. One implementation for the CLI's
// `service cancel-request` / `cancel-withdraw` and the client area.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

class Repository;

struct CancellationRequest {
    int64_t id = 0;
    int64_t service_id = 0;
    std::string type;  // immediate, end_of_period
    std::string reason;
    std::string requested_at;
    std::optional<std::string> applied_at;  // when cron applied it
};

// `when`: "immediate" or "end-of-period". Error(invalid_input) for another `when`,
// Error(refused) for a service already cancelled or terminated, Error(conflict) when one is
// open already; Error(not_found) for an unknown service. Audited (`actor`: empty for the system
// user running the command).
CancellationRequest request_cancellation(Repository &repo, int64_t service_id, const std::string &when, const std::string &reason,
                                         const std::string &actor = {});
// Error(not_found) when the service has no open request.
void withdraw_cancellation(Repository &repo, int64_t service_id, const std::string &actor = {});
// The service's open request, if any.
std::optional<CancellationRequest> open_cancellation(Repository &repo, int64_t service_id);
// Requests in id order: the open ones, or (`applied_too`) every one.
std::vector<CancellationRequest> list_cancellations(Repository &repo, bool applied_too);

}  // namespace provisio
