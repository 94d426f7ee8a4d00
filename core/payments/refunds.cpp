#include "payments/refunds.hpp"

#include "billing/invoices.hpp"
#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "money/currency.hpp"
#include "payments/gateways.hpp"
#include "payments/payment_store.hpp"
#include "store/database.hpp"

#include <algorithm>

namespace provisio {

namespace {

struct RefundablePayment {
    int64_t transaction_id = 0;
    std::string method, gateway_id;
    Money left;  // paid less refunded
};

// The invoice's payments newest first, with what is left to refund of each.
std::vector<RefundablePayment> refundable_payments(Database &db, int64_t invoice_id) {
    auto q = db.prepare("SELECT p.id, p.method, p.gateway_id, p.amount_micros + coalesce((SELECT sum(r.amount_micros) FROM transactions r "
                        "WHERE r.refund_of = p.id), 0) FROM transactions p WHERE p.invoice_id = ?1 AND p.refund_of IS NULL "
                        "AND p.amount_micros > 0 AND p.disputed_at IS NULL ORDER BY p.id DESC");
    q.bind(1, invoice_id);
    std::vector<RefundablePayment> out;
    while (q.step())
        if (q.int64(3) > 0) out.push_back({q.int64(0), q.text(1), q.text(2), Money::from_micros(q.int64(3))});
    return out;
}

}  // namespace

RefundReport refund_invoice(TaskContext &ctx, const RefundRequest &req) {
    Invoicing invoicing(ctx.db, ctx.now, ctx.today);
    const Invoice inv = invoicing.get(req.invoice_id);
    const Client client = ctx.repo.get_client(inv.client_id);
    const int places = currency_decimals(client.currency);
    const std::string who = "invoice #" + std::to_string(inv.id);
    RefundReport report;
    report.places = places;

    // A gateway refund asked before whose answer never came is asked again first, unchanged.
    for (const auto &a : invoice_attempts(ctx.db, inv.id)) {
        if (a.kind != "refund" || a.state != attempt_state::sent) continue;
        if (!req.to_gateway) fail(ErrorKind::refused, who + " has a gateway refund whose outcome is unknown (attempt " + std::to_string(a.id) +
                                                          "); run provisio invoice refund " + std::to_string(inv.id) + " --to gateway to learn it first");
    }
    if (inv.status != invoice_status::paid) fail(ErrorKind::refused, who + " is " + inv.status + "; only a Paid invoice is refunded");
    std::vector<RefundablePayment> payments = refundable_payments(ctx.db, inv.id);
    Money left;
    for (const auto &p : payments) left += p.left;
    const Money amount = req.amount ? Money::parse(*req.amount, req.amount_field, places) : left;
    if (amount.negative() || amount.zero()) {
        if (!req.amount) fail(ErrorKind::refused, who + " has nothing left to refund (paid " + inv.paid.to_string(places) + ", refunded " +
                                                      inv.refunded.to_string(places) + ")");
        fail(ErrorKind::invalid_input, req.amount_field + " must be more than zero");
    }
    if (amount > left)
        fail(ErrorKind::refused, req.amount_field + " " + amount.to_string(places) + " is more than the " + left.to_string(places) +
                                     " left to refund on " + who + " (payments " + (left + inv.refunded).to_string(places) + ", refunded " +
                                     inv.refunded.to_string(places) + ")");

    if (!req.to_gateway) {
        Money rest = amount;
        Transaction tx(ctx.db);
        for (const auto &p : payments) {
            if (rest.zero()) break;
            const Money part = std::min(rest, p.left);
            report.transactions.push_back(invoicing.record_refund(inv.id, p.transaction_id, part, "", true));
            rest -= part;
        }
        tx.commit();
        report.refunded = amount;
        report.lines.push_back(who + ": refunded " + amount.to_string(places) + " " + client.currency + " to the client's credit");
        return report;
    }

    Money rest = amount;
    for (const auto &p : payments) {
        if (rest.zero()) break;
        if (p.gateway_id.empty()) continue;
        GatewayAccount account;
        try {
            account = gateway_account(ctx.repo, ctx.modules, p.method);
        } catch (const Error &) {
            continue;  // paid some other way (bank transfer): not the gateway's to return
        }
        if (!account.module->description.gateway.refund) fail(ErrorKind::refused, "gateway " + p.method + " cannot refund");
        // The refund attempt left unknown for this payment, or a new one.
        std::optional<PaymentAttempt> attempt;
        int earlier = 0;
        for (const auto &a : invoice_attempts(ctx.db, inv.id)) {
            if (a.kind != "refund" || a.payment_ref != p.gateway_id) continue;
            ++earlier;
            if (a.state == attempt_state::sent) attempt = a;
        }
        if (!attempt) {
            PaymentAttempt a;
            a.kind = "refund";
            a.client_id = inv.client_id;
            a.invoice_id = inv.id;
            a.gateway = p.method;
            a.idempotency_key = "provisio-refund-" + std::to_string(p.transaction_id) + "-" + std::to_string(earlier + 1);
            a.amount = std::min(rest, p.left);
            a.currency = client.currency;
            a.payment_ref = p.gateway_id;
            minor_units(a.amount, a.currency, req.amount_field);
            Transaction tx(ctx.db);
            attempt = open_attempt(ctx.db, ctx.now, a);
            tx.commit();
        }
        PaymentAttempt &a = *attempt;
        GatewayRequest r;
        r.op = GatewayOp::refund;
        r.amount_minor = minor_units(a.amount, a.currency, req.amount_field);
        r.currency = a.currency;
        r.idempotency_key = a.idempotency_key;
        r.reference = "invoice-" + std::to_string(inv.id);
        r.payment = p.gateway_id;
        const CallOutcome out = call_gateway(ctx.quarantine, ctx.modules, account, r);
        Transaction tx(ctx.db);
        log_gateway_call(ctx.db, ctx.now, account, GatewayOp::refund, out);
        a.message = out.message;
        if (out.status == PROVISIO_OK && out.payment &&
            (out.payment->state == PROVISIO_PAYMENT_SUCCEEDED || out.payment->state == PROVISIO_PAYMENT_PENDING)) {
            a.state = out.payment->state == PROVISIO_PAYMENT_SUCCEEDED ? attempt_state::succeeded : attempt_state::pending;
            a.gateway_ref = out.payment->id;
            a.transaction_id = invoicing.record_refund(inv.id, p.transaction_id, a.amount, out.payment->id, false);
            update_attempt(ctx.db, ctx.now, a);
            tx.commit();
            report.transactions.push_back(*a.transaction_id);
            report.refunded += a.amount;
            rest -= std::min(rest, a.amount);
            report.lines.push_back(who + ": refunded " + a.amount.to_string(places) + " " + a.currency + " of " + p.gateway_id + " through " +
                                   p.method + " (" + out.payment->id + (a.state == attempt_state::pending ? ", pending" : "") + ")");
            continue;
        }
        if (out.status == PROVISIO_RETRYABLE) {
            update_attempt(ctx.db, ctx.now, a);
            tx.commit();
            report.unknown = true;
            report.lines.push_back(who + ": the refund's outcome is unknown (" + out.message + "); run the command again to ask under " +
                                   a.idempotency_key);
            return report;
        }
        a.state = out.status == PROVISIO_OK ? attempt_state::declined : attempt_state::failed;
        if (out.payment && !out.payment->failure.empty()) a.message = out.payment->failure;
        update_attempt(ctx.db, ctx.now, a);
        tx.commit();
        fail(ErrorKind::refused, who + ": " + p.method + " refused the refund: " + a.message +
                                     (report.refunded.zero() ? "" : " (refunded before it: " + report.refunded.to_string(places) + ")"));
    }
    if (!rest.zero())
        fail(ErrorKind::refused, who + ": " + rest.to_string(places) + " of it was not paid through a gateway; refund that to credit (--to credit)" +
                                     (report.refunded.zero() ? "" : " (refunded through the gateway: " + report.refunded.to_string(places) + ")"));
    return report;
}

}  // namespace provisio
