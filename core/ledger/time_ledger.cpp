#include "ledger/time_ledger.hpp"

#include "store/database.hpp"

namespace provisio {

std::optional<int64_t> TimeLedger::post(const TimePosting &p) {
    db_.prepare("INSERT INTO time_ledger (client_id, service_id, at, entry_date, micro_hours, kind, description, minutes, "
                "period) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING")
        .bind(1, p.client_id).bind(2, p.service_id).bind(3, now_).bind(4, p.entry_date).bind(5, p.hours.micros())
        .bind(6, p.kind).bind(7, p.description).bind(8, p.minutes).bind(9, p.period)
        .run();
    if (db_.changes() == 0) return std::nullopt;  // this cycle's entry of this kind is already posted
    return db_.last_insert_id();
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

}  // namespace provisio
