// stripe — a payment gateway module speaking Stripe's v1 REST API: off-session charges of a
// saved card (PaymentIntents with confirm and off_session), Stripe Checkout for hosted payments
// (a top-up, an invoice whose card needs 3-D Secure), refunds, and signed webhooks. The host
// decides what is paid and posts it; this module only asks Stripe and reads its answers. Which
// fields it uses, and what the simulator pins, are in docs/modules/stripe.md.
#include "plugin_support.hpp"
#include "stripe_api.hpp"
#include "stripe_options.hpp"
#include "webhook.hpp"

#include <provisio/module.hpp>

#include <cctype>

namespace {

using nlohmann::json;
using provisio::Call;
using provisio::Outcome;
using provisio::PaymentOutcome;
using provisio::PaymentRequest;
using provisio::PaymentResult;
using stripe::text_of;

std::string lower(std::string s) {
    for (auto &ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

// What a request must carry before Stripe is asked; "" when it does.
std::string request_problem(const PaymentRequest &r) {
    if (r.amount_minor <= 0) return "amount_minor must be more than 0, not " + std::to_string(r.amount_minor);
    if (r.currency.size() != 3) return "currency '" + r.currency + "' is not an ISO 4217 code";
    if (r.idempotency_key.empty()) return "no idempotency key: the host sends one with every payment";
    return "";
}

// A PaymentIntent as the result of a charge.
PaymentResult from_intent(const json &pi) {
    PaymentResult r;
    r.id = r.payment = text_of(pi, "id");
    r.amount_minor = pi.contains("amount_received") && pi["amount_received"].is_number_integer() ? pi["amount_received"].get<int64_t>() : 0;
    r.currency = text_of(pi, "currency");
    r.customer = text_of(pi, "customer");
    r.reference = pi.contains("metadata") && pi["metadata"].is_object() ? text_of(pi["metadata"], "reference") : "";
    const std::string status = text_of(pi, "status");
    if (status == "succeeded") {
        r.state = PROVISIO_PAYMENT_SUCCEEDED;
    } else if (status == "requires_action") {
        r.state = PROVISIO_PAYMENT_ACTION_REQUIRED;
        if (pi.contains("next_action") && pi["next_action"].is_object() && pi["next_action"].contains("redirect_to_url"))
            r.url = text_of(pi["next_action"]["redirect_to_url"], "url");
    } else if (status == "processing") {
        r.state = PROVISIO_PAYMENT_PENDING;
    } else {
        r.state = PROVISIO_PAYMENT_DECLINED;
        r.failure = "Stripe left the payment " + status;
        if (pi.contains("last_payment_error") && pi["last_payment_error"].is_object())
            r.failure = text_of(pi["last_payment_error"], "message");
    }
    return r;
}

class Stripe {
public:
    static constexpr provisio::ModuleInfo info{"stripe", "1.0.0",
                                               "Stripe payments: saved-card charges, Checkout, refunds and signed webhooks", 0};
    static constexpr const auto &options = StripeOptions::options;

    explicit Stripe(const provisio::Host &) {}

    Outcome test_connection(Call &c) {
        const stripe::Reply r = stripe::call(c, "GET", "/v1/balance", {}, "", "test_connection");
        if (r.ok()) return Outcome::success("Stripe accepted the secret key (livemode: " + text_of(r.body, "livemode") + ")");
        return r.transport == provisio::Status::ok ? Outcome::failure(r.error) : Outcome::retry("no answer from Stripe: " + r.error);
    }

    PaymentOutcome charge(Call &c, const PaymentRequest &p) {
        if (const std::string why = request_problem(p); !why.empty()) return PaymentOutcome::failure("charge: " + why);
        if (p.payment_method.empty()) return PaymentOutcome::failure("charge: no saved payment method to charge");
        stripe::Form form = {{"amount", std::to_string(p.amount_minor)}, {"currency", lower(p.currency)}, {"confirm", "true"},
                             {"off_session", "true"}, {"payment_method", p.payment_method}};
        if (!p.customer.empty()) form.push_back({"customer", p.customer});
        if (!p.description.empty()) form.push_back({"description", p.description});
        if (!p.reference.empty()) form.push_back({"metadata[reference]", p.reference});
        const stripe::Reply r = stripe::call(c, "POST", "/v1/payment_intents", form, p.idempotency_key, "charge");
        if (r.ok()) return PaymentOutcome::answer(from_intent(r.body));
        const json &e = r.stripe_error();
        if (r.transport == provisio::Status::ok && r.status == 402 && text_of(e, "type") == "card_error") {
            // The card refused off-session. The PaymentIntent stays requires_payment_method; an
            // authentication_required card can still pay with the client present (a hosted page).
            PaymentResult out;
            const std::string code = text_of(e, "code"), decline = text_of(e, "decline_code");
            out.state = code == "authentication_required" ? PROVISIO_PAYMENT_ACTION_REQUIRED : PROVISIO_PAYMENT_DECLINED;
            out.failure = text_of(e, "message") + " (" + (decline.empty() ? code : decline) + ")";
            if (e.contains("payment_intent") && e["payment_intent"].is_object()) out.id = out.payment = text_of(e["payment_intent"], "id");
            out.currency = p.currency;
            out.reference = p.reference;
            return PaymentOutcome::answer(out);
        }
        return stripe::failure_of(r, "charge");
    }

    PaymentOutcome start_checkout(Call &c, const PaymentRequest &p) {
        if (const std::string why = request_problem(p); !why.empty()) return PaymentOutcome::failure("checkout: " + why);
        if (p.return_url.empty()) return PaymentOutcome::failure("checkout: no return URL for the client to land on");
        const std::string item = "line_items[0]";
        stripe::Form form = {{"mode", "payment"},
                             {item + "[price_data][currency]", lower(p.currency)},
                             {item + "[price_data][unit_amount]", std::to_string(p.amount_minor)},
                             {item + "[price_data][product_data][name]", p.description.empty() ? p.reference : p.description},
                             {item + "[quantity]", "1"},
                             {"success_url", p.return_url}};
        if (!p.cancel_url.empty()) form.push_back({"cancel_url", p.cancel_url});
        if (!p.customer.empty()) form.push_back({"customer", p.customer});
        else if (!p.email.empty()) form.push_back({"customer_email", p.email});
        if (!p.reference.empty()) {
            form.push_back({"client_reference_id", p.reference});
            form.push_back({"metadata[reference]", p.reference});
            form.push_back({"payment_intent_data[metadata][reference]", p.reference});
        }
        if (p.save_method) form.push_back({"payment_intent_data[setup_future_usage]", "off_session"});
        const stripe::Reply r = stripe::call(c, "POST", "/v1/checkout/sessions", form, p.idempotency_key, "checkout");
        if (!r.ok()) return stripe::failure_of(r, "checkout");
        PaymentResult out;
        out.state = text_of(r.body, "status") == "complete" ? PROVISIO_PAYMENT_SUCCEEDED : PROVISIO_PAYMENT_PENDING;
        out.id = text_of(r.body, "id");
        out.url = text_of(r.body, "url");
        out.payment = text_of(r.body, "payment_intent");
        out.reference = p.reference;
        out.amount_minor = p.amount_minor;
        out.currency = p.currency;
        if (out.url.empty() || out.id.empty()) return PaymentOutcome::failure("checkout: Stripe's session has no id or url: " + r.body.dump().substr(0, 300));
        return PaymentOutcome::answer(out);
    }

    PaymentOutcome refund(Call &c, const PaymentRequest &p) {
        if (const std::string why = request_problem(p); !why.empty()) return PaymentOutcome::failure("refund: " + why);
        if (p.payment.empty()) return PaymentOutcome::failure("refund: no payment to refund");
        stripe::Form form = {{"payment_intent", p.payment}, {"amount", std::to_string(p.amount_minor)}};
        if (!p.reference.empty()) form.push_back({"metadata[reference]", p.reference});
        const stripe::Reply r = stripe::call(c, "POST", "/v1/refunds", form, p.idempotency_key, "refund");
        if (!r.ok()) return stripe::failure_of(r, "refund");
        PaymentResult out;
        const std::string status = text_of(r.body, "status");
        out.state = status == "succeeded" ? PROVISIO_PAYMENT_SUCCEEDED
                    : status == "pending" || status == "requires_action" ? PROVISIO_PAYMENT_PENDING
                                                                         : PROVISIO_PAYMENT_DECLINED;
        if (out.state == PROVISIO_PAYMENT_DECLINED) out.failure = "Stripe's refund is " + status + ": " + text_of(r.body, "failure_reason");
        out.id = text_of(r.body, "id");
        out.payment = text_of(r.body, "payment_intent");
        out.amount_minor = r.body.contains("amount") && r.body["amount"].is_number_integer() ? r.body["amount"].get<int64_t>() : 0;
        out.currency = text_of(r.body, "currency");
        out.reference = p.reference;
        return PaymentOutcome::answer(out);
    }

    PaymentOutcome parse_webhook(Call &c, const PaymentRequest &p) {
        const std::string secret(c.server("webhook_secret"));
        int64_t tolerance = 300;
        try {
            tolerance = std::stoll(provisio::plugin::server_option<StripeOptions>(c, "tolerance_seconds"));
        } catch (const std::exception &) {
            return PaymentOutcome::failure("webhook: tolerance_seconds is not a whole number");
        }
        const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(c.now().time_since_epoch()).count();
        if (const std::string why = stripe::signature_problem(p.header("stripe-signature"), p.body, secret, now, tolerance); !why.empty())
            return PaymentOutcome::failure("webhook refused: " + why);
        const json event = json::parse(p.body, nullptr, false);
        if (event.is_discarded() || !event.is_object() || text_of(event, "object") != "event" || text_of(event, "id").empty())
            return PaymentOutcome::failure("webhook refused: the signed body is not a Stripe event");
        PaymentResult r = stripe::read_event(event);
        c.log_call("webhook", r.event_type + " " + r.event_id, p.body.substr(0, 4000), {});
        if (r.event_type == "checkout.session.completed" && r.state == PROVISIO_PAYMENT_SUCCEEDED && !r.payment.empty() && !r.customer.empty()) {
            // The session says who paid but not with what: the PaymentIntent does, and whether
            // the client agreed to keep the card.
            const stripe::Reply pi = stripe::call(c, "GET", "/v1/payment_intents/" + r.payment, {{"expand[]", "payment_method"}}, "", "webhook");
            if (!pi.ok()) return stripe::failure_of(pi, "webhook: reading the session's PaymentIntent");
            if (text_of(pi.body, "setup_future_usage") == "off_session" && pi.body["payment_method"].is_object()) {
                r.payment_method = text_of(pi.body["payment_method"], "id");
                r.method_label = stripe::method_label(pi.body["payment_method"]);
            } else {
                r.customer.clear();
            }
        } else if (r.event_type != "checkout.session.completed") {
            r.customer.clear();  // only a completed session with a kept card saves a method
            r.payment_method.clear();
        }
        return PaymentOutcome::answer(r);
    }
};

}  // namespace

PROVISIO_MODULE(Stripe)
