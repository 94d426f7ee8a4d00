// Task "credit" (daily): apply clients' available credit to their unpaid invoices, oldest first
// (credit added by staff or from an overpayment after an invoice was made).
#include "automation/task.hpp"
#include "billing/invoices.hpp"
#include "store/database.hpp"

namespace provisio {
namespace {

TaskResult apply_credit(TaskContext &ctx) {
    TaskResult result;
    std::vector<int64_t> invoices;
    {
        auto q = ctx.db.prepare("SELECT i.id FROM invoices i JOIN clients c ON c.id = i.client_id "
                                "WHERE i.status = 'Unpaid' AND c.credit_micros > 0 ORDER BY i.client_id, i.due_date, i.id");
        while (q.step()) invoices.push_back(q.int64(0));
    }
    Invoicing invoicing(ctx.db, ctx.now, ctx.today);
    for (const int64_t id : invoices) {
        try {
            const Money applied = invoicing.apply_credit(id);
            if (applied.zero()) continue;
            result.done++;
            result.lines.push_back(applied.to_string() + " credit applied to invoice #" + std::to_string(id));
        } catch (const std::exception &e) {
            result.errors.push_back("invoice #" + std::to_string(id) + ": " + e.what());
        }
    }
    return result;
}

}  // namespace

PROVISIO_REGISTER_TASK(Task{"credit", "Apply available credit to unpaid invoices", Schedule::daily, 20, apply_credit})

}  // namespace provisio
