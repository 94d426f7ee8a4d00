// The SQLite store: one connection, prepared statements, transactions, and schema migrations.
//
// Opening a file applies any pending migrations in one transaction; a file that is not SQLite,
// not a provisio database, or from a newer provisio is refused with a message saying which.
// Not thread-safe: one Database per thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace provisio {

class Statement;

class Database {
public:
    // Opens (creating when `create` is true) and migrates. Throws Error(storage).
    static Database open(const std::filesystem::path &file, bool create);
    Database(Database &&other) noexcept;
    Database &operator=(Database &&) = delete;
    ~Database();

    static int latest_schema_version();
    int schema_version();

    // Prepared statements are cached by their SQL text and reused once the previous user is
    // done with them (a statement still in use is prepared afresh).
    Statement prepare(std::string_view sql);
    void exec(std::string_view sql);   // one or more statements, no parameters
    // Runs a small write (autocommit) only if no other connection is writing: false, nothing
    // written, when one is. For bookkeeping a reader may skip — a session's or API key's last
    // use — so that a page never waits for a long import to commit.
    bool write_unless_busy(Statement &statement);
    int64_t last_insert_id() const;
    int changes() const;
    bool in_transaction() const;
    sqlite3 *handle() const { return db_; }
    const std::filesystem::path &file() const { return file_; }

private:
    struct CachedStatement {
        sqlite3_stmt *stmt = nullptr;
        bool in_use = false;
    };
    Database(sqlite3 *db, std::filesystem::path file) : db_(db), file_(std::move(file)) {}
    void migrate();
    void finalize_cache();
    sqlite3 *db_;
    std::filesystem::path file_;
    // Looked up by string_view: finding a cached statement allocates nothing.
    struct SqlHash {
        using is_transparent = void;
        size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
    };
    using Cache = std::unordered_map<std::string, CachedStatement, SqlHash, std::equal_to<>>;
    std::unique_ptr<Cache> cache_ = std::make_unique<Cache>();
};

// A prepared statement. bind() indexes start at 1, column() indexes at 0.
class Statement {
public:
    Statement(sqlite3 *db, std::string_view sql);
    Statement(Statement &&o) noexcept : db_(o.db_), stmt_(o.stmt_), in_use_(o.in_use_) {
        o.stmt_ = nullptr;
        o.in_use_ = nullptr;
    }
    Statement &operator=(Statement &&) = delete;
    ~Statement();

    Statement &bind(int index, int64_t value);
    Statement &bind(int index, std::string_view value);
    Statement &bind(int index, const char *value) { return bind(index, std::string_view(value)); }
    Statement &bind(int index, const std::string &value) { return bind(index, std::string_view(value)); }
    Statement &bind(int index, std::optional<int64_t> value);
    Statement &bind(int index, const std::optional<std::string> &value);
    // Text SQLite reads in place instead of copying, for bulk inserts: `value` must stay alive and
    // unchanged until this Statement is destroyed or reset.
    Statement &bind_borrowed(int index, std::string_view value);
    Statement &bind_null(int index);

    // Advances; true while a row is available.
    bool step();
    // Runs to completion, for statements that return no rows.
    void run();
    Statement &reset();

    bool is_null(int column) const;
    int64_t int64(int column) const;
    std::string text(int column) const;
    // The text in place, without a copy: valid until the next step() or reset().
    std::string_view text_view(int column) const;
    std::optional<int64_t> opt_int64(int column) const;
    std::optional<std::string> opt_text(int column) const;

private:
    friend class Database;
    Statement(sqlite3 *db, sqlite3_stmt *cached, bool *in_use) : db_(db), stmt_(cached), in_use_(in_use) {}
    [[noreturn]] void throw_error(const char *during) const;
    sqlite3 *db_;
    sqlite3_stmt *stmt_ = nullptr;
    bool *in_use_ = nullptr;  // set when the statement belongs to the database's cache
};

// "(?1,?2),(?3,?4)" for `rows` rows of `columns` parameters: the VALUES list of a multi-row
// INSERT, which costs SQLite one statement's overhead for all its rows.
std::string values_placeholders(size_t rows, int columns);

// BEGIN IMMEDIATE on construction (a SAVEPOINT when a transaction is already open, so units
// nest); rolls back unless commit() was called.
class Transaction {
public:
    explicit Transaction(Database &db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    void commit();

private:
    Database &db_;
    bool nested_ = false;
    bool done_ = false;
};

}  // namespace provisio
