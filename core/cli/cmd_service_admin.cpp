// provisio service move|delete|welcome: administration of a service record that does nothing on
// the server — moving it (and its addons) to another client, deleting the record, resending the
// product welcome e-mail.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "domain/audit_log.hpp"
#include "foundation/error.hpp"
#include "money/money.hpp"
#include "notify/outbox.hpp"
#include "store/database.hpp"
#include "store/purge.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

struct AdminArgs {
    std::string service, client;
};

}  // namespace

void add_service_admin_commands(CLI::App &service, Context &ctx, Runner &run) {
    auto args = std::make_shared<AdminArgs>();

    auto *move = service.add_subcommand("move", "Move a service and its addons to another client (nothing happens on the server)");
    move->add_option("SERVICE", args->service, "Service id")->required();
    move->add_option("--to-client", args->client, "The client it moves to")->required();
    move->callback([&, args] {
        run = [&, args] {
            Service s = ctx.repo().get_service(parse_id(args->service, "service"));
            const Client to = ctx.repo().get_client(parse_id(args->client, "--to-client"));
            const Client from = ctx.repo().get_client(s.client_id);
            if (to.id == from.id) fail(ErrorKind::invalid_input, "service " + std::to_string(s.id) + " belongs to client " + std::to_string(to.id) + " already");
            if (to.status == "Closed") fail(ErrorKind::refused, "client " + std::to_string(to.id) + " is closed: reopen it before moving services to it");
            if (to.currency != from.currency)
                fail(ErrorKind::refused, "client " + std::to_string(to.id) + " is billed in " + to.currency + ", the service's client in " +
                                             from.currency + ": its amounts would change meaning");
            // Its unpaid invoices stay with the old owner: say so.
            auto unpaid = ctx.db().prepare("SELECT DISTINCT i.id FROM invoices i JOIN invoice_items t ON t.invoice_id = i.id "
                                           "WHERE i.status = 'Unpaid' AND ((t.item_type IN ('service', 'prorata', 'upgrade') AND t.item_id = ?1) "
                                           "OR (t.item_type = 'addon' AND t.item_id IN (SELECT id FROM service_addons WHERE service_id = ?1)))");
            unpaid.bind(1, s.id);
            std::vector<std::string> invoices;
            while (unpaid.step()) invoices.push_back("#" + std::to_string(unpaid.int64(0)));
            Transaction tx(ctx.db());
            s.client_id = to.id;
            ctx.repo().update_service(s);
            audit(ctx.db(), ctx.repo().now_text(), "service.move", to.id,
                  "service " + std::to_string(s.id) + " from client " + std::to_string(from.id));
            tx.commit();
            std::cout << "service " << s.id << " (and its addons) moved from client " << from.id << " to client " << to.id
                      << "; nothing changed on the server\n";
            if (!invoices.empty()) {
                std::cout << "warning: unpaid invoice(s) for it stay with client " << from.id << ":";
                for (const auto &i : invoices) std::cout << " " << i;
                std::cout << "\n";
            }
            return exit_ok;
        };
    });

    auto *del = service.add_subcommand("delete", "Delete a service record (the account on the server stays)");
    del->add_option("SERVICE", args->service, "Service id")->required();
    del->callback([&, args] {
        run = [&, args] {
            const Service s = ctx.repo().get_service(parse_id(args->service, "service"));
            Transaction tx(ctx.db());
            purge(ctx.db(), "services", "id = " + std::to_string(s.id));
            audit(ctx.db(), ctx.repo().now_text(), "service.delete", s.client_id, "service " + std::to_string(s.id) + " (" + s.status + ")");
            tx.commit();
            std::cout << "service " << s.id << " deleted (its invoices stay)\n";
            if (s.status == "Active" || s.status == "Suspended")
                std::cout << "warning: it was " << s.status << ": its account on the server was not touched and still exists — "
                          << "terminate a service before deleting it (provisio service terminate)\n";
            return exit_ok;
        };
    });

    auto *welcome = service.add_subcommand("welcome", "Send the product welcome e-mail again (\"Product Welcome Email\")");
    welcome->add_option("SERVICE", args->service, "Service id")->required();
    welcome->callback([&, args] {
        run = [&, args] {
            const Service s = ctx.repo().get_service(parse_id(args->service, "service"));
            const Queued q = queue_mail(ctx.db(), ctx.repo().now_text(), "Product Welcome Email", s.client_id,
                                        service_variables(ctx.db(), s.id), std::nullopt);
            if (!q.id) fail(ErrorKind::invalid_input, "cannot queue the welcome e-mail: " + q.why_not);
            std::cout << "welcome e-mail for service " << s.id << " queued as message " << *q.id << "\n";
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
