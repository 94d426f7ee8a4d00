// provisio contact add|list|show|set|delete: the people on a client's account and the e-mail
// categories each receives.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "shapes/records_json.hpp"
#include "domain/contacts.hpp"
#include "foundation/error.hpp"
#include "foundation/text.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

struct ContactArgs {
    std::string ref, first_name, last_name, email, company, phone, address1, address2, city, state, postcode, country, subscribe;
};

void add_contact_flags(CLI::App *cmd, ContactArgs &a) {
    cmd->add_option("--first-name", a.first_name, "First name (required)");
    cmd->add_option("--last-name", a.last_name, "Last name (required)");
    cmd->add_option("--email", a.email, "E-mail address (required)");
    cmd->add_option("--company", a.company, "Company");
    cmd->add_option("--phone", a.phone, "Phone number");
    cmd->add_option("--address1", a.address1, "Address, first line");
    cmd->add_option("--address2", a.address2, "Address, second line");
    cmd->add_option("--city", a.city, "City");
    cmd->add_option("--state", a.state, "State or province");
    cmd->add_option("--postcode", a.postcode, "Postal code");
    cmd->add_option("--country", a.country, "Country, ISO 3166 two-letter code");
    cmd->add_option("--subscribe", a.subscribe,
                    "E-mail categories it receives, comma-separated: general, invoice, support, product, domain (\"none\" for none)");
}

void apply(const ContactArgs &a, Contact &c) {
    if (!a.first_name.empty()) c.first_name = a.first_name;
    if (!a.last_name.empty()) c.last_name = a.last_name;
    if (!a.email.empty()) c.email = a.email;
    if (!a.company.empty()) c.company = a.company;
    if (!a.phone.empty()) c.phone = a.phone;
    if (!a.address1.empty()) c.address.address1 = a.address1;
    if (!a.address2.empty()) c.address.address2 = a.address2;
    if (!a.city.empty()) c.address.city = a.city;
    if (!a.state.empty()) c.address.state = a.state;
    if (!a.postcode.empty()) c.address.postcode = a.postcode;
    if (!a.country.empty()) c.address.country = checked_country(a.country, "--country");
    if (a.subscribe == "none") c.categories.clear();
    else if (!a.subscribe.empty()) c.categories = parse_email_categories(a.subscribe, "--subscribe");
}

}  // namespace

void add_contact_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *contact = app.add_subcommand("contact", "A client's contacts and the e-mail they receive");
    contact->require_subcommand(1);
    auto args = std::make_shared<ContactArgs>();

    auto *add = contact->add_subcommand("add", "Add a contact to a client");
    add->add_option("CLIENT", args->ref, "Client id")->required();
    add_contact_flags(add, *args);
    add->callback([&, args] {
        run = [&, args] {
            Contact c;
            c.client_id = parse_id(args->ref, "client");
            apply(*args, c);
            const int64_t id = Contacts(ctx.db()).add(c, ctx.repo().now_text());
            if (ctx.options.json) print_json(std::cout, contact_json(Contacts(ctx.db()).get(id)));
            else
                std::cout << "contact " << id << " added to client " << c.client_id << " (" << c.email << "; receives "
                          << (c.categories.empty() ? "no e-mail" : join(c.categories, ", ") + " e-mail") << ")\n";
            return exit_ok;
        };
    });

    auto *list = contact->add_subcommand("list", "List a client's contacts");
    list->add_option("CLIENT", args->ref, "Client id")->required();
    list->callback([&, args] {
        run = [&, args] {
            const Client client = ctx.repo().get_client(parse_id(args->ref, "client"));
            const auto all = Contacts(ctx.db()).of_client(client.id);
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &c : all) out.push_back(contact_json(c));
                print_json(std::cout, out);
                return exit_ok;
            }
            Table t({"ID", "NAME", "EMAIL", "RECEIVES", "BILLING"});
            for (const auto &c : all)
                t.add({std::to_string(c.id), c.first_name + " " + c.last_name, c.email, c.categories.empty() ? "-" : join(c.categories, ","),
                       client.billing_contact_id == c.id ? "yes" : ""});
            if (t.empty()) std::cout << "client " << client.id << " has no contacts\n";
            else t.print(std::cout);
            return exit_ok;
        };
    });

    auto *show = contact->add_subcommand("show", "Show a contact");
    show->add_option("CONTACT", args->ref, "Contact id")->required();
    show->callback([&, args] {
        run = [&, args] {
            const Contact c = Contacts(ctx.db()).get(parse_id(args->ref, "contact"));
            if (ctx.options.json) print_json(std::cout, contact_json(c));
            else {
                const std::string address = address_line(c.company, c.address);
                print_fields(std::cout, {{"id", std::to_string(c.id)}, {"client", std::to_string(c.client_id)},
                                         {"name", c.first_name + " " + c.last_name}, {"email", c.email}, {"phone", c.phone},
                                         {"address", address}, {"receives", c.categories.empty() ? "no e-mail" : join(c.categories, ", ")},
                                         {"added", c.created_at}});
            }
            return exit_ok;
        };
    });

    auto *set = contact->add_subcommand("set", "Change a contact");
    set->add_option("CONTACT", args->ref, "Contact id")->required();
    add_contact_flags(set, *args);
    set->callback([&, args] {
        run = [&, args] {
            Contacts contacts(ctx.db());
            Contact c = contacts.get(parse_id(args->ref, "contact"));
            apply(*args, c);
            contacts.update(c);
            std::cout << "contact " << c.id << " updated\n";
            return exit_ok;
        };
    });

    auto *del = contact->add_subcommand("delete", "Delete a contact");
    del->add_option("CONTACT", args->ref, "Contact id")->required();
    del->callback([&, args] {
        run = [&, args] {
            Contacts contacts(ctx.db());
            const Contact c = contacts.get(parse_id(args->ref, "contact"));
            const bool was_billing = ctx.repo().get_client(c.client_id).billing_contact_id == c.id;
            contacts.remove(c.id);
            std::cout << "contact " << c.id << " deleted" << (was_billing ? "; invoices of client " + std::to_string(c.client_id) +
                                                                                 " are made out to the client again"
                                                                           : "")
                      << "\n";
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
