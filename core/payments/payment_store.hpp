// What provisio keeps about money moved through gateways: clients' saved payment methods (the
// gateway's tokens, never card numbers), every attempt asked of a gateway under its idempotency
// key, and top-ups. Plain storage: the use-cases in charges.hpp, webhooks.hpp and refunds.hpp
// decide what to store, each in one transaction with the money it moves.
#pragma once

#include "money/money.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

class Database;

struct PaymentMethod {
    int64_t id = 0;
    int64_t client_id = 0;
    std::string gateway, customer, token, label;
    bool is_default = false;
    std::string created_at;
};

// Saves a method (the same gateway and token again: updates its customer and label). A client's
// first method, or one saved with `make_default`, is the default.
PaymentMethod save_payment_method(Database &db, const std::string &now, int64_t client_id, const std::string &gateway,
                                  const std::string &customer, const std::string &token, const std::string &label, bool make_default);
std::vector<PaymentMethod> list_payment_methods(Database &db, int64_t client_id);
std::optional<PaymentMethod> default_payment_method(Database &db, int64_t client_id);
// Error(not_found) unless `method_id` is one of the client's methods. Removing the default makes
// the newest remaining one the default.
void remove_payment_method(Database &db, const std::string &now, int64_t client_id, int64_t method_id);
void set_default_payment_method(Database &db, int64_t client_id, int64_t method_id);

namespace attempt_state {
inline constexpr const char *sent = "sent";  // asked; the outcome is not known yet: asked again under the same key
inline constexpr const char *succeeded = "succeeded";
inline constexpr const char *declined = "declined";
inline constexpr const char *action_required = "action_required";
inline constexpr const char *pending = "pending";
inline constexpr const char *failed = "failed";  // the gateway refused the request itself
inline constexpr const char *expired = "expired";
inline constexpr const char *unresolved = "unresolved";  // unanswered too long to send again: the operator checks the gateway
}  // namespace attempt_state

struct PaymentAttempt {
    int64_t id = 0;
    std::string kind;  // charge, checkout, refund
    int64_t client_id = 0;
    std::optional<int64_t> invoice_id, topup_id, transaction_id;
    std::string gateway, idempotency_key;
    Money amount;
    std::string currency, state, gateway_ref, payment_ref, customer, payment_method, url, message, created_at, updated_at;
};

// Inserts an attempt in state `sent` (the key is unique: Error(conflict) for one used before).
PaymentAttempt open_attempt(Database &db, const std::string &now, PaymentAttempt attempt);
void update_attempt(Database &db, const std::string &now, const PaymentAttempt &attempt);
std::optional<PaymentAttempt> find_attempt(Database &db, int64_t id);
// The attempt whose gateway id or payment id is `ref` at `gateway`, newest first.
std::optional<PaymentAttempt> attempt_by_ref(Database &db, const std::string &gateway, const std::string &ref);
std::vector<PaymentAttempt> invoice_attempts(Database &db, int64_t invoice_id);  // oldest first
std::vector<PaymentAttempt> topup_attempts(Database &db, int64_t topup_id);

struct Topup {
    int64_t id = 0;
    int64_t client_id = 0;
    Money amount;
    std::string gateway, source, state, created_at, business_date;
    std::optional<std::string> paid_at;
};
int64_t insert_topup(Database &db, const std::string &now, const std::string &business_date, int64_t client_id, Money amount,
                     const std::string &gateway, const std::string &source);
Topup get_topup(Database &db, int64_t id);  // Error(not_found)
void set_topup_state(Database &db, int64_t id, const std::string &state, const std::optional<std::string> &paid_at = std::nullopt);
std::vector<Topup> list_topups(Database &db, int64_t client_id, int limit = 50);
int count_topups(Database &db, int64_t client_id, const std::string &business_date, const std::string &source);

// "invoice-12" → 12 under prefix "invoice-"; nullopt for anything else.
std::optional<int64_t> reference_id(const std::string &reference, const std::string &prefix);

}  // namespace provisio
