// The runners of one module: started when needed, reused across calls, at most `max` at once so
// concurrent calls stay concurrent. A call gets an idle runner (or a new one, or waits for one),
// sends its request, and waits until the module's deadline; a runner that hangs is killed and
// one that dies is replaced, and the call comes back as an aborted, retryable outcome that says
// what happened. Thread-safe.
#pragma once

#include "modulehost/runner_process.hpp"
#include "modulehost/runner_wire.hpp"

#include <condition_variable>
#include <mutex>

namespace provisio {

class RunnerPool {
public:
    // `first` is the runner that loaded the module for the host: it serves the first call.
    RunnerPool(const RunnerSetup &setup, std::filesystem::path file, std::string module, std::unique_ptr<RunnerProcess> first, size_t max);
    ~RunnerPool();
    RunnerPool(const RunnerPool &) = delete;
    RunnerPool &operator=(const RunnerPool &) = delete;

    // One call; `what` names it in messages ("suspend", "collect_usage").
    wire::Reply call(const wire::Request &request, const char *what);

private:
    std::unique_ptr<RunnerProcess> acquire(std::string &error);
    void release(std::unique_ptr<RunnerProcess> runner);
    const RunnerSetup setup_;  // its own copy: the call timeout is per module
    const std::filesystem::path file_;
    const std::string module_;
    const size_t max_;
    std::mutex mutex_;
    std::condition_variable idle_changed_;
    std::vector<std::unique_ptr<RunnerProcess>> idle_;
    size_t running_ = 0;  // runners alive, idle or busy
};

}  // namespace provisio
