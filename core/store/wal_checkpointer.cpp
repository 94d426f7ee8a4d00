#include "store/wal_checkpointer.hpp"

#include "store/database.hpp"

#include <sqlite3.h>

#include <chrono>

namespace provisio {

namespace {
constexpr auto pause = std::chrono::milliseconds(20);
constexpr int default_autocheckpoint = 1000;  // pages: SQLite's default
}  // namespace

WalCheckpointer::WalCheckpointer(Database &db) : db_(db) {
    if (sqlite3_open_v2(db.file().c_str(), &own_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
        sqlite3_close_v2(own_);
        own_ = nullptr;
        return;
    }
    // A connection learns that the file is in WAL mode when it first reads it; before that a
    // checkpoint does nothing.
    if (sqlite3_exec(own_, "SELECT count(*) FROM sqlite_schema", nullptr, nullptr, nullptr) != SQLITE_OK) {
        sqlite3_close_v2(own_);
        own_ = nullptr;
        return;
    }
    sqlite3_wal_autocheckpoint(db_.handle(), 0);
    thread_ = std::thread([this] { run(); });
}

WalCheckpointer::~WalCheckpointer() {
    if (!own_) return;
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    stop_changed_.notify_all();
    thread_.join();
    sqlite3_close_v2(own_);
    sqlite3_wal_autocheckpoint(db_.handle(), default_autocheckpoint);
}

void WalCheckpointer::run() {
    std::unique_lock lock(mutex_);
    while (!stop_changed_.wait_for(lock, pause, [this] { return stop_; })) {
        lock.unlock();
        // PASSIVE copies what no reader still needs and never blocks; a busy answer just means
        // "later".
        sqlite3_wal_checkpoint_v2(own_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        lock.lock();
    }
}

}  // namespace provisio
