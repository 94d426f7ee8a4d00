// The database schema as an ordered list of migrations: entry N takes a database from schema
// version N to N+1. Entries are never edited once released; a change is a new entry.
#pragma once

#include <string>
#include <vector>

namespace provisio {

class Database;

const std::vector<std::string> &schema_migrations();

// The part of migration N (0-based, as above) that SQL alone cannot do, run right after its SQL
// in the same transaction with foreign keys off; nullptr for most.
using CodeMigration = void (*)(Database &);
CodeMigration code_migration(size_t index);

}  // namespace provisio
