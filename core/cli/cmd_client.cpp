// provisio client add|list|show|set: the people and companies services belong to. (The full
// profile — contacts, custom fields, cards — arrives with the client-accounts issue.)
#include "cli/arguments.hpp"
#include "cli/context.hpp"
#include "ledger/credit_ledger.hpp"
#include "cli/output.hpp"
#include "foundation/error.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

struct ClientArgs {
    std::string ref, first_name, last_name, email, status, currency, separate_invoices, no_late_fees, no_overdue_emails;
};

void add_client_flags(CLI::App *cmd, ClientArgs &a, bool adding) {
    cmd->add_option("--first-name", a.first_name, "First name")->required(adding);
    cmd->add_option("--last-name", a.last_name, "Last name");
    cmd->add_option("--email", a.email, "E-mail address (unique)")->required(adding);
    cmd->add_option("--status", a.status, "Active, Inactive or Closed");
    cmd->add_option("--currency", a.currency, "ISO currency code (default: the configured currency)");
    cmd->add_option("--separate-invoices", a.separate_invoices, "yes: one invoice per item instead of one per due date");
    cmd->add_option("--no-late-fees", a.no_late_fees, "yes: never charge this client late fees");
    cmd->add_option("--no-overdue-emails", a.no_overdue_emails, "yes: never send this client overdue notices");
}

void apply(Context &ctx, const ClientArgs &a, Client &c) {
    if (!a.first_name.empty()) c.first_name = a.first_name;
    if (!a.last_name.empty()) c.last_name = a.last_name;
    if (!a.email.empty()) {
        if (!plausible_email(a.email)) fail(ErrorKind::invalid_input, "--email '" + a.email + "' is not an e-mail address");
        c.email = a.email;
    }
    if (!a.status.empty()) c.status = check_client_status(a.status);
    if (!a.currency.empty()) c.currency = a.currency;
    if (!a.separate_invoices.empty()) c.separate_invoices = parse_yes_no(a.separate_invoices, "--separate-invoices");
    if (!a.no_late_fees.empty()) c.no_late_fees = parse_yes_no(a.no_late_fees, "--no-late-fees");
    if (!a.no_overdue_emails.empty()) c.no_overdue_emails = parse_yes_no(a.no_overdue_emails, "--no-overdue-emails");
    if (c.currency.empty()) c.currency = ctx.config().currency;
    if (c.currency.size() != 3 || !std::all_of(c.currency.begin(), c.currency.end(), [](unsigned char ch) { return std::isupper(ch); }))
        fail(ErrorKind::invalid_input, "currency '" + c.currency + "' must be a three-letter ISO code such as USD");
}

json client_json(const Client &c) {
    return {{"id", c.id}, {"first_name", c.first_name}, {"last_name", c.last_name}, {"email", c.email},
            {"status", c.status}, {"currency", c.currency}, {"separate_invoices", c.separate_invoices},
            {"no_late_fees", c.no_late_fees}, {"no_overdue_emails", c.no_overdue_emails}, {"created_at", c.created_at}};
}

}  // namespace

void add_client_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *client = app.add_subcommand("client", "Clients");
    client->require_subcommand(1);
    auto args = std::make_shared<ClientArgs>();

    auto *add = client->add_subcommand("add", "Add a client");
    add_client_flags(add, *args, true);
    add->callback([&, args] {
        run = [&, args] {
            Client c;
            apply(ctx, *args, c);
            const int64_t id = ctx.repo().add_client(c);
            if (ctx.options.json) print_json(std::cout, client_json(ctx.repo().get_client(id)));
            else std::cout << "client " << id << " added (" << c.email << ")\n";
            return exit_ok;
        };
    });

    client->add_subcommand("list", "List clients")->callback([&] {
        run = [&] {
            const auto clients = ctx.repo().list_clients();
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &c : clients) out.push_back(client_json(c));
                print_json(std::cout, out);
                return exit_ok;
            }
            Table t({"ID", "NAME", "EMAIL", "STATUS", "CURRENCY"});
            for (const auto &c : clients)
                t.add({std::to_string(c.id), c.first_name + (c.last_name.empty() ? "" : " " + c.last_name), c.email, c.status, c.currency});
            if (t.empty()) std::cout << "no clients\n";
            else t.print(std::cout);
            return exit_ok;
        };
    });

    auto *show = client->add_subcommand("show", "Show a client");
    show->add_option("CLIENT", args->ref, "Client id")->required();
    show->callback([&, args] {
        run = [&, args] {
            const Client c = ctx.repo().get_client(parse_id(args->ref, "client"));
            if (ctx.options.json) print_json(std::cout, client_json(c));
            else
                print_fields(std::cout, {{"id", std::to_string(c.id)}, {"first name", c.first_name}, {"last name", c.last_name},
                                         {"email", c.email}, {"status", c.status}, {"currency", c.currency},
                                         {"credit", CreditLedger(ctx.db(), "").balance(c.id).to_string()},
                                         {"separate invoices", c.separate_invoices ? "yes" : "no"},
                                         {"no late fees", c.no_late_fees ? "yes" : "no"},
                                         {"no overdue emails", c.no_overdue_emails ? "yes" : "no"}, {"created", c.created_at}});
            return exit_ok;
        };
    });

    auto *set = client->add_subcommand("set", "Change a client");
    set->add_option("CLIENT", args->ref, "Client id")->required();
    add_client_flags(set, *args, false);
    set->callback([&, args] {
        run = [&, args] {
            Client c = ctx.repo().get_client(parse_id(args->ref, "client"));
            apply(ctx, *args, c);
            ctx.repo().update_client(c);
            std::cout << "client " << c.id << " updated\n";
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
