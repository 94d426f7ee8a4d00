// Recording a payment against an invoice, and what paying it up sets off at once — for whoever
// records it (`provisio invoice pay`, POST /api/v1/invoices/{id}/payments, a gateway later):
// services automation suspended for this debt are released, modules hear of the payment (the
// cron task delivers anything left over), ordered services that provision on payment are
// created, and a paid upgrade's queued change_package runs.
#pragma once

#include "automation/task.hpp"
#include "billing/invoices.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace provisio {

struct PaymentRequest {
    int64_t invoice_id = 0;
    std::optional<std::string> amount;  // decimal text in the client's currency; nullopt: the balance due
    std::string amount_field = "--amount";  // how the caller names the amount in errors
    std::string method;                 // banktransfer, card, …, other:TEXT
    std::string transaction_id;         // the processor's id (recorded once per method)
};

struct RecordedPayment {
    int64_t client_id = 0;  // the invoice's
    Money amount;
    Payment payment;
    Money balance_due;   // after the payment
    TaskResult after;    // what paying up set off (lines) and what of it failed (errors)
};

struct AppliedCredit {
    int64_t client_id = 0;  // the invoice's
    Money applied;
    bool paid = false;   // the credit settled the invoice
    Money balance_due;   // after it
    TaskResult after;    // what paying up set off
};

// The client's credit applied to an Unpaid invoice, up to its balance due (Error(refused) for
// one that is Paid or Cancelled); when that settles it, what paying up sets off.
AppliedCredit apply_invoice_credit(TaskContext &ctx, int64_t invoice_id);

// What paying up invoice `invoice_id` sets off, as listed above.
TaskResult after_invoice_paid(TaskContext &ctx, int64_t invoice_id);

// Throws Error for a payment that cannot be recorded (unknown invoice, bad amount, a
// transaction id already used); the payment itself is one transaction, and what follows a
// settled invoice reports its failures in `after.errors` without undoing the payment.
RecordedPayment record_invoice_payment(TaskContext &ctx, const PaymentRequest &request);

}  // namespace provisio
