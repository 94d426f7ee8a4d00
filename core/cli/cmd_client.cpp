// provisio client add|list|show|set and client file …: the people and companies services
// belong to — profile, status, flags, default billing contact — and the files kept for them.
#include "cli/arguments.hpp"
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "shapes/records_json.hpp"
#include "domain/client_admin.hpp"
#include "domain/client_changes.hpp"
#include "domain/client_files.hpp"
#include "domain/contacts.hpp"
#include "foundation/error.hpp"
#include "ledger/credit_ledger.hpp"
#include "money/currency.hpp"
#include "notify/outbox.hpp"
#include "store/database.hpp"

#include <CLI/CLI.hpp>

#include <cctype>
#include <cstdint>
#include <iostream>

namespace provisio::cli {

namespace {

struct ClientArgs {
    std::string ref, first_name, last_name, email, status, currency, separate_invoices, no_late_fees, no_overdue_emails;
    std::string company, address1, address2, city, state, postcode, country, phone, language, billing_contact, tax_exempt, tax_id;
    bool send_welcome = false;
};

void add_client_flags(CLI::App *cmd, ClientArgs &a, bool adding) {
    cmd->add_option("--first-name", a.first_name, "First name")->required(adding);
    cmd->add_option("--last-name", a.last_name, "Last name");
    cmd->add_option("--company", a.company, "Company name");
    cmd->add_option("--email", a.email, "E-mail address (unique)")->required(adding);
    cmd->add_option("--address1", a.address1, "Address, first line");
    cmd->add_option("--address2", a.address2, "Address, second line");
    cmd->add_option("--city", a.city, "City");
    cmd->add_option("--state", a.state, "State or province");
    cmd->add_option("--postcode", a.postcode, "Postal code");
    cmd->add_option("--country", a.country, "Country, ISO 3166 two-letter code (CA, US, GB, ...)");
    cmd->add_option("--phone", a.phone, "Phone number");
    cmd->add_option("--language", a.language, "Language of the client's e-mails, e.g. en, fr");
    cmd->add_option("--status", a.status, "Active, Inactive or Closed");
    cmd->add_option("--currency", a.currency, "ISO currency code (default: the configured currency)");
    cmd->add_option("--separate-invoices", a.separate_invoices, "yes: one invoice per item instead of one per due date");
    cmd->add_option("--no-late-fees", a.no_late_fees, "yes: never charge this client late fees");
    cmd->add_option("--no-overdue-emails", a.no_overdue_emails, "yes: never send this client overdue notices");
    cmd->add_option("--tax-exempt", a.tax_exempt, "yes: never tax this client's invoices");
    cmd->add_option("--tax-id", a.tax_id, "The client's tax number: in the EU a VAT number (DE123456789), which a business outside "
                                          "the operator's country is reverse-charged for; none clears it");
    if (adding) cmd->add_flag("--send-welcome", a.send_welcome, "Queue the \"Client Signup Email\" to the client");
    else cmd->add_option("--billing-contact", a.billing_contact, "The contact whose name and address go on invoices, or none");
}

// The flags given, as a change (an empty flag is one not given).
ClientChanges changes_of(const ClientArgs &a) {
    ClientChanges ch;
    auto text = [](const std::string &v, std::optional<std::string> &to) {
        if (!v.empty()) to = v;
    };
    for (const auto &[v, to] : {std::pair{&a.first_name, &ch.first_name}, {&a.last_name, &ch.last_name}, {&a.email, &ch.email},
                                {&a.status, &ch.status}, {&a.currency, &ch.currency}, {&a.company, &ch.company},
                                {&a.address1, &ch.address1}, {&a.address2, &ch.address2}, {&a.city, &ch.city}, {&a.state, &ch.state},
                                {&a.postcode, &ch.postcode}, {&a.country, &ch.country}, {&a.phone, &ch.phone}, {&a.language, &ch.language}})
        text(*v, *to);
    if (!a.separate_invoices.empty()) ch.separate_invoices = parse_yes_no(a.separate_invoices, "--separate-invoices");
    if (!a.no_late_fees.empty()) ch.no_late_fees = parse_yes_no(a.no_late_fees, "--no-late-fees");
    if (!a.no_overdue_emails.empty()) ch.no_overdue_emails = parse_yes_no(a.no_overdue_emails, "--no-overdue-emails");
    if (!a.tax_exempt.empty()) ch.tax_exempt = parse_yes_no(a.tax_exempt, "--tax-exempt");
    if (a.tax_id == "none") ch.tax_id = "";
    else if (!a.tax_id.empty()) ch.tax_id = a.tax_id;
    if (a.billing_contact == "none") ch.billing_contact_id = std::optional<int64_t>();
    else if (!a.billing_contact.empty()) ch.billing_contact_id = parse_id(a.billing_contact, "--billing-contact");
    return ch;
}



// What a status change means, said when it is made (the seed: a closed client's active
// services are still invoiced).
std::string status_note(Database &db, const Client &c) {
    const int64_t n = live_services(db, c.id);
    if (c.status == "Closed")
        return n ? "closed: the client cannot log in, but its " + std::to_string(n) +
                       " active or suspended service(s) are still invoiced — terminate or cancel them to stop billing"
                 : "closed: the client cannot log in";
    if (c.status == "Inactive" && n)
        return "inactive, though it has " + std::to_string(n) + " active or suspended service(s) (they are still invoiced)";
    if (c.status == "Active" && !n) return "active (it has no active service yet)";
    return "";
}

}  // namespace

void add_client_file_commands(CLI::App &client, Context &ctx, Runner &run);
void add_client_password_commands(CLI::App &client, Context &ctx, Runner &run);
void add_client_admin_commands(CLI::App &client, Context &ctx, Runner &run);
void add_client_note_commands(CLI::App &client, Context &ctx, Runner &run);

void add_client_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *client = app.add_subcommand("client", "Clients");
    client->require_subcommand(1);
    add_client_file_commands(*client, ctx, run);
    add_client_password_commands(*client, ctx, run);
    add_client_admin_commands(*client, ctx, run);
    add_client_note_commands(*client, ctx, run);
    auto args = std::make_shared<ClientArgs>();

    auto *add = client->add_subcommand("add", "Add a client");
    add_client_flags(add, *args, true);
    add->callback([&, args] {
        run = [&, args] {
            const Client c = new_client(ctx.db(), changes_of(*args), ctx.config().currency, FieldSpelling::flag);
            Transaction tx(ctx.db());  // the client and its welcome e-mail together
            const int64_t id = ctx.repo().add_client(c);
            std::string welcome;
            if (args->send_welcome) {
                const Queued q = queue_mail(ctx.db(), ctx.repo().now_text(), "Client Signup Email", id, {}, "signup:" + std::to_string(id));
                if (!q.id) fail(ErrorKind::invalid_input, "--send-welcome: " + q.why_not);
                welcome = ", welcome e-mail queued as message " + std::to_string(*q.id);
            }
            tx.commit();
            if (ctx.options.json) print_json(std::cout, client_json(ctx.repo().get_client(id)));
            else std::cout << "client " << id << " added (" << c.email << ")" << welcome << "\n";
            return exit_ok;
        };
    });

    auto *list = client->add_subcommand("list", "List clients (streamed: any number)");
    auto filter = std::make_shared<ClientFilter>();
    list->add_option("--search", filter->search,
                     "Only clients whose e-mail, name, company, or a service's domain or username contains this (any case)");
    list->add_option("--status", filter->status, "Only clients of this status: Active, Inactive, Closed");
    list->add_option("--limit", filter->limit, "At most this many")->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
    list->add_option("--after", filter->after, "Only clients with ids above this one (the next page)")->check(CLI::Range(int64_t{1}, INT64_MAX));
    list->callback([&, filter] {
        run = [&, filter] {
            if (ctx.options.json) {
                JsonArrayWriter out(std::cout);
                ctx.repo().for_each_client(*filter, [&](const Client &c) { out.add(client_json(c)); });
                out.finish();
                return exit_ok;
            }
            StreamingTable t(std::cout, {"ID", "NAME", "COMPANY", "EMAIL", "STATUS", "CURRENCY"});
            int64_t last = 0;
            ctx.repo().for_each_client(*filter, [&](const Client &c) {
                t.add({std::to_string(c.id), c.first_name + (c.last_name.empty() ? "" : " " + c.last_name), c.company, c.email, c.status,
                       c.currency});
                last = c.id;
            });
            const size_t count = t.finish();
            if (count == 0) std::cout << "no clients\n";
            else if (filter->limit > 0 && count == static_cast<size_t>(filter->limit)) std::cout << "next page: --after " << last << '\n';
            return exit_ok;
        };
    });

    auto *show = client->add_subcommand("show", "Show a client");
    show->add_option("CLIENT", args->ref, "Client id")->required();
    show->callback([&, args] {
        run = [&, args] {
            const Client c = ctx.repo().get_client(parse_id(args->ref, "client"));
            if (ctx.options.json) {
                json out = client_json(c);
                out["credit"] = CreditLedger(ctx.db(), "").balance(c.id).to_string();
                out["bill_to"] = bill_to(ctx.db(), c.id);
                print_json(std::cout, out);
                return exit_ok;
            }
            const std::string address = address_line("", c.address);
            std::string billing = "(the client)";
            if (c.billing_contact_id) {
                const Contact k = Contacts(ctx.db()).get(*c.billing_contact_id);
                billing = "contact " + std::to_string(k.id) + " (" + k.first_name + " " + k.last_name + ")";
            }
            print_fields(std::cout, {{"id", std::to_string(c.id)}, {"first name", c.first_name}, {"last name", c.last_name},
                                     {"company", c.company}, {"email", c.email}, {"address", address}, {"phone", c.phone},
                                     {"language", c.language}, {"status", c.status}, {"currency", c.currency},
                                     {"credit", CreditLedger(ctx.db(), "").balance(c.id).to_string()},
                                     {"billing contact", billing},
                                     {"contacts", std::to_string(Contacts(ctx.db()).of_client(c.id).size())},
                                     {"separate invoices", c.separate_invoices ? "yes" : "no"},
                                     {"no late fees", c.no_late_fees ? "yes" : "no"},
                                     {"no overdue emails", c.no_overdue_emails ? "yes" : "no"},
                                     {"tax exempt", c.tax_exempt ? "yes" : "no"}, {"tax id", c.tax_id}, {"created", c.created_at}});
            return exit_ok;
        };
    });

    auto *set = client->add_subcommand("set", "Change a client");
    set->add_option("CLIENT", args->ref, "Client id")->required();
    add_client_flags(set, *args, false);
    set->callback([&, args] {
        run = [&, args] {
            Client c = ctx.repo().get_client(parse_id(args->ref, "client"));
            const std::string was = c.status;
            apply_client_changes(ctx.db(), changes_of(*args), c, FieldSpelling::flag);
            ctx.repo().update_client(c);
            const std::string note = c.status != was ? status_note(ctx.db(), c) : "";
            std::cout << "client " << c.id << " updated" << (note.empty() ? "" : ": " + note) << "\n";
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
