#include "modulehost/runner_pool.hpp"

namespace provisio {

namespace {

wire::Reply aborted(const wire::Request &request, CallOutcome::Abort how, std::string message) {
    wire::Reply r;
    r.outcome.status = PROVISIO_RETRYABLE;
    r.outcome.message = std::move(message);
    r.outcome.state = request.input.state;
    r.outcome.aborted = how;
    r.schedule_error = r.outcome.message;
    return r;
}

}  // namespace

RunnerPool::RunnerPool(const RunnerSetup &setup, std::filesystem::path file, std::string module, std::unique_ptr<RunnerProcess> first,
                       size_t max)
    : setup_(setup), file_(std::move(file)), module_(std::move(module)), max_(std::max<size_t>(max, 1)) {
    if (first) {
        idle_.push_back(std::move(first));
        running_ = 1;
    }
}

RunnerPool::~RunnerPool() = default;

std::unique_ptr<RunnerProcess> RunnerPool::acquire(std::string &error) {
    std::unique_lock lock(mutex_);
    idle_changed_.wait(lock, [&] { return !idle_.empty() || running_ < max_; });
    if (!idle_.empty()) {
        auto runner = std::move(idle_.back());
        idle_.pop_back();
        return runner;
    }
    ++running_;
    lock.unlock();
    // A fresh runner loads the module again and says so before it serves.
    try {
        auto runner = RunnerProcess::start(setup_, file_);
        const auto got = runner->receive(std::chrono::steady_clock::now() + setup_.load_timeout);
        if (got.result == RunnerProcess::Result::ok) {
            const wire::LoadReply loaded = wire::decode_load_reply(got.payload);
            if (loaded.loaded) return runner;
            error = "module " + module_ + " no longer loads: " + loaded.reason;
        } else {
            error = "module " + module_ + "'s new runner " +
                    (got.result == RunnerProcess::Result::timeout ? "did not finish loading within " + seconds_text(setup_.load_timeout)
                                                                  : "died while loading: " + got.what);
        }
    } catch (const std::exception &e) {
        error = "module " + module_ + ": " + e.what();
    }
    release(nullptr);
    return nullptr;
}

void RunnerPool::release(std::unique_ptr<RunnerProcess> runner) {
    {
        std::lock_guard lock(mutex_);
        if (runner && !runner->finished()) idle_.push_back(std::move(runner));
        else --running_;
    }
    idle_changed_.notify_one();
}

wire::Reply RunnerPool::call(const wire::Request &request, const char *what) {
    std::string error;
    auto runner = acquire(error);
    const std::string call_name = std::string(what) + (request.input.service_id ? ", service " + std::to_string(request.input.service_id) : "");
    if (!runner) return aborted(request, CallOutcome::Abort::crash, error + " (" + call_name + ")");
    const auto started = std::chrono::steady_clock::now();
    runner->send(wire::frame(wire::encode(request)));
    const auto got = runner->receive(started + setup_.call_timeout);
    if (got.result == RunnerProcess::Result::ok) {
        try {
            wire::Reply reply = wire::decode_reply(got.payload);
            release(std::move(runner));
            return reply;
        } catch (const wire::Malformed &e) {
            runner.reset();  // a runner that garbles its reply is not trusted with another call
            release(nullptr);
            return aborted(request, CallOutcome::Abort::crash, "module " + module_ + "'s runner answered garbage (" + e.what() + ") (" + call_name + ")");
        }
    }
    const std::string tail = runner->stderr_tail();
    runner.reset();
    release(nullptr);
    if (got.result == RunnerProcess::Result::timeout)
        return aborted(request, CallOutcome::Abort::timeout,
                       "module " + module_ + " did not answer within " + seconds_text(setup_.call_timeout) + " (" + call_name + "); its runner was stopped");
    return aborted(request, CallOutcome::Abort::crash,
                   "module " + module_ + "'s runner " + got.what + " during " + call_name + (tail.empty() ? "" : "; its last output: " + tail));
}

}  // namespace provisio
