// LesNet's CDR text file: a CSV with a header row, read through a column map so a changed
// layout needs a setting, not a new module. Times are wall-clock at a fixed UTC offset.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lesnet {

// Our field → the file's column. Fields: id, start, destination, billsec (required), peer,
// caller, direction, duration (optional).
using ColumnMap = std::map<std::string, std::string>;
inline constexpr const char *default_columns =
    "id=uniqueid,peer=peer,start=calldate,caller=src,destination=dst,direction=direction,duration=duration,billsec=billsec";
// "field=column,..."; throws std::invalid_argument naming the bad entry.
ColumnMap parse_column_map(std::string_view text);

struct CdrRow {
    std::string id, peer, caller, destination, direction;
    std::string start_utc, end_utc;  // "2026-11-29T14:05:00Z"
    int64_t duration = 0, billsec = 0;
};

struct CdrFile {
    std::vector<CdrRow> rows;
    std::vector<std::string> errors;  // "line 7 (call u7): billsec 'x' is not a whole number of seconds"
};

// Parses `text`; `utc_offset` is "+00:00", "-05:00", ... Throws std::invalid_argument when the
// header lacks a required column.
CdrFile parse_cdr_file(std::string_view text, const ColumnMap &columns, std::string_view utc_offset);

}  // namespace lesnet
