// provisio addon catalogue add|list, addon add|list|set|cancel|terminate.
#include "billing/addons.hpp"
#include "billing/invoice_generation.hpp"
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "shapes/records_json.hpp"
#include "foundation/error.hpp"
#include "money/currency.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

struct AddonArgs {
    std::string ref, service, catalogue, name, price, cycle, next_due, termination_date;
    bool no_invoice = false;
};

Money price_for(Context &ctx, int64_t service_id, const std::string &text) {
    const Service s = ctx.repo().get_service(service_id);
    const Money m = Money::parse(text, "--price", currency_decimals(ctx.repo().get_client(s.client_id).currency));
    if (m.negative()) fail(ErrorKind::invalid_input, "--price must not be negative");
    return m;
}

}  // namespace

void add_addon_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *addon = app.add_subcommand("addon", "Service addons and the addon catalogue");
    addon->require_subcommand(1);
    auto args = std::make_shared<AddonArgs>();
    auto addons = [&] { return Addons(ctx.db(), ctx.repo().now_text()); };

    auto *catalogue = addon->add_subcommand("catalogue", "Predefined addons");
    catalogue->require_subcommand(1);
    auto *cadd = catalogue->add_subcommand("add", "Add a predefined addon");
    cadd->add_option("--name", args->name, "Name")->required();
    cadd->add_option("--price", args->price, "Price per cycle")->required();
    cadd->add_option("--cycle", args->cycle, "Billing cycle (default monthly)");
    cadd->callback([&, args, addons] {
        run = [&, args, addons] {
            CatalogueAddon a;
            a.name = args->name;
            a.price = Money::parse(args->price, "--price", 2);
            if (a.price.negative()) fail(ErrorKind::invalid_input, "--price must not be negative");
            a.billing_cycle = check_billing_cycle(args->cycle.empty() ? "monthly" : args->cycle);
            std::cout << "catalogue addon " << addons().add_to_catalogue(a) << " added (" << a.name << ")\n";
            return exit_ok;
        };
    });
    catalogue->add_subcommand("list", "List predefined addons")->callback([&, addons] {
        run = [&, addons] {
            Table t({"ID", "NAME", "PRICE", "CYCLE"});
            for (const auto &a : addons().catalogue()) t.add({std::to_string(a.id), a.name, a.price.to_string(), a.billing_cycle});
            if (t.empty()) std::cout << "the addon catalogue is empty\n";
            else t.print(std::cout);
            return exit_ok;
        };
    });

    auto *add = addon->add_subcommand("add", "Add an addon to a service (predefined, or custom with --name/--price/--cycle)");
    add->add_option("SERVICE", args->service, "Service id")->required();
    add->add_option("--catalogue", args->catalogue, "Predefined addon (id or name)");
    add->add_option("--name", args->name, "Custom addon name");
    add->add_option("--price", args->price, "Price per cycle (overrides the catalogue's)");
    add->add_option("--cycle", args->cycle, "Billing cycle (overrides the catalogue's)");
    add->add_option("--next-due", args->next_due, "First due date (default: today)");
    add->add_flag("--no-invoice", args->no_invoice, "Do not invoice the first period now");
    add->callback([&, args, addons] {
        run = [&, args, addons] {
            const int64_t service_id = parse_id(args->service, "service");
            const Service s = ctx.repo().get_service(service_id);
            if (s.status == "Terminated" || s.status == "Cancelled")
                fail(ErrorKind::refused, "service " + std::to_string(service_id) + " is " + s.status);
            ServiceAddon a;
            a.service_id = service_id;
            if (!args->catalogue.empty()) {
                const CatalogueAddon c = addons().find_in_catalogue(args->catalogue);
                a.catalogue_id = c.id;
                a.name = c.name;
                a.price = c.price;
                a.billing_cycle = c.billing_cycle;
            } else if (args->name.empty() || args->price.empty()) {
                fail(ErrorKind::invalid_input, "a custom addon needs --name and --price (or use --catalogue)");
            }
            if (!args->name.empty()) a.name = args->name;
            if (!args->price.empty()) a.price = price_for(ctx, service_id, args->price);
            if (!args->cycle.empty()) a.billing_cycle = check_billing_cycle(args->cycle);
            if (a.billing_cycle.empty()) a.billing_cycle = "monthly";
            const Date due = args->next_due.empty() ? ctx.today() : parse_date(args->next_due, "--next-due");
            a.next_due_date = a.next_invoice_date = format_date(due);
            a.anchor_day = static_cast<unsigned>(due.day());
            Transaction tx(ctx.db());
            const int64_t id = addons().add(a);
            std::string invoiced;
            if (!args->no_invoice && a.billing_cycle != "free") {
                GenerationOptions o;
                o.today = ctx.today();
                o.days_before = std::max(0, days_between(ctx.today(), due));
                o.addon_id = id;
                const GenerationReport r = generate_invoices(ctx.db(), ctx.repo().now_text(), o);
                if (!r.invoice_ids.empty()) invoiced = "; invoice #" + std::to_string(r.invoice_ids.front());
            }
            tx.commit();
            std::cout << "addon " << id << " (" << a.name << ", " << a.price.to_string() << " " << a.billing_cycle
                      << ") added to service " << service_id << invoiced << '\n';
            return exit_ok;
        };
    });

    auto *list = addon->add_subcommand("list", "List addons");
    list->add_option("--service", args->service, "Only this service's");
    list->callback([&, args, addons] {
        run = [&, args, addons] {
            std::optional<int64_t> service;
            if (!args->service.empty()) service = parse_id(args->service, "--service");
            const auto all = addons().list(service);
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &a : all) out.push_back(service_addon_json(a));
                print_json(std::cout, out);
                return exit_ok;
            }
            Table t({"ID", "SERVICE", "NAME", "PRICE", "CYCLE", "STATUS", "NEXT DUE", "ENDED"});
            for (const auto &a : all)
                t.add({std::to_string(a.id), std::to_string(a.service_id), a.name, a.price.to_string(), a.billing_cycle, a.status,
                       a.next_due_date.value_or("-"), a.termination_date.value_or("")});
            if (t.empty()) std::cout << "no addons\n";
            else t.print(std::cout);
            return exit_ok;
        };
    });

    auto *set = addon->add_subcommand("set", "Change an addon");
    set->add_option("ADDON", args->ref, "Addon id")->required();
    set->add_option("--name", args->name, "Name");
    set->add_option("--price", args->price, "Price per cycle");
    set->add_option("--cycle", args->cycle, "Billing cycle");
    set->add_option("--next-due", args->next_due, "Next due date");
    set->add_option("--termination-date", args->termination_date, "Termination date (only while Terminated or Cancelled)");
    set->callback([&, args, addons] {
        run = [&, args, addons] {
            ServiceAddon a = addons().get(parse_id(args->ref, "addon"));
            if (!args->name.empty()) a.name = args->name;
            if (!args->price.empty()) a.price = price_for(ctx, a.service_id, args->price);
            if (!args->cycle.empty()) a.billing_cycle = check_billing_cycle(args->cycle);
            if (!args->next_due.empty()) {
                const Date d = parse_date(args->next_due, "--next-due");
                a.next_due_date = a.next_invoice_date = format_date(d);
                a.anchor_day = static_cast<unsigned>(d.day());
            }
            if (!args->termination_date.empty()) {
                if (a.status != "Terminated" && a.status != "Cancelled")
                    fail(ErrorKind::refused, "addon " + std::to_string(a.id) + " is " + a.status +
                                                 "; a termination date is set only while it is Terminated or Cancelled");
                a.termination_date = format_date(parse_date(args->termination_date, "--termination-date"));
            }
            addons().update(a);
            std::cout << "addon " << a.id << " updated\n";
            return exit_ok;
        };
    });

    for (const auto &[verb, status] : {std::pair<const char *, const char *>{"cancel", "Cancelled"}, {"terminate", "Terminated"}}) {
        auto *end = addon->add_subcommand(verb, std::string(status) + ": stops its invoicing and stamps its termination date");
        end->add_option("ADDON", args->ref, "Addon id")->required();
        end->callback([&, args, addons, status = std::string(status)] {
            run = [&, args, addons, status] {
                const int64_t id = parse_id(args->ref, "addon");
                addons().end(id, status, format_date(ctx.today()));
                std::cout << "addon " << id << " " << status << " on " << format_date(ctx.today()) << '\n';
                return exit_ok;
            };
        });
    }
}

}  // namespace provisio::cli
