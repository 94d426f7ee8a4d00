#include "payments/webhooks.hpp"

#include "automation/invoice_payment.hpp"
#include "billing/invoices.hpp"
#include "config/config.hpp"
#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "foundation/text.hpp"
#include "ledger/credit_ledger.hpp"
#include "money/currency.hpp"
#include "payments/charges.hpp"
#include "payments/gateways.hpp"
#include "payments/payment_store.hpp"
#include "provisioning/lifecycle.hpp"
#include "store/database.hpp"

#include <nlohmann/json.hpp>

#include <spdlog/spdlog.h>

namespace provisio {

namespace {

using nlohmann::json;

json to_json(const GatewayResult &r) {
    return {{"state", static_cast<int>(r.state)}, {"id", r.id}, {"payment", r.payment}, {"url", r.url}, {"reference", r.reference},
            {"amount_minor", r.amount_minor}, {"currency", r.currency}, {"customer", r.customer}, {"payment_method", r.payment_method},
            {"method_label", r.method_label}, {"failure", r.failure}, {"event_id", r.event_id}, {"event_type", r.event_type}};
}

GatewayResult from_json(const json &j) {
    GatewayResult r;
    r.state = static_cast<provisio_payment_state>(j.at("state").get<int>());
    for (auto [key, field] : {std::pair{"id", &r.id}, {"payment", &r.payment}, {"url", &r.url}, {"reference", &r.reference},
                              {"currency", &r.currency}, {"customer", &r.customer}, {"payment_method", &r.payment_method},
                              {"method_label", &r.method_label}, {"failure", &r.failure}, {"event_id", &r.event_id}, {"event_type", &r.event_type}})
        *field = j.at(key).get<std::string>();
    r.amount_minor = j.at("amount_minor").get<int64_t>();
    return r;
}

// Thrown while processing: the event stays unprocessed and the gateway is asked to send it again.
struct NotYet : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Processed {
    std::string outcome;
    std::optional<int64_t> settled_invoice;
    std::optional<int64_t> disputed_invoice;
};

// The amount an event reports, in the client's currency: what moved, else `fallback`.
Money reported_amount(const GatewayResult &r, const std::string &currency, Money fallback) {
    if (!r.currency.empty() && ascii_upper(r.currency) != currency)
        throw Error(ErrorKind::refused, "the event is in " + ascii_upper(r.currency) + ", the client is billed in " + currency);
    return r.amount_minor > 0 ? from_minor_units(r.amount_minor, currency) : fallback;
}

void save_method_if_given(TaskContext &ctx, const std::string &gateway, int64_t client_id, const GatewayResult &r) {
    if (!r.customer.empty() && !r.payment_method.empty())
        save_payment_method(ctx.db, ctx.now, client_id, gateway, r.customer, r.payment_method, r.method_label, false);
}

// The attempt an event is about: by the gateway's ids, else the reference's newest open one.
std::optional<PaymentAttempt> attempt_of(TaskContext &ctx, const std::string &gateway, const GatewayResult &r) {
    if (auto a = attempt_by_ref(ctx.db, gateway, r.id)) return a;
    if (auto a = attempt_by_ref(ctx.db, gateway, r.payment)) return a;
    return std::nullopt;
}

Processed on_payment(TaskContext &ctx, const std::string &gateway, const GatewayResult &r) {
    Processed p;
    const std::string payment = r.payment.empty() ? r.id : r.payment;
    std::optional<PaymentAttempt> attempt = attempt_of(ctx, gateway, r);
    if (auto topup_id = reference_id(r.reference, "topup-")) {
        const Topup t = get_topup(ctx.db, *topup_id);
        const Client client = ctx.repo.get_client(t.client_id);
        if (r.state == PROVISIO_PAYMENT_SUCCEEDED) {
            const Money received = reported_amount(r, client.currency, t.amount);
            const bool posted = post_topup_credit(ctx, t, payment, received);
            save_method_if_given(ctx, gateway, t.client_id, r);
            if (attempt && attempt->state != attempt_state::succeeded) {
                attempt->state = attempt_state::succeeded;
                attempt->payment_ref = payment;
                update_attempt(ctx.db, ctx.now, *attempt);
            }
            p.outcome = posted ? "top-up " + std::to_string(t.id) + ": credit " + received.to_string(currency_decimals(client.currency)) + " posted"
                               : "top-up " + std::to_string(t.id) + ": paid already";
        } else if (t.state == "open" && r.state == PROVISIO_PAYMENT_DECLINED && (!attempt || attempt->kind == "checkout")) {
            // A card declined on the hosted page (a payment provisio did not ask for itself): the
            // page stays open for another card.
            p.outcome = "top-up " + std::to_string(t.id) + ": a card was declined on the payment page, which stays open";
        } else if (t.state == "open" && (r.state == PROVISIO_PAYMENT_DECLINED || r.state == PROVISIO_PAYMENT_EXPIRED)) {
            set_topup_state(ctx.db, t.id, r.state == PROVISIO_PAYMENT_EXPIRED ? "expired" : "failed");
            if (attempt && attempt->state != attempt_state::succeeded) {
                attempt->state = r.state == PROVISIO_PAYMENT_EXPIRED ? attempt_state::expired : attempt_state::declined;
                attempt->message = r.failure;
                update_attempt(ctx.db, ctx.now, *attempt);
            }
            p.outcome = "top-up " + std::to_string(t.id) + (r.state == PROVISIO_PAYMENT_EXPIRED ? ": the hosted payment expired" : ": declined");
        } else {
            p.outcome = "top-up " + std::to_string(t.id) + " is " + t.state + "; nothing to do";
        }
        return p;
    }
    if (auto invoice_id = reference_id(r.reference, "invoice-")) {
        Invoicing invoicing(ctx.db, ctx.now, ctx.today);
        const Invoice inv = invoicing.get(*invoice_id);
        const Client client = ctx.repo.get_client(inv.client_id);
        if (r.state == PROVISIO_PAYMENT_SUCCEEDED) {
            const Money received = reported_amount(r, client.currency, inv.balance_due());
            const Payment paid = invoicing.receive(inv.id, received, gateway, payment);
            save_method_if_given(ctx, gateway, inv.client_id, r);
            if (attempt && attempt->state != attempt_state::succeeded) {
                attempt->state = attempt_state::succeeded;
                attempt->payment_ref = payment;
                attempt->transaction_id = paid.transaction_id;
                update_attempt(ctx.db, ctx.now, *attempt);
            }
            if (paid.settled) p.settled_invoice = inv.id;
            p.outcome = paid.duplicate ? "invoice #" + std::to_string(inv.id) + ": payment " + payment + " recorded already"
                                       : "invoice #" + std::to_string(inv.id) + ": payment " + payment + " of " +
                                             received.to_string(currency_decimals(client.currency)) + " recorded";
        } else if (r.state == PROVISIO_PAYMENT_DECLINED || r.state == PROVISIO_PAYMENT_EXPIRED) {
            // A failure after the same attempt succeeded (events out of order) changes nothing.
            // Only an attempt still waiting for its answer takes it: one answered already (paid,
            // declined, or waiting for the client, which Stripe also reports as a failure) keeps it.
            if (attempt && (attempt->state == attempt_state::sent || attempt->state == attempt_state::pending)) {
                attempt->state = r.state == PROVISIO_PAYMENT_EXPIRED ? attempt_state::expired : attempt_state::declined;
                if (!r.failure.empty()) attempt->message = r.failure;
                update_attempt(ctx.db, ctx.now, *attempt);
            }
            p.outcome = "invoice #" + std::to_string(inv.id) + ": " + (r.state == PROVISIO_PAYMENT_EXPIRED ? "hosted payment expired" : "declined: " + r.failure);
        } else {
            p.outcome = "invoice #" + std::to_string(inv.id) + ": nothing to do";
        }
        return p;
    }
    p.outcome = "ignored: reference '" + r.reference + "' is not one of provisio's";
    return p;
}

Processed on_dispute(TaskContext &ctx, const std::string &gateway, const GatewayResult &r) {
    Processed p;
    auto q = ctx.db.prepare("SELECT id, client_id, invoice_id, topup_id, amount_micros, disputed_at FROM transactions "
                            "WHERE method = ?1 AND gateway_id = ?2 AND refund_of IS NULL");
    q.bind(1, gateway).bind(2, r.payment);
    if (!q.step()) throw NotYet("no payment " + r.payment + " is recorded at " + gateway + " yet");
    const int64_t txn = q.int64(0), client_id = q.int64(1);
    const std::optional<int64_t> invoice = q.opt_int64(2), topup = q.opt_int64(3);
    const Money paid = Money::from_micros(q.int64(4));
    const bool was_disputed = !q.is_null(5);
    const Client client = ctx.repo.get_client(client_id);
    const Money amount = std::min(reported_amount(r, client.currency, paid), paid);
    const std::string what = "transaction " + std::to_string(txn) + " (" + r.payment + ")";
    CreditLedger ledger(ctx.db, ctx.now);
    if (r.state == PROVISIO_PAYMENT_DISPUTED) {
        if (was_disputed) {
            p.outcome = what + " is disputed already";
            return p;
        }
        ctx.db.prepare("UPDATE transactions SET disputed_at = ?2 WHERE id = ?1").bind(1, txn).bind(2, ctx.now).run();
        if (invoice) {
            Invoicing invoicing(ctx.db, ctx.now, ctx.today);
            if (invoicing.reopen_disputed(*invoice, amount)) p.disputed_invoice = invoice;
            p.outcome = what + " disputed (" + r.failure + "): invoice #" + std::to_string(*invoice) + " is unpaid again";
        } else if (topup) {
            ledger.post({client_id, -amount, credit_kind::dispute, "Top-up " + std::to_string(*topup) + " disputed (" + r.failure + ")", std::nullopt,
                         "dispute:transaction:" + std::to_string(txn)});
            p.outcome = what + " disputed: the top-up's credit is taken back";
        }
        return p;
    }
    if (r.state == PROVISIO_PAYMENT_DISPUTE_WON) {
        if (!was_disputed) {
            p.outcome = what + ": dispute won, nothing was taken back";
            return p;
        }
        if (invoice) {
            Invoicing invoicing(ctx.db, ctx.now, ctx.today);
            if (invoicing.restore_disputed(*invoice, txn, amount)) p.settled_invoice = invoice;
        } else if (topup) {
            ctx.db.prepare("UPDATE transactions SET disputed_at = NULL WHERE id = ?1").bind(1, txn).run();
            ledger.post({client_id, amount, credit_kind::dispute, "Dispute of top-up " + std::to_string(*topup) + " won", std::nullopt,
                         "dispute-won:transaction:" + std::to_string(txn)});
        }
        p.outcome = what + ": dispute won, the money is back";
        return p;
    }
    p.outcome = what + ": dispute lost";
    return p;
}

}  // namespace

WebhookAnswer receive_webhook(TaskContext &ctx, const std::string &gateway, const Settings &headers, const std::string &body) {
    WebhookAnswer answer;
    GatewayAccount account;
    try {
        account = gateway_account(ctx.repo, ctx.modules, gateway);
    } catch (const Error &e) {
        return {404, "no payment gateway '" + gateway + "'"};
    }
    GatewayRequest request;
    request.op = GatewayOp::webhook;
    request.headers = headers;
    request.body = body;
    const CallOutcome out = call_gateway(ctx.quarantine, ctx.modules, account, request);
    {
        Transaction tx(ctx.db);
        log_gateway_call(ctx.db, ctx.now, account, GatewayOp::webhook, out);
        tx.commit();
    }
    if (out.status == PROVISIO_ERROR) return {400, out.message};
    if (out.status != PROVISIO_OK || !out.payment) return {503, "the gateway module could not read it now: " + out.message};
    const GatewayResult &read = *out.payment;

    // Stored first, under its id; from here on the first delivery's reading is what counts.
    GatewayResult r;
    {
        Transaction tx(ctx.db);
        ctx.db.prepare("INSERT INTO gateway_events (gateway, event_id, event_type, report, received_at) VALUES (?1, ?2, ?3, ?4, ?5) "
                       "ON CONFLICT (gateway, event_id) DO NOTHING")
            .bind(1, gateway).bind(2, read.event_id).bind(3, read.event_type).bind(4, to_json(read).dump()).bind(5, ctx.now)
            .run();
        auto q = ctx.db.prepare("SELECT processed_at, outcome, report FROM gateway_events WHERE gateway = ?1 AND event_id = ?2");
        q.bind(1, gateway).bind(2, read.event_id);
        q.step();
        if (!q.is_null(0)) {
            answer.duplicate = true;
            answer.message = "event " + read.event_id + " was processed already: " + q.text(1);
            tx.commit();
            return answer;
        }
        r = from_json(json::parse(q.text(2)));
        tx.commit();
    }
    auto mark_processed = [&](const std::string &outcome) {
        ctx.db.prepare("UPDATE gateway_events SET processed_at = ?3, outcome = ?4 WHERE gateway = ?1 AND event_id = ?2")
            .bind(1, gateway).bind(2, r.event_id).bind(3, ctx.now).bind(4, outcome)
            .run();
    };
    Processed done;
    try {
        Transaction tx(ctx.db);
        switch (r.state) {
        case PROVISIO_PAYMENT_NONE: done.outcome = "ignored: " + r.event_type; break;
        case PROVISIO_PAYMENT_DISPUTED:
        case PROVISIO_PAYMENT_DISPUTE_WON:
        case PROVISIO_PAYMENT_DISPUTE_LOST: done = on_dispute(ctx, gateway, r); break;
        case PROVISIO_PAYMENT_PENDING:
        case PROVISIO_PAYMENT_ACTION_REQUIRED: done.outcome = "noted: " + r.event_type; break;
        default: done = on_payment(ctx, gateway, r); break;
        }
        mark_processed(done.outcome);
        tx.commit();
    } catch (const NotYet &e) {
        return {503, std::string("not processed yet: ") + e.what() + "; send it again"};
    } catch (const Error &e) {
        if (e.kind() == ErrorKind::not_found || e.kind() == ErrorKind::refused || e.kind() == ErrorKind::invalid_input) {
            // It will read the same however often it comes: recorded as such, acknowledged.
            Transaction tx(ctx.db);
            mark_processed(std::string("refused: ") + e.what());
            tx.commit();
            spdlog::error("payment gateway {} event {} ({}): {}", gateway, r.event_id, r.event_type, e.what());
            return {200, std::string("refused: ") + e.what()};
        }
        throw;
    }
    answer.message = done.outcome;
    if (done.settled_invoice) answer.after = after_invoice_paid(ctx, *done.settled_invoice);
    if (done.disputed_invoice && ctx.config.payments.suspend_on_dispute) {
        Invoicing invoicing(ctx.db, ctx.now, ctx.today);
        Provisioner provisioner = task_provisioner(ctx);
        RunOptions o;
        o.reason = "Payment disputed";
        o.requested_by = "automation";
        for (int64_t service : invoicing.services_of(*done.disputed_invoice)) {
            try {
                const Service s = ctx.repo.get_service(service);
                if (s.status != "Active") continue;
                const LifecycleResult l = provisioner.run(service, Action::suspend, o);
                (l.status == PROVISIO_OK ? answer.after.lines : answer.after.errors)
                    .push_back("service " + std::to_string(service) + " suspend: " + (l.status == PROVISIO_OK ? "ok" : l.message));
            } catch (const Error &e) {
                answer.after.errors.push_back("service " + std::to_string(service) + " suspend: " + e.what());
            }
        }
    }
    return answer;
}

}  // namespace provisio
