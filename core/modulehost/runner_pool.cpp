#include "modulehost/runner_pool.hpp"

namespace provisio {

namespace {

wire::Reply aborted(const wire::Request &request, CallOutcome::Abort how, std::string message) {
    wire::Reply r;
    r.outcome.status = PROVISIO_RETRYABLE;
    r.outcome.message = std::move(message);
    r.outcome.state = request.in().state;
    r.outcome.aborted = how;
    r.schedule_error = r.outcome.message;
    return r;
}

}  // namespace

// A call waiting for its reply: the caller that reads the runner's socket fills in another's.
struct RunnerPool::Waiter {
    std::chrono::steady_clock::time_point deadline;
    std::condition_variable wake;
    bool answered = false;
    wire::Reply reply;
};

struct RunnerPool::Runner {
    std::unique_ptr<RunnerProcess> process;
    size_t in_flight = 0;    // calls given to it and not yet released
    bool ready = false;      // started (or failed to start: then dead)
    bool exclusive = false;  // serving a call that must run alone
    bool reading = false;    // one of its callers is reading its socket
    std::map<uint64_t, Waiter *> waiting;  // by request id
    // Once it has died (or was stopped), for good:
    bool dead = false, timed_out = false;
    size_t waiting_at_death = 0;
    std::chrono::steady_clock::time_point died_at;
    std::string death, tail;  // what happened; the last lines of its stderr
};

RunnerPool::RunnerPool(const RunnerSetup &setup, std::filesystem::path file, std::string module, std::unique_ptr<RunnerProcess> first,
                       size_t max_runners, size_t calls_per_runner)
    : setup_(setup), file_(std::move(file)), module_(std::move(module)), max_runners_(std::max<size_t>(max_runners, 1)),
      calls_per_runner_(std::max<size_t>(calls_per_runner, 1)) {
    if (first) {
        auto runner = std::make_shared<Runner>();
        runner->process = std::move(first);
        runner->ready = true;
        runners_.push_back(std::move(runner));
    }
}

RunnerPool::~RunnerPool() = default;

std::unique_ptr<RunnerProcess> RunnerPool::start_runner(std::string &error) {
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
    return nullptr;
}

// A runner with room for the call (a runner of its own when `alone`), or a new one; the call is
// counted in its in_flight. Calls are packed into as few runners as carry them, and a runner
// being started counts as room, so a burst of calls starts one runner per calls_per_runner.
std::shared_ptr<RunnerPool::Runner> RunnerPool::acquire(bool alone, std::string &error) {
    std::unique_lock lock(mutex_);
    while (true) {
        std::shared_ptr<Runner> best;
        for (const auto &r : runners_) {
            if (r->dead || r->exclusive || r->in_flight >= (alone ? 1 : calls_per_runner_)) continue;
            if (!best || r->in_flight > best->in_flight) best = r;
        }
        if (best) {
            ++best->in_flight;
            best->exclusive = alone;
            room_.wait(lock, [&] { return best->ready; });
            if (!best->dead) return best;
            error = best->death;
            lock.unlock();
            release(best);
            return nullptr;
        }
        if (runners_.size() < max_runners_) break;
        room_.wait(lock);
    }
    // Start one: it is in the list at once, so the calls that follow wait for it.
    auto runner = std::make_shared<Runner>();
    runner->in_flight = 1;
    runner->exclusive = alone;
    runners_.push_back(runner);
    lock.unlock();
    std::string why;
    auto process = start_runner(why);
    const bool started = process != nullptr;
    lock.lock();
    runner->ready = true;
    runner->process = std::move(process);
    runner->dead = !started;
    runner->death = why;
    lock.unlock();
    room_.notify_all();
    if (started) return runner;
    error = why;
    release(runner);
    return nullptr;
}

void RunnerPool::release(const std::shared_ptr<Runner> &runner) {
    std::shared_ptr<Runner> gone;  // a dead runner's process is reaped outside the lock
    {
        std::lock_guard lock(mutex_);
        if (--runner->in_flight == 0) {
            runner->exclusive = false;
            if (runner->dead) {
                gone = runner;
                std::erase(runners_, runner);
            }
        }
    }
    room_.notify_all();
}

// Waits for `me`'s reply, reading the runner's socket whenever no other caller is; returns how
// the call ended. `lock` holds mutex_.
RunnerPool::Ended RunnerPool::wait_for_reply(Runner &runner, Waiter &me, std::unique_lock<std::mutex> &lock) {
    while (!me.answered && !runner.dead) {
        if (runner.reading) {
            me.wake.wait(lock);
            continue;
        }
        runner.reading = true;
        auto deadline = me.deadline;
        for (const auto &[id, w] : runner.waiting) deadline = std::min(deadline, w->deadline);
        const bool lone = runner.waiting.size() == 1;  // calls one after another: the reply comes in µs
        lock.unlock();
        const auto got = runner.process->receive(deadline, lone);
        std::optional<wire::Reply> reply;
        std::string death;
        if (got.result == RunnerProcess::Result::ok) {
            try {
                reply = wire::decode_reply(got.payload);
            } catch (const wire::Malformed &e) {
                death = std::string("answered garbage (") + e.what() + ") and was stopped (" + runner.process->stop() + ")";
            }
        } else {
            death = got.result == RunnerProcess::Result::timeout ? "was stopped at a call's deadline" : got.what;
        }
        lock.lock();
        runner.reading = false;
        if (reply) {
            const auto it = runner.waiting.find(reply->id);
            if (it != runner.waiting.end() && !it->second->answered) {
                it->second->reply = std::move(*reply);
                it->second->answered = true;
                it->second->wake.notify_one();
            } else {
                death = "answered a call it was not given (" + std::to_string(reply->id) + ") and was stopped (" + runner.process->stop() + ")";
            }
        }
        if (!death.empty()) {
            runner.dead = true;
            runner.timed_out = got.result == RunnerProcess::Result::timeout;
            runner.died_at = std::chrono::steady_clock::now();
            runner.waiting_at_death = runner.waiting.size();
            runner.death = std::move(death);
            runner.tail = runner.process->stderr_tail();
            for (const auto &[id, w] : runner.waiting) w->wake.notify_one();
        }
    }
    if (!runner.dead) {
        // Someone else must read now: hand the socket to a caller still waiting.
        if (!runner.reading)
            for (const auto &[id, w] : runner.waiting)
                if (w != &me && !w->answered) {
                    w->wake.notify_one();
                    break;
                }
        return Ended::answered;
    }
    if (me.answered) return Ended::answered;
    if (runner.timed_out && me.deadline <= runner.died_at) return Ended::timed_out;
    return runner.waiting_at_death <= 1 ? Ended::died_alone : Ended::died_with_others;
}

wire::Reply RunnerPool::call_on(wire::Request &request, const std::string &call_name, bool alone) {
    std::string error;
    const auto runner = acquire(alone, error);
    if (!runner) return aborted(request, CallOutcome::Abort::crash, error + " (" + call_name + ")");
    Waiter me;
    me.deadline = std::chrono::steady_clock::now() + setup_.call_timeout;
    std::unique_lock lock(mutex_);
    request.id = next_id_++;
    runner->waiting[request.id] = &me;
    lock.unlock();
    // A send that fails finds the runner dead: whoever reads its socket next says how it ended.
    runner->process->send(wire::frame(wire::encode(request)));
    lock.lock();
    const Ended ended = wait_for_reply(*runner, me, lock);
    runner->waiting.erase(request.id);
    const std::string death = runner->death, tail = runner->tail;
    lock.unlock();
    release(runner);
    switch (ended) {
    case Ended::answered: return std::move(me.reply);
    case Ended::timed_out:
        return aborted(request, CallOutcome::Abort::timeout,
                       "module " + module_ + " did not answer within " + seconds_text(setup_.call_timeout) + " (" + call_name + "); its runner was stopped");
    case Ended::died_with_others:
        // Which of the runner's calls killed it is unknown: this one is made again, alone.
        if (!alone) return call_on(request, call_name, true);
        [[fallthrough]];
    case Ended::died_alone: break;
    }
    return aborted(request, CallOutcome::Abort::crash,
                   "module " + module_ + "'s runner " + death + " during " + call_name + (tail.empty() ? "" : "; its last output: " + tail));
}

wire::Reply RunnerPool::call(wire::Request request, const char *what) {
    const std::string call_name = std::string(what) + (request.in().service_id ? ", service " + std::to_string(request.in().service_id) : "");
    return call_on(request, call_name, false);
}

}  // namespace provisio
