#include "cli/context.hpp"

#include "foundation/error.hpp"

#include <spdlog/spdlog.h>

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace provisio::cli {

std::filesystem::path Context::config_path() const {
    if (!options.config.empty()) return options.config;
    if (const char *env = std::getenv("PROVISIO_CONFIG"); env && *env) return env;
    return "provisio.toml";
}

const Config &Context::config() {
    if (!config_) {
        const auto path = config_path();
        if (!std::filesystem::exists(path))
            fail(ErrorKind::invalid_input, "no configuration file at " + path.string() +
                                               " (create one with: provisio init, or pass --config)");
        config_ = Config::load(path);
    }
    return *config_;
}

const Clock &Context::clock() {
    if (!clock_) clock_ = options.now.empty() ? Clock() : Clock(parse_instant(options.now, "--now"));
    return *clock_;
}

HostServices &Context::services() {
    if (!services_) {
        HostConfig hc;
        hc.clock = clock();
        if (config_ || std::filesystem::exists(config_path())) {
            hc.http_timeout = config().http_timeout;
            hc.http_ca_file = config().http_ca_file;
        }
        services_ = std::make_unique<HostServices>(hc);
    }
    return *services_;
}

std::filesystem::path Context::modules_dir() {
    if (!options.modules_dir.empty()) return options.modules_dir;
    return config().modules_dir;
}

Date Context::today() { return BusinessZone(config().timezone).date_at(clock().now()); }

Quarantine &Context::quarantine() {
    if (!quarantine_)
        quarantine_ = std::make_unique<Quarantine>(QuarantineLimits{config().quarantine_after, config().skip_module_after});
    return *quarantine_;
}

Provisioner Context::provisioner() {
    Provisioner p(repo(), modules(), today());
    p.contain(quarantine()).collect_usage_before_terminate(BusinessZone(config().timezone));
    return p;
}

TaskContext Context::task_context(bool dry_run) {
    return TaskContext{db(), repo(), modules(), quarantine(), config(), repo().now_text(), today(), dry_run};
}

namespace {

// provisio-module-runner: beside this program in a build tree, in libexec when installed.
std::filesystem::path runner_program() {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    const auto beside = self.parent_path() / "provisio-module-runner";
    if (!ec && std::filesystem::exists(beside)) return beside;
    return (self.parent_path() / PROVISIO_INSTALLED_RUNNER).lexically_normal();
}

// [modules] run_as, looked up now so a wrong name fails the command before any module is loaded.
RunnerSetup::Identity runner_identity(const std::string &user) {
    const passwd *found = ::getpwnam(user.c_str());
    if (!found) fail(ErrorKind::invalid_input, "[modules] run_as: there is no user '" + user + "' on this system");
    RunnerSetup::Identity identity{user, found->pw_uid, found->pw_gid};
    if (::geteuid() != 0 && ::geteuid() != identity.uid)
        fail(ErrorKind::invalid_input, "[modules] run_as = \"" + user + "\": provisio runs as uid " + std::to_string(::geteuid()) +
                                           ", not root, so its module runners cannot become another user; run provisio as root or "
                                           "set run_as = \"\"");
    return identity;
}

}  // namespace

ModuleHost &Context::modules() {
    if (!modules_) {
        const bool configured = config_ || std::filesystem::exists(config_path());
        Containment c;
        c.runner.program = runner_program();
        if (!options.now.empty()) c.runner.fixed_now = options.now;
        c.runner.log_level = spdlog::level::to_string_view(spdlog::get_level()).data();
        if (configured) {
            const Config &cfg = config();
            c.runner.http_timeout = cfg.http_timeout;
            c.runner.http_ca_file = cfg.http_ca_file;
            c.runner.call_timeout = cfg.module_call_timeout;
            c.runner.load_timeout = cfg.module_load_timeout;
            c.runner.address_space_bytes = cfg.module_memory_mb << 20;
            c.call_timeouts = cfg.module_call_timeouts;
            c.inline_modules = cfg.inline_modules;
            c.runners_per_module = static_cast<size_t>(cfg.module_call_workers);
            c.calls_per_runner = static_cast<size_t>(cfg.module_calls_per_runner);
            if (!cfg.module_run_as.empty()) c.runner.run_as = runner_identity(cfg.module_run_as);
            c.descriptor_cache = cfg.database.string() + ".modules";
        }
        modules_ = std::make_unique<ModuleHost>(services(), std::move(c));
        modules_->load_directory(modules_dir());
    }
    return *modules_;
}

Database &Context::db() {
    if (!db_) db_.emplace(Database::open(config().database, false));
    return *db_;
}

const SecretBox &Context::secrets() {
    if (!secrets_) secrets_ = SecretBox::from_key_file(config().key_file);
    return *secrets_;
}

Repository &Context::repo() {
    if (!repo_) {
        repo_ = std::make_unique<Repository>(db(), secrets(), clock());
        repo_->seal_pending_settings();
    }
    return *repo_;
}

}  // namespace provisio::cli
