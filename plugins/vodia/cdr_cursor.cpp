#include "cdr_cursor.hpp"

#include "plugin_support.hpp"

#include <stdexcept>
#include <tuple>

namespace vodia {

namespace {
constexpr size_t id_width = 20;
constexpr size_t iso_width = 20;  // "2026-11-28T10:00:00Z"
}  // namespace

bool CdrFloor::after(const CdrKey &k) const {
    if (inclusive) return k.end_ms >= key.end_ms;
    return std::tie(k.end_ms, k.id) > std::tie(key.end_ms, key.id);
}

CdrKey key_of(int64_t end_ms, const std::string &id) {
    if (id.size() > id_width) throw std::runtime_error("CDR " + id + ": the record number has more than 20 digits");
    return {end_ms, std::string(id_width - id.size(), '0') + id};
}

std::string cursor_text(const CdrKey &k) {
    char ms[5];
    std::snprintf(ms, sizeof ms, "%03d", static_cast<int>(k.end_ms % 1000));
    return provisio::plugin::iso_utc(k.end_ms / 1000) + "|" + ms + "|" + k.id;
}

CdrFloor floor_of(const std::string &cursor) {
    const auto bad = [&]() -> CdrFloor {
        throw std::runtime_error("the usage cursor '" + cursor + "' is not 'END|MS|RECORD' nor a time this module wrote");
    };
    const size_t bar = cursor.find('|');
    const std::string time = cursor.substr(0, bar);
    int64_t seconds = 0;
    try {
        seconds = provisio::plugin::epoch_of(time);
    } catch (const std::exception &) {
        return bad();
    }
    const std::string rest = bar == std::string::npos ? "" : cursor.substr(bar);
    if (time.size() == iso_width && rest.size() == 1 + 3 + 1 + id_width && rest[4] == '|' &&
        provisio::plugin::is_digits(rest.substr(1, 3)) && provisio::plugin::is_digits(rest.substr(5)))
        return {{seconds * 1000 + std::stoi(rest.substr(1, 3)), rest.substr(5)}, false};
    return {{seconds * 1000, ""}, true};  // the `since` time, or "START|ID" of the module's first versions
}

}  // namespace vodia
