// The card stored for a client (one at most): type, last four digits, expiry, optional issue
// number and start date shown freely; the full number sealed to the card key and shown only
// to someone holding its passphrase, each time written to the audit log.
#pragma once

#include "foundation/calendar.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace provisio {

class CardVault;
class Database;

struct CardDetails {
    std::string type;
    std::string number;        // digits; spaces and dashes are dropped
    std::string expiry;        // MM/YY or MM/YYYY
    std::string issue_number;  // optional
    std::string start_date;    // optional, MM/YY or MM/YYYY
};

struct StoredCard {
    int64_t client_id = 0;
    std::string type, last_four, expiry, issue_number, start_date, updated_at;  // expiry, start: YYYY-MM
};

class Cards {
public:
    explicit Cards(Database &db) : db_(db) {}

    // Checks (a type, a number that passes the Luhn check, an expiry not before `today`'s month,
    // a start date not after it) and stores, replacing any card the client had. Error
    // (invalid_input) naming the field; the number itself never appears in a message.
    void set(int64_t client_id, const CardDetails &card, const CardVault &vault, Date today, const std::string &now);
    std::optional<StoredCard> get(int64_t client_id);
    // The full number; `vault` must be unlocked. Logged in the audit log by the caller.
    std::string full_number(int64_t client_id, const CardVault &vault);
    bool clear(int64_t client_id, const std::string &now);  // false when there was none
    // Seals every stored number again from `old_key` (unlocked) to `new_key`; returns how many.
    int reseal_all(const CardVault &old_key, const CardVault &new_key);

private:
    Database &db_;
};

}  // namespace provisio
