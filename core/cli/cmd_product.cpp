// provisio product add|list|show|set: products, their price and cycle, and the values of their
// module's options (validated against the module's schema on save).
#include "cli/arguments.hpp"
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "shapes/records_json.hpp"
#include "foundation/error.hpp"
#include "provisioning/module_settings.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

struct ProductArgs {
    std::string ref, name, type, module, price, cycle, auto_setup, taxable;
    std::vector<std::string> settings, settings_stdin, unset;
};

void add_product_flags(CLI::App *cmd, ProductArgs &a, bool adding) {
    cmd->add_option("--name", a.name, "Unique product name")->required(adding);
    cmd->add_option("--type", a.type, "Product type (free text, e.g. voip, hosting, other)");
    cmd->add_option("--module", a.module, "Server module that provisions it (empty for none)");
    cmd->add_option("--price", a.price, "Recurring price, e.g. 29.95");
    cmd->add_option("--cycle", a.cycle, "Billing cycle: free, onetime, monthly, quarterly, semiannually, annually, biennially, triennially");
    cmd->add_option("--setting", a.settings, "Module option key=value (repeatable; visible in ps, so give passwords with --setting-stdin)");
    cmd->add_option("--setting-stdin", a.settings_stdin,
                    "Read the value of module option KEY from standard input, one line per key in the order given (repeatable)");
    cmd->add_option("--auto-setup", a.auto_setup,
                    "When an order's service is provisioned: order (at once), payment (when its first invoice is paid; default), manual");
    cmd->add_option("--taxable", a.taxable, "yes: its services' invoice lines (and their addons') are taxed (default: no)");
    if (!adding) cmd->add_option("--unset-setting", a.unset, "Return a module option to its default (repeatable)");
}

void apply(Context &ctx, const ProductArgs &a, Product &p, bool adding) {
    if (!a.name.empty()) p.name = a.name;
    if (!a.type.empty()) p.type = a.type;
    if (adding || !a.module.empty()) {
        if (a.module != p.module && !adding)
            fail(ErrorKind::refused, "changing a product's module is not supported; create a new product");
        p.module = a.module;
    }
    if (!a.price.empty()) {
        p.price = Money::parse(a.price, "--price", 2);
        if (p.price.negative()) fail(ErrorKind::invalid_input, "--price '" + a.price + "' must not be negative");
    }
    if (!a.cycle.empty()) p.billing_cycle = check_billing_cycle(a.cycle);
    if (!a.auto_setup.empty()) {
        if (a.auto_setup != "order" && a.auto_setup != "payment" && a.auto_setup != "manual")
            fail(ErrorKind::invalid_input, "--auto-setup '" + a.auto_setup + "' is not order, payment or manual");
        p.auto_setup = a.auto_setup;
    }
    if (!a.taxable.empty()) p.taxable = parse_yes_no(a.taxable, "--taxable");
    p.settings = product_settings_after(ctx.modules(), p,
                                        {parse_pairs_and_stdin(a.settings, "--setting", a.settings_stdin, "--setting-stdin"), a.unset});
}

}  // namespace

void add_product_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *product = app.add_subcommand("product", "Products and their module settings");
    product->require_subcommand(1);
    auto args = std::make_shared<ProductArgs>();

    auto *add = product->add_subcommand("add", "Add a product");
    add_product_flags(add, *args, true);
    add->callback([&, args] {
        run = [&, args] {
            Product p;
            apply(ctx, *args, p, true);
            const int64_t id = ctx.repo().add_product(p);
            if (ctx.options.json) print_json(std::cout, product_json(ctx.repo().get_product(id), ctx.modules()));
            else std::cout << "product " << id << " added (" << p.name << ")\n";
            return exit_ok;
        };
    });

    product->add_subcommand("list", "List products")->callback([&] {
        run = [&] {
            const auto products = ctx.repo().list_products();
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &p : products) out.push_back(product_json(p, ctx.modules()));
                print_json(std::cout, out);
                return exit_ok;
            }
            Table t({"ID", "NAME", "TYPE", "MODULE", "PRICE", "CYCLE"});
            for (const auto &p : products)
                t.add({std::to_string(p.id), p.name, p.type, p.module.empty() ? "-" : p.module, p.price.to_string(), p.billing_cycle});
            if (t.empty()) std::cout << "no products\n";
            else t.print(std::cout);
            return exit_ok;
        };
    });

    auto *show = product->add_subcommand("show", "Show a product and its module settings");
    show->add_option("PRODUCT", args->ref, "Product id or name")->required();
    show->callback([&, args] {
        run = [&, args] {
            const Product p = ctx.repo().find_product(args->ref);
            if (ctx.options.json) {
                print_json(std::cout, product_json(p, ctx.modules()));
                return exit_ok;
            }
            print_fields(std::cout, {{"id", std::to_string(p.id)}, {"name", p.name}, {"type", p.type},
                                     {"module", p.module.empty() ? "-" : p.module}, {"price", p.price.to_string()},
                                     {"cycle", p.billing_cycle}, {"auto setup", p.auto_setup}, {"taxable", p.taxable ? "yes" : "no"}, {"created", p.created_at}});
            if (!p.module.empty()) {
                std::cout << '\n';
                const LoadedModule &m = ctx.modules().require(p.module);
                Table t({"SETTING", "VALUE", "DEFAULT"});
                for (const auto &o : m.description.schema.options()) {
                    if (o.scope != PROVISIO_SCOPE_PRODUCT) continue;
                    auto it = p.settings.find(o.key);
                    std::string value = it == p.settings.end() ? "" : it->second;
                    if (o.type == PROVISIO_OPTION_PASSWORD && !value.empty()) value = "(set)";
                    t.add({o.key, value, o.default_value});
                }
                t.print(std::cout);
            }
            return exit_ok;
        };
    });

    auto *set = product->add_subcommand("set", "Change a product");
    set->add_option("PRODUCT", args->ref, "Product id or name")->required();
    add_product_flags(set, *args, false);
    set->callback([&, args] {
        run = [&, args] {
            Product p = ctx.repo().find_product(args->ref);
            apply(ctx, *args, p, false);
            ctx.repo().update_product(p);
            std::cout << "product " << p.id << " updated\n";
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
