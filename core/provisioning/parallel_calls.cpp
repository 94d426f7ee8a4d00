#include "provisioning/parallel_calls.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace provisio {

namespace {

struct ServerLane {
    std::deque<size_t> waiting;  // call indices
    int limit = 1;
    int in_flight = 0;
};

}  // namespace

void run_in_parallel(const Provisioner &provisioner, const std::vector<PreparedCall> &calls, int workers,
                     const std::map<int64_t, int> &server_limits, const std::function<void(FinishedCalls &)> &done) {
    run_in_parallel(
        calls.size(), [&](size_t i) { return calls[i].service.server_id; }, [&](size_t i) { return provisioner.invoke(calls[i]); }, workers,
        server_limits, done);
}

void run_in_parallel(size_t count, const std::function<std::optional<int64_t>(size_t)> &server_of,
                     const std::function<std::optional<CallOutcome>(size_t)> &invoke, int workers, const std::map<int64_t, int> &server_limits,
                     const std::function<void(FinishedCalls &)> &done) {
    if (count == 0) return;
    workers = std::max(1, std::min<int>(workers, static_cast<int>(count)));
    std::map<int64_t, ServerLane> lanes;  // -1: calls without a known server
    for (size_t i = 0; i < count; ++i) {
        const std::optional<int64_t> server = server_of(i);
        const auto limit = server ? server_limits.find(*server) : server_limits.end();
        ServerLane &lane = lanes[limit == server_limits.end() ? -1 : *server];
        lane.limit = limit == server_limits.end() ? workers : std::max(1, limit->second);
        lane.waiting.push_back(i);
    }
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<std::pair<size_t, std::optional<CallOutcome>>> finished;
    size_t left_to_start = count;
    size_t in_flight = 0;
    bool stopping = false;  // done() failed: start nothing more

    // The next call whose server has room, taking the lanes in turn so no server starves the rest.
    auto next_call = [&](auto &cursor) -> std::optional<std::pair<size_t, ServerLane *>> {
        for (size_t tried = 0; tried < lanes.size(); ++tried, ++cursor) {
            if (cursor == lanes.end()) cursor = lanes.begin();
            ServerLane &lane = cursor->second;
            if (!lane.waiting.empty() && lane.in_flight < lane.limit) {
                const size_t index = lane.waiting.front();
                lane.waiting.pop_front();
                ++lane.in_flight;
                ++in_flight;
                --left_to_start;
                ++cursor;
                return std::make_pair(index, &lane);
            }
        }
        return std::nullopt;
    };

    std::vector<std::thread> pool;
    for (int w = 0; w < workers; ++w) {
        pool.emplace_back([&] {
            auto cursor = lanes.begin();
            std::unique_lock lock(mutex);
            for (;;) {
                std::optional<std::pair<size_t, ServerLane *>> job;
                changed.wait(lock, [&] { return left_to_start == 0 || stopping || (job = next_call(cursor)).has_value(); });
                if (!job) return;
                lock.unlock();
                std::optional<CallOutcome> outcome;
                try {
                    outcome = invoke(job->first);
                } catch (const std::exception &e) {
                    outcome.emplace();
                    outcome->status = PROVISIO_ERROR;
                    outcome->message = std::string("the call failed in the host: ") + e.what();
                }
                lock.lock();
                --job->second->in_flight;
                --in_flight;
                finished.emplace_back(job->first, std::move(outcome));
                changed.notify_all();
            }
        });
    }
    std::exception_ptr failure;
    {
        std::unique_lock lock(mutex);
        for (;;) {
            changed.wait(lock, [&] { return !finished.empty() || ((left_to_start == 0 || stopping) && in_flight == 0); });
            if (finished.empty()) break;
            FinishedCalls batch(std::make_move_iterator(finished.begin()), std::make_move_iterator(finished.end()));
            finished.clear();
            lock.unlock();
            try {
                if (!failure) done(batch);
            } catch (...) {
                failure = std::current_exception();
            }
            lock.lock();
            if (failure && !stopping) {
                stopping = true;  // the calls already in flight still finish
                changed.notify_all();
            }
        }
    }
    for (auto &t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace provisio
