// Task "mail" (every run): deliver the outbox; failed messages stay queued for the next run.
#include "automation/task.hpp"
#include "config/config.hpp"
#include "documents/invoice_pdf.hpp"
#include "domain/repository.hpp"
#include "notify/outbox.hpp"

namespace provisio {

namespace {

TaskResult deliver(TaskContext &ctx) {
    TaskResult result;
    if (ctx.dry_run) {
        for (const auto &m : list_outbox(ctx.db, false, 1000))
            result.lines.push_back("would send message " + std::to_string(m.id) + " to " + m.recipients + ": " + m.subject);
        result.done = static_cast<int>(result.lines.size());
        return result;
    }
    const Delivery d = deliver_outbox(ctx.db, mail_transport_with_invoices(ctx.db, ctx.config), ctx.repo.secrets(), ctx.now);
    result.done = d.sent;
    result.lines = d.lines;
    if (d.sent > 0 && ctx.config.mail.transport == "file") result.lines.push_back("note: " + mail_transport_note(ctx.config));
    result.errors = d.errors;
    return result;
}

}  // namespace

PROVISIO_REGISTER_TASK(Task{"mail", "Deliver queued e-mail", Schedule::every_run, 95, deliver})

}  // namespace provisio
