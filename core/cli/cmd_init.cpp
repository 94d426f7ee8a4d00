// provisio init: create (or bring up to date) a configuration, key file, database and
// modules directory. Safe to run again: existing files are kept, the database is migrated.
// All or nothing: when a step fails, what this run created is removed again, so a bad
// database path leaves no key file or configuration behind for the next attempt to trip on.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "foundation/error.hpp"
#include "foundation/files.hpp"
#include "notify/outbox.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

// What this run created, removed again (newest first) unless the run succeeds.
class Created {
public:
    Created() = default;
    Created(const Created &) = delete;
    Created &operator=(const Created &) = delete;
    ~Created() {
        if (kept_) return;
        std::error_code ec;
        for (auto it = paths_.rbegin(); it != paths_.rend(); ++it) std::filesystem::remove_all(*it, ec);
    }
    void add(const std::filesystem::path &path) { paths_.push_back(path); }
    // Creates the missing directories up to `dir` (mode 0700), remembering the outermost one made.
    void directories(const std::filesystem::path &dir) {
        std::filesystem::path first_missing;
        for (auto p = std::filesystem::absolute(dir); !p.empty() && !std::filesystem::exists(p); p = p.parent_path()) {
            first_missing = p;
            if (p == p.parent_path()) break;
        }
        create_private_directories(dir);
        if (!first_missing.empty()) add(first_missing);
    }
    void keep() { kept_ = true; }

private:
    std::vector<std::filesystem::path> paths_;
    bool kept_ = false;
};

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
            Created created;
            const auto path = ctx.config_path();
            if (!std::filesystem::exists(path)) {
                if (path.has_parent_path()) created.directories(path.parent_path());
                // An installed provisio loads the modules installed with it; a build tree's, its own.
                const auto bundled = bundled_modules_dir();
                create_file_whole(path, bundled.empty() ? Config::default_text() : Config::default_text(bundled.string()), 0600);
                created.add(path);
                report["config"] = "created " + path.string() + " (mode 0600)";
            } else {
                report["config"] = "kept " + path.string();
            }
            const Config &config = ctx.config();
            if (!std::filesystem::exists(config.key_file)) {
                SecretBox::create_key_file(config.key_file);
                created.add(config.key_file);
                report["key_file"] = "created " + config.key_file.string() + " (mode 0600; back it up separately)";
            } else {
                SecretBox::from_key_file(config.key_file);  // refuses a readable or malformed one now, not later
                report["key_file"] = "kept " + config.key_file.string();
            }
            const bool existed = std::filesystem::exists(config.database);
            if (!existed)
                for (const char *suffix : {"", "-wal", "-shm", "-journal"}) created.add(config.database.string() + suffix);
            {
                Database db = Database::open(config.database, true);
                Repository(db, ctx.secrets(), ctx.clock()).seal_pending_settings();
                report["database"] = std::string(existed ? "migrated " : "created ") + config.database.string() +
                                     " (schema version " + std::to_string(db.schema_version()) + ", mode 0600)";
            }
            const auto modules = ctx.modules_dir();
            if (!std::filesystem::exists(modules)) {
                created.directories(modules);
                report["modules_dir"] = "created " + modules.string() + " (mode 0700)";
            } else {
                report["modules_dir"] = "kept " + modules.string();
            }
            if (config.mail.transport == "file") report["mail"] = mail_transport_note(config);
            created.keep();
            if (ctx.options.json) print_json(std::cout, report);
            else
                for (const auto &[k, v] : report.items()) std::cout << v.get<std::string>() << '\n';
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
