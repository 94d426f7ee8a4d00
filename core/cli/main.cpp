// provisio — the command-line entry point. Parses `provisio <noun> <verb>`, runs the chosen
// command, and turns every error into one line on stderr and a meaningful exit code.
#include "cli/arguments.hpp"
#include "cli/context.hpp"
#include "cli/help.hpp"
#include "foundation/error.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/stat.h>

#include <filesystem>
#include <iostream>

using namespace provisio;
using namespace provisio::cli;

namespace {

int exit_code(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::invalid_input: return exit_invalid;
    case ErrorKind::not_found: return exit_not_found;
    case ErrorKind::refused: return exit_refused;
    case ErrorKind::conflict: return exit_conflict;
    case ErrorKind::module_failed: return exit_failed;
    case ErrorKind::module_retry: return exit_queued;
    case ErrorKind::storage: return exit_storage;
    case ErrorKind::internal: return exit_internal;
    }
    return exit_internal;
}

void set_up_logging(Context &ctx) {
    auto logger = spdlog::stderr_color_mt("provisio");
    logger->set_pattern("%^%l%$: %v");
    spdlog::set_default_logger(logger);
    spdlog::level::level_enum level = spdlog::level::warn;
    if (ctx.options.verbose) level = spdlog::level::debug;
    else {
        try {
            if (std::filesystem::exists(ctx.config_path())) level = spdlog::level::from_str(ctx.config().log_level == "warning" ? "warn" : ctx.config().log_level);
        } catch (const Error &) {
            // A broken configuration is reported by the command that needs it.
        }
    }
    spdlog::set_level(level);
}

}  // namespace

int main(int argc, char **argv) {
    // Everything provisio creates (database, configuration, mail files, client files, lock
    // files) is for its own user only: files 0600, directories 0700.
    ::umask(077);
    Context ctx;
    CLI::App app{"provisio — provisioning and billing host for service providers"};
    set_up_help(app);
    const std::string version = "provisio 0.1.0 (module ABI " + std::to_string(PROVISIO_ABI_MAJOR) + "." +
                                std::to_string(PROVISIO_ABI_MINOR) + ")";
    app.set_version_flag("--version", version);
    app.add_option("--config", ctx.options.config, "Configuration file (default: $PROVISIO_CONFIG, else ./provisio.toml)");
    app.add_option("--modules-dir", ctx.options.modules_dir, "Load modules from this directory instead of the configured one");
    app.add_option("--now", ctx.options.now, "Act as if it were this instant (ISO 8601, e.g. 2026-11-22T10:00:00Z)");
    app.add_flag("--json", ctx.options.json, "Print JSON for scripts instead of tables");
    app.add_flag("-v,--verbose", ctx.options.verbose, "Log debug detail to stderr");
    app.require_subcommand(1);
    app.fallthrough();

    Runner run;
    add_init_commands(app, ctx, run);
    add_module_commands(app, ctx, run);
    add_server_commands(app, ctx, run);
    add_product_commands(app, ctx, run);
    add_client_commands(app, ctx, run);
    add_contact_commands(app, ctx, run);
    add_card_commands(app, ctx, run);
    add_order_commands(app, ctx, run);
    add_field_commands(app, ctx, run);
    add_service_commands(app, ctx, run);
    add_cancellation_commands(app, ctx, run);
    add_queue_commands(app, ctx, run);
    add_credit_commands(app, ctx, run);
    add_invoice_commands(app, ctx, run);
    add_payment_commands(app, ctx, run);  // after credit and invoice: it adds to them
    add_cron_commands(app, ctx, run);
    add_mail_commands(app, ctx, run);
    add_addon_commands(app, ctx, run);
    add_timelog_commands(app, ctx, run);
    add_tariff_commands(app, ctx, run);
    add_report_commands(app, ctx, run);
    add_tax_commands(app, ctx, run);
    add_package_commands(app, ctx, run);
    add_cdr_commands(app, ctx, run);
    add_api_key_commands(app, ctx, run);
    add_serve_commands(app, ctx, run, version);
    add_help_commands(app, version, run);

    if (const auto words = help_request(app, argc, argv)) {
        try {
            return print_help(app, *words);
        } catch (const Error &e) {
            std::cerr << "provisio: " << e.what() << '\n';
            return exit_invalid;
        }
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion &e) {
        return app.exit(e);
    } catch (const CLI::ParseError &e) {
        std::string see;
        const std::string unknown = explain_unknown_word(app, argc, argv, see);
        std::cerr << "provisio: " << (unknown.empty() ? std::string(e.what()) : unknown) << " (see: " << see << ")\n";
        return exit_invalid;
    }

    try {
        require_utf8_arguments(app);
        set_up_logging(ctx);
        return run ? run() : exit_invalid;
    } catch (const Error &e) {
        std::cerr << "provisio: " << e.what() << '\n';
        return exit_code(e.kind());
    } catch (const std::filesystem::filesystem_error &e) {
        // A directory or file provisio could not create, read or write: the system's reason
        // and the path, not an "internal error".
        std::string what = e.what();  // "filesystem error: cannot create directories: Permission denied [/srv/x]"
        if (what.rfind("filesystem error: ", 0) == 0) what.erase(0, 18);
        std::cerr << "provisio: " << what << '\n';
        return exit_storage;
    } catch (const std::exception &e) {
        std::cerr << "provisio: internal error: " << e.what() << '\n';
        return exit_internal;
    }
}
