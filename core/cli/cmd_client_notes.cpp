// provisio client note add|list|delete: notes staff keep on a client's account.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "shapes/records_json.hpp"
#include "domain/audit_log.hpp"
#include "domain/client_notes.hpp"
#include "domain/records.hpp"
#include "foundation/error.hpp"
#include "store/database.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

struct NoteArgs {
    std::string client, note, text;
};

}  // namespace

void add_client_note_commands(CLI::App &client, Context &ctx, Runner &run) {
    auto *note = client.add_subcommand("note", "Notes kept on a client's account");
    note->require_subcommand(1);
    auto args = std::make_shared<NoteArgs>();

    auto *add = note->add_subcommand("add", "Add a note");
    add->add_option("CLIENT", args->client, "Client id")->required();
    add->add_option("--text", args->text, "The note")->required();
    add->callback([&, args] {
        run = [&, args] {
            const int64_t client_id = parse_id(args->client, "client");
            const int64_t id = add_client_note(ctx.db(), ctx.repo().now_text(), client_id, current_actor(), args->text).id;
            std::cout << "note " << id << " added to client " << client_id << "\n";
            return exit_ok;
        };
    });

    auto *list = note->add_subcommand("list", "A client's notes, oldest first");
    list->add_option("CLIENT", args->client, "Client id")->required();
    list->callback([&, args] {
        run = [&, args] {
            const int64_t client_id = parse_id(args->client, "client");
            json out = json::array();
            Table t({"ID", "AT", "BY", "NOTE"});
            for (const ClientNote &n : client_notes(ctx.db(), client_id)) {
                out.push_back(client_note_json(n));
                t.add({std::to_string(n.id), n.at, n.author, n.text});
            }
            if (ctx.options.json) print_json(std::cout, out);
            else if (t.empty()) std::cout << "no notes for client " << client_id << "\n";
            else t.print(std::cout);
            return exit_ok;
        };
    });

    auto *del = note->add_subcommand("delete", "Delete a note");
    del->add_option("NOTE", args->note, "Note id")->required();
    del->callback([&, args] {
        run = [&, args] {
            const int64_t id = parse_id(args->note, "note");
            delete_client_note(ctx.db(), id);
            std::cout << "note " << id << " deleted\n";
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
