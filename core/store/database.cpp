#include "store/database.hpp"

#include "foundation/error.hpp"
#include "foundation/files.hpp"
#include "store/schema.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace provisio {

namespace {

// "PRVS" — marks a SQLite file as a provisio database (PRAGMA application_id).
constexpr int64_t application_id = 0x50525653;
// How long a statement waits for another connection's lock before failing as busy.
constexpr int busy_wait_ms = 5000;

[[noreturn]] void storage_error(const std::string &what) { fail(ErrorKind::storage, what); }

std::filesystem::path directory_of(const std::filesystem::path &file) {
    return file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
}

// Why `path` cannot be written, or empty when it can (access(2) sees read-only mounts and
// immutable files even for root).
std::string unwritable(const std::filesystem::path &path) {
    if (::access(path.c_str(), W_OK) == 0) return {};
    return std::strerror(errno);
}

// The first of the database, its -wal and -shm files and its directory that cannot be written,
// in an operator's words; empty when all can be.
std::string read_only_part(const std::filesystem::path &file) {
    std::error_code ec;
    const auto dir = directory_of(file);
    if (!std::filesystem::is_directory(dir, ec)) return "the directory " + dir.string() + " does not exist";
    if (std::filesystem::exists(file, ec))
        if (const auto why = unwritable(file); !why.empty()) return "the database file " + file.string() + " is read-only (" + why + ")";
    for (const char *suffix : {"-wal", "-shm", "-journal"}) {
        const std::filesystem::path side = file.string() + suffix;
        if (std::filesystem::exists(side, ec))
            if (const auto why = unwritable(side); !why.empty())
                return "SQLite's " + side.string() + " file is read-only (" + why + ")";
    }
    if (const auto why = unwritable(dir); !why.empty())
        return "the directory " + dir.string() + " is read-only (" + why + "); SQLite creates " + file.filename().string() +
               "-wal and " + file.filename().string() + "-shm beside the database";
    return {};
}

// What went wrong in the last call on `db`, named as the operator can fix it: a full disk, a
// read-only directory or file, a file that is not SQLite; else SQLite's own words.
std::string storage_failure(sqlite3 *db, const std::filesystem::path &file) {
    const int code = sqlite3_extended_errcode(db);
    const int primary = code & 0xff;
    const int sys = sqlite3_system_errno(db);
    const std::string sqlite_says = sqlite3_errmsg(db);
    const std::string dir = directory_of(file).string();
    // SQLite does not always keep the errno of a failed write (growing the -shm file, say);
    // a file system with no block left is the cause then.
    struct statvfs fs {};
    const bool no_space = (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN) && ::statvfs(dir.c_str(), &fs) == 0 &&
                          fs.f_blocks > 0 && (::geteuid() == 0 ? fs.f_bfree : fs.f_bavail) == 0;  // root may use the reserve
    if (primary == SQLITE_FULL || sys == ENOSPC || sys == EDQUOT || no_space)
        return "the disk holding " + dir + " is full (" + (sys == EDQUOT ? std::strerror(sys) : "No space left on device") + ")";
    if (sys == EROFS) return dir + " is on a read-only file system";
    if (primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR || primary == SQLITE_PERM) {
        if (auto part = read_only_part(file); !part.empty()) return part;
        if (::access(file.c_str(), R_OK) != 0 && errno != ENOENT)
            return "the database file " + file.string() + " cannot be read (" + std::strerror(errno) + ")";
    }
    if (primary == SQLITE_NOTADB) return file.string() + " is not a SQLite database";
    if (primary == SQLITE_CORRUPT) return "the database file " + file.string() + " is damaged (" + sqlite_says + ")";
    if (primary == SQLITE_BUSY)
        return "the database " + file.string() + " is locked: another provisio process (or connection) held it for more than " +
               std::to_string(busy_wait_ms / 1000) + " seconds";
    if (sys != 0 && (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN))
        return sqlite_says + " on " + file.string() + " (" + std::strerror(sys) + ")";
    return sqlite_says;
}

bool is_storage_failure(int sqlite_code) {
    switch (sqlite_code & 0xff) {
    case SQLITE_FULL: case SQLITE_READONLY: case SQLITE_CANTOPEN: case SQLITE_IOERR: case SQLITE_PERM:
    case SQLITE_NOTADB: case SQLITE_CORRUPT: case SQLITE_BUSY: return true;
    default: return false;
    }
}

// The database and its WAL and shared-memory files are the owner's alone (0600). SQLite gives
// the -wal and -shm it creates the database file's mode; files an older provisio created 0644
// are tightened here.
void keep_private(const std::filesystem::path &file) {
    for (const char *suffix : {"", "-wal", "-shm", "-journal"})
        if (const std::string why = restrict_to_owner(file.string() + suffix); !why.empty()) spdlog::warn("{}", why);
}

}  // namespace

Database Database::open(const std::filesystem::path &file, bool create) {
    if (!create && !std::filesystem::exists(file))
        storage_error("database " + file.string() + " does not exist (create it with: provisio init)");
    // Both must precede SQLite's initialisation, hence the first open. SQLite counts every
    // allocation under a global mutex unless told not to; nothing here reads those counts. And
    // a statement's undo record (its statement journal) moves to a file in /var/tmp once one
    // statement's passes 64 KiB, and then every later statement of the transaction writes its
    // pages there too: invoice generation wrote ten times as many pages to that file as to the
    // database. It holds one statement's pages at a time; up to 16 MiB of them stay in memory,
    // so only a statement that changes more than that (a migration over every stored call)
    // spills. Not more: SQLite sizes the in-memory journal's buffer by this limit, and above
    // glibc's largest mmap threshold (32 MiB) every savepoint that wrote one (one per invoice)
    // mapped and unmapped it afresh, which doubled invoice generation's time.
    static const bool configured = [] {
        return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK &&
               sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 16 * 1024 * 1024) == SQLITE_OK;
    }();
    (void)configured;
    sqlite3 *db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(file.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string msg = db ? storage_failure(db, file) : sqlite3_errstr(rc);
        sqlite3_close(db);
        storage_error("cannot open database " + file.string() + ": " + msg);
    }
    Database d(db, file);
    keep_private(file);
    sqlite3_busy_timeout(db, busy_wait_ms);
    sqlite3_extended_result_codes(db, 1);
    // SQLite quietly opens a file it may not write read-only; provisio writes on every command
    // (run history, migrations), so say so now rather than at the first write.
    if (sqlite3_db_readonly(db, "main") == 1) {
        const std::string part = read_only_part(file);
        storage_error("cannot open database " + file.string() + " for writing: " +
                      (part.empty() ? "SQLite opened it read-only" : part));
    }
    int64_t app = 0, table_count = 0;
    try {
        // The first read of the header tells whether this is SQLite at all; a failure that is
        // not about the file's contents (a read-only directory, a full disk) is named as such.
        Statement probe(db, "PRAGMA application_id");
        probe.step();
        app = probe.int64(0);
        Statement tables(db, "SELECT count(*) FROM sqlite_schema");
        tables.step();
        table_count = tables.int64(0);
    } catch (const Error &e) {
        if ((sqlite3_extended_errcode(db) & 0xff) == SQLITE_NOTADB)
            storage_error(file.string() + " is not a provisio database: it is not a SQLite file");
        storage_error(e.what());
    }
    if (app != application_id && !(app == 0 && table_count == 0))
        storage_error(file.string() + " is a SQLite database, but not a provisio one");
    d.exec("PRAGMA journal_mode = WAL");
    // NORMAL in WAL mode: a committed transaction survives a crash of provisio; only a power
    // loss can lose the last commits. See docs/operator-guide.md.
    d.exec("PRAGMA synchronous = NORMAL");
    d.exec("PRAGMA foreign_keys = ON");
    // Deleted and overwritten content is zeroed, not left in free space: a blanked outbox body or
    // a replaced secret does not linger in the file.
    d.exec("PRAGMA secure_delete = ON");
    d.migrate();
    return d;
}

Database::Database(Database &&other) noexcept
    : db_(other.db_), file_(std::move(other.file_)), cache_(std::move(other.cache_)) {
    other.db_ = nullptr;
}

Database::~Database() {
    finalize_cache();
    if (db_) sqlite3_close_v2(db_);
}

void Database::finalize_cache() {
    if (!cache_) return;
    for (auto &[sql, entry] : *cache_) sqlite3_finalize(entry.stmt);
    cache_->clear();
}

int Database::latest_schema_version() { return static_cast<int>(schema_migrations().size()); }

int Database::schema_version() {
    Statement s(db_, "PRAGMA user_version");
    s.step();
    return static_cast<int>(s.int64(0));
}

void Database::migrate() {
    const int current = schema_version();
    const int latest = latest_schema_version();
    if (current > latest)
        storage_error("database " + file_.string() + " has schema version " + std::to_string(current) +
                      ", newer than this provisio understands (" + std::to_string(latest) +
                      "); upgrade provisio or restore a matching backup");
    if (current == latest) return;
    // Foreign keys off while tables are rebuilt (a DROP TABLE would otherwise cascade), checked
    // before the commit; the pragma only takes effect outside a transaction.
    exec("PRAGMA foreign_keys = OFF");
    struct KeysBackOn {
        Database &db;
        ~KeysBackOn() {
            try {
                db.exec("PRAGMA foreign_keys = ON");
            } catch (...) {
            }
        }
    } keys_back_on{*this};
    Transaction tx(*this);
    for (int v = current; v < latest; ++v) {
        try {
            const auto index = static_cast<size_t>(v);
            exec(schema_migrations()[index]);
            if (const CodeMigration code = code_migration(index)) code(*this);
            Statement check(db_, "PRAGMA foreign_key_check");
            if (check.step())
                fail(ErrorKind::storage, "table " + check.text(0) + " row " + std::to_string(check.int64(1)) + " points at a missing " +
                                             check.text(2) + " row");
        } catch (const Error &e) {
            storage_error("migrating " + file_.string() + " to schema version " + std::to_string(v + 1) +
                          " failed: " + e.what());
        }
    }
    exec("PRAGMA application_id = " + std::to_string(application_id));
    exec("PRAGMA user_version = " + std::to_string(latest));
    tx.commit();
}

bool Database::write_unless_busy(Statement &statement) {
    sqlite3_busy_timeout(db_, 0);
    struct TimeoutBack {
        sqlite3 *db;
        ~TimeoutBack() { sqlite3_busy_timeout(db, busy_wait_ms); }
    } timeout_back{db_};
    try {
        statement.run();
        return true;
    } catch (const Error &) {
        if ((sqlite3_extended_errcode(db_) & 0xff) != SQLITE_BUSY) throw;
        statement.reset();
        return false;
    }
}

Statement Database::prepare(std::string_view sql) {
    auto it = cache_->find(sql);
    if (it == cache_->end()) it = cache_->try_emplace(std::string(sql)).first;
    CachedStatement &entry = it->second;
    if (entry.in_use) return Statement(db_, sql);
    if (!entry.stmt) {
        if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &entry.stmt,
                               nullptr) != SQLITE_OK) {
            const std::string msg = sqlite3_errmsg(db_);
            cache_->erase(it);
            fail(ErrorKind::storage, msg + " (while preparing SQL)");
        }
    }
    entry.in_use = true;
    return Statement(db_, entry.stmt, &entry.in_use);
}

void Database::exec(std::string_view sql) {
    char *err = nullptr;
    const std::string s(sql);
    if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        const std::string msg = err ? err : sqlite3_errmsg(db_);
        sqlite3_free(err);
        if (is_storage_failure(sqlite3_extended_errcode(db_)))
            storage_error("cannot use database " + file_.string() + ": " + storage_failure(db_, file_));
        storage_error(msg);
    }
}

int64_t Database::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }
bool Database::in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

std::string values_placeholders(size_t rows, int columns) {
    std::string out;
    int n = 0;
    for (size_t r = 0; r < rows; ++r) {
        out += r ? ",(" : "(";
        for (int c = 0; c < columns; ++c) {
            if (c) out += ',';
            out += '?';
            out += std::to_string(++n);
        }
        out += ')';
    }
    return out;
}

// ---- Statement -------------------------------------------------------------------------------

Statement::Statement(sqlite3 *db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK)
        throw_error("preparing");
}

Statement::~Statement() {
    if (in_use_) {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
        *in_use_ = false;
    } else {
        sqlite3_finalize(stmt_);
    }
}

void Statement::throw_error(const char *during) const {
    const int code = sqlite3_extended_errcode(db_);
    if (is_storage_failure(code)) {
        const char *name = sqlite3_db_filename(db_, "main");
        const std::filesystem::path file = name && *name ? name : "(in memory)";
        fail(ErrorKind::storage, "cannot use database " + file.string() + ": " + storage_failure(db_, file));
    }
    const ErrorKind kind = (code & 0xff) == SQLITE_CONSTRAINT ? ErrorKind::conflict : ErrorKind::storage;
    fail(kind, std::string(sqlite3_errmsg(db_)) + " (while " + during + " SQL)");
}

Statement &Statement::bind(int i, int64_t v) {
    if (sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) throw_error("binding");
    return *this;
}
Statement &Statement::bind(int i, std::string_view v) {
    // An empty view may have a null data pointer, which SQLite would store as NULL, not ''.
    if (sqlite3_bind_text64(stmt_, i, v.data() ? v.data() : "", v.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK)
        throw_error("binding");
    return *this;
}
Statement &Statement::bind_borrowed(int i, std::string_view v) {
    if (sqlite3_bind_text64(stmt_, i, v.data() ? v.data() : "", v.size(), SQLITE_STATIC, SQLITE_UTF8) != SQLITE_OK)
        throw_error("binding");
    return *this;
}
Statement &Statement::bind(int i, std::optional<int64_t> v) { return v ? bind(i, *v) : bind_null(i); }
Statement &Statement::bind(int i, const std::optional<std::string> &v) {
    return v ? bind(i, std::string_view(*v)) : bind_null(i);
}
Statement &Statement::bind_null(int i) {
    if (sqlite3_bind_null(stmt_, i) != SQLITE_OK) throw_error("binding");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw_error("running");
}
void Statement::run() {
    while (step()) {
    }
}
Statement &Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return *this;
}

bool Statement::is_null(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
int64_t Statement::int64(int c) const { return sqlite3_column_int64(stmt_, c); }
std::string Statement::text(int c) const {
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(stmt_, c));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, c))) : std::string();
}
std::string_view Statement::text_view(int c) const {
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(stmt_, c));
    return p ? std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, c))) : std::string_view();
}
std::optional<int64_t> Statement::opt_int64(int c) const {
    if (is_null(c)) return std::nullopt;
    return int64(c);
}
std::optional<std::string> Statement::opt_text(int c) const {
    if (is_null(c)) return std::nullopt;
    return text(c);
}

// ---- Transaction -----------------------------------------------------------------------------

// Transaction control goes through cached prepared statements: a unit of work is often small
// (one cycle, one posting) and parsing its SAVEPOINT/RELEASE each time showed in profiles.
Transaction::Transaction(Database &db) : db_(db), nested_(sqlite3_get_autocommit(db.handle()) == 0) {
    db_.prepare(nested_ ? "SAVEPOINT unit" : "BEGIN IMMEDIATE").run();
}
Transaction::~Transaction() {
    if (done_) return;
    try {
        if (nested_) {
            db_.prepare("ROLLBACK TO unit").run();
            db_.prepare("RELEASE unit").run();
        } else {
            db_.prepare("ROLLBACK").run();
        }
    } catch (...) {
    }
}
void Transaction::commit() {
    db_.prepare(nested_ ? "RELEASE unit" : "COMMIT").run();
    done_ = true;
}

}  // namespace provisio
