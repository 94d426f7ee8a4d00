// provisio init: create (or bring up to date) a configuration, key file, database and
// modules directory. Safe to run again: existing files are kept, the database is migrated.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "foundation/error.hpp"
#include "foundation/private_files.hpp"
#include "notify/outbox.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

void add_init_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *init = app.add_subcommand("init", "Create the configuration, key file, database and modules directory");
    init->callback([&] {
        run = [&] {
            json report = json::object();
            const auto path = ctx.config_path();
            if (!std::filesystem::exists(path)) {
                if (path.has_parent_path()) create_private_directories(path.parent_path());
                write_private_file(path, Config::default_text());
                report["config"] = "created " + path.string() + " (mode 0600)";
            } else {
                report["config"] = "kept " + path.string();
            }
            const Config &config = ctx.config();
            if (!std::filesystem::exists(config.key_file)) {
                SecretBox::create_key_file(config.key_file);
                report["key_file"] = "created " + config.key_file.string() + " (mode 0600; back it up separately)";
            } else {
                SecretBox::from_key_file(config.key_file);  // refuses a readable or malformed one now, not later
                report["key_file"] = "kept " + config.key_file.string();
            }
            const bool existed = std::filesystem::exists(config.database);
            Database db = Database::open(config.database, true);
            Repository(db, ctx.secrets(), ctx.clock()).seal_pending_settings();
            report["database"] = std::string(existed ? "migrated " : "created ") + config.database.string() +
                                 " (schema version " + std::to_string(db.schema_version()) + ", mode 0600)";
            const auto modules = ctx.modules_dir();
            if (!std::filesystem::exists(modules)) {
                create_private_directories(modules);
                report["modules_dir"] = "created " + modules.string() + " (mode 0700)";
            } else {
                report["modules_dir"] = "kept " + modules.string();
            }
            if (config.mail.transport == "file")
                report["mail"] = mail_transport_note(config);
            if (ctx.options.json) print_json(std::cout, report);
            else
                for (const auto &[k, v] : report.items()) std::cout << v.get<std::string>() << '\n';
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
