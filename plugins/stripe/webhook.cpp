#include "webhook.hpp"

#include "stripe_api.hpp"

#include <openssl/crypto.h>
#include <openssl/hmac.h>

#include <cctype>
#include <vector>

namespace stripe {

using nlohmann::json;

std::string hmac_sha256_hex(const std::string &key, const std::string &payload) {
    unsigned char digest[32];
    unsigned int length = sizeof digest;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char *>(payload.data()), payload.size(),
         digest, &length);
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

std::string signature_problem(const std::string &header, const std::string &body, const std::string &secret, int64_t now,
                              int64_t tolerance_seconds) {
    if (header.empty()) return "no Stripe-Signature header";
    if (secret.empty()) return "the server record has no webhook_secret to check the signature with";
    std::string timestamp;
    std::vector<std::string> signatures;
    size_t at = 0;
    while (at <= header.size()) {
        const size_t comma = header.find(',', at);
        const std::string part = header.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        const size_t eq = part.find('=');
        if (eq != std::string::npos) {
            const std::string k = part.substr(0, eq), v = part.substr(eq + 1);
            if (k == "t") timestamp = v;
            else if (k == "v1") signatures.push_back(v);
        }
        if (comma == std::string::npos) break;
        at = comma + 1;
    }
    if (timestamp.empty() || timestamp.size() > 12 || timestamp.find_first_not_of("0123456789") != std::string::npos)
        return "the Stripe-Signature header has no timestamp t=";
    if (signatures.empty()) return "the Stripe-Signature header has no v1 signature";
    const std::string expected = hmac_sha256_hex(secret, timestamp + "." + body);
    bool match = false;
    for (const auto &s : signatures)
        if (s.size() == expected.size() && CRYPTO_memcmp(s.data(), expected.data(), s.size()) == 0) match = true;
    if (!match) return "no v1 signature in Stripe-Signature matches the body signed with the webhook secret";
    const int64_t t = std::stoll(timestamp);
    if (tolerance_seconds > 0 && (t < now - tolerance_seconds || t > now + tolerance_seconds))
        return "the signed timestamp " + timestamp + " is more than " + std::to_string(tolerance_seconds) + " s from now (" +
               std::to_string(now) + "): a replayed or delayed webhook";
    return "";
}

std::string method_label(const json &method) {
    if (!method.is_object() || !method.contains("card") || !method["card"].is_object()) return "";
    std::string brand = text_of(method["card"], "brand");
    if (!brand.empty()) brand[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(brand[0])));
    if (brand == "Amex") brand = "American Express";
    return brand + " ending " + text_of(method["card"], "last4");
}

namespace {

int64_t amount_of(const json &o, const char *key) { return o.contains(key) && o[key].is_number_integer() ? o[key].get<int64_t>() : 0; }

std::string reference_of(const json &o) {
    if (o.contains("metadata") && o["metadata"].is_object()) {
        const std::string r = text_of(o["metadata"], "reference");
        if (!r.empty()) return r;
    }
    return text_of(o, "client_reference_id");
}

}  // namespace

provisio::PaymentResult read_event(const json &event) {
    provisio::PaymentResult r;
    r.event_id = text_of(event, "id");
    r.event_type = text_of(event, "type");
    if (!event.contains("data") || !event["data"].is_object() || !event["data"].contains("object") || !event["data"]["object"].is_object())
        return r;
    const json &o = event["data"]["object"];
    const std::string &type = r.event_type;
    r.currency = text_of(o, "currency");
    r.reference = reference_of(o);
    r.customer = text_of(o, "customer");
    if (type == "checkout.session.completed" || type == "checkout.session.async_payment_succeeded") {
        // A session completes paid (card) or, for a delayed method, completes unpaid and says
        // later whether the money came.
        r.state = text_of(o, "payment_status") == "paid" ? PROVISIO_PAYMENT_SUCCEEDED : PROVISIO_PAYMENT_PENDING;
        r.id = text_of(o, "id");
        r.payment = text_of(o, "payment_intent");
        r.amount_minor = amount_of(o, "amount_total");
    } else if (type == "checkout.session.expired" || type == "checkout.session.async_payment_failed") {
        r.state = type == "checkout.session.expired" ? PROVISIO_PAYMENT_EXPIRED : PROVISIO_PAYMENT_DECLINED;
        r.id = text_of(o, "id");
        r.amount_minor = amount_of(o, "amount_total");
    } else if (type == "payment_intent.succeeded") {
        r.state = PROVISIO_PAYMENT_SUCCEEDED;
        r.id = r.payment = text_of(o, "id");
        r.amount_minor = amount_of(o, "amount_received");
        r.payment_method = o.contains("payment_method") && o["payment_method"].is_string() ? o["payment_method"].get<std::string>() : "";
    } else if (type == "payment_intent.payment_failed") {
        r.state = PROVISIO_PAYMENT_DECLINED;
        r.id = r.payment = text_of(o, "id");
        r.amount_minor = amount_of(o, "amount");
        if (o.contains("last_payment_error") && o["last_payment_error"].is_object()) {
            const json &e = o["last_payment_error"];
            r.failure = text_of(e, "message");
            const std::string code = text_of(e, "decline_code").empty() ? text_of(e, "code") : text_of(e, "decline_code");
            if (!code.empty()) r.failure += " (" + code + ")";
        }
    } else if (type == "charge.dispute.created" || type == "charge.dispute.closed") {
        const std::string status = text_of(o, "status");
        r.state = type == "charge.dispute.created" ? PROVISIO_PAYMENT_DISPUTED
                  : status == "won"                ? PROVISIO_PAYMENT_DISPUTE_WON
                  : status == "lost"               ? PROVISIO_PAYMENT_DISPUTE_LOST
                                                   : PROVISIO_PAYMENT_NONE;  // warning_closed: no money moved
        r.id = text_of(o, "id");
        r.payment = text_of(o, "payment_intent");
        r.amount_minor = amount_of(o, "amount");
        r.failure = text_of(o, "reason");
    }
    return r;
}

}  // namespace stripe
