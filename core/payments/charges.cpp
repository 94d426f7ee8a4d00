#include "payments/charges.hpp"

#include "automation/invoice_payment.hpp"
#include "billing/invoices.hpp"
#include "config/config.hpp"
#include "domain/repository.hpp"
#include "foundation/clock.hpp"
#include "foundation/error.hpp"
#include "ledger/credit_ledger.hpp"
#include "money/currency.hpp"
#include "notify/outbox.hpp"
#include "payments/gateways.hpp"
#include "provisioning/parallel_calls.hpp"
#include "store/database.hpp"

#include <map>
#include <memory>

namespace provisio {

namespace {

std::string site_base(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

// Where clients reach the client area, without a trailing slash.
std::string client_area_base(const Config &config) { return site_base(config.client_area.url.empty() ? "http://" + config.serve_listen : config.client_area.url); }

// One charge ready to send: its attempt is stored and committed.
struct PreparedCharge {
    PaymentAttempt attempt;
    std::shared_ptr<const GatewayAccount> account;
    GatewayRequest request;
    std::string method_label;
};

class Accounts {
public:
    explicit Accounts(TaskContext &ctx) : ctx_(ctx) {}
    std::shared_ptr<const GatewayAccount> get(const std::string &name) {
        auto it = cache_.find(name);
        if (it == cache_.end()) it = cache_.emplace(name, std::make_shared<GatewayAccount>(gateway_account(ctx_.repo, ctx_.modules, name))).first;
        return it->second;
    }

private:
    TaskContext &ctx_;
    std::map<std::string, std::shared_ptr<const GatewayAccount>> cache_;
};

// The request an attempt stands for; sent again unchanged (the same key, amount and method)
// while its outcome is unknown.
GatewayRequest charge_request(const PaymentAttempt &a, const std::string &reference, const std::string &description) {
    GatewayRequest r;
    r.op = GatewayOp::charge;
    r.amount_minor = minor_units(a.amount, a.currency, "the amount to charge");
    r.currency = a.currency;
    r.idempotency_key = a.idempotency_key;
    r.reference = reference;
    r.description = description;
    r.customer = a.customer;
    r.payment_method = a.payment_method;
    return r;
}

// How long an attempt may stay unanswered before it is no longer sent again: a gateway keeps an
// idempotency key for a day (Stripe: at least 24 hours), after which the same key could charge
// a second time. The operator then looks at the gateway's records first.
constexpr std::chrono::hours resend_for{23};

bool resend_window_over(const PaymentAttempt &a, const std::string &now) {
    return parse_instant(now, "now") - parse_instant(a.created_at, "attempt created_at") > resend_for;
}

// Marks an unanswered attempt unresolved: nothing sends it again, nor charges the invoice anew
// until the operator says so (invoice charge --new-attempt), having checked the gateway.
std::string give_up_on(TaskContext &ctx, PaymentAttempt a) {
    a.state = attempt_state::unresolved;
    a.message = "no answer for " + std::to_string(resend_for.count()) + " h; check " + a.gateway + " for idempotency key " + a.idempotency_key +
                " before charging again" + (a.message.empty() ? "" : " (last: " + a.message + ")");
    Transaction tx(ctx.db);
    update_attempt(ctx.db, ctx.now, a);
    tx.commit();
    return a.message;
}

// The invoice's charge to send now: the attempt left with its outcome unknown, or a new one.
// nullopt (with `why`) when there is nothing to charge.
std::optional<PreparedCharge> prepare_invoice_charge(TaskContext &ctx, Accounts &accounts, int64_t invoice_id, bool new_attempt,
                                                    std::string &why) {
    Invoicing invoicing(ctx.db, ctx.now, ctx.today);
    const Invoice inv = invoicing.get(invoice_id);
    const auto attempts = invoice_attempts(ctx.db, invoice_id);
    const auto method = default_payment_method(ctx.db, inv.client_id);
    const PaymentAttempt *latest = nullptr;
    for (const auto &a : attempts) {
        if (a.kind != "charge") continue;
        latest = &a;
        if (a.state == attempt_state::sent) {
            // Asked before, answer unknown: the same key, amount and method again, whatever changed since.
            if (resend_window_over(a, ctx.now)) {
                why = "attempt " + std::to_string(a.id) + ": " + give_up_on(ctx, a);
                return std::nullopt;
            }
            PreparedCharge p{a, accounts.get(a.gateway), {}, method && method->token == a.payment_method ? method->label : ""};
            p.request = charge_request(a, "invoice-" + std::to_string(invoice_id), "Invoice #" + std::to_string(invoice_id));
            return p;
        }
    }
    if (latest && latest->state == attempt_state::unresolved && !new_attempt) {
        why = "attempt " + std::to_string(latest->id) + " is unresolved: " + latest->message + "; then charge it with provisio invoice charge " +
              std::to_string(invoice_id) + " --new-attempt";
        return std::nullopt;
    }
    for (const auto &a : attempts)
        if (a.state == attempt_state::pending || (a.state == attempt_state::succeeded && a.kind != "refund")) {
            why = "invoice #" + std::to_string(invoice_id) + " has attempt " + std::to_string(a.id) + " " + a.state + " at " + a.gateway;
            return std::nullopt;
        }
    if (inv.status != invoice_status::unpaid) {
        why = "invoice #" + std::to_string(invoice_id) + " is " + inv.status;
        return std::nullopt;
    }
    if (inv.balance_due().negative() || inv.balance_due().zero()) {
        why = "invoice #" + std::to_string(invoice_id) + " owes nothing";
        return std::nullopt;
    }
    if (!method) {
        why = "client " + std::to_string(inv.client_id) + " has no saved payment method (provisio paymethod add)";
        return std::nullopt;
    }
    const Client client = ctx.repo.get_client(inv.client_id);
    int charges = 0;
    for (const auto &a : attempts) charges += a.kind == "charge";
    PaymentAttempt a;
    a.kind = "charge";
    a.client_id = inv.client_id;
    a.invoice_id = invoice_id;
    a.gateway = method->gateway;
    a.idempotency_key = "provisio-invoice-" + std::to_string(invoice_id) + "-attempt-" + std::to_string(charges + 1);
    a.amount = inv.balance_due();
    a.currency = client.currency;
    a.customer = method->customer;
    a.payment_method = method->token;
    auto account = accounts.get(a.gateway);
    GatewayRequest request = charge_request(a, "invoice-" + std::to_string(invoice_id), "Invoice #" + std::to_string(invoice_id));  // checks the amount first
    Transaction tx(ctx.db);
    a = open_attempt(ctx.db, ctx.now, a);
    tx.commit();
    return PreparedCharge{a, account, std::move(request), method->label};
}

TemplateVars payment_vars(Invoicing &invoicing, const Invoice &inv, const PaymentAttempt &a, const std::string &method_label) {
    TemplateVars v = invoicing.variables(inv);
    v["payment_amount"] = a.amount.to_string(currency_decimals(a.currency));
    v["payment_method"] = method_label.empty() ? "saved payment method" : method_label;
    v["payment_failure"] = a.message;
    v["payment_link"] = a.url;
    return v;
}

// A hosted page for the invoice when the card needs the client (3-D Secure) and the gateway gave
// no page of its own. The checkout's own attempt carries its key, so a webhook finds the invoice.
std::string open_invoice_checkout(TaskContext &ctx, const GatewayAccount &account, const PaymentAttempt &charge) {
    if (!account.module->description.gateway.start_checkout) return "";
    PaymentAttempt c;
    c.kind = "checkout";
    c.client_id = charge.client_id;
    c.invoice_id = charge.invoice_id;
    c.gateway = charge.gateway;
    c.idempotency_key = charge.idempotency_key + "-checkout";
    c.amount = charge.amount;
    c.currency = charge.currency;
    {
        Transaction tx(ctx.db);
        c = open_attempt(ctx.db, ctx.now, c);
        tx.commit();
    }
    const Client client = ctx.repo.get_client(charge.client_id);
    GatewayRequest r;
    r.op = GatewayOp::checkout;
    r.amount_minor = minor_units(c.amount, c.currency, "the amount to pay");
    r.currency = c.currency;
    r.idempotency_key = c.idempotency_key;
    r.reference = "invoice-" + std::to_string(*charge.invoice_id);
    r.description = "Invoice #" + std::to_string(*charge.invoice_id);
    r.email = client.email;
    r.return_url = client_area_base(ctx.config) + "/invoices/" + std::to_string(*charge.invoice_id);
    r.cancel_url = r.return_url;
    const CallOutcome out = call_gateway(ctx.quarantine, ctx.modules, account, r);
    Transaction tx(ctx.db);
    log_gateway_call(ctx.db, ctx.now, account, GatewayOp::checkout, out);
    if (out.status == PROVISIO_OK && out.payment) {
        c.state = attempt_state::pending;
        c.gateway_ref = out.payment->id;
        c.url = out.payment->url;
    } else if (out.status == PROVISIO_ERROR) {
        c.state = attempt_state::failed;
    }
    c.message = out.message;
    update_attempt(ctx.db, ctx.now, c);
    tx.commit();
    return c.url;
}

ChargeReport finish_invoice_charge(TaskContext &ctx, const PreparedCharge &p, const CallOutcome &out) {
    ChargeReport report;
    PaymentAttempt a = p.attempt;
    const int64_t invoice_id = *a.invoice_id;
    const std::string who = "invoice #" + std::to_string(invoice_id) + " attempt " + std::to_string(a.id);
    Invoicing invoicing(ctx.db, ctx.now, ctx.today);
    bool settled = false;
    {
        Transaction tx(ctx.db);
        log_gateway_call(ctx.db, ctx.now, *p.account, GatewayOp::charge, out);
        a.message = out.message;
        if (out.status != PROVISIO_OK || !out.payment) {
            if (out.status == PROVISIO_ERROR) {
                a.state = attempt_state::failed;
                report.failed = true;
                report.line = who + ": the gateway refused the request: " + out.message;
            } else {
                report.line = who + ": outcome unknown (" + out.message + "); asked again under " + a.idempotency_key + " on the next run";
            }
            update_attempt(ctx.db, ctx.now, a);
            tx.commit();
            report.attempt = a;
            return report;
        }
        const GatewayResult &r = *out.payment;
        a.gateway_ref = r.id;
        a.payment_ref = r.payment.empty() ? r.id : r.payment;
        a.url = r.url;
        if (!r.failure.empty()) a.message = r.failure;
        switch (r.state) {
        case PROVISIO_PAYMENT_SUCCEEDED: {
            const Money received = r.amount_minor > 0 ? from_minor_units(r.amount_minor, a.currency) : a.amount;
            const Payment paid = invoicing.receive(invoice_id, received, a.gateway, a.payment_ref);
            a.state = attempt_state::succeeded;
            a.transaction_id = paid.transaction_id;
            settled = paid.settled;
            report.paid = true;
            report.line = who + ": charged " + received.to_string(currency_decimals(a.currency)) + " " + a.currency + " (" + a.payment_ref + ")" +
                          (paid.duplicate ? ", already recorded" : "");
            break;
        }
        case PROVISIO_PAYMENT_PENDING:
            a.state = attempt_state::pending;
            report.line = who + ": accepted, the gateway confirms it later (" + a.payment_ref + ")";
            break;
        case PROVISIO_PAYMENT_ACTION_REQUIRED:
            a.state = attempt_state::action_required;
            report.failed = true;
            break;
        default:
            a.state = attempt_state::declined;
            report.failed = true;
            report.line = who + ": declined: " + a.message;
            break;
        }
        update_attempt(ctx.db, ctx.now, a);
        if (a.state == attempt_state::declined) {
            const Invoice inv = invoicing.get(invoice_id);
            queue_mail(ctx.db, ctx.now, "Credit Card Payment Failed", inv.client_id, payment_vars(invoicing, inv, a, p.method_label),
                       "invoice:" + std::to_string(invoice_id) + ":charge-failed:" + std::to_string(a.id));
        }
        tx.commit();
    }
    if (a.state == attempt_state::action_required) {
        if (a.url.empty()) a.url = open_invoice_checkout(ctx, *p.account, a);
        Transaction tx(ctx.db);
        update_attempt(ctx.db, ctx.now, a);
        const Invoice inv = invoicing.get(invoice_id);
        if (!a.url.empty())
            queue_mail(ctx.db, ctx.now, "Payment Authentication Required", inv.client_id, payment_vars(invoicing, inv, a, p.method_label),
                       "invoice:" + std::to_string(invoice_id) + ":authenticate:" + std::to_string(a.id));
        else
            queue_mail(ctx.db, ctx.now, "Credit Card Payment Failed", inv.client_id, payment_vars(invoicing, inv, a, p.method_label),
                       "invoice:" + std::to_string(invoice_id) + ":charge-failed:" + std::to_string(a.id));
        tx.commit();
        report.line = who + ": the client's bank wants them to confirm it" + (a.url.empty() ? "" : "; link mailed: " + a.url);
    }
    if (settled) report.after = after_invoice_paid(ctx, invoice_id);
    report.attempt = a;
    return report;
}

}  // namespace

ChargeReport charge_invoice(TaskContext &ctx, int64_t invoice_id, bool new_attempt) {
    Accounts accounts(ctx);
    std::string why;
    const auto prepared = prepare_invoice_charge(ctx, accounts, invoice_id, new_attempt, why);
    if (!prepared) fail(ErrorKind::refused, why);
    const CallOutcome out = call_gateway(ctx.quarantine, ctx.modules, *prepared->account, prepared->request);
    return finish_invoice_charge(ctx, *prepared, out);
}

namespace {

// Whether the invoice is to be charged today, from its attempts so far: the first time, and after
// a decline (or a card that wanted the client, who did not come) on each retry day, counted from
// the first attempt's business date.
bool charge_due(const std::vector<PaymentAttempt> &attempts, const Config &config, const BusinessZone &zone, Date today) {
    std::optional<Date> first;
    int declined = 0;
    const PaymentAttempt *latest = nullptr;
    for (const auto &a : attempts)
        if (a.kind == "charge") latest = &a;
    if (latest && latest->state == attempt_state::unresolved) return false;  // the operator's to decide
    for (const auto &a : attempts) {
        if (a.state == attempt_state::sent && a.kind == "charge") return true;  // outcome unknown: asked again
        if (a.state == attempt_state::succeeded || a.state == attempt_state::pending) return false;
        if (a.kind != "charge") continue;
        if (!first) first = zone.date_at(parse_instant(a.created_at, "attempt created_at"));
        if (a.state == attempt_state::declined || a.state == attempt_state::failed || a.state == attempt_state::action_required) ++declined;
    }
    if (declined == 0) return true;
    const auto &retries = config.payments.capture_retry_days;
    if (declined > static_cast<int>(retries.size())) return false;  // the schedule is spent
    return today >= add_days(*first, retries[static_cast<size_t>(declined - 1)]);
}

}  // namespace

TaskResult capture_due_invoices(TaskContext &ctx, bool only_unanswered) {
    TaskResult result;
    const std::string last_day = format_date(add_days(ctx.today, ctx.config.payments.capture_days_before));
    const BusinessZone zone(ctx.config.timezone);
    std::vector<int64_t> due;
    {
        auto q = ctx.db.prepare(
            std::string(only_unanswered ? "" : "SELECT i.id FROM invoices i WHERE i.status = 'Unpaid' AND i.due_date <= ?1 "
                                               "AND i.total_micros - i.credit_micros - i.paid_micros > 0 "
                                               "AND EXISTS (SELECT 1 FROM payment_methods m WHERE m.client_id = i.client_id "
                                               "AND m.is_default = 1 AND m.removed_at IS NULL) UNION ") +
            "SELECT invoice_id FROM payment_attempts WHERE state = 'sent' AND kind = 'charge' AND invoice_id IS NOT NULL ORDER BY 1");
        if (!only_unanswered) q.bind(1, last_day);
        while (q.step()) due.push_back(q.int64(0));
    }
    Accounts accounts(ctx);
    std::vector<PreparedCharge> charges;
    for (int64_t id : due) {
        try {
            if (!charge_due(invoice_attempts(ctx.db, id), ctx.config, zone, ctx.today)) continue;
            if (ctx.dry_run) {
                result.lines.push_back("would charge invoice #" + std::to_string(id));
                continue;
            }
            std::string why;
            if (auto p = prepare_invoice_charge(ctx, accounts, id, false, why)) charges.push_back(std::move(*p));
            else (why.find("unresolved") != std::string::npos || why.find("no answer for") != std::string::npos ? result.errors : result.lines)
                .push_back("invoice #" + std::to_string(id) + ": " + why);
        } catch (const Error &e) {
            result.errors.push_back("invoice #" + std::to_string(id) + ": " + e.what());
        }
    }
    if (only_unanswered && !ctx.dry_run) {
        // Top-ups asked of a gateway whose answer never came: asked again too.
        std::vector<int64_t> topups;
        auto q = ctx.db.prepare("SELECT DISTINCT topup_id FROM payment_attempts WHERE state = 'sent' AND topup_id IS NOT NULL ORDER BY 1");
        while (q.step()) topups.push_back(q.int64(0));
        for (int64_t id : topups) {
            try {
                const TopupReport r = retry_topup(ctx, id);
                (r.attempt.state == attempt_state::sent ? result.errors : result.lines).push_back(r.line);
                if (r.paid) ++result.done;
            } catch (const Error &e) {
                result.errors.push_back("top-up " + std::to_string(id) + ": " + e.what());
            }
        }
    }
    std::map<int64_t, int> limits;
    for (const auto &c : charges) limits[c.account->server.id] = static_cast<int>(c.account->server.max_concurrent);
    run_in_parallel(
        charges.size(), [&](size_t i) { return std::optional<int64_t>(charges[i].account->server.id); },
        [&](size_t i) -> std::optional<CallOutcome> { return call_gateway(ctx.quarantine, ctx.modules, *charges[i].account, charges[i].request); },
        ctx.config.payments.capture_workers, limits,
        [&](FinishedCalls &finished) {
            for (auto &[i, out] : finished) {
                try {
                    ChargeReport r = finish_invoice_charge(ctx, charges[i], *out);
                    if (r.paid) ++result.done;
                    (r.failed ? result.errors : result.lines).push_back(r.line);
                    for (auto &l : r.after.lines) result.lines.push_back(std::move(l));
                    for (auto &e : r.after.errors) result.errors.push_back(std::move(e));
                } catch (const Error &e) {
                    result.errors.push_back("invoice #" + std::to_string(*charges[i].attempt.invoice_id) + ": " + e.what());
                }
            }
        });
    return result;
}

bool post_topup_credit(TaskContext &ctx, const Topup &topup, const std::string &gateway_payment_id, Money received) {
    Transaction tx(ctx.db);
    if (get_topup(ctx.db, topup.id).state == "paid") return false;
    auto dup = ctx.db.prepare("SELECT 1 FROM transactions WHERE method = ?1 AND gateway_id = ?2");
    dup.bind(1, topup.gateway).bind(2, gateway_payment_id);
    if (!gateway_payment_id.empty() && dup.step()) return false;
    ctx.db.prepare("INSERT INTO transactions (client_id, at, amount_micros, method, gateway_id, description, topup_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        .bind(1, topup.client_id).bind(2, ctx.now).bind(3, received.micros()).bind(4, topup.gateway).bind(5, gateway_payment_id)
        .bind(6, "Top-up " + std::to_string(topup.id)).bind(7, topup.id)
        .run();
    CreditLedger ledger(ctx.db, ctx.now);
    ledger.post({topup.client_id, received, credit_kind::topup, "Top-up " + std::to_string(topup.id) + " (" + topup.gateway + " " + gateway_payment_id + ")",
                 std::nullopt, "topup:" + std::to_string(topup.id)});
    set_topup_state(ctx.db, topup.id, "paid", ctx.now);
    tx.commit();
    return true;
}

namespace {

TopupReport send_topup(TaskContext &ctx, const Topup &topup, PaymentAttempt a, const GatewayAccount &account, const GatewayRequest &request) {
    TopupReport report;
    report.topup = topup;
    const CallOutcome out = call_gateway(ctx.quarantine, ctx.modules, account, request);
    const std::string who = "top-up " + std::to_string(topup.id);
    {
        Transaction tx(ctx.db);
        log_gateway_call(ctx.db, ctx.now, account, request.op, out);
        a.message = out.message;
        if (out.status != PROVISIO_OK || !out.payment) {
            if (out.status == PROVISIO_ERROR) {
                a.state = attempt_state::failed;
                set_topup_state(ctx.db, topup.id, "failed");
                report.line = who + ": the gateway refused the request: " + out.message;
            } else {
                report.line = who + ": outcome unknown (" + out.message + "); ask again with provisio credit topup-retry " + std::to_string(topup.id);
            }
            update_attempt(ctx.db, ctx.now, a);
            tx.commit();
            report.attempt = a;
            report.topup = get_topup(ctx.db, topup.id);
            return report;
        }
        const GatewayResult &r = *out.payment;
        a.gateway_ref = r.id;
        a.payment_ref = r.payment.empty() && request.op == GatewayOp::charge ? r.id : r.payment;
        a.url = r.url;
        if (!r.failure.empty()) a.message = r.failure;
        if (r.state == PROVISIO_PAYMENT_SUCCEEDED) {
            a.state = attempt_state::succeeded;
        } else if (r.state == PROVISIO_PAYMENT_PENDING) {
            a.state = attempt_state::pending;
        } else if (r.state == PROVISIO_PAYMENT_ACTION_REQUIRED) {
            a.state = attempt_state::action_required;
        } else {
            a.state = attempt_state::declined;
            set_topup_state(ctx.db, topup.id, "failed");
        }
        update_attempt(ctx.db, ctx.now, a);
        tx.commit();
        if (a.state == attempt_state::succeeded) {
            const Money received = r.amount_minor > 0 ? from_minor_units(r.amount_minor, a.currency) : a.amount;
            post_topup_credit(ctx, topup, a.payment_ref, received);
            report.paid = true;
            report.line = who + ": charged " + received.to_string(currency_decimals(a.currency)) + " " + a.currency + "; credit posted";
        } else if (a.state == attempt_state::pending) {
            report.url = a.url;
            report.line = who + (a.url.empty() ? ": accepted; the gateway confirms it later" : ": pay at " + a.url);
        } else if (a.state == attempt_state::action_required) {
            report.url = a.url;
            report.line = who + ": the client's bank wants them to confirm it" + (a.url.empty() ? "; pay on the hosted page instead (--hosted)" : ": " + a.url);
        } else {
            report.line = who + ": declined: " + a.message;
        }
    }
    report.attempt = a;
    report.topup = get_topup(ctx.db, topup.id);
    return report;
}

GatewayRequest topup_request(TaskContext &ctx, const Topup &t, const PaymentAttempt &a, const std::optional<PaymentMethod> &method,
                             const TopupRequest *given) {
    const Client client = ctx.repo.get_client(t.client_id);
    GatewayRequest r;
    r.op = a.kind == "charge" ? GatewayOp::charge : GatewayOp::checkout;
    r.amount_minor = minor_units(a.amount, a.currency, given ? given->amount_field : "the top-up");
    r.currency = a.currency;
    r.idempotency_key = a.idempotency_key;
    r.reference = "topup-" + std::to_string(t.id);
    r.description = "Add funds: top-up " + std::to_string(t.id);
    r.customer = a.customer;
    if (a.kind == "charge") r.payment_method = a.payment_method;
    (void)method;
    r.email = client.email;
    const std::string base = given && !given->site.empty() ? site_base(given->site) : client_area_base(ctx.config);
    r.return_url = base + "/credit?topup=" + std::to_string(t.id);
    r.cancel_url = base + "/credit";
    r.save_method = !given || given->save_method;
    return r;
}

}  // namespace

TopupReport start_topup(TaskContext &ctx, const TopupRequest &req) {
    const Client client = ctx.repo.get_client(req.client_id);
    const Money amount = Money::parse(req.amount, req.amount_field, currency_decimals(client.currency));
    const Money low = Money::parse(ctx.config.payments.topup_min, "payments.topup_min"),
                high = Money::parse(ctx.config.payments.topup_max, "payments.topup_max");
    if (amount < low || amount > high)
        fail(ErrorKind::invalid_input, req.amount_field + " " + amount.to_string(currency_decimals(client.currency)) + " is outside the top-up limits " +
                                           low.to_string(currency_decimals(client.currency)) + " to " + high.to_string(currency_decimals(client.currency)) +
                                           " ([payments] topup_min, topup_max)");
    const std::string gateway = gateway_name(ctx.config, req.gateway);
    const GatewayAccount account = gateway_account(ctx.repo, ctx.modules, gateway);
    std::optional<PaymentMethod> method = default_payment_method(ctx.db, client.id);
    const bool saved = method && method->gateway == gateway && !req.hosted;
    if (!saved && !account.module->description.gateway.start_checkout)
        fail(ErrorKind::refused, "gateway " + gateway + " has no hosted payment page, and client " + std::to_string(client.id) + " has no saved method there");
    minor_units(amount, client.currency, req.amount_field);  // refused before anything is stored
    PaymentAttempt a;
    Topup topup;
    {
        Transaction tx(ctx.db);
        const int64_t id = insert_topup(ctx.db, ctx.now, format_date(ctx.today), client.id, amount, gateway, req.source);
        a.kind = saved ? "charge" : "checkout";
        a.client_id = client.id;
        a.topup_id = id;
        a.gateway = gateway;
        a.idempotency_key = "provisio-topup-" + std::to_string(id);
        a.amount = amount;
        a.currency = client.currency;
        if (method && method->gateway == gateway) {
            a.customer = method->customer;
            if (saved) a.payment_method = method->token;
        }
        a = open_attempt(ctx.db, ctx.now, a);
        tx.commit();
        topup = get_topup(ctx.db, id);
    }
    return send_topup(ctx, topup, a, account, topup_request(ctx, topup, a, method, &req));
}

TopupReport retry_topup(TaskContext &ctx, int64_t topup_id) {
    const Topup topup = get_topup(ctx.db, topup_id);
    for (const auto &a : topup_attempts(ctx.db, topup_id))
        if (a.state == attempt_state::sent) {
            if (resend_window_over(a, ctx.now)) fail(ErrorKind::refused, "top-up " + std::to_string(topup_id) + ": " + give_up_on(ctx, a));
            const GatewayAccount account = gateway_account(ctx.repo, ctx.modules, a.gateway);
            return send_topup(ctx, topup, a, account, topup_request(ctx, topup, a, default_payment_method(ctx.db, topup.client_id), nullptr));
        }
    fail(ErrorKind::refused, "top-up " + std::to_string(topup_id) + " is " + topup.state + " and has no attempt whose outcome is unknown");
}

}  // namespace provisio
