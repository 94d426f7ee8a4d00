#include "usage/cdrs.hpp"

#include "foundation/clock.hpp"
#include "foundation/error.hpp"
#include "money/money.hpp"
#include "store/database.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

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

std::string cdr_starts_within(int from_param, int to_param) {
    const std::string from = "?" + std::to_string(from_param), to = "?" + std::to_string(to_param);
    return "id >= COALESCE(unixepoch(NULLIF(" + from + ", '')), 0) * 1000000 AND id < COALESCE(unixepoch(NULLIF(" + to +
           ", '')) * 1000000, 9223372036854775807)";
}

void for_each_cdr(Database &db, const CdrFilter &f, const std::function<void(const StoredCdr &)> &each) {
    if (f.after) {
        auto a = db.prepare("SELECT 1 FROM cdrs WHERE id = ?1 AND service_id = ?2");
        a.bind(1, f.after).bind(2, f.service_id);
        if (!a.step())
            fail(ErrorKind::not_found, "--after " + std::to_string(f.after) + ": no CDR of service " + std::to_string(f.service_id) +
                                           " has that id");
    }
    // Ids are in start order, so the range is one of ids, with one lower bound — the later of
    // --from and the call paged after — for the index to start at: a deep page starts where the
    // last one ended.
    const auto first_id_at = [](const std::optional<std::string> &utc, int64_t otherwise) {
        if (!utc) return otherwise;
        return unix_seconds(parse_instant(*utc, "time")) * cdr_ids_per_second;
    };
    const int64_t lower = std::max(first_id_at(f.from, 0), f.after + 1);
    const int64_t upper = first_id_at(f.to, std::numeric_limits<int64_t>::max());
    auto q = db.prepare(std::string("SELECT ") + columns +
                        " FROM cdrs WHERE service_id = ?1 AND id >= ?2 AND id < ?3 AND (?4 OR status <> 'suppressed') "
                        "AND (?6 = '' OR instr(destination, ?6) OR instr(number, ?6) OR instr(caller, ?6)) ORDER BY id LIMIT ?5");
    q.bind(1, f.service_id).bind(2, lower).bind(3, upper).bind(4, int64_t{f.with_suppressed}).bind(5, f.limit > 0 ? f.limit : -1)
        .bind(6, f.number);
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
    std::vector<TimePoint> bounds;  // bounds[i] = start of days[i]; one more at the end
    for (Date d = from; std::chrono::sys_days(d) < std::chrono::sys_days(to); d = add_days(d, 1)) {
        days.push_back({format_date(d), 0, 0, 0});
        bounds.push_back(zone.start_of(d));
    }
    if (days.empty()) return days;
    bounds.push_back(zone.start_of(to));
    const bool on_quarters = std::all_of(bounds.begin(), bounds.end(), [&](TimePoint b) { return unix_seconds(b) % seconds_per_quarter == 0; });
    // Each row read is (start, calls, billed seconds, cost), in start order.
    auto q = on_quarters
                 ? db.prepare("SELECT quarter_at, calls, billed_seconds, cost_micros FROM cdr_quarters WHERE service_id = ?1 "
                              "AND quarter_at >= ?2 AND quarter_at < ?3 ORDER BY quarter_at")
                 : db.prepare("SELECT id / 1000000, 1, billed_seconds, cost_micros FROM cdrs WHERE service_id = ?1 "
                              "AND id >= ?2 * 1000000 AND id < ?3 * 1000000 AND status <> 'suppressed' ORDER BY id");
    for (const int64_t service : service_ids) {
        q.reset().bind(1, service).bind(2, unix_seconds(bounds.front())).bind(3, unix_seconds(bounds.back()));
        size_t day = 0;
        while (q.step()) {
            const int64_t start = q.int64(0);
            while (day + 1 < days.size() && start >= unix_seconds(bounds[day + 1])) ++day;
            UsageDay &u = days[day];
            u.calls += q.int64(1);
            u.billed_seconds += q.int64(2);
            u.cost_micros += q.int64(3);
        }
    }
    return days;
}

UsageSummary summarize_usage(Database &db, const BusinessZone &zone, std::vector<int64_t> service_ids, Date from, Date to) {
    const int days = days_between(from, to);
    if (days < 1) fail(ErrorKind::invalid_input, "the end date " + format_date(to) + " must be after the start date " + format_date(from));
    if (days > 366) fail(ErrorKind::invalid_input, "the range " + format_date(from) + " to " + format_date(to) + " spans more than 366 days");
    UsageSummary s{from, to, std::move(service_ids), {}, {}};
    s.days = usage_by_day(db, zone, s.service_ids, from, to);
    for (const UsageDay &d : s.days) {
        s.total.calls += d.calls;
        s.total.billed_seconds += d.billed_seconds;
        s.total.cost_micros += d.cost_micros;
    }
    return s;
}

std::vector<int64_t> client_service_ids(Database &db, int64_t client_id) {
    std::vector<int64_t> ids;
    auto q = db.prepare("SELECT id FROM services WHERE client_id = ?1 ORDER BY id");
    q.bind(1, client_id);
    while (q.step()) ids.push_back(q.int64(0));
    return ids;
}

std::string minutes_text(int64_t billed_seconds) {
    return Money::from_micros(billed_seconds * 1'000'000 / 60).rounded(2, Rounding::half_up).to_string(2);
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
