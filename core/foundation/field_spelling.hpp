// How a caller names the fields it gives — a CLI flag ("--first-name") or a JSON field
// ("first_name") — so one use-case's errors name the field the way its caller wrote it.
#pragma once

#include <string>

namespace provisio {

enum class FieldSpelling { flag, json };

// "first_name" as the caller spells it: "--first-name" or "first_name".
inline std::string field_name(const char *json_name, FieldSpelling spelling) {
    std::string name(json_name);
    if (spelling == FieldSpelling::json) return name;
    for (char &c : name)
        if (c == '_') c = '-';
    return "--" + name;
}

}  // namespace provisio
