// The time-credit ledger: hours credited to a client's services, hours expired, and hours of
// work logged against them. Like the money ledger, a balance is the sum of entries and entries
// are never edited; automation's entries carry a natural key and post at most once. Hours are
// exact: int64 micro-hours (6 decimals), printed with at least two. Automation's entries carry
// their cycle's period, unique per service and kind.
#pragma once

#include "money/money.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace provisio {

class Database;

using Hours = Money;  // the same exact fixed point, counting micro-hours

struct TimeEntry {
    int64_t id = 0;
    int64_t client_id = 0;
    std::optional<int64_t> service_id;
    std::string at;
    std::string entry_date;
    Hours hours;
    std::string kind;
    std::string description;
    std::optional<int64_t> minutes;
};

struct TimePosting {
    int64_t client_id = 0;
    int64_t service_id = 0;
    std::string entry_date;
    Hours hours;
    std::string kind;
    std::string description;
    std::optional<int64_t> minutes;
    std::optional<std::string> period;  // automation's cycle: (service, period, kind) posts once
};

class TimeLedger {
public:
    TimeLedger(Database &db, std::string now) : db_(db), now_(std::move(now)) {}

    // Posts one entry; nullopt when (service, period, kind) was already posted.
    std::optional<int64_t> post(const TimePosting &p);
    // Posts automation's entries (each with its period) a few dozen rows per statement, for
    // runs over many services; says for each whether it was posted or already there.
    std::vector<bool> post_cycles(const std::vector<TimePosting> &postings);
    Hours service_balance(int64_t service_id);
    Hours client_balance(int64_t client_id);
    // Entries of a client (all services) or one service, oldest first.
    std::vector<TimeEntry> entries(std::optional<int64_t> client_id, std::optional<int64_t> service_id);

private:
    Database &db_;
    std::string now_;
};

// The "Service Credits" view: per service, its entries oldest first with the running balance
// after each, and the balance; the total over them. Of one client's services or one service.
struct ServiceCredits {
    std::optional<int64_t> service_id;  // nullopt: entries of a deleted service
    std::vector<std::pair<TimeEntry, Hours>> entries;  // with the balance after it
    Hours balance;
};
struct CreditsView {
    std::vector<ServiceCredits> services;  // in service id order
    Hours total;
};
CreditsView service_credits_view(TimeLedger &ledger, std::optional<int64_t> client_id, std::optional<int64_t> service_id);

// Hours for `minutes` of work: minutes / 60, rounded half-up to the micro-hour.
Hours hours_for_minutes(int64_t minutes);
std::string hours_text(Hours h);  // "1.50", "3.333333"

}  // namespace provisio
