// Deleting rows together with everything that references them, read from the schema's own
// foreign keys, so a table added later is covered without touching this code: rows that point
// at the deleted ones through a key without an ON DELETE action are deleted first (recursively);
// a reference back into a table already being purged is set to NULL instead. SQLite applies
// ON DELETE CASCADE and SET NULL itself.
#pragma once

#include <string>

namespace provisio {

class Database;

// Deletes the rows of `table` matching `condition` (SQL over its columns; callers pass only
// numbers or their own literals). Returns how many rows of `table` went. Run it in a transaction.
int purge(Database &db, const std::string &table, const std::string &condition);

}  // namespace provisio
