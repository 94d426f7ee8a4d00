// provisio order add: a new service for a client (with addons), its first invoice, and its
// provisioning — at once, when the invoice is paid, or by hand, as the product's --auto-setup says.
#include "billing/addons.hpp"
#include "billing/invoice_generation.hpp"
#include "cli/context.hpp"
#include "cli/orders.hpp"
#include "cli/output.hpp"
#include "foundation/calendar.hpp"
#include "foundation/error.hpp"
#include "provisioning/lifecycle.hpp"
#include "store/database.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

std::optional<int64_t> default_server(Context &ctx, const Product &product) {
    if (product.module.empty()) return std::nullopt;
    std::optional<int64_t> found;
    for (const auto &s : ctx.repo().list_servers()) {
        if (s.module != product.module) continue;
        if (found) return std::nullopt;  // several: the operator must choose
        found = s.id;
    }
    return found;
}

SetupOutcome set_up_order(Context &ctx, int64_t service_id) {
    Provisioner p = ctx.provisioner();
    const LifecycleResult r = p.run(service_id, Action::create);
    return {r.status == PROVISIO_OK,
            "service " + std::to_string(service_id) + " create: " +
                (r.status == PROVISIO_OK ? "ok" : std::string(r.status == PROVISIO_RETRYABLE ? "queued for retry" : "failed")) +
                (r.message.empty() ? "" : " — " + r.message)};
}

namespace {

struct OrderArgs {
    std::string client, product, cycle, price, domain, server;
    std::vector<std::string> addons;
    bool no_invoice = false;
};

}  // namespace

std::vector<SetupOutcome> provision_paid_orders(Context &ctx, int64_t invoice_id) {
    auto q = ctx.db().prepare("SELECT DISTINCT s.id FROM invoice_items t JOIN invoices i ON i.id = t.invoice_id "
                              "JOIN services s ON s.id = t.item_id JOIN products p ON p.id = s.product_id "
                              "WHERE t.invoice_id = ?1 AND t.item_type = 'service' AND i.status = 'Paid' AND s.status = 'Pending' "
                              "AND p.auto_setup = 'payment' ORDER BY s.id");
    q.bind(1, invoice_id);
    std::vector<int64_t> due;
    while (q.step()) due.push_back(q.int64(0));
    std::vector<SetupOutcome> said;
    for (const int64_t id : due) said.push_back(set_up_order(ctx, id));
    return said;
}

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
            Repository &repo = ctx.repo();
            const Client client = repo.get_client(parse_id(args->client, "client"));
            if (client.status == "Closed") fail(ErrorKind::refused, "client " + std::to_string(client.id) + " is closed: reopen it before ordering");
            const Product product = repo.find_product(args->product);
            Service s;
            s.client_id = client.id;
            s.product_id = product.id;
            s.status = "Pending";
            s.domain = args->domain;
            s.billing_cycle = args->cycle.empty() ? product.billing_cycle : check_billing_cycle(args->cycle);
            s.recurring_amount = product.price;
            if (!args->price.empty()) {
                s.recurring_amount = Money::parse(args->price, "--price", 2);
                if (s.recurring_amount.negative()) fail(ErrorKind::invalid_input, "--price '" + args->price + "' must not be negative");
            }
            if (!args->server.empty()) {
                const Server server = repo.find_server(args->server);
                if (server.module != product.module)
                    fail(ErrorKind::invalid_input, "server '" + server.name + "' is managed by module " + server.module + ", but product '" +
                                                       product.name + "' uses " + (product.module.empty() ? "no module" : "module " + product.module));
                s.server_id = server.id;
            } else {
                s.server_id = default_server(ctx, product);
            }
            const Date today = ctx.today();
            s.next_due_date = s.next_invoice_date = format_date(today);
            s.anchor_day = static_cast<unsigned>(today.day());

            Transaction tx(ctx.db());
            const int64_t id = repo.add_service(s);
            Addons addons(ctx.db(), repo.now_text());
            std::vector<int64_t> addon_ids;
            for (const auto &name : args->addons) {
                const CatalogueAddon c = addons.find_in_catalogue(name);
                ServiceAddon a;
                a.service_id = id;
                a.catalogue_id = c.id;
                a.name = c.name;
                a.price = c.price;
                a.billing_cycle = c.billing_cycle;
                a.next_due_date = a.next_invoice_date = format_date(today);
                a.anchor_day = static_cast<unsigned>(today.day());
                addon_ids.push_back(addons.add(a));
            }
            std::vector<int64_t> invoices;
            if (!args->no_invoice) {
                GenerationOptions o;
                o.today = today;
                o.service_id = id;
                o.early = true;  // exactly the first period, and Pending services too
                for (const int64_t i : generate_invoices(ctx.db(), repo.now_text(), o).invoice_ids) invoices.push_back(i);
                for (const int64_t addon : addon_ids) {
                    GenerationOptions ao;
                    ao.today = today;
                    ao.days_before = 0;
                    ao.addon_id = addon;
                    for (const int64_t i : generate_invoices(ctx.db(), repo.now_text(), ao).invoice_ids) invoices.push_back(i);
                }
            }
            tx.commit();
            std::cout << "order: service " << id << " (" << product.name << ", " << s.recurring_amount.to_string() << " " << s.billing_cycle << ")";
            if (!addon_ids.empty()) std::cout << " with " << addon_ids.size() << " addon(s)";
            std::cout << " for client " << client.id;
            for (const int64_t i : invoices) std::cout << "; invoice #" << i;
            std::cout << "\n";
            int code = exit_ok;
            if (product.module.empty() || product.auto_setup == "manual") {
                std::cout << "service " << id << " is Pending: provision it with provisio service create " << id << "\n";
            } else if (product.auto_setup == "order") {
                const SetupOutcome o = set_up_order(ctx, id);
                std::cout << o.line << "\n";
                if (!o.ok) code = exit_failed;
            } else {
                bool created = false;
                for (const int64_t i : invoices)
                    for (const auto &o : provision_paid_orders(ctx, i)) {  // paid already from credit
                        std::cout << o.line << "\n";
                        created = true;
                    }
                if (!created) std::cout << "service " << id << " is provisioned when its first invoice is paid\n";
            }
            return code;
        };
    });
}

}  // namespace provisio::cli
