// provisio server add|list|show|set|test: the servers modules act on. Passwords and access
// hashes are sealed at rest and never printed.
#include "cli/arguments.hpp"
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "foundation/error.hpp"
#include "provisioning/lifecycle.hpp"
#include "provisioning/module_settings.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

struct ServerArgs {
    std::string ref, name, module, hostname, ip, username, password, access_hash, secure, tls_verify;
    std::optional<int64_t> port, max_concurrent;
    bool password_stdin = false, access_hash_stdin = false;
    std::vector<std::string> options, options_stdin, unset;
};

void add_server_flags(CLI::App *cmd, ServerArgs &a, bool adding) {
    cmd->add_option("--name", a.name, "Unique server name")->required(adding);
    if (adding) cmd->add_option("--module", a.module, "Module that manages this server")->required();
    cmd->add_option("--hostname", a.hostname, "Host name");
    cmd->add_option("--ip", a.ip, "IP address");
    cmd->add_option("--port", a.port, "Port")->check(CLI::Range(1, 65535));
    cmd->add_option("--username", a.username, "User name the module logs in with");
    cmd->add_option("--password", a.password, "Password (visible to other local users in ps; prefer --password-stdin)");
    cmd->add_flag("--password-stdin", a.password_stdin, "Read the password from the first line of standard input");
    cmd->add_option("--access-hash", a.access_hash, "Access hash / API key (visible in ps; prefer --access-hash-stdin)");
    cmd->add_flag("--access-hash-stdin", a.access_hash_stdin,
                  "Read the access hash from the next line of standard input (after the --password-stdin line)");
    cmd->add_option("--secure", a.secure, "Speak TLS to the server (yes/no, default yes)");
    cmd->add_option("--tls-verify", a.tls_verify, "Verify the server's TLS certificate (yes/no, default yes)");
    cmd->add_option("--max-concurrent", a.max_concurrent, "Module calls in flight against this server")->check(CLI::Range(1, 1000));
    cmd->add_option("--option", a.options, "Module server option key=value (repeatable; visible in ps, so give passwords with --option-stdin)");
    cmd->add_option("--option-stdin", a.options_stdin,
                    "Read the value of module server option KEY from standard input, one line per key in the order given, "
                    "after the --password-stdin and --access-hash-stdin lines (repeatable)");
    if (!adding) cmd->add_option("--unset-option", a.unset, "Remove a module server option (repeatable)");
}

void apply(Context &ctx, const ServerArgs &a, Server &s) {
    if (!a.name.empty()) s.name = a.name;
    if (!a.hostname.empty()) s.hostname = a.hostname;
    if (!a.ip.empty()) s.ip = a.ip;
    if (a.port) s.port = *a.port;
    if (!a.username.empty()) s.username = a.username;
    if (!a.password.empty()) s.password = a.password;
    if (a.password_stdin) s.password = read_secret_line("the server password");
    if (!a.access_hash.empty()) s.access_hash = a.access_hash;
    if (a.access_hash_stdin) s.access_hash = read_secret_line("the server access hash");
    if (!a.secure.empty()) s.secure = parse_yes_no(a.secure, "--secure");
    if (!a.tls_verify.empty()) s.tls_verify = parse_yes_no(a.tls_verify, "--tls-verify");
    if (a.max_concurrent) s.max_concurrent = *a.max_concurrent;
    s.options = server_options_after(ctx.modules(), s,
                                     {parse_pairs_and_stdin(a.options, "--option", a.options_stdin, "--option-stdin"), a.unset});
}

json server_json(const Server &s) {
    return {{"id", s.id}, {"name", s.name}, {"module", s.module}, {"hostname", s.hostname}, {"ip", s.ip},
            {"port", s.port ? json(*s.port) : json()}, {"username", s.username}, {"password_set", !s.password.empty()},
            {"access_hash_set", !s.access_hash.empty()}, {"secure", s.secure}, {"tls_verify", s.tls_verify},
            {"max_concurrent", s.max_concurrent}, {"option_keys", [&] {
                 json keys = json::array();
                 for (const auto &[k, v] : s.options) keys.push_back(k);
                 return keys;
             }()},
            {"created_at", s.created_at}};
}

// Option values are shown except those the module declares as passwords.
std::string option_display(Context &ctx, const Server &s, const std::string &key, const std::string &value) {
    if (const LoadedModule *m = ctx.modules().find(s.module))
        if (const OptionSpec *o = m->description.schema.find(key); o && o->type == PROVISIO_OPTION_PASSWORD)
            return value.empty() ? "" : "(set)";
    return value;
}

}  // namespace

void add_server_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *server = app.add_subcommand("server", "Servers modules act on");
    server->require_subcommand(1);
    auto args = std::make_shared<ServerArgs>();

    auto *add = server->add_subcommand("add", "Add a server");
    add_server_flags(add, *args, true);
    add->callback([&, args] {
        run = [&, args] {
            ctx.modules().require(args->module);
            Server s;
            s.module = args->module;
            apply(ctx, *args, s);
            const int64_t id = ctx.repo().add_server(s);
            if (ctx.options.json) print_json(std::cout, server_json(ctx.repo().get_server(id)));
            else std::cout << "server " << id << " added (" << s.name << ", module " << s.module << ")\n";
            return exit_ok;
        };
    });

    server->add_subcommand("list", "List servers")->callback([&] {
        run = [&] {
            const auto servers = ctx.repo().list_servers();
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &s : servers) out.push_back(server_json(s));
                print_json(std::cout, out);
                return exit_ok;
            }
            Table t({"ID", "NAME", "MODULE", "HOST", "PORT", "TLS", "MAX"});
            for (const auto &s : servers)
                t.add({std::to_string(s.id), s.name, s.module, s.hostname.empty() ? s.ip : s.hostname,
                       s.port ? std::to_string(*s.port) : "", s.secure ? (s.tls_verify ? "verify" : "no-verify") : "off",
                       std::to_string(s.max_concurrent)});
            if (t.empty()) std::cout << "no servers\n";
            else t.print(std::cout);
            return exit_ok;
        };
    });

    auto *show = server->add_subcommand("show", "Show a server");
    show->add_option("SERVER", args->ref, "Server id or name")->required();
    show->callback([&, args] {
        run = [&, args] {
            const Server s = ctx.repo().find_server(args->ref);
            if (ctx.options.json) {
                print_json(std::cout, server_json(s));
                return exit_ok;
            }
            std::vector<std::pair<std::string, std::string>> f = {
                {"id", std::to_string(s.id)}, {"name", s.name}, {"module", s.module}, {"hostname", s.hostname},
                {"ip", s.ip}, {"port", s.port ? std::to_string(*s.port) : ""}, {"username", s.username},
                {"password", s.password.empty() ? "" : "(set)"}, {"access hash", s.access_hash.empty() ? "" : "(set)"},
                {"secure", s.secure ? "yes" : "no"}, {"tls verify", s.tls_verify ? "yes" : "no"},
                {"max concurrent", std::to_string(s.max_concurrent)}, {"created", s.created_at}};
            for (const auto &[k, v] : s.options) f.emplace_back("option " + k, option_display(ctx, s, k, v));
            print_fields(std::cout, f);
            return exit_ok;
        };
    });

    auto *set = server->add_subcommand("set", "Change a server");
    set->add_option("SERVER", args->ref, "Server id or name")->required();
    add_server_flags(set, *args, false);
    set->callback([&, args] {
        run = [&, args] {
            Server s = ctx.repo().find_server(args->ref);
            apply(ctx, *args, s);
            ctx.repo().update_server(s);
            std::cout << "server " << s.id << " updated\n";
            return exit_ok;
        };
    });

    auto *test = server->add_subcommand("test", "Run the module's test_connection against a server");
    test->add_option("SERVER", args->ref, "Server id or name")->required();
    test->callback([&, args] {
        run = [&, args] {
            const Server s = ctx.repo().find_server(args->ref);
            Provisioner p = ctx.provisioner();
            const LifecycleResult r = p.test_server(s.id);
            if (ctx.options.json)
                print_json(std::cout, {{"server", s.id}, {"status", r.status == PROVISIO_OK ? "ok" : r.status == PROVISIO_RETRYABLE ? "retryable" : "error"},
                                       {"message", r.message}});
            else std::cout << "server " << s.id << " test_connection: " << (r.status == PROVISIO_OK ? "ok" : "failed")
                           << (r.message.empty() ? "" : " — " + r.message) << '\n';
            return r.status == PROVISIO_OK ? exit_ok : exit_failed;
        };
    });
}

}  // namespace provisio::cli
