// Taking money through a gateway: charging an invoice to the client's saved payment method
// (by hand, and the cron task "capture" for every invoice coming due), and top-ups (add funds)
// charged to a saved method or paid on the gateway's hosted page.
//
// Exactly once: an attempt is stored with its idempotency key and committed before the gateway
// is asked, so a run killed mid-call, or a call that timed out, leaves an attempt whose outcome
// is unknown; the next run asks again under the same key and amount, and the gateway answers
// with the first request's result instead of charging again. Money received is posted once per
// gateway payment id (Invoicing::receive, the top-up's credit entry), so the charge's answer and
// the gateway's webhook for the same payment post it once between them.
#pragma once

#include "automation/task.hpp"
#include "payments/payment_store.hpp"

#include <optional>
#include <string>

namespace provisio {

struct ChargeReport {
    PaymentAttempt attempt;
    bool paid = false;   // money received and posted
    bool failed = false; // declined, refused, or needing the client: the invoice stays unpaid
    std::string line;    // what happened, for the CLI and the cron report
    TaskResult after;    // what paying up set off
};

// Charges invoice `invoice_id`'s balance due to the client's default payment method: a new
// attempt, or the attempt whose outcome is still unknown, sent again under its key. Error for an
// invoice that is not Unpaid, owes nothing, or whose client has no saved method; a declined
// card is a report (failed), not an error: it queues "Credit Card Payment Failed".
// An attempt left unanswered for 23 hours is not sent again (the gateway may have forgotten its
// key): it becomes unresolved, and the invoice is charged again only with `new_attempt`, after
// the operator has looked at the gateway.
ChargeReport charge_invoice(TaskContext &ctx, int64_t invoice_id, bool new_attempt = false);

// Cron task "capture": every Unpaid invoice due within [payments] capture_days_before whose
// client has a saved method, and that has no attempt succeeded or pending and whose latest
// attempt is not unresolved: the first attempt, a retry on each of [payments] capture_retry_days
// after a decline (or a card that wanted the client), and any attempt whose outcome is unknown. Charges run concurrently, at most
// [payments] capture_workers and the account's max_concurrent in flight.
// `only_unanswered`: only the attempts whose outcome is unknown, invoices' and top-ups' (task
// "capture-recheck", every run, so an unknown charge is asked again within minutes).
TaskResult capture_due_invoices(TaskContext &ctx, bool only_unanswered = false);

struct TopupRequest {
    int64_t client_id = 0;
    std::string amount;                   // decimal text in the client's currency
    std::string amount_field = "AMOUNT";  // how the caller names it in errors
    std::optional<std::string> gateway;   // default: [payments] gateway
    std::string source = "operator";      // operator, client, auto
    bool hosted = false;                  // the gateway's page even when a method is saved
    bool save_method = true;              // hosted: offer to keep the card for later charges
    std::string site;                     // hosted: the client area's address the client lands back on
                                          // (/credit?topup=ID); "": [client_area] url, else [http_server] listen
};

struct TopupReport {
    Topup topup;
    PaymentAttempt attempt;
    bool paid = false;   // credit posted
    std::string url;     // hosted: where to send the client
    std::string line;
};

// Starts a top-up of [payments] topup_min to topup_max: charged at once to the client's saved
// method, or a hosted payment whose webhook posts the credit (once, however often it comes).
// Error for an amount out of the limits or a gateway that cannot do what is asked.
TopupReport start_topup(TaskContext &ctx, const TopupRequest &request);

// Resends a top-up's attempt whose outcome is unknown (a timeout): same key, same amount.
TopupReport retry_topup(TaskContext &ctx, int64_t topup_id);

// Posts a paid top-up's credit once (entry "topup:ID") and marks it paid; true when it was new.
bool post_topup_credit(TaskContext &ctx, const Topup &topup, const std::string &gateway_payment_id, Money received);

}  // namespace provisio
