// provisio client file add|list|get|delete: files kept for a client, stored under generated
// names in [files] dir.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "domain/client_files.hpp"
#include "foundation/error.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

struct FileArgs {
    std::string client, file, path, title, name, output;
    bool admin_only = false, force = false;
};

ClientFiles files_of(Context &ctx) { return ClientFiles(ctx.db(), ctx.config().files.dir, ctx.config().files.max_bytes); }

json file_json(const ClientFile &f) {
    return {{"id", f.id}, {"client_id", f.client_id}, {"title", f.title}, {"filename", f.filename}, {"size", f.size},
            {"admin_only", f.admin_only}, {"created_at", f.created_at}};
}

}  // namespace

void add_client_file_commands(CLI::App &client, Context &ctx, Runner &run) {
    auto *file = client.add_subcommand("file", "Files kept for a client");
    file->require_subcommand(1);
    auto args = std::make_shared<FileArgs>();

    auto *add = file->add_subcommand("add", "Attach a file to a client (copied in under a generated name)");
    add->add_option("CLIENT", args->client, "Client id")->required();
    add->add_option("PATH", args->path, "The file to attach")->required();
    add->add_option("--title", args->title, "What the file is, e.g. \"Signed contract\"")->required();
    add->add_option("--name", args->name, "The name it is fetched as (default: PATH's file name); no directories");
    add->add_flag("--admin-only", args->admin_only, "Only administrators may see it (not shown in the client area)");
    add->callback([&, args] {
        run = [&, args] {
            const int64_t id = files_of(ctx).attach(parse_id(args->client, "client"), args->path, args->title, args->name,
                                                    args->admin_only, ctx.repo().now_text());
            const ClientFile f = files_of(ctx).get(id);
            if (ctx.options.json) print_json(std::cout, file_json(f));
            else std::cout << "client file " << id << " added (" << f.filename << ", " << f.size << " bytes" << (f.admin_only ? ", admin only" : "") << ")\n";
            return exit_ok;
        };
    });

    auto *list = file->add_subcommand("list", "List a client's files");
    list->add_option("CLIENT", args->client, "Client id")->required();
    list->callback([&, args] {
        run = [&, args] {
            const int64_t client_id = parse_id(args->client, "client");
            ctx.repo().get_client(client_id);
            const auto all = files_of(ctx).of_client(client_id);
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &f : all) out.push_back(file_json(f));
                print_json(std::cout, out);
                return exit_ok;
            }
            Table t({"ID", "TITLE", "NAME", "BYTES", "ADMIN ONLY", "ADDED"});
            for (const auto &f : all) t.add({std::to_string(f.id), f.title, f.filename, std::to_string(f.size), f.admin_only ? "yes" : "no", f.created_at});
            if (t.empty()) std::cout << "no files for client " << client_id << "\n";
            else t.print(std::cout);
            return exit_ok;
        };
    });

    auto *get = file->add_subcommand("get", "Copy a client file out");
    get->add_option("FILE", args->file, "Client file id")->required();
    get->add_option("--output", args->output, "Where to write it (default: its name, in the current directory)");
    get->add_flag("--force", args->force, "Replace the output file if it exists");
    get->callback([&, args] {
        run = [&, args] {
            const int64_t id = parse_id(args->file, "client file");
            const ClientFile f = files_of(ctx).get(id);
            const std::string to = args->output.empty() ? f.filename : args->output;
            files_of(ctx).fetch(id, to, args->force);
            std::cout << "client file " << id << " written to " << to << " (" << f.size << " bytes)\n";
            return exit_ok;
        };
    });

    auto *del = file->add_subcommand("delete", "Delete a client file");
    del->add_option("FILE", args->file, "Client file id")->required();
    del->callback([&, args] {
        run = [&, args] {
            const int64_t id = parse_id(args->file, "client file");
            files_of(ctx).remove(id);
            std::cout << "client file " << id << " deleted\n";
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
