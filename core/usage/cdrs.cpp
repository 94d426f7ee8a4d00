#include "usage/cdrs.hpp"

#include "foundation/error.hpp"
#include "store/database.hpp"

#include <chrono>

namespace provisio::usage {

namespace {

const char *columns =
    "id, service_id, source, source_id, direction, caller, destination, caller_destination, start_at, answer_at, end_at, duration, "
    "billsec, hangup_cause, status, number, prefix, tariff_version_id, custom_rate, per_minute_micros, connect_fee_micros, markup, "
    "billed_seconds, free_seconds, tier_seconds, cost_micros, note, charge_ref, answer_inferred";

StoredCdr read(Statement &q) {
    StoredCdr c;
    c.id = q.int64(0);
    c.service_id = q.int64(1);
    c.source = q.text(2);
    c.source_id = q.text(3);
    c.direction = q.text(4);
    c.caller = q.text(5);
    c.destination = q.text(6);
    c.caller_destination = q.text(7);
    c.start_at = q.text(8);
    c.answer_at = q.opt_text(9).value_or("");
    c.end_at = q.text(10);
    c.duration = q.int64(11);
    c.billsec = q.int64(12);
    c.hangup_cause = q.text(13);
    c.status = q.text(14);
    c.number = q.text(15);
    c.prefix = q.opt_text(16).value_or("");
    c.tariff_version_id = q.opt_int64(17);
    c.custom_rate = q.int64(18) != 0;
    c.per_minute_micros = q.int64(19);
    c.connect_fee_micros = q.int64(20);
    c.markup = q.text(21);
    c.billed_seconds = q.int64(22);
    c.free_seconds = q.int64(23);
    c.tier_seconds = q.int64(24);
    c.cost_micros = q.int64(25);
    c.note = q.text(26);
    c.charge_ref = q.opt_text(27);
    c.answer_inferred = q.int64(28) != 0;
    return c;
}

}  // namespace

void for_each_cdr(Database &db, const CdrFilter &f, const std::function<void(const StoredCdr &)> &each) {
    // One lower bound on the start, the later of --from and the start of the call paged after,
    // bounds the index range: a deep page starts where the last one ended, and a first page
    // where --from says, instead of at the service's first call.
    std::optional<std::string> lower = f.from;
    std::string after_start;
    if (f.after) {
        auto a = db.prepare("SELECT start_at FROM cdrs WHERE id = ?1 AND service_id = ?2");
        a.bind(1, f.after).bind(2, f.service_id);
        if (!a.step())
            fail(ErrorKind::not_found, "--after " + std::to_string(f.after) + ": no CDR of service " + std::to_string(f.service_id) +
                                           " has that id");
        after_start = a.text(0);
        if (!lower || after_start > *lower) lower = after_start;
    }
    auto q = db.prepare(std::string("SELECT ") + columns +
                        " FROM cdrs WHERE service_id = ?1 AND start_at >= COALESCE(?2, '') AND (?3 IS NULL OR start_at < ?3) "
                        "AND (?4 OR status <> 'suppressed') AND (?6 = 0 OR start_at > ?7 OR id > ?6) "
                        "ORDER BY start_at, id LIMIT ?5");
    q.bind(1, f.service_id).bind(2, lower).bind(3, f.to).bind(4, int64_t{f.with_suppressed}).bind(5, f.limit > 0 ? f.limit : -1)
        .bind(6, f.after).bind(7, after_start);
    while (q.step()) each(read(q));
}

std::vector<StoredCdr> list_cdrs(Database &db, const CdrFilter &f) {
    std::vector<StoredCdr> out;
    for_each_cdr(db, f, [&](const StoredCdr &c) { out.push_back(c); });
    return out;
}

std::vector<UsageDay> usage_by_day(Database &db, const BusinessZone &zone, const std::vector<int64_t> &service_ids, Date from,
                                   Date to) {
    std::vector<UsageDay> days;
    std::vector<std::string> bounds;  // bounds[i] = UTC start of days[i]; one more at the end
    for (Date d = from; std::chrono::sys_days(d) < std::chrono::sys_days(to); d = add_days(d, 1)) {
        days.push_back({format_date(d), 0, 0, 0});
        bounds.push_back(format_utc(zone.start_of(d)));
    }
    if (days.empty()) return days;
    bounds.push_back(format_utc(zone.start_of(to)));
    auto q = db.prepare("SELECT start_at, billed_seconds, cost_micros FROM cdrs WHERE service_id = ?1 AND start_at >= ?2 "
                        "AND start_at < ?3 AND status <> 'suppressed' ORDER BY start_at");
    for (const int64_t service : service_ids) {
        q.reset().bind(1, service).bind(2, bounds.front()).bind(3, bounds.back());
        size_t day = 0;
        while (q.step()) {
            const std::string_view start = q.text_view(0);
            while (day + 1 < days.size() && start >= bounds[day + 1]) ++day;  // calls come in start order
            UsageDay &u = days[day];
            ++u.calls;
            u.billed_seconds += q.int64(1);
            u.cost_micros += q.int64(2);
        }
    }
    return days;
}

void bind_rating(Statement &s, int first, const Rating &r, int64_t tariff_version_id, std::string_view markup) {
    s.bind_borrowed(first, status_name(r.status)).bind_borrowed(first + 1, r.number);
    if (r.prefix.empty()) s.bind_null(first + 2).bind_null(first + 3);
    else {
        s.bind_borrowed(first + 2, r.prefix);
        if (r.custom_rate) s.bind_null(first + 3);
        else s.bind(first + 3, tariff_version_id);
    }
    s.bind(first + 4, int64_t{r.custom_rate}).bind(first + 5, r.per_minute_micros).bind(first + 6, r.connect_fee_micros)
        .bind_borrowed(first + 7, markup).bind(first + 8, int64_t{r.billed_seconds}).bind(first + 9, int64_t{r.free_seconds})
        .bind(first + 10, int64_t{r.tier_seconds}).bind(first + 11, r.cost_micros).bind_borrowed(first + 12, r.note);
}

StoredCdr get_cdr(Database &db, int64_t id) {
    auto q = db.prepare(std::string("SELECT ") + columns + " FROM cdrs WHERE id = ?1");
    q.bind(1, id);
    if (!q.step()) fail(ErrorKind::not_found, "no CDR " + std::to_string(id));
    return read(q);
}

}  // namespace provisio::usage
