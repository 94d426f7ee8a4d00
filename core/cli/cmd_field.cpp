// provisio field add|add-voip|list|delete|set|show: client custom fields, defined once and set
// per client.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "domain/client_fields.hpp"
#include "domain/repository.hpp"
#include "foundation/text.hpp"
#include "store/database.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

struct FieldArgs {
    std::string name, type, options, default_value, description, client, value;
};

json field_json(const ClientField &f) {
    return {{"id", f.id},       {"name", f.name},       {"variable", "client_custom_field_" + f.variable},
            {"type", f.type},   {"options", f.options}, {"default", f.default_value},
            {"description", f.description}};
}

}  // namespace

void add_field_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *field = app.add_subcommand("field", "Client custom fields (the VoIP automation's among them)");
    field->require_subcommand(1);
    auto args = std::make_shared<FieldArgs>();

    auto *add = field->add_subcommand("add", "Define a client custom field");
    add->add_option("--name", args->name, "Its name, e.g. \"Low Balance Threshold\"")->required();
    add->add_option("--type", args->type, "text, yesno, dropdown or number")->required();
    add->add_option("--options", args->options, "dropdown: the choices, comma-separated");
    add->add_option("--default", args->default_value, "What a client without a value has");
    add->add_option("--description", args->description, "What it is for");
    add->callback([&, args] {
        run = [&, args] {
            ClientField f;
            f.name = args->name;
            f.type = args->type;
            f.options = split_list(args->options);
            f.default_value = args->default_value;
            f.description = args->description;
            Transaction tx(ctx.db());
            const ClientField added = ClientFields(ctx.db()).add(f, ctx.repo().now_text());
            tx.commit();
            if (ctx.options.json) print_json(std::cout, field_json(added));
            else std::cout << "field '" << added.name << "' added; templates use {$client_custom_field_" << added.variable << "}\n";
            return exit_ok;
        };
    });

    field->add_subcommand("add-voip", "Define the fields VoIP autosuspend and low-balance alerts read (those missing)")->callback([&] {
        run = [&] {
            ClientFields fields(ctx.db());
            Transaction tx(ctx.db());
            int added = 0;
            for (const auto &f : voip_fields()) {
                if (fields.find(f.name)) {
                    if (!ctx.options.json) std::cout << "field '" << f.name << "' already exists\n";
                    continue;
                }
                fields.add(f, ctx.repo().now_text());
                ++added;
                if (!ctx.options.json) std::cout << "field '" << f.name << "' added (" << f.type << ")\n";
            }
            tx.commit();
            if (ctx.options.json) print_json(std::cout, {{"added", added}});
            return exit_ok;
        };
    });

    field->add_subcommand("list", "List the client custom fields")->callback([&] {
        run = [&] {
            const auto all = ClientFields(ctx.db()).list();
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &f : all) out.push_back(field_json(f));
                print_json(std::cout, out);
                return exit_ok;
            }
            Table table({"NAME", "TYPE", "OPTIONS", "DEFAULT", "TEMPLATE VARIABLE"});
            for (const auto &f : all) {
                std::string options;
                for (const auto &o : f.options) options += (options.empty() ? "" : ",") + o;
                table.add({f.name, f.type, options, f.default_value, "{$client_custom_field_" + f.variable + "}"});
            }
            if (table.empty()) std::cout << "no client fields (provisio field add, or provisio field add-voip)\n";
            else table.print(std::cout);
            return exit_ok;
        };
    });

    auto *remove = field->add_subcommand("delete", "Delete a field and every client's value of it");
    remove->add_option("NAME", args->name, "Field name")->required();
    remove->callback([&, args] {
        run = [&, args] {
            Transaction tx(ctx.db());
            ClientFields(ctx.db()).remove(args->name);
            tx.commit();
            std::cout << "field '" << args->name << "' deleted\n";
            return exit_ok;
        };
    });

    auto *set = field->add_subcommand("set", "Set a client's value of a field (an empty value clears it)");
    set->add_option("CLIENT", args->client, "Client id")->required();
    set->add_option("NAME", args->name, "Field name")->required();
    set->add_option("VALUE", args->value, "The value; \"\" to clear")->required();
    set->callback([&, args] {
        run = [&, args] {
            ClientFields fields(ctx.db());
            const int64_t client = parse_id(args->client, "client");
            Transaction tx(ctx.db());
            fields.set(client, args->name, args->value);
            tx.commit();
            const ClientField f = fields.get(args->name);
            const std::string now = fields.values(client).at(f.name);
            if (ctx.options.json) print_json(std::cout, {{"client", client}, {"field", f.name}, {"value", now}});
            else std::cout << "client " << client << ": " << f.name << " = " << (now.empty() ? "(blank)" : now) << '\n';
            return exit_ok;
        };
    });

    auto *show = field->add_subcommand("show", "Show a client's values of every field");
    show->add_option("CLIENT", args->client, "Client id")->required();
    show->callback([&, args] {
        run = [&, args] {
            const int64_t client = parse_id(args->client, "client");
            ctx.repo().get_client(client);  // exists?
            const auto values = ClientFields(ctx.db()).values(client);
            if (ctx.options.json) {
                print_json(std::cout, json(values));
                return exit_ok;
            }
            // A value automation keeps (autosuspend's state in "VoIP Suspended") is not an
            // operator's override, though it reads the same: say whose it is.
            const auto automated = ClientFields(ctx.db()).set_by_automation(client);
            Table table({"FIELD", "VALUE"});
            for (const auto &f : ClientFields(ctx.db()).list()) {
                const auto by = automated.find(f.name);
                table.add({f.name, values.at(f.name) + (by == automated.end() ? "" : " (set by " + by->second + ")")});
            }
            if (table.empty()) std::cout << "no client fields (provisio field add, or provisio field add-voip)\n";
            else table.print(std::cout);
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
