// Ids are never reused. SQLite without AUTOINCREMENT gives a new row max(id) + 1, so after the
// newest client is deleted the next one would take its id — and inherit the audit entries,
// payments and call-log rows kept under it. Every table keyed by `id` uses AUTOINCREMENT, whose
// high-water mark (sqlite_sequence) only grows — except the calls, whose ids are derived from
// the call itself.
#pragma once

#include <string>
#include <vector>

namespace provisio {

class Database;

// A column that keeps an id after the row it names may be deleted (no foreign key, on purpose:
// payments and audit entries outlive a deleted client).
struct KeptReference {
    const char *table, *column, *target;
    const char *condition = nullptr;  // SQL on the referencing row when the column names several kinds
};
const std::vector<KeptReference> &kept_references();

// Schema migration: rebuilds every `id INTEGER PRIMARY KEY` table with AUTOINCREMENT, starting
// its sequence above every id it holds or that is referenced anywhere (so an id a deleted row
// left in a payment or the audit log is not handed out again). Runs inside the migration's
// transaction with foreign keys off.
void use_autoincrement_ids(Database &db);

// `provisio verify`: a kept reference above its table's high-water mark would be reused by the
// next insert; one pointing at a live row must point at the row it meant (same client).
std::vector<std::string> check_kept_references(Database &db);

}  // namespace provisio
