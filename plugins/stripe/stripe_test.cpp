// The stripe module on the SDK's fake host: what it sends Stripe for a charge, a hosted payment
// and a refund (form fields, Idempotency-Key, the key as a Bearer token and never in the log),
// how it sorts Stripe's answers into succeeded, declined, action required, retryable and error,
// and how it checks and reads webhooks. No core, no network: the integration tests run it
// against the Stripe simulator.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "stripe_api.hpp"
#include "webhook.hpp"

#include <provisio/testing.hpp>

#include <nlohmann/json.hpp>

using nlohmann::json;
using provisio::PaymentRequest;
using provisio::Status;
using provisio::testing::CallInput;
using provisio::testing::FakeHost;

namespace {

const std::string key = "sk_test_51Secret";
const std::string whsec = "whsec_test_secret";

struct Fixture {
    FakeHost host;
    Fixture() { host.load(provisio::testing::linked_module()); }
    CallInput account() {
        CallInput in;
        in.server = {{"hostname", "api.stripe.test"}, {"secure", "yes"}, {"password", key}, {"webhook_secret", whsec}};
        return in;
    }
    PaymentRequest charge_request() {
        PaymentRequest r;
        r.amount_minor = 2599;
        r.currency = "USD";
        r.idempotency_key = "provisio-invoice-12-attempt-1";
        r.reference = "invoice-12";
        r.description = "Invoice #12";
        r.customer = "cus_123";
        r.payment_method = "pm_123";
        return r;
    }
    std::string form_of(size_t i) const { return host.requests.at(i).body; }
    std::string header(size_t i, const std::string &name) const {
        for (const auto &[k, v] : host.requests.at(i).headers)
            if (k == name) return v;
        return "";
    }
    PaymentRequest webhook(const std::string &body, int64_t t, const std::string &secret = whsec) {
        PaymentRequest r;
        r.body = body;
        r.headers = {{"stripe-signature", "t=" + std::to_string(t) + ",v1=" + stripe::hmac_sha256_hex(secret, std::to_string(t) + "." + body)}};
        return r;
    }
    int64_t now_s() const { return host.now_us / 1000000; }
};

}  // namespace

TEST_CASE_METHOD(Fixture, "the descriptor declares a gateway with all four payment functions") {
    CHECK(host.is_gateway());
    host.reply(200, R"({"object":"balance","livemode":false})");
    CHECK(host.call("test_connection", [&] { auto in = account(); in.service_id = 0; return in; }()).status == Status::ok);
    CHECK(host.requests.at(0).url == "https://api.stripe.test/v1/balance");
}

TEST_CASE_METHOD(Fixture, "a charge is an off-session, confirmed PaymentIntent with the host's idempotency key") {
    host.reply(200, R"({"id":"pi_1","object":"payment_intent","status":"succeeded","amount":2599,"amount_received":2599,
                        "currency":"usd","customer":"cus_123","metadata":{"reference":"invoice-12"}})");
    const auto r = host.payment("charge", charge_request(), account());
    REQUIRE(r.status == Status::ok);
    REQUIRE(host.payment_result);
    CHECK(host.payment_result->state == PROVISIO_PAYMENT_SUCCEEDED);
    CHECK(host.payment_result->id == "pi_1");
    CHECK(host.payment_result->amount_minor == 2599);
    CHECK(host.requests.at(0).method == "POST");
    CHECK(host.requests.at(0).url == "https://api.stripe.test/v1/payment_intents");
    CHECK(form_of(0) == "amount=2599&currency=usd&confirm=true&off_session=true&payment_method=pm_123&customer=cus_123&"
                        "description=Invoice+%2312&metadata%5Breference%5D=invoice-12");
    CHECK(header(0, "Idempotency-Key") == "provisio-invoice-12-attempt-1");
    CHECK(header(0, "Authorization") == "Bearer " + key);
    CHECK(header(0, "Content-Type") == "application/x-www-form-urlencoded");
    REQUIRE(host.calls.size() == 1);
    CHECK(host.calls[0].request.find(key) == std::string::npos);
}

TEST_CASE_METHOD(Fixture, "a declined card is an answer, authentication required asks for the client") {
    host.reply(402, R"({"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds",
                        "message":"Your card has insufficient funds.","payment_intent":{"id":"pi_2","status":"requires_payment_method"}}})");
    REQUIRE(host.payment("charge", charge_request(), account()).status == Status::ok);
    CHECK(host.payment_result->state == PROVISIO_PAYMENT_DECLINED);
    CHECK(host.payment_result->failure == "Your card has insufficient funds. (insufficient_funds)");
    CHECK(host.payment_result->payment == "pi_2");

    host.reply(402, R"({"error":{"type":"card_error","code":"authentication_required","decline_code":"authentication_required",
                        "message":"This transaction requires authentication.","payment_intent":{"id":"pi_3"}}})");
    REQUIRE(host.payment("charge", charge_request(), account()).status == Status::ok);
    CHECK(host.payment_result->state == PROVISIO_PAYMENT_ACTION_REQUIRED);
    CHECK(host.payment_result->url.empty());  // the host opens a hosted payment
}

TEST_CASE_METHOD(Fixture, "no answer, an unreadable 2xx, 409, 429 and 5xx are retryable; a refused request is an error") {
    provisio::testing::ScriptedReply timeout;
    timeout.transport = PROVISIO_RETRYABLE;
    timeout.error = "timed out after 15000 ms";
    host.reply(timeout);
    CHECK(host.payment("charge", charge_request(), account()).status == Status::retryable);
    for (int status : {409, 429, 500, 503}) {
        host.reply(status, R"({"error":{"type":"api_error","message":"busy"}})");
        CHECK(host.payment("charge", charge_request(), account()).status == Status::retryable);
    }
    host.reply(200, "<html>gateway error</html>");  // a 2xx that cannot be read: Stripe may have charged
    CHECK(host.payment("charge", charge_request(), account()).status == Status::retryable);
    host.reply(400, R"({"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters"}})");
    const auto r = host.payment("charge", charge_request(), account());
    CHECK(r.status == Status::error);
    CHECK(r.message.find("idempotent") != std::string::npos);
    host.reply(401, R"({"error":{"type":"invalid_request_error","message":"Invalid API Key provided: sk_test_****"}})");
    CHECK(host.payment("charge", charge_request(), account()).status == Status::error);
    auto bad = charge_request();
    bad.amount_minor = 0;
    CHECK(host.payment("charge", bad, account()).status == Status::error);
}

TEST_CASE_METHOD(Fixture, "a hosted payment is a Checkout Session that keeps the card when asked") {
    host.reply(200, R"({"id":"cs_test_1","object":"checkout.session","status":"open","url":"https://checkout.stripe.test/c/pay/cs_test_1"})");
    PaymentRequest p;
    p.amount_minor = 5000;
    p.currency = "EUR";
    p.idempotency_key = "provisio-topup-7";
    p.reference = "topup-7";
    p.description = "Add funds";
    p.email = "ann@example.com";
    p.return_url = "https://billing.example.com/credit?topup=7";
    p.save_method = true;
    REQUIRE(host.payment("checkout", p, account()).status == Status::ok);
    CHECK(host.payment_result->state == PROVISIO_PAYMENT_PENDING);
    CHECK(host.payment_result->url == "https://checkout.stripe.test/c/pay/cs_test_1");
    const std::string form = form_of(0);
    CHECK(form.find("mode=payment") != std::string::npos);
    CHECK(form.find("line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D=5000") != std::string::npos);
    CHECK(form.find("line_items%5B0%5D%5Bprice_data%5D%5Bcurrency%5D=eur") != std::string::npos);
    CHECK(form.find("customer_email=ann%40example.com") != std::string::npos);
    CHECK(form.find("payment_intent_data%5Bsetup_future_usage%5D=off_session") != std::string::npos);
    CHECK(form.find("payment_intent_data%5Bmetadata%5D%5Breference%5D=topup-7") != std::string::npos);
    CHECK(header(0, "Idempotency-Key") == "provisio-topup-7");
}

TEST_CASE_METHOD(Fixture, "a refund of more than is left is refused with Stripe's words") {
    host.reply(200, R"({"id":"re_1","object":"refund","status":"succeeded","amount":1000,"currency":"usd","payment_intent":"pi_1"})");
    PaymentRequest p;
    p.amount_minor = 1000;
    p.currency = "USD";
    p.idempotency_key = "provisio-refund-1";
    p.payment = "pi_1";
    REQUIRE(host.payment("refund", p, account()).status == Status::ok);
    CHECK(host.payment_result->state == PROVISIO_PAYMENT_SUCCEEDED);
    CHECK(host.payment_result->id == "re_1");
    CHECK(form_of(0) == "payment_intent=pi_1&amount=1000");
    host.reply(400, R"({"error":{"type":"invalid_request_error","code":"charge_already_refunded","message":"Charge ch_1 has already been refunded."}})");
    const auto r = host.payment("refund", p, account());
    CHECK(r.status == Status::error);
    CHECK(r.message.find("has already been refunded") != std::string::npos);
}

TEST_CASE_METHOD(Fixture, "webhooks: the signature, the tolerance window and the event") {
    const std::string body = R"({"id":"evt_1","object":"event","type":"payment_intent.succeeded","data":{"object":
        {"id":"pi_9","object":"payment_intent","amount":2599,"amount_received":2599,"currency":"usd","metadata":{"reference":"invoice-12"}}}})";
    REQUIRE(host.payment("webhook", webhook(body, now_s()), account()).status == Status::ok);
    CHECK(host.payment_result->state == PROVISIO_PAYMENT_SUCCEEDED);
    CHECK(host.payment_result->event_id == "evt_1");
    CHECK(host.payment_result->reference == "invoice-12");
    CHECK(host.payment_result->payment == "pi_9");
    CHECK(host.payment_result->amount_minor == 2599);

    auto wrong = host.payment("webhook", webhook(body, now_s(), "whsec_other"), account());
    CHECK(wrong.status == Status::error);
    CHECK(wrong.message.find("no v1 signature") != std::string::npos);
    auto stale = host.payment("webhook", webhook(body, now_s() - 301), account());
    CHECK(stale.status == Status::error);
    CHECK(stale.message.find("more than 300 s") != std::string::npos);
    auto old = account();
    old.server.push_back({"tolerance_seconds", "0"});  // the signature alone: a replay on another clock
    CHECK(host.payment("webhook", webhook(body, now_s() - 86400), old).status == Status::ok);
    auto tampered = webhook(body, now_s());
    tampered.body += " ";
    CHECK(host.payment("webhook", tampered, account()).status == Status::error);
    PaymentRequest unsigned_;
    unsigned_.body = body;
    CHECK(host.payment("webhook", unsigned_, account()).message.find("no Stripe-Signature") != std::string::npos);
    CHECK(host.payment("webhook", webhook(R"({"hello":1})", now_s()), account()).status == Status::error);

    const std::string other = R"({"id":"evt_2","object":"event","type":"customer.created","data":{"object":{"id":"cus_1"}}})";
    REQUIRE(host.payment("webhook", webhook(other, now_s()), account()).status == Status::ok);
    CHECK(host.payment_result->state == PROVISIO_PAYMENT_NONE);
    CHECK(host.payment_result->event_id == "evt_2");
}

TEST_CASE_METHOD(Fixture, "a completed session with a kept card reports the customer and method") {
    const std::string body = R"({"id":"evt_3","object":"event","type":"checkout.session.completed","data":{"object":
        {"id":"cs_1","object":"checkout.session","payment_status":"paid","status":"complete","amount_total":5000,"currency":"eur",
         "customer":"cus_7","payment_intent":"pi_7","metadata":{"reference":"topup-7"}}}})";
    host.reply(200, R"({"id":"pi_7","object":"payment_intent","status":"succeeded","setup_future_usage":"off_session",
                        "payment_method":{"id":"pm_7","object":"payment_method","card":{"brand":"visa","last4":"4242"}}})");
    REQUIRE(host.payment("webhook", webhook(body, now_s()), account()).status == Status::ok);
    const auto &r = *host.payment_result;
    CHECK(r.state == PROVISIO_PAYMENT_SUCCEEDED);
    CHECK(r.reference == "topup-7");
    CHECK(r.id == "cs_1");
    CHECK(r.payment == "pi_7");
    CHECK(r.customer == "cus_7");
    CHECK(r.payment_method == "pm_7");
    CHECK(r.method_label == "Visa ending 4242");
    CHECK(host.requests.at(0).url == "https://api.stripe.test/v1/payment_intents/pi_7?expand%5B%5D=payment_method");
}

TEST_CASE_METHOD(Fixture, "disputes report the payment they concern") {
    const std::string body = R"({"id":"evt_4","object":"event","type":"charge.dispute.created","data":{"object":
        {"id":"dp_1","object":"dispute","amount":2599,"currency":"usd","payment_intent":"pi_9","reason":"fraudulent","status":"needs_response"}}})";
    REQUIRE(host.payment("webhook", webhook(body, now_s()), account()).status == Status::ok);
    CHECK(host.payment_result->state == PROVISIO_PAYMENT_DISPUTED);
    CHECK(host.payment_result->payment == "pi_9");
    CHECK(host.payment_result->id == "dp_1");
}
