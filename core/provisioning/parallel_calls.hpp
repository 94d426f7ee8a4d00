// Module calls made many at a time (autosuspend's sweep): at most `workers` in flight overall
// and at most each server's max_concurrent against one server. The calls run on worker
// threads; their outcomes come back on the calling thread as they finish, so only it touches
// the database.
#pragma once

#include "provisioning/lifecycle.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

namespace provisio {

// `server_limits` maps a server id to its max_concurrent; calls without a server, or with one
// not in the map, share `workers`. `done(outcomes)` runs on this thread with the outcomes that
// finished since it last ran (index into `calls`, outcome), so the caller can write a burst of
// them in one transaction; every call's outcome is passed exactly once — nullopt for a call not
// made because the run skips its module (Provisioner::invoke), which complete() queues.
using FinishedCalls = std::vector<std::pair<size_t, std::optional<CallOutcome>>>;
void run_in_parallel(const Provisioner &provisioner, const std::vector<PreparedCall> &calls, int workers,
                     const std::map<int64_t, int> &server_limits, const std::function<void(FinishedCalls &)> &done);
// The same for any `count` calls: call i goes to server `server_of(i)` and is made by `invoke(i)`
// on a worker thread (a payment gateway's charges, each account a server record).
void run_in_parallel(size_t count, const std::function<std::optional<int64_t>(size_t)> &server_of,
                     const std::function<std::optional<CallOutcome>(size_t)> &invoke, int workers, const std::map<int64_t, int> &server_limits,
                     const std::function<void(FinishedCalls &)> &done);

}  // namespace provisio
