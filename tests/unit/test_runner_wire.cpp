// The runner protocol carries a payment gateway's request and answer (ABI 1.6) whole: what the
// host asks, and what the module reported, arrive field for field; a frame with an unknown
// operation or state is refused as malformed rather than guessed at.
#include "modulehost/runner_wire.hpp"

#include <catch2/catch.hpp>

using namespace provisio;

TEST_CASE("a payment request and its answer cross the runner socket field for field") {
    wire::Request r;
    r.id = 7;
    r.op = wire::Op::payment;
    r.input.server = {{"hostname", "api.stripe.test"}, {"password", "sk_test_1"}};
    r.payment.op = GatewayOp::webhook;
    r.payment.amount_minor = 2599;
    r.payment.currency = "USD";
    r.payment.idempotency_key = "provisio-invoice-12-attempt-1";
    r.payment.reference = "invoice-12";
    r.payment.customer = "cus_1";
    r.payment.payment_method = "pm_1";
    r.payment.payment = "pi_1";
    r.payment.email = "ann@example.com";
    r.payment.return_url = "https://example.com/back";
    r.payment.cancel_url = "https://example.com/cancel";
    r.payment.save_method = true;
    r.payment.headers = {{"stripe-signature", "t=1,v1=ab"}};
    r.payment.body = std::string("{\"x\":1}\0binary", 14);
    const wire::Request back = wire::decode_request(wire::encode(r));
    CHECK(back.op == wire::Op::payment);
    CHECK(back.payment.op == GatewayOp::webhook);
    CHECK(back.payment.amount_minor == 2599);
    CHECK(back.payment.idempotency_key == "provisio-invoice-12-attempt-1");
    CHECK(back.payment.cancel_url == "https://example.com/cancel");
    CHECK(back.payment.save_method);
    CHECK(back.payment.headers == r.payment.headers);
    CHECK(back.payment.body == r.payment.body);
    CHECK(back.input.server == r.input.server);

    wire::Reply reply;
    reply.id = 7;
    GatewayResult p;
    p.state = PROVISIO_PAYMENT_DISPUTED;
    p.id = "dp_1";
    p.payment = "pi_1";
    p.amount_minor = -5;
    p.event_id = "evt_1";
    p.method_label = "Visa ending 4242";
    reply.outcome.payment = p;
    const wire::Reply answered = wire::decode_reply(wire::encode(reply));
    REQUIRE(answered.outcome.payment);
    CHECK(answered.outcome.payment->state == PROVISIO_PAYMENT_DISPUTED);
    CHECK(answered.outcome.payment->amount_minor == -5);
    CHECK(answered.outcome.payment->event_id == "evt_1");
    CHECK(answered.outcome.payment->method_label == "Visa ending 4242");
    CHECK_FALSE(wire::decode_reply(wire::encode(wire::Reply{})).outcome.payment);

    // A state the ABI does not define, written into the frame where the state goes (just before
    // the amount), is refused.
    reply.outcome.payment->amount_minor = 0x1122334455667788;
    std::string frame = wire::encode(reply);
    const std::string amount("\x88\x77\x66\x55\x44\x33\x22\x11", 8);
    const size_t at = frame.find(amount);
    REQUIRE(at != std::string::npos);
    REQUIRE(at >= 4);
    frame[at - 4] = 99;
    CHECK_THROWS_AS(wire::decode_reply(frame), wire::Malformed);
    r.payment.op = static_cast<GatewayOp>(9);
    CHECK_THROWS_AS(wire::decode_request(wire::encode(r)), wire::Malformed);
}
