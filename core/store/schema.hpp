// The database schema as an ordered list of migrations: entry N takes a database from schema
// version N to N+1. Entries are never edited once released; a change is a new entry.
#pragma once

#include <string>
#include <vector>

namespace provisio {

const std::vector<std::string> &schema_migrations();

}  // namespace provisio
