// provisio init: create (or bring up to date) a configuration, key file, database and
// modules directory. Safe to run again: existing files are kept, the database is migrated.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "foundation/error.hpp"

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>

namespace provisio::cli {

namespace {

// The directory cmake --install put the bundled modules in, when this program runs from an
// installation: PROVISIO_BUNDLED_MODULES is that directory relative to the program's own,
// set by the build from the install layout. Empty in a build tree.
std::filesystem::path bundled_modules_dir() {
    std::error_code ec;
    const auto program = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return {};
    const auto dir = (program.parent_path() / PROVISIO_BUNDLED_MODULES).lexically_normal();
    return std::filesystem::is_directory(dir, ec) ? dir : std::filesystem::path();
}

}  // namespace

void add_init_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *init = app.add_subcommand("init", "Create the configuration, key file, database and modules directory");
    init->callback([&] {
        run = [&] {
            json report = json::object();
            const auto path = ctx.config_path();
            if (!std::filesystem::exists(path)) {
                if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
                // An installed provisio loads the modules installed with it; a build tree's, its own.
                const auto bundled = bundled_modules_dir();
                std::ofstream(path) << (bundled.empty() ? Config::default_text() : Config::default_text(bundled.string()));
                report["config"] = "created " + path.string();
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
            report["database"] = std::string(existed ? "migrated " : "created ") + config.database.string() +
                                 " (schema version " + std::to_string(db.schema_version()) + ")";
            const auto modules = ctx.modules_dir();
            if (!std::filesystem::exists(modules)) {
                std::filesystem::create_directories(modules);
                std::filesystem::permissions(modules, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                                          std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                                                          std::filesystem::perms::others_exec);
                report["modules_dir"] = "created " + modules.string();
            } else {
                report["modules_dir"] = "kept " + modules.string();
            }
            if (ctx.options.json) print_json(std::cout, report);
            else
                for (const auto &[k, v] : report.items()) std::cout << v.get<std::string>() << '\n';
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
