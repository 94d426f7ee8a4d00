// Refunding a paid invoice, to the client's credit or through the gateway that took the money.
// Each refund is new ledger entries (a negative transaction naming the payment; with credit, a
// credit entry) and never an edit of past ones; the invoice stays Paid and counts what was
// refunded. A gateway refund is stored with its idempotency key before the gateway is asked, so
// running the command again after a timeout asks again under the same key and refunds once.
#pragma once

#include "automation/task.hpp"
#include "money/money.hpp"

#include <optional>
#include <string>
#include <vector>

namespace provisio {

struct RefundRequest {
    int64_t invoice_id = 0;
    std::optional<std::string> amount;  // decimal text; nullopt: all that is left to refund
    std::string amount_field = "--amount";
    bool to_gateway = false;            // else: to the client's credit
};

struct RefundReport {
    Money refunded;
    int places = 2;                     // the client's currency's decimal places
    std::vector<int64_t> transactions;  // the refunds posted
    std::vector<std::string> lines;
    bool unknown = false;               // a gateway refund's outcome is not known yet: run it again
};

// Error for an invoice that is not Paid, an amount over what is left to refund (what was paid
// less what was refunded), or, to the gateway, payments no gateway took.
RefundReport refund_invoice(TaskContext &ctx, const RefundRequest &request);

}  // namespace provisio
