#include "domain/repository.hpp"

#include "foundation/error.hpp"
#include "secrets/secret_box.hpp"
#include "store/database.hpp"

#include <charconv>
#include <tuple>

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

Settings Repository::load_sealed_settings(std::string_view table, std::string_view owner_column, int64_t owner,
                                          std::string_view what) {
    Settings out = load_settings(table, owner_column, owner);
    for (auto &[k, v] : out) v = secrets_.open(v, "option '" + k + "' of " + std::string(what));
    return out;
}

void Repository::replace_sealed_settings(std::string_view table, std::string_view owner_column, int64_t owner,
                                         const Settings &values) {
    Settings sealed;
    for (const auto &[k, v] : values) sealed[k] = secrets_.seal(v);
    replace_settings(table, owner_column, owner, sealed);
}

void Repository::seal_pending_settings() {
    std::vector<std::string> tables;
    {
        auto q = db_.prepare("SELECT table_name FROM pending_sealing ORDER BY table_name");
        while (q.step()) tables.push_back(q.text(0));
    }
    if (tables.empty()) return;
    Transaction tx(db_);
    for (const auto &table : tables) {
        if (table != "product_settings" && table != "service_settings")
            fail(ErrorKind::storage, "pending_sealing names an unknown table '" + table + "'");
        const std::string owner = table == "product_settings" ? "product_id" : "service_id";
        std::vector<std::tuple<int64_t, std::string, std::string>> rows;
        {
            auto q = db_.prepare("SELECT " + owner + ", key, value FROM " + table);
            while (q.step()) rows.emplace_back(q.int64(0), q.text(1), q.text(2));
        }
        auto update = db_.prepare("UPDATE " + table + " SET value = ?3 WHERE " + owner + " = ?1 AND key = ?2");
        for (const auto &[id, key, value] : rows) update.reset().bind(1, id).bind(2, key).bind(3, secrets_.seal(value)).run();
        db_.prepare("DELETE FROM pending_sealing WHERE table_name = ?1").bind(1, table).run();
    }
    tx.commit();
}

}  // namespace provisio
