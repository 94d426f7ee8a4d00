// A thin libpq client for the fusionpbx module: one connection per call, parameters as text,
// rows as text, every failure sorted into "retry may help" or not.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct pg_conn;

namespace pg {

struct Error : std::runtime_error {
    Error(const std::string &what, bool retryable) : std::runtime_error(what), retryable(retryable) {}
    bool retryable;
};

using Row = std::vector<std::string>;  // NULL reads as ""
using Rows = std::vector<Row>;

struct Settings {
    std::string host, port, dbname, user, password, sslmode = "prefer";
    int connect_timeout_s = 5;
    int statement_timeout_ms = 10000;
};

class Connection {
public:
    explicit Connection(const Settings &settings);  // throws Error
    ~Connection();
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    Rows exec(const std::string &sql, const std::vector<std::string> &params = {});  // throws Error

private:
    pg_conn *conn_ = nullptr;
};

// A transaction that rolls back unless committed.
class Transaction {
public:
    explicit Transaction(Connection &c) : c_(c) { c_.exec("BEGIN"); }
    ~Transaction() {
        if (!done_) try {
                c_.exec("ROLLBACK");
            } catch (const std::exception &) {
            }
    }
    void commit() {
        c_.exec("COMMIT");
        done_ = true;
    }

private:
    Connection &c_;
    bool done_ = false;
};

// '{a,b}' for a text[] / uuid[] parameter.
std::string array_literal(const std::vector<std::string> &items);

}  // namespace pg
