// What every command shares: the global options, and the configuration, database, secrets and
// module host, each opened only when a command first asks for it (so `provisio module list`
// never touches the database, and `provisio module check` needs no configuration).
#pragma once

#include "config/config.hpp"
#include "foundation/calendar.hpp"
#include "domain/repository.hpp"
#include "foundation/clock.hpp"
#include "modulehost/module_host.hpp"
#include "automation/task.hpp"
#include "provisioning/lifecycle.hpp"
#include "secrets/secret_box.hpp"
#include "store/database.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace provisio::cli {

// Exit codes; docs/cli.md lists them.
enum Exit : int {
    exit_ok = 0,
    exit_failed = 1,         // a module reported an error, or a check found problems
    exit_invalid = 2,        // bad arguments or input
    exit_not_found = 3,
    exit_refused = 4,        // the current state forbids it
    exit_conflict = 5,
    exit_queued = 6,         // a module failed in a way worth retrying; the call is queued
    exit_storage = 7,
    exit_locked = 75,        // another cron run holds the lock (EX_TEMPFAIL)
    exit_internal = 70,
};

struct GlobalOptions {
    std::string config;       // --config, else $PROVISIO_CONFIG, else ./provisio.toml
    std::string modules_dir;  // --modules-dir overrides the configuration
    std::string now;          // --now ISO time
    bool json = false;
    bool verbose = false;
};

class Context {
public:
    GlobalOptions options;

    std::filesystem::path config_path() const;
    const Config &config();
    const Clock &clock();
    HostServices &services();
    ModuleHost &modules();
    Database &db();
    const SecretBox &secrets();
    Repository &repo();
    std::filesystem::path modules_dir();
    // Today in the business time zone (honours --now).
    Date today();
    // The command's Quarantine ([modules] quarantine_after, skip_module_after): every module
    // call the command makes goes through it, so the command is one run.
    Quarantine &quarantine();
    // A Provisioner for lifecycle commands: business date, the command's Quarantine, and the
    // last usage collection before a terminate.
    Provisioner provisioner();
    // What a cron task gets, for a command doing a task's work: this command's connection,
    // Quarantine, clock and business date.
    TaskContext task_context(bool dry_run = false);

private:
    std::optional<Config> config_;
    std::optional<Clock> clock_;
    std::unique_ptr<HostServices> services_;
    std::unique_ptr<ModuleHost> modules_;
    std::optional<Database> db_;
    std::optional<SecretBox> secrets_;
    std::unique_ptr<Repository> repo_;
    std::unique_ptr<Quarantine> quarantine_;
};

// A command's body, run after parsing; returns the exit code.
using Runner = std::function<int()>;

void add_init_commands(CLI::App &app, Context &ctx, Runner &run);
void add_module_commands(CLI::App &app, Context &ctx, Runner &run);
void add_payment_commands(CLI::App &app, Context &ctx, Runner &run);
void add_server_commands(CLI::App &app, Context &ctx, Runner &run);
void add_product_commands(CLI::App &app, Context &ctx, Runner &run);
void add_client_commands(CLI::App &app, Context &ctx, Runner &run);
void add_contact_commands(CLI::App &app, Context &ctx, Runner &run);
void add_card_commands(CLI::App &app, Context &ctx, Runner &run);
void add_order_commands(CLI::App &app, Context &ctx, Runner &run);
void add_service_commands(CLI::App &app, Context &ctx, Runner &run);
void add_queue_commands(CLI::App &app, Context &ctx, Runner &run);
void add_api_key_commands(CLI::App &app, Context &ctx, Runner &run);
void add_cancellation_commands(CLI::App &app, Context &ctx, Runner &run);
void add_serve_commands(CLI::App &app, Context &ctx, Runner &run, const std::string &version);
void add_credit_commands(CLI::App &app, Context &ctx, Runner &run);
void add_invoice_commands(CLI::App &app, Context &ctx, Runner &run);
void add_cron_commands(CLI::App &app, Context &ctx, Runner &run);
void add_mail_commands(CLI::App &app, Context &ctx, Runner &run);
void add_addon_commands(CLI::App &app, Context &ctx, Runner &run);
void add_timelog_commands(CLI::App &app, Context &ctx, Runner &run);
void add_tariff_commands(CLI::App &app, Context &ctx, Runner &run);
void add_report_commands(CLI::App &app, Context &ctx, Runner &run);
void add_tax_commands(CLI::App &app, Context &ctx, Runner &run);
void add_package_commands(CLI::App &app, Context &ctx, Runner &run);
void add_cdr_commands(CLI::App &app, Context &ctx, Runner &run);
void add_field_commands(CLI::App &app, Context &ctx, Runner &run);

}  // namespace provisio::cli
