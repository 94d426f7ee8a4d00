// provisio service add|list|show|set|settings and the lifecycle commands create, suspend,
// unsuspend, terminate, cancel, change-package, change-password, test-connection.
#include "cli/arguments.hpp"
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "shapes/records_json.hpp"
#include "billing/cycles.hpp"
#include "billing/invoices.hpp"
#include "billing/prorata.hpp"
#include "billing/upgrade.hpp"
#include "foundation/error.hpp"
#include "money/currency.hpp"
#include "provisioning/call_log.hpp"
#include "provisioning/cancellation_requests.hpp"
#include "provisioning/lifecycle.hpp"
#include "provisioning/module_settings.hpp"
#include "provisioning/orders.hpp"
#include "provisioning/state_machine.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <iostream>

namespace provisio::cli {

void add_service_admin_commands(CLI::App &service, Context &ctx, Runner &run);

namespace {

struct ServiceArgs {
    std::string ref, client, product, server, domain, username, password, dedicated_ip, next_due, amount, cycle, reason,
        autosuspend_override, custom_action;
    bool password_stdin = false, no_server = false, recalculate = false, prorata = false, no_invoice = false, quote = false;
    std::vector<std::string> refs;
    std::vector<std::string> settings, settings_stdin, unset, fields, unset_fields;
};

void add_service_flags(CLI::App *cmd, ServiceArgs &a, bool adding) {
    cmd->add_option("--client", a.client, "Client id")->required(adding);
    cmd->add_option("--product", a.product, "Product id or name")->required(adding);
    cmd->add_option("--server", a.server, "Server id or name (default: the only server of the product's module)");
    if (!adding) cmd->add_flag("--no-server", a.no_server, "Detach the service from its server");
    cmd->add_option("--domain", a.domain, "Domain / main identifier (module-specific format)");
    cmd->add_option("--username", a.username, "User name");
    cmd->add_option("--password", a.password, "Password (visible in ps; prefer --password-stdin)");
    cmd->add_flag("--password-stdin", a.password_stdin, "Read the password from standard input");
    cmd->add_option("--dedicated-ip", a.dedicated_ip, "Dedicated IP (some modules keep other data here)");
    cmd->add_option("--next-due", a.next_due, "Next due date, YYYY-MM-DD");
    cmd->add_option("--amount", a.amount, "Recurring amount (default: the product's price)");
    cmd->add_option("--cycle", a.cycle, "Billing cycle (default: the product's)");
    cmd->add_option("--setting", a.settings,
                    "Override a module option for this service, key=value (repeatable; visible in ps, so give passwords with --setting-stdin)");
    cmd->add_option("--setting-stdin", a.settings_stdin,
                    "Override module option KEY with a value read from standard input, one line per key in the order given, "
                    "after the --password-stdin line (repeatable)");
    cmd->add_option("--field", a.fields, "Custom field key=value (repeatable)");
    cmd->add_option("--autosuspend-override", a.autosuspend_override,
                    "No overdue suspension before this date (YYYY-MM-DD), 'never', or 'none' to clear");
    cmd->add_flag("--recalculate", a.recalculate, "Recompute the recurring amount from the product's price and the cycle");
    if (!adding) {
        cmd->add_option("--unset-setting", a.unset, "Drop an override, falling back to the product's value (repeatable)");
        cmd->add_option("--unset-field", a.unset_fields, "Remove a custom field (repeatable)");
    }
}

void apply(Context &ctx, const ServiceArgs &a, Service &s, bool adding) {
    Repository &repo = ctx.repo();
    if (!a.client.empty()) {
        const int64_t client = repo.get_client(parse_id(a.client, "--client")).id;
        if (!adding && client != s.client_id)
            fail(ErrorKind::invalid_input, "moving a service to another client is provisio service move " + std::to_string(s.id) +
                                               " --to-client " + std::to_string(client) + " (it checks the client and warns about unpaid invoices)");
        if (adding && repo.get_client(client).status == "Closed")
            fail(ErrorKind::refused, "client " + std::to_string(client) + " is closed: reopen it before adding services");
        s.client_id = client;
    }
    Product product = a.product.empty() ? repo.get_product(s.product_id) : repo.find_product(a.product);
    if (!adding && product.id != s.product_id)
        fail(ErrorKind::refused, "changing a service's product is an upgrade or downgrade, which bills the difference: provisio service upgrade " +
                                     std::to_string(s.id) + " --product " + a.product);
    s.product_id = product.id;
    if (!a.server.empty()) {
        const Server server = repo.find_server(a.server);
        if (server.module != product.module)
            fail(ErrorKind::invalid_input, "server '" + server.name + "' is managed by module " + server.module +
                                               ", but product '" + product.name + "' uses " +
                                               (product.module.empty() ? "no module" : "module " + product.module));
        s.server_id = server.id;
    } else if (adding) {
        s.server_id = default_server(ctx.repo(), product);
    }
    if (a.no_server) s.server_id.reset();
    if (!a.domain.empty()) s.domain = a.domain;
    if (!a.username.empty()) s.username = a.username;
    if (!a.password.empty()) s.password = a.password;
    if (a.password_stdin) s.password = read_secret_line("the service password");
    if (!a.dedicated_ip.empty()) s.dedicated_ip = a.dedicated_ip;
    if (!a.next_due.empty()) {
        // Setting the next due date re-anchors the cycle on its day and invoices from it.
        const Date d = parse_date(a.next_due, "--next-due");
        s.next_due_date = s.next_invoice_date = format_date(d);
        s.anchor_day = static_cast<unsigned>(d.day());
    }
    if (!a.autosuspend_override.empty()) {
        if (a.autosuspend_override == "none") s.autosuspend_override.reset();
        else if (a.autosuspend_override == "never") s.autosuspend_override = "never";
        else s.autosuspend_override = format_date(parse_date(a.autosuspend_override, "--autosuspend-override"));
    }
    if (!a.amount.empty()) {
        s.recurring_amount = Money::parse(a.amount, "--amount", 2);
        if (s.recurring_amount.negative()) fail(ErrorKind::invalid_input, "--amount '" + a.amount + "' must not be negative");
    } else if (adding) {
        s.recurring_amount = product.price;
    }
    if (!a.cycle.empty()) s.billing_cycle = check_billing_cycle(a.cycle);
    else if (adding) s.billing_cycle = product.billing_cycle;
    if (adding && !s.next_due_date && cycle_invoices(s.billing_cycle)) {
        // As WHMCS does: a new service is first due on its registration date.
        const Date today = ctx.today();
        s.next_due_date = s.next_invoice_date = format_date(today);
        s.anchor_day = static_cast<unsigned>(today.day());
    }
    if (a.recalculate) {
        if (!a.amount.empty()) fail(ErrorKind::invalid_input, "--recalculate and --amount contradict each other");
        const Client client = repo.get_client(s.client_id);
        s.recurring_amount = recurring_price(product.price, product.billing_cycle, s.billing_cycle, currency_decimals(client.currency));
    }
    require_due_date(s);
    s.overrides = service_overrides_after(ctx.modules(), product, s,
                                          {parse_pairs_and_stdin(a.settings, "--setting", a.settings_stdin, "--setting-stdin"), a.unset});
    for (const auto &[k, v] : parse_pairs(a.fields, "--field")) s.custom_fields[k] = v;
    for (const auto &k : a.unset_fields) s.custom_fields.erase(k);
}


const char *status_word(provisio_status s) { return status_name(s); }


int report(Context &ctx, const LifecycleResult &r) {
    if (ctx.options.json) {
        print_json(std::cout, lifecycle_json(r));
    } else if (r.status == PROVISIO_OK) {
        std::cout << "service " << r.service_id << " " << r.action << ": ok";
        if (r.status_after != r.status_before) std::cout << " (" << r.status_before << " -> " << r.status_after << ")";
        if (!r.message.empty()) std::cout << " — " << r.message;
        std::cout << '\n';
    } else {
        std::cerr << "provisio: service " << r.service_id << " " << r.action << " failed: " << r.message << " (status stays "
                  << r.status_before << "; see provisio module log --service " << r.service_id << ")";
        if (r.queue_id && !r.parked) std::cerr << "; queued for retry as item " << *r.queue_id;
        std::cerr << '\n';
    }
    if (r.status == PROVISIO_OK) return exit_ok;
    return r.status == PROVISIO_RETRYABLE ? exit_queued : exit_failed;
}

void add_lifecycle(CLI::App *service, Context &ctx, Runner &run, const std::shared_ptr<ServiceArgs> &args, const char *verb,
                   Action action, const char *help) {
    auto *cmd = service->add_subcommand(verb, help);
    cmd->add_option("SERVICE", args->ref, "Service id")->required();
    if (action == Action::suspend) cmd->add_option("--reason", args->reason, "Suspension reason (blank: automation may unsuspend when paid)");
    if (action == Action::change_password) {
        cmd->add_option("--password", args->password, "New password (visible in ps; prefer --password-stdin)");
        cmd->add_flag("--password-stdin", args->password_stdin, "Read the new password from standard input");
    }
    cmd->callback([&ctx, &run, args, action] {
        run = [&ctx, args, action] {
            std::optional<std::string> new_password;
            if (!args->password.empty()) new_password = args->password;
            if (args->password_stdin) new_password = read_secret_line("the new password");
            Provisioner p = ctx.provisioner();
            // The operator names the service and the action: a parked call is made all the same.
            return report(ctx, p.run(parse_id(args->ref, "service"), action, {args->reason, new_password, "", true}));
        };
    });
}

void print_settings(Context &ctx, const Service &s) {
    const Product product = ctx.repo().get_product(s.product_id);
    if (product.module.empty()) {
        std::cout << "product '" << product.name << "' has no module, so the service has no module settings\n";
        return;
    }
    const LoadedModule &m = ctx.modules().require(product.module);
    const json settings = service_settings_json(m, product, s);
    if (ctx.options.json) {
        print_json(std::cout, settings);
        return;
    }
    Table t({"SETTING", "DEFAULT", "PRODUCT", "OVERRIDE", "EFFECTIVE"});
    auto text = [](const json &v) { return v.is_null() ? std::string("-") : v.get<std::string>(); };
    for (const auto &row : settings)
        t.add({row["key"], row["default"], text(row["product"]), text(row["override"]), row["effective"]});
    t.print(std::cout);
}

}  // namespace

void add_service_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *service = app.add_subcommand("service", "Services and their lifecycle");
    add_service_admin_commands(*service, ctx, run);
    service->require_subcommand(1);
    auto args = std::make_shared<ServiceArgs>();

    auto *add = service->add_subcommand("add", "Add a service (Pending until created)");
    add_service_flags(add, *args, true);
    add->callback([&, args] {
        run = [&, args] {
            Service s;
            apply(ctx, *args, s, true);
            const int64_t id = ctx.repo().add_service(s);
            if (ctx.options.json) print_json(std::cout, service_json(ctx.repo().get_service(id)));
            else std::cout << "service " << id << " added (Pending; provision it with: provisio service create " << id << ")\n";
            return exit_ok;
        };
    });

    auto *list = service->add_subcommand("list", "List services (streamed: any number)");
    auto listing = std::make_shared<ServiceFilter>();
    list->add_option("--client", args->client, "Only this client's services");
    list->add_option("--search", listing->search,
                     "Only services whose domain, username, or client's e-mail, name or company contains this (any case)");
    list->add_option("--status", listing->status, "Only services of this status: Pending, Active, Suspended, Terminated, Cancelled");
    list->add_option("--product", args->product, "Only services of this product (id or name)");
    list->add_option("--limit", listing->limit, "At most this many")->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
    list->add_option("--after", listing->after, "Only services with ids above this one (the next page)")->check(CLI::Range(int64_t{1}, INT64_MAX));
    list->callback([&, args, listing] {
        run = [&, args, listing] {
            ServiceFilter f = *listing;
            if (!args->client.empty()) f.client_id = ctx.repo().get_client(parse_id(args->client, "--client")).id;
            if (!args->product.empty()) f.product_id = ctx.repo().find_product(args->product).id;
            if (!f.status.empty()) check_service_status(f.status, "--status");
            if (ctx.options.json) {
                JsonArrayWriter out(std::cout);
                ctx.repo().for_each_service(f, [&](const ListedService &l) {
                    json j = service_json(l.service);
                    j["client_name"] = l.client_name;
                    j["product_name"] = l.product_name;
                    out.add(j);
                });
                out.finish();
                return exit_ok;
            }
            StreamingTable t(std::cout, {"ID", "CLIENT", "PRODUCT", "STATUS", "DOMAIN", "AMOUNT", "CYCLE", "NEXT DUE"});
            int64_t last = 0;
            ctx.repo().for_each_service(f, [&](const ListedService &l) {
                const Service &s = l.service;
                t.add({std::to_string(s.id), std::to_string(s.client_id) + " " + l.client_name,
                       std::to_string(s.product_id) + " " + l.product_name, s.status, s.domain, s.recurring_amount.to_string(),
                       s.billing_cycle, s.next_due_date.value_or("-")});
                last = s.id;
            });
            const size_t count = t.finish();
            if (count == 0) std::cout << "no services\n";
            else if (f.limit > 0 && count == static_cast<size_t>(f.limit)) std::cout << "next page: --after " << last << '\n';
            return exit_ok;
        };
    });

    auto *show = service->add_subcommand("show", "Show a service");
    show->add_option("SERVICE", args->ref, "Service id")->required();
    show->callback([&, args] {
        run = [&, args] {
            const Service s = ctx.repo().get_service(parse_id(args->ref, "service"));
            if (ctx.options.json) {
                print_json(std::cout, service_json(s));
                return exit_ok;
            }
            std::vector<std::pair<std::string, std::string>> f = {
                {"id", std::to_string(s.id)}, {"client", std::to_string(s.client_id)},
                {"product", std::to_string(s.product_id)}, {"server", s.server_id ? std::to_string(*s.server_id) : "-"},
                {"status", s.status + (s.suspend_reason.empty() ? "" : " (" + s.suspend_reason + ")")},
                {"domain", s.domain}, {"username", s.username}, {"password", s.password.empty() ? "" : "(set)"},
                {"dedicated ip", s.dedicated_ip}, {"amount", s.recurring_amount.to_string()}, {"cycle", s.billing_cycle},
                {"next due", s.next_due_date.value_or("-")}, {"next invoice", s.next_invoice_date.value_or("-")},
                {"created", s.created_at}, {"updated", s.updated_at}};
            if (s.autosuspend_override) f.emplace_back("autosuspend override", *s.autosuspend_override);
            for (const auto &[k, v] : s.custom_fields) f.emplace_back("field " + k, v);
            for (const auto &[k, v] : s.module_state) f.emplace_back("state " + k, v);
            print_fields(std::cout, f);
            return exit_ok;
        };
    });

    auto *settings = service->add_subcommand("settings", "Module settings: default, product value, override and effective value");
    settings->add_option("SERVICE", args->ref, "Service id")->required();
    settings->callback([&, args] {
        run = [&, args] {
            print_settings(ctx, ctx.repo().get_service(parse_id(args->ref, "service")));
            return exit_ok;
        };
    });

    auto prorata = [&](const std::vector<int64_t> &ids, const std::string &date) {
        const int64_t invoice =
            create_prorata_invoice(ctx.db(), ctx.repo().now_text(), ctx.today(), ids, parse_date(date, "--next-due"));
        const Invoice inv = Invoicing(ctx.db(), ctx.repo().now_text(), ctx.today()).get(invoice);
        if (ctx.options.json) print_json(std::cout, {{"invoice", invoice}, {"total", inv.total.to_string()}, {"status", inv.status}});
        else {
            std::cout << "prorata invoice #" << invoice << " (" << inv.total.to_string() << ") created; the due date moves to "
                      << date << (inv.status == invoice_status::paid ? " now (paid from credit)" : " when it is paid") << '\n';
            for (const auto &l : inv.lines) std::cout << "  " << l.description << "  " << l.amount.to_string() << '\n';
        }
        return exit_ok;
    };

    auto *set = service->add_subcommand("set", "Change a service's fields, overrides or custom fields (nothing runs on the server)");
    set->add_option("SERVICE", args->ref, "Service id")->required();
    add_service_flags(set, *args, false);
    set->add_flag("--prorata", args->prorata, "With --next-due: invoice the gap now; the date moves when it is paid");
    set->callback([&, args, prorata] {
        run = [&, args, prorata] {
            Service s = ctx.repo().get_service(parse_id(args->ref, "service"));
            std::string prorata_date;
            if (args->prorata) {
                if (args->next_due.empty()) fail(ErrorKind::invalid_input, "--prorata needs --next-due");
                prorata_date = args->next_due;
                args->next_due.clear();  // the date moves when the prorata invoice is paid
            }
            Transaction tx(ctx.db());
            apply(ctx, *args, s, false);
            ctx.repo().update_service(s);
            if (args->prorata) {
                prorata({s.id}, prorata_date);
                tx.commit();
                return exit_ok;
            }
            tx.commit();
            std::cout << "service " << s.id << " updated\n";
            return exit_ok;
        };
    });

    // Mass update: the same change to several services of one client, in one transaction; the
    // module command, if any, runs on each afterwards.
    auto mass = std::make_shared<ServiceArgs>();
    auto mass_status = std::make_shared<std::string>();
    auto mass_payment = std::make_shared<std::string>();
    auto mass_command = std::make_shared<std::string>();
    auto *update = service->add_subcommand("mass-update", "Change several services of one client at once, and run a module command on each");
    update->add_option("SERVICES", mass->refs, "Service ids (all of one client)")->required();
    update->add_option("--amount", mass->amount, "Recurring amount");
    update->add_option("--cycle", mass->cycle, "Billing cycle");
    update->add_option("--next-due", mass->next_due, "Next due date, YYYY-MM-DD");
    update->add_flag("--prorata", mass->prorata, "With --next-due: one prorata invoice for the gap; the dates move when it is paid");
    update->add_option("--status", *mass_status, "Set the status record only (Pending, Active, Suspended, Terminated, Cancelled); nothing runs on servers");
    update->add_option("--payment-method", *mass_payment, "Payment method: banktransfer, card, cash, check, mailin, paypal, stripe, or other:TEXT");
    update->add_option("--autosuspend-override", mass->autosuspend_override, "No overdue suspension before this date, 'never', or 'none'");
    update->add_option("--module-command", *mass_command, "Then run this on each: create, suspend, unsuspend, terminate, change_package");
    update->callback([&, mass, mass_status, mass_payment, mass_command, prorata] {
        run = [&, mass, mass_status, mass_payment, mass_command, prorata] {
            std::vector<Service> services;
            for (const auto &ref : mass->refs) services.push_back(ctx.repo().get_service(parse_id(ref, "service")));
            for (const auto &s : services)
                if (s.client_id != services.front().client_id)
                    fail(ErrorKind::invalid_input, "services " + std::to_string(services.front().id) + " and " + std::to_string(s.id) +
                                                       " belong to different clients: a mass update is for one client's services");
            std::optional<Action> command;
            if (!mass_command->empty()) {
                command = action_from_name(*mass_command == "change-package" ? "change_package" : *mass_command);
                if (!command || *command == Action::test_connection || *command == Action::change_password)
                    fail(ErrorKind::invalid_input, "--module-command '" + *mass_command + "' is not create, suspend, unsuspend, terminate or change_package");
            }
            if (!mass_status->empty()) check_service_status(*mass_status, "--status");
            const std::string payment_method =
                mass_payment->empty() ? std::string() : checked_payment_method(*mass_payment, "--payment-method");
            std::string prorata_date;
            if (mass->prorata) {
                if (mass->next_due.empty()) fail(ErrorKind::invalid_input, "--prorata needs --next-due");
                prorata_date = mass->next_due;
                mass->next_due.clear();
            }
            Transaction tx(ctx.db());
            std::vector<int64_t> ids;
            for (Service &s : services) {
                apply(ctx, *mass, s, false);
                if (!payment_method.empty()) s.payment_method = payment_method;
                ctx.repo().update_service(s);
                if (!mass_status->empty())  // the record only: nothing runs on the server
                    ctx.db().prepare("UPDATE services SET status = ?2 WHERE id = ?1").bind(1, s.id).bind(2, *mass_status).run();
                ids.push_back(s.id);
            }
            std::cout << services.size() << " service(s) of client " << services.front().client_id << " updated\n";
            if (mass->prorata) prorata(ids, prorata_date);
            tx.commit();
            int code = exit_ok;
            if (command) {
                Provisioner p = ctx.provisioner();
                for (const int64_t id : ids) {
                    const LifecycleResult r = p.run(id, *command);
                    std::cout << "service " << id << " " << r.action << ": " << (r.status == PROVISIO_OK ? "ok" : status_word(r.status))
                              << (r.message.empty() ? "" : " — " + r.message) << "\n";
                    if (r.status != PROVISIO_OK) code = r.status == PROVISIO_RETRYABLE ? exit_queued : exit_failed;
                }
            }
            return code;
        };
    });

    auto *move = service->add_subcommand("prorata", "Move several services of one client to a new due date with one prorata invoice");
    move->add_option("SERVICES", args->refs, "Service ids")->required();
    move->add_option("--next-due", args->next_due, "The new next due date, YYYY-MM-DD")->required();
    move->callback([&, args, prorata] {
        run = [&, args, prorata] {
            std::vector<int64_t> ids;
            for (const auto &r : args->refs) ids.push_back(parse_id(r, "service"));
            return prorata(ids, args->next_due);
        };
    });

    add_lifecycle(service, ctx, run, args, "create", Action::create, "Provision the service on its server (Pending -> Active)");
    add_lifecycle(service, ctx, run, args, "suspend", Action::suspend, "Suspend the service (Active -> Suspended)");
    add_lifecycle(service, ctx, run, args, "unsuspend", Action::unsuspend, "Unsuspend the service (Suspended -> Active)");
    add_lifecycle(service, ctx, run, args, "terminate", Action::terminate, "Terminate the service on its server");
    add_lifecycle(service, ctx, run, args, "change-package", Action::change_package, "Apply the product's current settings on the server");
    add_lifecycle(service, ctx, run, args, "change-password", Action::change_password, "Set the service's password on the server");
    add_lifecycle(service, ctx, run, args, "test-connection", Action::test_connection, "Run the module's connection test for this service");

    auto *actions = service->add_subcommand("actions", "The module's own actions for the service (custom buttons), for `service call`");
    actions->add_option("SERVICE", args->ref, "Service id")->required();
    actions->callback([&, args] {
        run = [&, args] {
            const Service s = ctx.repo().get_service(parse_id(args->ref, "service"));
            const std::vector<CustomAction> list = ctx.provisioner().custom_actions(s);
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &a : list) out.push_back(custom_action_json(a));
                print_json(std::cout, out);
                return exit_ok;
            }
            Table t({"ACTION", "LABEL", "WHO", "DESCRIPTION"});
            for (const auto &a : list) t.add({a.name, a.label, a.client_visible ? "operator, client" : "operator", a.description});
            if (t.empty()) std::cout << "service " << s.id << ": its module has no actions of its own\n";
            else t.print(std::cout);
            return exit_ok;
        };
    });
    auto *call = service->add_subcommand("call", "Run one of the module's own actions on an Active or Suspended service "
                                                 "(`service actions` lists them); made at once, never queued");
    call->add_option("SERVICE", args->ref, "Service id")->required();
    call->add_option("ACTION", args->custom_action, "The action's name")->required();
    call->callback([&, args] {
        run = [&, args] {
            Provisioner p = ctx.provisioner();
            const LifecycleResult r = p.run_custom(parse_id(args->ref, "service"), args->custom_action);
            const int code = report(ctx, r);
            if (r.status == PROVISIO_RETRYABLE && !ctx.options.json)
                std::cerr << "provisio: the failure may pass: run the action again later (custom actions are not queued)\n";
            return code == exit_queued ? static_cast<int>(exit_failed) : code;
        };
    });

    auto *request = service->add_subcommand("cancel-request",
                                            "Ask for a cancellation that cron applies: at once, or at the end of the billing period");
    request->add_option("SERVICE", args->ref, "Service id")->required();
    request->add_option("--when", args->cycle, "immediate, or end-of-period (the next due date)")->required();
    request->add_option("--reason", args->reason, "Why (kept with the request)");
    request->callback([&, args] {
        run = [&, args] {
            const Service s = ctx.repo().get_service(parse_id(args->ref, "service"));
            const CancellationRequest r = request_cancellation(ctx.repo(), s.id, args->cycle, args->reason);
            const std::string type = r.type;
            std::cout << "service " << s.id << ": cancellation requested ("
                      << (type == "immediate" ? "on the next cron run" : "on " + s.next_due_date.value_or("its next due date"))
                      << "); no further renewal invoices are made\n";
            return exit_ok;
        };
    });
    auto *withdraw = service->add_subcommand("cancel-withdraw", "Withdraw a service's open cancellation request");
    withdraw->add_option("SERVICE", args->ref, "Service id")->required();
    withdraw->callback([&, args] {
        run = [&, args] {
            const int64_t id = parse_id(args->ref, "service");
            withdraw_cancellation(ctx.repo(), id);
            std::cout << "service " << id << ": cancellation request withdrawn\n";
            return exit_ok;
        };
    });

    auto *upgrade = service->add_subcommand("upgrade", "Move a service to another product (and cycle), charging or crediting the difference");
    upgrade->add_option("SERVICE", args->ref, "Service id")->required();
    upgrade->add_option("--product", args->product, "The new product (id or name)")->required();
    upgrade->add_option("--cycle", args->cycle, "The new billing cycle (default: the new product's)");
    upgrade->add_flag("--no-invoice", args->no_invoice, "Change now without charging or crediting anything");
    upgrade->add_flag("--quote", args->quote, "Only show what it would cost");
    upgrade->callback([&, args] {
        run = [&, args]() -> int {
            const int64_t id = parse_id(args->ref, "service");
            const Product product = ctx.repo().find_product(args->product);
            const std::string cycle = args->cycle.empty() ? "" : check_billing_cycle(args->cycle);
            const UpgradeQuote q = quote_upgrade(ctx.db(), ctx.today(), id, product.id, cycle);
            const std::string summary = q.old_name + " (" + q.old_cycle + ") -> " + q.new_name + " (" + q.new_cycle + "): " +
                                        (q.free_to_paid ? "first cycle " + q.new_charge.to_string()
                                                        : std::to_string(q.days_left) + " days left, unused " +
                                                              q.unused_credit.to_string() + ", new " + q.new_charge.to_string()) +
                                        ", difference " + q.difference.to_string();
            if (args->quote) {
                if (ctx.options.json)
                    print_json(std::cout, {{"service", id}, {"days_left", q.days_left}, {"unused_credit", q.unused_credit.to_string()},
                                           {"new_charge", q.new_charge.to_string()}, {"difference", q.difference.to_string()},
                                           {"new_recurring", q.new_recurring.to_string()}});
                else std::cout << "service " << id << ": " << summary << '\n';
                return exit_ok;
            }
            const UpgradeOrder o = order_upgrade(ctx.db(), ctx.repo().now_text(), ctx.today(), q, args->no_invoice);
            std::cout << "service " << id << ": " << summary << '\n';
            if (o.invoice_id && !o.applied_now)
                std::cout << "upgrade invoice #" << *o.invoice_id << " created; the change takes effect when it is paid\n";
            if (!o.credited.zero()) std::cout << o.credited.to_string() << " credited to the client\n";
            if (!o.applied_now) return exit_ok;
            std::cout << "service " << id << " now has product '" << q.new_name << "' (" << q.new_recurring.to_string() << " "
                      << q.new_cycle << ")\n";
            // The server follows: the module's change_package (queued by a paid invoice, or run here).
            Provisioner p = ctx.provisioner();
            ctx.db().prepare("UPDATE module_queue SET resolved_at = ?2, outcome = 'done' WHERE service_id = ?1 "
                             "AND action = 'change_package' AND resolved_at IS NULL AND attempts = 0")
                .bind(1, id).bind(2, ctx.repo().now_text()).run();
            if (product.module.empty()) return exit_ok;
            return report(ctx, p.run(id, Action::change_package));
        };
    });

    auto *cancel = service->add_subcommand("cancel", "Cancel the service (terminating it on the server if it was provisioned)");
    cancel->add_option("SERVICE", args->ref, "Service id")->required();
    cancel->callback([&, args] {
        run = [&, args] {
            Provisioner p = ctx.provisioner();
            return report(ctx, p.cancel(parse_id(args->ref, "service")));
        };
    });
}

}  // namespace provisio::cli
