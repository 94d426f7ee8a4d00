#include "provisioning/invoice_events.hpp"

#include "billing/invoices.hpp"
#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "modulehost/module_host.hpp"
#include "provisioning/call_log.hpp"
#include "provisioning/credit_generation.hpp"
#include "provisioning/lifecycle.hpp"
#include "store/database.hpp"

namespace provisio {

namespace {
constexpr int max_attempts = 10;
}

EventReport deliver_invoice_events(Repository &repo, const ModuleHost &host, Quarantine &quarantine, Date today,
                                   std::optional<int64_t> invoice_id, bool dry_run) {
    EventReport report;
    Database &db = repo.database();
    struct Pending {
        int64_t id;
        std::string kind;
        int64_t invoice, service;
        int64_t attempts;
    };
    std::vector<Pending> pending;
    {
        auto q = db.prepare("SELECT id, kind, invoice_id, service_id, attempts FROM module_events WHERE delivered_at IS NULL "
                            "AND (?1 IS NULL OR invoice_id = ?1) ORDER BY id");
        q.bind(1, invoice_id);
        while (q.step()) pending.push_back({q.int64(0), q.text(1), q.int64(2), q.int64(3), q.int64(4)});
    }
    const std::string now = repo.now_text();
    Invoicing invoicing(db, now, today);
    Provisioner provisioner(repo, host);
    auto mark = [&](const Pending &p, const std::string &error, bool done) {
        db.prepare("UPDATE module_events SET attempts = attempts + 1, last_error = ?2, "
                   "delivered_at = CASE WHEN ?3 THEN ?4 ELSE NULL END WHERE id = ?1")
            .bind(1, p.id).bind(2, error).bind(3, int64_t{done}).bind(4, now).run();
    };
    for (const auto &p : pending) {
        const std::string what = p.kind + " #" + std::to_string(p.invoice) + " for service " + std::to_string(p.service);
        try {
            std::optional<Service> service;
            try {
                service = repo.get_service(p.service);
            } catch (const Error &) {
            }
            const Product product = service ? repo.get_product(service->product_id) : Product{};
            const LoadedModule *module = product.module.empty() ? nullptr : host.find(product.module);
            const bool listens = module && module->description.functions.invoice_event;
            const bool generates = module && module->description.functions.generate_credits;
            if (!service || (!listens && !generates)) {
                if (!dry_run) mark(p, "", true);  // nobody to tell
                continue;
            }
            if (dry_run) {
                report.lines.push_back("would deliver " + what + " to module " + module->name());
                continue;
            }
            if (quarantine.skips(module->name())) {
                report.errors.push_back(what + ": " + quarantine.why_skipped(module->name()) + " (will retry)");
                continue;
            }
            const Invoice inv = invoicing.get(p.invoice);
            const Client client = repo.get_client(inv.client_id);
            // The strings the lines point into must outlive the call.
            std::vector<std::string> amounts, dues;
            for (const auto &l : inv.lines) {
                amounts.push_back(l.amount.to_string());
                dues.push_back(l.due_date.value_or(""));
            }
            std::vector<provisio_invoice_line> lines;
            for (size_t i = 0; i < inv.lines.size(); ++i) {
                const auto &l = inv.lines[i];
                lines.push_back({{l.description.data(), l.description.size()}, {amounts[i].data(), amounts[i].size()},
                                 {l.item_type.data(), l.item_type.size()}, static_cast<uint64_t>(l.item_id.value_or(0)),
                                 {dues[i].data(), dues[i].size()}});
            }
            const std::string total = inv.total.to_string();
            provisio_invoice_event ev{};
            ev.struct_size = sizeof ev;
            ev.kind = p.kind == "invoice_paid" ? PROVISIO_EVENT_INVOICE_PAID : PROVISIO_EVENT_INVOICE_CREATED;
            ev.invoice_id = static_cast<uint64_t>(inv.id);
            ev.status = {inv.status.data(), inv.status.size()};
            ev.invoice_date = {inv.invoice_date.data(), inv.invoice_date.size()};
            ev.due_date = {inv.due_date.data(), inv.due_date.size()};
            ev.total = {total.data(), total.size()};
            ev.currency = {client.currency.data(), client.currency.size()};
            ev.lines = lines.data();
            ev.line_count = static_cast<uint32_t>(lines.size());
            ev.line_struct_size = sizeof(provisio_invoice_line);

            if (generates) {
                const CreditReport credits = CreditGenerator(repo, host, quarantine, today).on_invoice(service->id, ev);
                report.lines.insert(report.lines.end(), credits.lines.begin(), credits.lines.end());
                report.errors.insert(report.errors.end(), credits.errors.begin(), credits.errors.end());
                if (!listens) {
                    if (credits.errors.empty()) {
                        mark(p, "", true);
                        report.delivered++;
                    } else {
                        const bool give_up = p.attempts + 1 >= max_attempts;
                        mark(p, (give_up ? "gave up: " : "") + credits.errors.front(), give_up);
                    }
                    continue;
                }
            }
            const CallInput in = provisioner.call_input(*service, *module, {});
            const std::optional<CallOutcome> made = quarantine.call(*module, in, [&] { return host.invoke_event(*module, in, ev); });
            if (!made) {
                report.errors.push_back(what + ": " + quarantine.why_skipped(module->name()) + " (will retry)");
                continue;
            }
            const CallOutcome &outcome = *made;
            Transaction tx(db);
            record_call(db, now, module->name(), service->id, service->server_id, p.kind, outcome);
            if (outcome.state_changed && outcome.aborted == CallOutcome::Abort::none)
                repo.save_module_state(service->id, outcome.state);
            if (outcome.status == PROVISIO_OK) {
                mark(p, "", true);
                report.delivered++;
                report.lines.push_back(what + " delivered to module " + module->name());
            } else {
                const bool give_up = p.attempts + 1 >= max_attempts;
                mark(p, (give_up ? "gave up: " : "") + outcome.message, give_up);
                report.errors.push_back(what + ": module " + module->name() + " failed: " + outcome.message +
                                        (give_up ? " (gave up after " + std::to_string(max_attempts) + " attempts)" : " (will retry)"));
            }
            tx.commit();
        } catch (const std::exception &e) {
            report.errors.push_back(what + ": " + e.what());
        }
    }
    return report;
}

}  // namespace provisio
