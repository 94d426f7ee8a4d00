#include "ledger/time_ledger.hpp"

#include "foundation/error.hpp"
#include "store/database.hpp"

#include <algorithm>
#include <map>

namespace provisio {

namespace {

constexpr int columns_per_row = 9;

// INSERT of `rows` entries; the conflict on (service, period, kind) skips an entry posted before.
std::string insert_sql(size_t rows) {
    return "INSERT INTO time_ledger (client_id, service_id, at, entry_date, micro_hours, kind, description, minutes, period) "
           "VALUES " + values_placeholders(rows, columns_per_row) + " ON CONFLICT DO NOTHING";
}

// The postings and `now` outlive the statement: their text is bound without copies.
void bind_row(Statement &s, size_t row, const TimePosting &p, const std::string &now) {
    const int base = static_cast<int>(row * columns_per_row);
    s.bind(base + 1, p.client_id).bind(base + 2, p.service_id).bind_borrowed(base + 3, now).bind_borrowed(base + 4, p.entry_date)
        .bind(base + 5, p.hours.micros()).bind_borrowed(base + 6, p.kind).bind_borrowed(base + 7, p.description)
        .bind(base + 8, p.minutes);
    if (p.period) s.bind_borrowed(base + 9, *p.period);
    else s.bind_null(base + 9);
}

}  // namespace

std::optional<int64_t> TimeLedger::post(const TimePosting &p) {
    static const std::string sql = insert_sql(1);
    auto s = db_.prepare(sql);
    bind_row(s, 0, p, now_);
    s.run();
    if (db_.changes() == 0) return std::nullopt;  // this cycle's entry of this kind is already posted
    return db_.last_insert_id();
}

std::vector<bool> TimeLedger::post_cycles(const std::vector<TimePosting> &postings) {
    // One statement per chunk saves SQLite's per-statement work. A chunk that inserts fewer rows
    // than it holds (an entry posted before — rare) is undone and posted row by row to learn which.
    constexpr size_t chunk = 64;
    static const std::string chunk_sql = insert_sql(chunk);
    for (const auto &p : postings)
        if (!p.period) fail(ErrorKind::internal, "post_cycles: an entry without its cycle's period");
    std::vector<bool> posted(postings.size(), false);
    size_t first = 0;
    for (; postings.size() - first >= chunk; first += chunk) {
        {
            Transaction whole(db_);
            auto s = db_.prepare(chunk_sql);
            for (size_t r = 0; r < chunk; ++r) bind_row(s, r, postings[first + r], now_);
            s.run();
            if (static_cast<size_t>(db_.changes()) == chunk) {
                whole.commit();
                std::fill_n(posted.begin() + static_cast<std::ptrdiff_t>(first), chunk, true);
                continue;
            }
        }
        for (size_t r = 0; r < chunk; ++r) posted[first + r] = post(postings[first + r]).has_value();
    }
    for (; first < postings.size(); ++first) posted[first] = post(postings[first]).has_value();
    return posted;
}

Hours TimeLedger::service_balance(int64_t service_id) {
    auto q = db_.prepare("SELECT COALESCE(SUM(micro_hours), 0) FROM time_ledger WHERE service_id = ?1");
    q.bind(1, service_id);
    q.step();
    return Hours::from_micros(q.int64(0));
}

Hours TimeLedger::client_balance(int64_t client_id) {
    auto q = db_.prepare("SELECT COALESCE(SUM(micro_hours), 0) FROM time_ledger WHERE client_id = ?1");
    q.bind(1, client_id);
    q.step();
    return Hours::from_micros(q.int64(0));
}

std::vector<TimeEntry> TimeLedger::entries(std::optional<int64_t> client_id, std::optional<int64_t> service_id) {
    auto q = db_.prepare("SELECT id, client_id, service_id, at, entry_date, micro_hours, kind, description, minutes FROM time_ledger "
                         "WHERE (?1 IS NULL OR client_id = ?1) AND (?2 IS NULL OR service_id = ?2) "
                         "ORDER BY service_id, entry_date, id");
    q.bind(1, client_id).bind(2, service_id);
    std::vector<TimeEntry> out;
    while (q.step())
        out.push_back({q.int64(0), q.int64(1), q.opt_int64(2), q.text(3), q.text(4), Hours::from_micros(q.int64(5)), q.text(6),
                       q.text(7), q.opt_int64(8)});
    return out;
}

Hours hours_for_minutes(int64_t minutes) { return Hours::from_micros((minutes * 1'000'000 + 30) / 60); }

std::string hours_text(Hours h) { return h.to_string(2); }

CreditsView service_credits_view(TimeLedger &ledger, std::optional<int64_t> client_id, std::optional<int64_t> service_id) {
    std::map<int64_t, ServiceCredits> by_service;  // 0: a deleted service's
    for (TimeEntry &e : ledger.entries(client_id, service_id)) {
        ServiceCredits &s = by_service[e.service_id.value_or(0)];
        s.service_id = e.service_id;
        s.balance += e.hours;
        s.entries.emplace_back(std::move(e), s.balance);
    }
    CreditsView view;
    for (auto &[id, s] : by_service) {
        view.total += s.balance;
        view.services.push_back(std::move(s));
    }
    return view;
}

}  // namespace provisio
