#include "automation/invoice_payment.hpp"

#include "automation/overdue.hpp"
#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "money/currency.hpp"
#include "provisioning/invoice_events.hpp"
#include "provisioning/lifecycle.hpp"
#include "provisioning/module_queue.hpp"
#include "provisioning/orders.hpp"

#include <algorithm>

namespace provisio {

TaskResult after_invoice_paid(TaskContext &ctx, int64_t invoice_id) {
    Invoicing invoicing(ctx.db, ctx.now, ctx.today);
    const std::vector<int64_t> services = invoicing.services_of(invoice_id);
    TaskResult after = release_paid_up(ctx, services);
    const EventReport events = deliver_invoice_events(ctx.repo, ctx.modules, ctx.quarantine, ctx.today, invoice_id);
    after.lines.insert(after.lines.end(), events.lines.begin(), events.lines.end());
    after.errors.insert(after.errors.end(), events.errors.begin(), events.errors.end());
    Provisioner provisioner = task_provisioner(ctx);
    for (auto &o : provision_paid_orders(ctx.db, provisioner, invoice_id)) (o.ok ? after.lines : after.errors).push_back(std::move(o.line));
    for (const auto &item : list_queue(ctx.db, false)) {
        if (item.action != "change_package" || std::find(services.begin(), services.end(), item.service_id) == services.end()) continue;
        for (const auto &r : provisioner.retry_queue(item.id)) {
            if (r.result && r.result->status == PROVISIO_OK)
                after.lines.push_back("service " + std::to_string(item.service_id) + " change_package: ok");
            else
                after.errors.push_back("service " + std::to_string(item.service_id) + " change_package: " + (r.result ? r.result->message : r.note));
        }
    }
    return after;
}

AppliedCredit apply_invoice_credit(TaskContext &ctx, int64_t invoice_id) {
    Invoicing invoicing(ctx.db, ctx.now, ctx.today);
    const Invoice before = invoicing.get(invoice_id);
    if (before.status != "Unpaid")
        fail(ErrorKind::refused, "invoice #" + std::to_string(invoice_id) + " is " + before.status + ": credit is applied to Unpaid invoices");
    AppliedCredit out;
    out.client_id = before.client_id;
    out.applied = invoicing.apply_credit(invoice_id);
    const Invoice now = invoicing.get(invoice_id);
    out.paid = now.status == "Paid";
    out.balance_due = now.balance_due();
    if (out.paid) out.after = after_invoice_paid(ctx, invoice_id);
    return out;
}

RecordedPayment record_invoice_payment(TaskContext &ctx, const PaymentRequest &request) {
    Invoicing invoicing(ctx.db, ctx.now, ctx.today);
    const Invoice before = invoicing.get(request.invoice_id);
    const Client client = ctx.repo.get_client(before.client_id);
    RecordedPayment out;
    out.client_id = before.client_id;
    out.amount = request.amount ? Money::parse(*request.amount, request.amount_field, currency_decimals(client.currency)) : before.balance_due();
    out.payment = invoicing.pay(before.id, out.amount, request.method, request.transaction_id);
    out.balance_due = invoicing.get(before.id).balance_due();
    if (!out.payment.settled) return out;

    out.after = after_invoice_paid(ctx, before.id);
    return out;
}

}  // namespace provisio
