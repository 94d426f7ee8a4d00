// A Stripe API simulator: customers, payment methods, PaymentIntents, Refunds, Checkout Sessions
// and signed webhook events, answering in the shapes of Stripe's API reference (docs.stripe.com/api,
// sources in docs/modules/stripe.md, "Checked against"):
//   GET  /v1/balance                           {"object": "balance", …}: what test_connection reads
//   POST /v1/customers                         email, name, metadata[k] → {"id": "cus_…", "object": "customer"}
//   POST /v1/payment_methods/PM/attach         customer → the method, now the customer's
//   GET  /v1/payment_methods/PM                {"id", "object": "payment_method", "card": {"brand", "last4", …}}
//   POST /v1/payment_intents                   amount, currency, customer, payment_method, confirm, off_session,
//                                              description, metadata[k] → a PaymentIntent; a declined card is
//                                              402 {"error": {"type": "card_error", "code", "decline_code",
//                                              "message", "payment_intent": {…}}}
//   GET  /v1/payment_intents/PI[?expand[]=payment_method]
//   POST /v1/refunds                           payment_intent, amount, metadata[k] → {"id": "re_…", "status"}
//   POST /v1/checkout/sessions                 mode=payment, line_items[0][price_data][…], success_url,
//                                              cancel_url, customer | customer_email, client_reference_id,
//                                              metadata[k], payment_intent_data[setup_future_usage|metadata[k]]
//   GET  /v1/checkout/sessions/CS
// Requests are form-encoded (bracketed keys), authenticated by the secret key as a Bearer token or
// as HTTP Basic's user; every POST honours Idempotency-Key as Stripe's v1 API does: the first
// response is kept and replayed (with Idempotent-Replayed: true) for the same key and parameters,
// and the same key with other parameters is 400 idempotency_error.
//
// Stripe's test payment methods decide a charge: pm_card_visa and pm_card_mastercard succeed,
// pm_card_chargeDeclined is declined (generic_decline), pm_card_chargeDeclinedInsufficientFunds
// (insufficient_funds), pm_card_authenticationRequired needs 3-D Secure (authentication_required
// off-session). The hosted page (GET/POST /c/pay/CS) stands in for Stripe Checkout: posting
// card=pm_… completes the session as a client would.
//
// Events are queued, not sent: deliver() posts them to the webhook endpoint signed with
// Stripe-Signature t=…,v1=HMAC-SHA256(secret, "t.body"), and tests may duplicate, reorder or
// corrupt deliveries. answer_late(ms, n) makes the next n API calls do their work and then hold
// the answer for ms: a timeout after success.
#pragma once

#include "sim_server.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>

namespace provisio::sims {

class StripeSim : public SimServer {
public:
    StripeSim(std::string secret_key, std::string webhook_secret, unsigned short port = 0);
    ~StripeSim() override;

    // Where deliver() posts events ("http://127.0.0.1:P/hooks/payments/stripe"); empty: nowhere.
    void set_webhook_endpoint(const std::string &url);
    // Completes an open checkout session as the client paying with `payment_method` would (a
    // declining method fails it); returns the session's URL to return to. Throws for an unknown
    // or closed session.
    std::string complete_checkout(const std::string &session_id, const std::string &payment_method = "pm_card_visa");
    // A customer with `test_card` attached, as a client saving a card on the operator's site
    // leaves them: {customer id, payment method id}.
    std::pair<std::string, std::string> save_card(const std::string &test_card, const std::string &email);
    // `count` customers cus_sim1.. each with a Visa card pm_sim1.. attached, for benchmarks that
    // seed as many clients with saved methods in their database.
    void seed_cards(int count);
    // Expires an open session (checkout.session.expired).
    void expire_checkout(const std::string &session_id);
    // The client's bank disputes the PaymentIntent's charge (charge.dispute.created); close it.
    std::string dispute(const std::string &payment_intent, const std::string &reason = "fraudulent");
    void close_dispute(const std::string &dispute_id, bool won);
    // Makes the next `count` API calls do their work, then hold the answer for `ms`.
    void answer_late(int ms, int count = 1);

    // Sends every queued event, in order (reversed: newest first), each once; returns how many
    // the endpoint answered with 2xx. Sent events stay listed in events().
    int deliver(bool reversed = false);
    // Sends event `id` again, or with a signature made with the wrong secret.
    int resend(const std::string &event_id, bool bad_signature = false);

    nlohmann::json events() const;                // every event made, oldest first
    nlohmann::json payment_intents() const;        // every PaymentIntent, by id
    nlohmann::json refunds() const;
    nlohmann::json checkout_session(const std::string &id) const;
    std::vector<int> delivery_statuses() const;    // what the endpoint answered, per delivery

protected:
    SimResponse handle(const SimRequest &request) override;
    SimResponse wrong_credentials() override;

private:
    SimResponse api(const SimRequest &r);
    SimResponse create_customer(const nlohmann::json &form);
    SimResponse attach_method(const std::string &pm, const nlohmann::json &form);
    SimResponse create_payment_intent(const nlohmann::json &form);
    SimResponse create_refund(const nlohmann::json &form);
    SimResponse create_session(const nlohmann::json &form);
    SimResponse hosted_page(const SimRequest &r);
    nlohmann::json method_object(const std::string &pm) const;
    nlohmann::json charge_card(nlohmann::json pi, const std::string &pm, bool off_session, std::string &error_code);
    void emit(const std::string &type, const nlohmann::json &object);
    int post_event(const nlohmann::json &event, bool bad_signature);
    std::string complete_locked(const std::string &session_id, const std::string &payment_method);

    std::string secret_key_, webhook_secret_, endpoint_;
    mutable std::mutex state_mutex_;
    struct Kept {
        std::string fingerprint;
        SimResponse response;
    };
    std::map<std::string, Kept> idempotency_;
    std::map<std::string, nlohmann::json> customers_, methods_, intents_, refunds_, sessions_, disputes_;
    std::vector<nlohmann::json> events_;
    std::deque<size_t> undelivered_;
    std::vector<int> delivery_statuses_;
    int late_ms_ = 0, late_count_ = 0;
};

}  // namespace provisio::sims
