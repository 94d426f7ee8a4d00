#include "pg.hpp"

#include <libpq-fe.h>

#include <memory>

namespace pg {

namespace {

std::string quoted(const std::string &v) {
    std::string out = "'";
    for (char ch : v) {
        if (ch == '\'' || ch == '\\') out += '\\';
        out += ch;
    }
    return out + "'";
}

// SQLSTATE classes where trying again later can succeed: connection (08), resources (53),
// operator intervention incl. statement timeout (57), rollbacks such as serialization (40).
bool retryable_state(const char *state) {
    if (!state) return true;
    const std::string s(state);
    return s.rfind("08", 0) == 0 || s.rfind("53", 0) == 0 || s.rfind("57", 0) == 0 || s.rfind("40", 0) == 0;
}

std::string first_line(const char *message) {
    std::string m = message ? message : "";
    if (const size_t nl = m.find('\n'); nl != std::string::npos) m.resize(nl);
    return m;
}

}  // namespace

Connection::Connection(const Settings &s) {
    const std::string conninfo = "host=" + quoted(s.host) + " port=" + quoted(s.port.empty() ? "5432" : s.port) + " dbname=" +
                                 quoted(s.dbname) + " user=" + quoted(s.user) + " password=" + quoted(s.password) +
                                 " sslmode=" + quoted(s.sslmode) + " connect_timeout=" + std::to_string(s.connect_timeout_s) +
                                 " application_name=provisio options=" + quoted("-c statement_timeout=" + std::to_string(s.statement_timeout_ms));
    conn_ = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn_) == CONNECTION_OK) return;
    const std::string message = first_line(PQerrorMessage(conn_));
    const bool credentials = message.find("password authentication failed") != std::string::npos ||
                             message.find("no password supplied") != std::string::npos ||
                             message.find("does not exist") != std::string::npos;  // role or database
    PQfinish(conn_);
    conn_ = nullptr;
    throw Error("PostgreSQL " + s.user + "@" + s.host + ":" + (s.port.empty() ? "5432" : s.port) + "/" + s.dbname + ": " + message,
                !credentials);
}

Connection::~Connection() {
    if (conn_) PQfinish(conn_);
}

Rows Connection::exec(const std::string &sql, const std::vector<std::string> &params) {
    std::vector<const char *> values;
    values.reserve(params.size());
    for (const auto &p : params) values.push_back(p.c_str());
    std::unique_ptr<PGresult, decltype(&PQclear)> r(
        PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr, values.data(), nullptr, nullptr, 0), &PQclear);
    const ExecStatusType status = PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        const char *state = r ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
        throw Error("PostgreSQL: " + first_line(r ? PQresultErrorMessage(r.get()) : PQerrorMessage(conn_)) +
                        (state ? " (SQLSTATE " + std::string(state) + ")" : ""),
                    retryable_state(state));
    }
    Rows rows;
    const int n = PQntuples(r.get()), fields = PQnfields(r.get());
    rows.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        Row &row = rows.emplace_back();
        row.reserve(static_cast<size_t>(fields));
        for (int j = 0; j < fields; ++j) row.emplace_back(PQgetvalue(r.get(), i, j), static_cast<size_t>(PQgetlength(r.get(), i, j)));
    }
    return rows;
}

std::string array_literal(const std::vector<std::string> &items) {
    std::string out = "{";
    for (size_t i = 0; i < items.size(); ++i) {
        out += i ? ",\"" : "\"";
        for (char ch : items[i]) {
            if (ch == '"' || ch == '\\') out += '\\';
            out += ch;
        }
        out += '"';
    }
    return out + "}";
}

}  // namespace pg
