#include "store/id_sequences.hpp"

#include "foundation/error.hpp"
#include "store/database.hpp"

#include <algorithm>
#include <regex>

namespace provisio {

const std::vector<KeptReference> &kept_references() {
    static const std::vector<KeptReference> refs = {
        {"transactions", "client_id", "clients"},
        {"transactions", "invoice_id", "invoices"},
        {"credit_ledger", "invoice_id", "invoices"},
        {"mail_outbox", "client_id", "clients"},
        {"audit_log", "client_id", "clients"},
        {"module_calls", "service_id", "services"},
        {"module_calls", "server_id", "servers"},
        {"module_events", "service_id", "services"},
        {"module_events", "invoice_id", "invoices"},
        {"invoice_items", "item_id", "services", "item_type IN ('service', 'prorata', 'upgrade', 'usage')"},
        {"invoice_items", "item_id", "service_addons", "item_type = 'addon'"},
    };
    return refs;
}

namespace {

std::vector<std::string> column_values(Database &db, const std::string &sql) {
    std::vector<std::string> out;
    auto q = db.prepare(sql);
    while (q.step()) out.push_back(q.text(0));
    return out;
}

bool has_column(Database &db, const std::string &table, const std::string &column) {
    auto q = db.prepare("SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2");
    q.bind(1, table).bind(2, column);
    return q.step();
}

// `id INTEGER PRIMARY KEY` without AUTOINCREMENT: the table hands out max(id) + 1.
const std::regex &reusable_key() {
    static const std::regex key(R"(\bid\s+INTEGER\s+PRIMARY\s+KEY\b(?!\s+AUTOINCREMENT))", std::regex::icase);
    return key;
}

// The tables whose ids can be reused, with their definitions. A call's id is not handed out by
// a sequence: it is derived from the call's start (usage/cdr_import.cpp), and provisio never
// deletes a call.
std::vector<std::pair<std::string, std::string>> tables_reusing_ids(Database &db) {
    std::vector<std::pair<std::string, std::string>> out;
    auto q = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'cdrs' "
                        "ORDER BY name");
    while (q.step()) {
        std::string sql = q.text(1);
        if (std::regex_search(sql, reusable_key())) out.emplace_back(q.text(0), std::move(sql));
    }
    return out;
}

int64_t single(Database &db, const std::string &sql) {
    auto q = db.prepare(sql);
    return q.step() ? q.opt_int64(0).value_or(0) : 0;
}

// The highest id `table` holds or anything points at: rows that reference it by foreign key,
// and the kept references.
int64_t high_water(Database &db, const std::string &table) {
    int64_t high = single(db, "SELECT max(id) FROM \"" + table + "\"");
    std::vector<std::string> queries;  // each: the highest id one referencing column holds
    auto fks = db.prepare("SELECT m.name, f.\"from\" FROM sqlite_schema m, pragma_foreign_key_list(m.name) f "
                          "WHERE m.type = 'table' AND f.\"table\" = ?1");
    fks.bind(1, table);
    while (fks.step()) queries.push_back("SELECT max(\"" + fks.text(1) + "\") FROM \"" + fks.text(0) + "\"");
    for (const KeptReference &k : kept_references())
        if (table == k.target && has_column(db, k.table, k.column))
            queries.push_back(std::string("SELECT max(") + k.column + ") FROM " + k.table + (k.condition ? std::string(" WHERE ") + k.condition : ""));
    for (const std::string &sql : queries) high = std::max(high, single(db, sql));
    return high;
}

}  // namespace

void use_autoincrement_ids(Database &db) {
    struct Table {
        std::string name, sql;
        std::vector<std::string> dependents;  // its indexes and triggers, recreated after the rebuild
    };
    std::vector<Table> tables;
    for (auto &[name, sql] : tables_reusing_ids(db)) tables.push_back({name, sql, {}});
    for (Table &t : tables)
        t.dependents = column_values(db, "SELECT sql FROM sqlite_schema WHERE type IN ('index', 'trigger') AND sql IS NOT NULL "
                                         "AND tbl_name = '" + t.name + "'");
    for (const Table &t : tables) {
        const int64_t high = high_water(db, t.name);
        // The documented way to change a table's definition: a new table, the rows copied, the
        // old one dropped and the new one renamed (foreign keys are off during migrations).
        const std::string rebuilt = "provisio_rebuild_" + t.name;
        std::string sql = std::regex_replace(t.sql, reusable_key(), "id INTEGER PRIMARY KEY AUTOINCREMENT", std::regex_constants::format_first_only);
        const size_t name_at = sql.find(t.name);
        if (name_at == std::string::npos) fail(ErrorKind::internal, "cannot find the name of table " + t.name + " in its definition");
        sql.replace(name_at, t.name.size(), rebuilt);
        db.exec(sql);
        db.exec("INSERT INTO \"" + rebuilt + "\" SELECT * FROM \"" + t.name + "\"");
        db.exec("DROP TABLE \"" + t.name + "\"");
        db.exec("ALTER TABLE \"" + rebuilt + "\" RENAME TO \"" + t.name + "\"");
        for (const std::string &d : t.dependents) db.exec(d);
        if (high > 0) {
            db.prepare("DELETE FROM sqlite_sequence WHERE name = ?1").bind(1, t.name).run();
            db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES (?1, ?2)").bind(1, t.name).bind(2, high).run();
        }
    }
}

std::vector<std::string> check_kept_references(Database &db) {
    std::vector<std::string> problems;
    // A table keyed by id without AUTOINCREMENT would hand a deleted row's id out again.
    for (const auto &[name, sql] : tables_reusing_ids(db))
        problems.push_back("table " + name + " can reuse the id of a deleted row (it lacks AUTOINCREMENT)");
    std::vector<std::string> targets;
    for (const KeptReference &k : kept_references())
        if (std::find(targets.begin(), targets.end(), k.target) == targets.end()) targets.push_back(k.target);
    for (const std::string &t : targets) {
        const int64_t seq = single(db, "SELECT seq FROM sqlite_sequence WHERE name = '" + t + "'");
        const int64_t high = high_water(db, t);
        if (high > seq)
            problems.push_back("the next " + t + " id would be " + std::to_string(seq + 1) + ", but id " + std::to_string(high) +
                               " is already in use or kept by a reference");
    }
    // A kept reference to a live row must mean the same client's row.
    struct SameClient {
        const char *what, *sql;
    };
    for (const SameClient &c : {
             SameClient{"payment", "SELECT t.id, t.invoice_id FROM transactions t JOIN invoices i ON i.id = t.invoice_id "
                                   "WHERE t.client_id IS NOT NULL AND i.client_id <> t.client_id"},
             SameClient{"credit entry", "SELECT l.id, l.invoice_id FROM credit_ledger l JOIN invoices i ON i.id = l.invoice_id "
                                        "WHERE i.client_id <> l.client_id"},
             SameClient{"module event", "SELECT e.id, e.invoice_id FROM module_events e JOIN invoices i ON i.id = e.invoice_id "
                                        "JOIN services s ON s.id = e.service_id WHERE s.client_id <> i.client_id"},
         }) {
        auto q = db.prepare(c.sql);
        while (q.step())
            problems.push_back(std::string(c.what) + " " + std::to_string(q.int64(0)) + " points at invoice #" + std::to_string(q.int64(1)) +
                               ", which belongs to another client");
    }
    return problems;
}

}  // namespace provisio
