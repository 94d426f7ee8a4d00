// Write jobs run in order on a second thread, so a long run works out batch N+1 while batch N is
// written. The thread has its own connection to the same database file (WAL lets the first
// connection read meanwhile; each job owns its transaction), or borrows the caller's, which the
// caller then leaves alone until finish() — for work that must see, or join, the caller's open
// transaction. A job that lets an exception escape stops the writer, and finish() rethrows it.
#pragma once

#include "store/database.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace provisio {

class BackgroundWriter {
public:
    using Job = std::function<void(Database &)>;
    // At most `depth` jobs wait; submit() blocks beyond that, bounding memory.
    explicit BackgroundWriter(const std::filesystem::path &file, size_t depth = 2);
    BackgroundWriter(Database &borrowed, size_t depth);
    ~BackgroundWriter();  // finishes the queued jobs
    BackgroundWriter(const BackgroundWriter &) = delete;
    BackgroundWriter &operator=(const BackgroundWriter &) = delete;

    void submit(Job job);
    // Waits until every job has run; rethrows what escaped a job.
    void finish();
    // Drops the jobs still waiting and waits for the running one (the caller is giving up).
    void discard();

private:
    void run();
    std::optional<Database> own_;
    Database &db_;
    size_t depth_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Job> jobs_;
    bool closing_ = false;
    std::exception_ptr failure_;
    std::thread thread_;
};

}  // namespace provisio
