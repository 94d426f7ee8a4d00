// Stored call detail records with their ratings, for listing and explaining.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "foundation/calendar.hpp"
#include "usage/rating.hpp"

#include <string_view>

namespace provisio {
class Database;
class Statement;
}

namespace provisio::usage {

// A call's id is its start second × 1,000,000 + its place among the calls that started in that
// second (schema migration 25). So ids grow with time, the calls of one second are one range of
// ids (how a duplicate is found), and a range of starts is a range of ids: the service index,
// (service_id) alone, ends each entry in the id and serves "a service's calls between two times".
inline constexpr int64_t cdr_ids_per_second = 1'000'000;
// Usage totals are kept per service and UTC quarter hour (the table cdr_quarters): every time
// zone's days begin on one.
inline constexpr int64_t seconds_per_quarter = 900;

// SQL that holds for the calls that start in [?from_param, ?to_param), UTC instants as text, ''
// or NULL for no bound, written so that the service index bounds the search.
std::string cdr_starts_within(int from_param, int to_param);

struct StoredCdr {
    int64_t id = 0, service_id = 0;
    std::string source, source_id, direction, caller, destination, caller_destination;
    std::string start_at, answer_at, end_at;
    bool answer_inferred = false;  // the source gave no answer time: answer_at is end − billsec
    int64_t duration = 0, billsec = 0;
    std::string hangup_cause, status, number, prefix;
    std::optional<int64_t> tariff_version_id;
    bool custom_rate = false;
    int64_t per_minute_micros = 0, connect_fee_micros = 0;
    std::string markup;
    int64_t billed_seconds = 0, free_seconds = 0, tier_seconds = 0, cost_micros = 0;
    std::string note;
    std::optional<std::string> charge_ref;
};

struct CdrFilter {
    int64_t service_id = 0;
    std::optional<std::string> from, to;  // UTC instants, start_at in [from, to)
    std::string number;                    // only calls whose dialled, normalized or calling number contains it; '' any
    bool with_suppressed = false;
    int64_t limit = 0;                     // 0: all
    int64_t after = 0;                     // only calls after this one in (start_at, id) order (paging); 0: from the first
};

// The service's calls in (start_at, id) order, one at a time: any number in constant memory.
// Error(not_found) when `after` is not one of the service's calls.
void for_each_cdr(Database &db, const CdrFilter &filter, const std::function<void(const StoredCdr &)> &each);
std::vector<StoredCdr> list_cdrs(Database &db, const CdrFilter &filter);
StoredCdr get_cdr(Database &db, int64_t id);  // Error(not_found)

// One business day of a service's or a client's calls: the calls listed (suppressed calls are
// not), their billed seconds and their cost.
struct UsageDay {
    std::string day;  // YYYY-MM-DD in the business time zone
    int64_t calls = 0, billed_seconds = 0, cost_micros = 0;
};

// Usage per business day over [from, to) (business dates), of one service or of every service a
// client has; every day in the range is listed, empty days with zeros. Adds up the kept quarter
// hour totals — a month of a busy service is some 3,000 rows, however many calls — or, in a
// zone whose days do not begin on a quarter hour, the calls themselves.
std::vector<UsageDay> usage_by_day(Database &db, const BusinessZone &zone, const std::vector<int64_t> &service_ids, Date from,
                                   Date to);

// A usage summary: the days of usage_by_day() and their total. Error(invalid_input) when `to`
// is not after `from` or the range is longer than 366 days.
struct UsageSummary {
    Date from, to;
    std::vector<int64_t> service_ids;
    std::vector<UsageDay> days;
    UsageDay total{"total", 0, 0, 0};
};
UsageSummary summarize_usage(Database &db, const BusinessZone &zone, std::vector<int64_t> service_ids, Date from, Date to);
// The services a client's summary adds up: all of the client's, in id order.
std::vector<int64_t> client_service_ids(Database &db, int64_t client_id);

// Billed seconds as minutes to the hundredth, half up: 95 s → "1.58".
std::string minutes_text(int64_t billed_seconds);

// Binds how a call was rated to the 13 parameters from `first` on, in the cdrs table's column
// order: status, number, prefix, tariff_version_id (NULL for a custom rate or no match),
// custom_rate, per_minute_micros, connect_fee_micros, markup, billed_seconds, free_seconds,
// tier_seconds, cost_micros, note. Text is borrowed: `rating` and `markup` must outlive the run.
void bind_rating(Statement &s, int first, const Rating &rating, int64_t tariff_version_id, std::string_view markup);

}  // namespace provisio::usage
