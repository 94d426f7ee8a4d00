// The runners of one module: started when needed, reused across calls, each serving up to
// `calls_per_runner` calls at once, at most `max_runners` of them, so concurrent calls stay
// concurrent without a process per call in flight. A call is sent to a runner with room (or a
// new one, or waits for room) and waits until the module's deadline; the callers waiting on one
// runner take turns reading its replies, so a call pays no hand-over to another thread.
//
// A runner that hangs past a call's deadline is killed, and one that dies is replaced. Which
// call is to blame is known only when the runner served it alone: a runner that dies with
// several calls in flight cannot say which of them killed it, so each of those calls is made
// once more, alone in a runner of its own. The call to blame then dies alone and is reported
// (aborted, retryable, with what happened); the others finish. A call whose own deadline passed
// is the one that timed out. Thread-safe.
#pragma once

#include "modulehost/runner_process.hpp"
#include "modulehost/runner_wire.hpp"

#include <condition_variable>
#include <map>
#include <mutex>

namespace provisio {

class RunnerPool {
public:
    // `first` is the runner that loaded the module for the host: it serves the first calls.
    RunnerPool(const RunnerSetup &setup, std::filesystem::path file, std::string module, std::unique_ptr<RunnerProcess> first,
               size_t max_runners, size_t calls_per_runner);
    ~RunnerPool();
    RunnerPool(const RunnerPool &) = delete;
    RunnerPool &operator=(const RunnerPool &) = delete;

    // One call; `what` names it in messages ("suspend", "collect_usage").
    wire::Reply call(wire::Request request, const char *what);

private:
    struct Runner;
    struct Waiter;
    enum class Ended { answered, timed_out, died_alone, died_with_others };
    wire::Reply call_on(wire::Request &request, const std::string &call_name, bool alone);
    std::shared_ptr<Runner> acquire(bool alone, std::string &error);
    std::unique_ptr<RunnerProcess> start_runner(std::string &error);
    void release(const std::shared_ptr<Runner> &runner);
    Ended wait_for_reply(Runner &runner, Waiter &me, std::unique_lock<std::mutex> &lock);

    const RunnerSetup setup_;  // its own copy: the call timeout is per module
    const std::filesystem::path file_;
    const std::string module_;
    const size_t max_runners_, calls_per_runner_;
    std::mutex mutex_;
    std::condition_variable room_;  // a runner has room, or may be started
    std::vector<std::shared_ptr<Runner>> runners_;
    size_t starting_ = 0;
    uint64_t next_id_ = 1;
};

}  // namespace provisio
