#include "store/purge.hpp"

#include "store/database.hpp"

#include <algorithm>
#include <vector>

namespace provisio {

namespace {

struct Reference {
    std::string table, column, target_column, on_delete;
};

// Foreign keys of every table that point at `table`.
std::vector<Reference> references_to(Database &db, const std::string &table) {
    std::vector<Reference> out;
    auto tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
    std::vector<std::string> names;
    while (tables.step()) names.push_back(tables.text(0));
    for (const auto &name : names) {
        auto fk = db.prepare("SELECT \"table\", \"from\", \"to\", on_delete FROM pragma_foreign_key_list(?1)");
        fk.bind(1, name);
        while (fk.step())
            if (fk.text(0) == table) out.push_back({name, fk.text(1), fk.is_null(2) ? "rowid" : fk.text(2), fk.text(3)});
    }
    return out;
}

int purge_within(Database &db, const std::string &table, const std::string &condition, std::vector<std::string> &stack) {
    stack.push_back(table);
    for (const Reference &r : references_to(db, table)) {
        if (r.on_delete == "CASCADE" || r.on_delete == "SET NULL") continue;
        const std::string pointing = "\"" + r.column + "\" IN (SELECT \"" + r.target_column + "\" FROM \"" + table + "\" WHERE " + condition + ")";
        if (std::find(stack.begin(), stack.end(), r.table) != stack.end())
            db.exec("UPDATE \"" + r.table + "\" SET \"" + r.column + "\" = NULL WHERE " + pointing);
        else purge_within(db, r.table, pointing, stack);
    }
    stack.pop_back();
    db.exec("DELETE FROM \"" + table + "\" WHERE " + condition);
    return db.changes();
}

}  // namespace

int purge(Database &db, const std::string &table, const std::string &condition) {
    std::vector<std::string> stack;
    return purge_within(db, table, condition, stack);
}

}  // namespace provisio
