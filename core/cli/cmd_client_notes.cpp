// provisio client note add|list|delete: notes staff keep on a client's account.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "domain/audit_log.hpp"
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
            require_client(ctx.db(), client_id);
            if (args->text.find_first_not_of(" \t\n") == std::string::npos) fail(ErrorKind::invalid_input, "a note needs some text (--text)");
            ctx.db().prepare("INSERT INTO client_notes (client_id, at, author, text) VALUES (?1, ?2, ?3, ?4)")
                .bind(1, client_id).bind(2, ctx.repo().now_text()).bind(3, current_actor()).bind(4, args->text)
                .run();
            std::cout << "note " << ctx.db().last_insert_id() << " added to client " << client_id << "\n";
            return exit_ok;
        };
    });

    auto *list = note->add_subcommand("list", "A client's notes, oldest first");
    list->add_option("CLIENT", args->client, "Client id")->required();
    list->callback([&, args] {
        run = [&, args] {
            const int64_t client_id = parse_id(args->client, "client");
            require_client(ctx.db(), client_id);
            auto q = ctx.db().prepare("SELECT id, at, author, text FROM client_notes WHERE client_id = ?1 ORDER BY id");
            q.bind(1, client_id);
            json out = json::array();
            Table t({"ID", "AT", "BY", "NOTE"});
            while (q.step()) {
                out.push_back({{"id", q.int64(0)}, {"at", q.text(1)}, {"author", q.text(2)}, {"text", q.text(3)}});
                t.add({std::to_string(q.int64(0)), q.text(1), q.text(2), q.text(3)});
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
            ctx.db().prepare("DELETE FROM client_notes WHERE id = ?1").bind(1, id).run();
            if (!ctx.db().changes()) fail(ErrorKind::not_found, "note " + std::to_string(id) + " does not exist");
            std::cout << "note " << id << " deleted\n";
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
