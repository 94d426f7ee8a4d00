// Talking to Stripe's REST API the way its v1 API expects: form-encoded bodies with bracketed keys
// (metadata[reference]=…), the secret key as a Bearer token, an Idempotency-Key on every POST
// that moves money, and errors read from Stripe's {"error": {"type", "code", "decline_code",
// "message"}} envelope. Every exchange goes through the host (its timeouts, TLS and logging),
// with the secret key scrubbed from the module-call log.
#pragma once

#include <provisio/module.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace stripe {

using Form = std::vector<std::pair<std::string, std::string>>;

// "a b&c" → "a+b%26c", as application/x-www-form-urlencoded wants.
std::string form_encoded(const std::string &text);
std::string form_body(const Form &form);

// What one exchange gave: the JSON reply (null when none or not JSON) and, when it is not a
// success, why, already sorted into the three outcomes the host knows.
struct Reply {
    provisio::Status transport = provisio::Status::ok;  // retryable: no answer is known
    int status = 0;
    nlohmann::json body;
    std::string error;  // the transport's or Stripe's message, for the operator
    // A 2xx whose body is a JSON object: only that is an answer to act on.
    bool ok() const { return transport == provisio::Status::ok && status >= 200 && status < 300 && body.is_object(); }
    // Stripe's error object ({} when none).
    const nlohmann::json &stripe_error() const;
};

// One request to https://HOST/PATH. `idempotency_key` empty: none sent (reads).
Reply call(const provisio::Call &c, const std::string &method, const std::string &path, const Form &form,
           const std::string &idempotency_key, const std::string &log_action);

// The outcome for a reply that is not a success and not a card's decline: retryable for no answer,
// a 2xx that cannot be read (Stripe may have acted), 409 (a request with this key is still
// running), 429 and 5xx; an error otherwise.
provisio::PaymentOutcome failure_of(const Reply &r, const std::string &what);

// The string at `key`, or "" for an absent or null one.
std::string text_of(const nlohmann::json &j, const char *key);

}  // namespace stripe
