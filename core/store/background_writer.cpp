#include "store/background_writer.hpp"

#include <utility>

namespace provisio {

BackgroundWriter::BackgroundWriter(const std::filesystem::path &file, size_t depth)
    : own_(Database::open(file, false)), db_(*own_), depth_(depth), thread_([this] { run(); }) {}

BackgroundWriter::BackgroundWriter(Database &borrowed, size_t depth) : db_(borrowed), depth_(depth), thread_([this] { run(); }) {}

BackgroundWriter::~BackgroundWriter() {
    try {
        finish();
    } catch (...) {
        // The caller that wanted the failure called finish() itself.
    }
}

void BackgroundWriter::submit(Job job) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return jobs_.size() < depth_ || failure_; });
    if (failure_) std::rethrow_exception(failure_);
    jobs_.push_back(std::move(job));
    changed_.notify_all();
}

void BackgroundWriter::finish() {
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
        changed_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
    if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
}

void BackgroundWriter::discard() {
    {
        std::lock_guard lock(mutex_);
        jobs_.clear();
    }
    try {
        finish();
    } catch (...) {
        // Giving up already: what failed no longer matters.
    }
}

void BackgroundWriter::run() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [&] { return !jobs_.empty() || closing_; });
            if (jobs_.empty()) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
            changed_.notify_all();
        }
        try {
            job(db_);
        } catch (...) {
            std::lock_guard lock(mutex_);
            failure_ = std::current_exception();
            jobs_.clear();
            changed_.notify_all();
            return;
        }
    }
}

}  // namespace provisio
