// A long write (a big CDR import) copies its write-ahead log into the database file on a thread
// of its own while it goes on writing. SQLite otherwise checkpoints on the writing thread at its
// commits, and that thread is the import's bottleneck while the other core waits.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

struct sqlite3;

namespace provisio {
class Database;

class WalCheckpointer {
public:
    // Turns `db`'s automatic checkpoints off until destroyed, and checkpoints (PASSIVE: never
    // waiting on a reader or the writer) from a second connection every few milliseconds. If
    // that connection cannot be opened, `db` checkpoints itself as before.
    explicit WalCheckpointer(Database &db);
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer &) = delete;
    WalCheckpointer &operator=(const WalCheckpointer &) = delete;

private:
    void run();
    Database &db_;
    sqlite3 *own_ = nullptr;
    std::mutex mutex_;
    std::condition_variable stop_changed_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace provisio
