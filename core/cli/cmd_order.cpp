// provisio order add: a new service for a client (with addons), its first invoice, and its
// provisioning — at once, when the invoice is paid, or by hand, as the product's --auto-setup says.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "provisioning/lifecycle.hpp"
#include "provisioning/orders.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

struct OrderArgs {
    std::string client, product, cycle, price, domain, server;
    std::vector<std::string> addons;
    bool no_invoice = false;
};

}  // namespace

void add_order_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *order = app.add_subcommand("order", "Orders: new services with their first invoice");
    order->require_subcommand(1);
    auto args = std::make_shared<OrderArgs>();
    auto *add = order->add_subcommand("add", "Order a product for a client");
    add->add_option("CLIENT", args->client, "Client id")->required();
    add->add_option("--product", args->product, "Product id or name")->required();
    add->add_option("--cycle", args->cycle, "Billing cycle (default: the product's)");
    add->add_option("--price", args->price, "Recurring price (default: the product's)");
    add->add_option("--domain", args->domain, "Domain / main identifier (module-specific format)");
    add->add_option("--server", args->server, "Server id or name (default: the only server of the product's module)");
    add->add_option("--addon", args->addons, "A catalogue addon (id or name) to add to it (repeatable)");
    add->add_flag("--no-invoice", args->no_invoice, "Make no invoice now (the first one comes with the next due date)");
    add->callback([&, args] {
        run = [&, args] {
            OrderRequest request{parse_id(args->client, "client"), args->product, args->cycle, args->price, args->domain, args->server,
                                 args->addons, args->no_invoice};
            const PlacedOrder placed = place_order(ctx.repo(), ctx.today(), request);
            const Service &s = placed.service;
            std::cout << "order: service " << s.id << " (" << placed.product.name << ", " << s.recurring_amount.to_string() << " "
                      << s.billing_cycle << ")";
            if (!placed.addon_ids.empty()) std::cout << " with " << placed.addon_ids.size() << " addon(s)";
            std::cout << " for client " << s.client_id;
            for (const int64_t i : placed.invoice_ids) std::cout << "; invoice #" << i;
            std::cout << "\n";
            Provisioner provisioner = ctx.provisioner();
            const OrderSetup setup = set_up_placed_order(ctx.db(), provisioner, placed);
            int code = exit_ok;
            for (const auto &o : setup.outcomes) {
                std::cout << o.line << "\n";
                if (!o.ok && placed.product.auto_setup == "order") code = exit_failed;
            }
            if (!setup.note.empty()) std::cout << setup.note << "\n";
            return code;
        };
    });
}

}  // namespace provisio::cli
