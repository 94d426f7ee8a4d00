// Write jobs run in order on a second thread with its own connection to the same database file,
// so a long automation run works out batch N+1 while batch N is written (WAL lets the first
// connection read meanwhile). Each job owns its transaction; a job that lets an exception escape
// stops the writer, and finish() rethrows it.
#pragma once

#include "store/database.hpp"

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace provisio {

class BackgroundWriter {
public:
    using Job = std::function<void(Database &)>;
    // At most `depth` jobs wait; submit() blocks beyond that, bounding memory.
    explicit BackgroundWriter(const std::filesystem::path &file, size_t depth = 2);
    ~BackgroundWriter();  // finishes the queued jobs
    BackgroundWriter(const BackgroundWriter &) = delete;
    BackgroundWriter &operator=(const BackgroundWriter &) = delete;

    void submit(Job job);
    // Waits until every job has run; rethrows what escaped a job.
    void finish();

private:
    void run();
    Database db_;
    size_t depth_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Job> jobs_;
    bool closing_ = false;
    std::exception_ptr failure_;
    std::thread thread_;
};

}  // namespace provisio
