#include "domain/repository.hpp"

#include "foundation/error.hpp"
#include "secrets/secret_box.hpp"
#include "store/database.hpp"

#include <charconv>

namespace provisio {

int64_t parse_id(std::string_view text, std::string_view what) {
    int64_t id = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || p != text.data() + text.size() || id <= 0)
        fail(ErrorKind::invalid_input, std::string(what) + " '" + std::string(text) + "' is not a valid id (a positive whole number)");
    return id;
}

std::string Repository::now_text() const { return format_utc(clock_.now()); }

int64_t Repository::id_by_name_or_id(std::string_view table, std::string_view what, std::string_view ref) {
    auto q = db_.prepare("SELECT id FROM " + std::string(table) + " WHERE name = ?1");
    q.bind(1, ref);
    if (q.step()) return q.int64(0);
    if (!ref.empty() && ref.find_first_not_of("0123456789") == std::string_view::npos) return parse_id(ref, what);
    fail(ErrorKind::not_found, "no " + std::string(what) + " has id or name '" + std::string(ref) + "'");
}

void Repository::ensure_unique(std::string_view table, std::string_view column, std::string_view value,
                               int64_t except_id, std::string_view what) {
    auto q = db_.prepare("SELECT id FROM " + std::string(table) + " WHERE " + std::string(column) + " = ?1 AND id <> ?2");
    q.bind(1, value).bind(2, except_id);
    if (q.step())
        fail(ErrorKind::conflict, std::string(what) + " '" + std::string(value) + "' is already taken by " +
                                      std::string(table).substr(0, table.size() - 1) + " " + std::to_string(q.int64(0)));
}

Settings Repository::load_settings(std::string_view table, std::string_view owner_column, int64_t owner) {
    Settings out;
    auto s = db_.prepare("SELECT key, value FROM " + std::string(table) + " WHERE " + std::string(owner_column) + " = ?1");
    s.bind(1, owner);
    while (s.step()) out[s.text(0)] = s.text(1);
    return out;
}

void Repository::replace_settings(std::string_view table, std::string_view owner_column, int64_t owner,
                                  const Settings &values) {
    db_.prepare("DELETE FROM " + std::string(table) + " WHERE " + std::string(owner_column) + " = ?1").bind(1, owner).run();
    auto ins = db_.prepare("INSERT INTO " + std::string(table) + " (" + std::string(owner_column) + ", key, value) VALUES (?1, ?2, ?3)");
    for (const auto &[k, v] : values) ins.reset().bind(1, owner).bind(2, k).bind(3, v).run();
}

}  // namespace provisio
