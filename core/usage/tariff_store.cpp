#include "usage/tariff_store.hpp"

#include "foundation/error.hpp"
#include "store/database.hpp"

#include <nlohmann/json.hpp>

namespace provisio::usage {

namespace {

constexpr size_t errors_shown = 20;

std::map<std::string, std::string> parse_map(const std::string &json) {
    std::map<std::string, std::string> out;
    const auto j = nlohmann::json::parse(json);
    for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = it.value().get<std::string>();
    return out;
}

}  // namespace

TariffVersion TariffStore::import(const std::string &name, const std::filesystem::path &file,
                                  const std::map<std::string, std::string> &map) {
    return import_card(name, std::filesystem::absolute(file).string(), map,
                       [&](const std::map<std::string, std::string> &columns) { return read_rate_card(file, columns); });
}

TariffVersion TariffStore::import_text(const std::string &name, const std::string &csv, const std::string &source,
                                       const std::map<std::string, std::string> &map) {
    return import_card(name, source, map,
                       [&](const std::map<std::string, std::string> &columns) { return read_rate_card_text(csv, source, columns); });
}

TariffVersion TariffStore::import_card(const std::string &name, const std::string &source, const std::map<std::string, std::string> &map,
                                       const std::function<ParsedCard(const std::map<std::string, std::string> &)> &read_card) {
    if (name.empty()) fail(ErrorKind::invalid_input, "a tariff needs a name");
    std::optional<Tariff> existing;
    {
        auto q = db_.prepare("SELECT id FROM tariffs WHERE name = ?1");
        q.bind(1, name);
        if (q.step()) existing = read(q.int64(0));
    }
    std::map<std::string, std::string> column_map = existing ? existing->column_map : std::map<std::string, std::string>{};
    for (const auto &[column, field] : map) {
        bool known = false;
        for (const char *f : tariff_fields) known |= field == f;
        if (!known)
            fail(ErrorKind::invalid_input, "--map '" + column + "=" + field +
                                               "': the field must be one of Description, Prefix, RateValue, Increment, "
                                               "ConnectFee, MinimumDuration, GracePeriod");
        column_map[column] = field;
    }
    const ParsedCard card = read_card(column_map);
    if (!card.errors.empty()) {
        std::string text = source + ": the rate card has " + std::to_string(card.errors.size()) + " error" +
                           (card.errors.size() == 1 ? "" : "s") + "; nothing was imported" +
                           (existing && existing->current ? " (version " + std::to_string(existing->current->version) + " stays)" : "");
        for (size_t i = 0; i < card.errors.size() && i < errors_shown; ++i) text += "\n  " + card.errors[i];
        if (card.errors.size() > errors_shown) text += "\n  … and " + std::to_string(card.errors.size() - errors_shown) + " more";
        fail(ErrorKind::invalid_input, text);
    }
    Transaction tx(db_);
    int64_t tariff_id;
    if (existing) {
        tariff_id = existing->id;
    } else {
        db_.prepare("INSERT INTO tariffs (name, created_at) VALUES (?1, ?2)").bind(1, name).bind(2, now_).run();
        tariff_id = db_.last_insert_id();
    }
    nlohmann::json map_json = nlohmann::json::object();
    for (const auto &[k, v] : column_map) map_json[k] = v;
    TariffVersion v;
    v.version = existing && existing->current ? existing->current->version + 1 : 1;
    v.imported_at = now_;
    v.source_file = source;
    v.rate_count = static_cast<int64_t>(card.rates.size());
    db_.prepare("INSERT INTO tariff_versions (tariff_id, version, imported_at, source_file, rate_count) VALUES (?1, ?2, ?3, ?4, ?5)")
        .bind(1, tariff_id).bind(2, int64_t{v.version}).bind(3, v.imported_at).bind(4, v.source_file).bind(5, v.rate_count).run();
    v.id = db_.last_insert_id();
    constexpr int columns = 8;
    constexpr size_t chunk = 100;
    for (size_t first = 0; first < card.rates.size(); first += chunk) {
        const size_t rows = std::min(chunk, card.rates.size() - first);
        auto s = db_.prepare("INSERT INTO tariff_rates (version_id, prefix, description, per_minute_micros, connect_fee_micros, "
                             "initial_seconds, step_seconds, grace_seconds) VALUES " + values_placeholders(rows, columns));
        for (size_t r = 0; r < rows; ++r) {
            const Rate &rate = card.rates[first + r];
            const int b = static_cast<int>(r) * columns;
            s.bind(b + 1, v.id).bind_borrowed(b + 2, rate.prefix).bind_borrowed(b + 3, rate.description)
                .bind(b + 4, rate.per_minute_micros).bind(b + 5, rate.connect_fee_micros).bind(b + 6, int64_t{rate.initial_seconds})
                .bind(b + 7, int64_t{rate.step_seconds}).bind(b + 8, int64_t{rate.grace_seconds});
        }
        s.run();
    }
    db_.prepare("UPDATE tariffs SET current_version = ?1, column_map = ?2 WHERE id = ?3")
        .bind(1, v.id).bind(2, map_json.dump()).bind(3, tariff_id).run();
    tx.commit();
    return v;
}

Tariff TariffStore::read(int64_t id) {
    auto q = db_.prepare("SELECT t.id, t.name, t.column_map, v.id, v.version, v.imported_at, v.source_file, v.rate_count "
                         "FROM tariffs t LEFT JOIN tariff_versions v ON v.id = t.current_version WHERE t.id = ?1");
    q.bind(1, id);
    if (!q.step()) fail(ErrorKind::not_found, "no tariff " + std::to_string(id));
    Tariff t{q.int64(0), q.text(1), parse_map(q.text(2)), std::nullopt};
    if (!q.is_null(3)) t.current = TariffVersion{q.int64(3), static_cast<int>(q.int64(4)), q.text(5), q.text(6), q.int64(7)};
    return t;
}

Tariff TariffStore::get(int64_t id) { return read(id); }

Tariff TariffStore::find(const std::string &name_or_id) {
    auto q = db_.prepare("SELECT id FROM tariffs WHERE name = ?1 OR CAST(id AS TEXT) = ?1 ORDER BY name = ?1 DESC LIMIT 1");
    q.bind(1, name_or_id);
    if (!q.step()) fail(ErrorKind::not_found, "no tariff named '" + name_or_id + "' (provisio tariff list)");
    return read(q.int64(0));
}

std::vector<Tariff> TariffStore::list() {
    std::vector<int64_t> ids;
    auto q = db_.prepare("SELECT id FROM tariffs ORDER BY name");
    while (q.step()) ids.push_back(q.int64(0));
    std::vector<Tariff> out;
    for (int64_t id : ids) out.push_back(read(id));
    return out;
}

std::vector<TariffVersion> TariffStore::versions(int64_t tariff_id) {
    auto q = db_.prepare("SELECT id, version, imported_at, source_file, rate_count FROM tariff_versions WHERE tariff_id = ?1 "
                         "ORDER BY version");
    q.bind(1, tariff_id);
    std::vector<TariffVersion> out;
    while (q.step()) out.push_back({q.int64(0), static_cast<int>(q.int64(1)), q.text(2), q.text(3), q.int64(4)});
    return out;
}

std::vector<Rate> TariffStore::rates(int64_t version_id) {
    auto q = db_.prepare("SELECT prefix, description, per_minute_micros, connect_fee_micros, initial_seconds, step_seconds, "
                         "grace_seconds FROM tariff_rates WHERE version_id = ?1 ORDER BY prefix");
    q.bind(1, version_id);
    std::vector<Rate> out;
    while (q.step())
        out.push_back({q.text(0), q.text(1), q.int64(2), q.int64(3), static_cast<int32_t>(q.int64(4)),
                       static_cast<int32_t>(q.int64(5)), static_cast<int32_t>(q.int64(6))});
    return out;
}

}  // namespace provisio::usage
