// Reading a Stripe webhook: the Stripe-Signature header is checked first (HMAC-SHA256 of
// "TIMESTAMP.BODY" with the endpoint's secret, any of its v1 signatures, the timestamp within the
// tolerance of now), and only then is the body read as an event and mapped to what provisio
// needs to know.
#pragma once

#include <provisio/module.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace stripe {

// Why the signature does not verify, or "" when it does. `now` in Unix seconds; a tolerance of 0
// checks the signature alone (a replay on a clock set with --now).
std::string signature_problem(const std::string &header, const std::string &body, const std::string &secret, int64_t now,
                              int64_t tolerance_seconds);

// HMAC-SHA256 as lower-case hex (also used by the unit tests to sign).
std::string hmac_sha256_hex(const std::string &key, const std::string &payload);

// What an event reports, for the event types provisio acts on; state NONE for the rest.
provisio::PaymentResult read_event(const nlohmann::json &event);

// "Visa ending 4242" from a payment_method object's card; "" without one.
std::string method_label(const nlohmann::json &method);

}  // namespace stripe
