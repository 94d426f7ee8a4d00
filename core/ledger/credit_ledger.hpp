// The client credit ledger: a client's credit balance is the sum of its entries. Entries are
// never edited or removed; a mistake is undone by a reversal entry, so the history stays.
//
// The balance is also kept on the client row, updated in the same transaction as each entry,
// so reading it costs one row lookup however long the history; `verify` checks the two agree.
// Every function here runs inside the caller's transaction (or its own when there is none).
#pragma once

#include "money/money.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

class Database;

namespace credit_kind {
inline constexpr const char *credit = "credit";          // added by staff
inline constexpr const char *debit = "debit";            // removed by staff
inline constexpr const char *adjustment = "adjustment";  // balance set directly
inline constexpr const char *reversal = "reversal";      // undoes another entry
inline constexpr const char *overpayment = "overpayment";
inline constexpr const char *applied = "applied";        // spent on an invoice
inline constexpr const char *usage = "usage";            // prepaid VoIP calls, charged by autobill
inline constexpr const char *rerate = "rerate";          // the difference re-rating made to calls already billed
inline constexpr const char *topup = "topup";            // bought through a payment gateway
inline constexpr const char *refund = "refund";          // a payment refunded to credit
inline constexpr const char *dispute = "dispute";        // a disputed top-up taken back
}  // namespace credit_kind

struct CreditEntry {
    int64_t id = 0;
    int64_t client_id = 0;
    std::string at;
    Money amount;              // positive adds credit, negative takes it
    std::string kind;
    std::string description;
    std::optional<int64_t> invoice_id;
    std::optional<int64_t> reverses_id;
    std::optional<int64_t> reversed_by;
    std::optional<std::string> natural_key;
};

struct CreditPosting {
    int64_t client_id = 0;
    Money amount;
    std::string kind;
    std::string description;
    std::optional<int64_t> invoice_id;
    std::optional<std::string> natural_key;  // automation's postings: unique, posted at most once
    bool may_go_negative = false;            // a reversal may leave the balance below zero
};

class CreditLedger {
public:
    CreditLedger(Database &db, std::string now) : db_(db), now_(std::move(now)) {}

    // Posts one entry and moves the balance. Returns the new entry's id, or nullopt when an
    // entry with the same natural key exists (already posted). Refuses (Error refused) a
    // posting that would take the balance below zero unless `may_go_negative`.
    std::optional<int64_t> post(const CreditPosting &posting);
    // Undoes entry `id` with a reversal entry; refuses a reversal, or an entry already reversed.
    int64_t reverse(int64_t id);
    // Sets the balance to `target` with one adjustment entry (none when it already is).
    std::optional<int64_t> set_balance(int64_t client_id, Money target, const std::string &description);

    Money balance(int64_t client_id);
    std::vector<CreditEntry> entries(int64_t client_id);

private:
    Database &db_;
    std::string now_;
};

}  // namespace provisio
