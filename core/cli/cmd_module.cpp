// provisio module list|show|check|log|new: what the host loaded or refused, a module's option
// schema, validating a file before installing it, the module-call log, and a new module's
// skeleton for its author.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "modulehost/module_check.hpp"
#include "modulehost/module_skeleton.hpp"
#include "provisioning/call_log.hpp"
#include "shapes/records_json.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

// Every capability bit abi.h defines, with the name the CLI shows.
constexpr std::pair<uint64_t, const char *> capability_names[] = {
    {PROVISIO_CAP_PROVISIONING, "provisioning"},           {PROVISIO_CAP_NEEDS_SERVER, "needs-server"},
    {PROVISIO_CAP_INVOICE_EVENTS, "invoice-events"},       {PROVISIO_CAP_CREDIT_GENERATION, "credit-generation"},
    {PROVISIO_CAP_USAGE, "usage"},                         {PROVISIO_CAP_GATEWAY, "gateway"},
};

json capabilities_json(uint64_t caps) {
    json a = json::array();
    for (const auto &[bit, name] : capability_names)
        if (caps & bit) a.push_back(name);
    return a;
}

std::string capabilities_text(uint64_t caps) {
    std::string out;
    for (const auto &[bit, name] : capability_names)
        if (caps & bit) out += std::string(out.empty() ? "" : ",") + name;
    return out.empty() ? "-" : out;
}

int list_modules(Context &ctx) {
    const ModuleHost &host = ctx.modules();
    if (ctx.options.json) {
        json out = json::array();
        for (const auto &m : host.loaded()) {
            const auto &d = m->description;
            out.push_back({{"name", d.name}, {"status", "loaded"}, {"version", d.version},
                           {"abi", std::to_string(d.abi_major) + "." + std::to_string(d.abi_minor)},
                           {"capabilities", capabilities_json(d.capabilities)},
                           {"functions", module_functions(d)},
                           {"file", m->file.string()}, {"description", d.description}});
        }
        for (const auto &r : host.refused())
            out.push_back({{"name", r.name}, {"status", "refused"}, {"file", r.file.string()}, {"reason", r.reason}});
        print_json(std::cout, out);
    } else {
        Table t({"NAME", "STATUS", "VERSION", "ABI", "CAPABILITIES", "FILE"});
        for (const auto &m : host.loaded()) {
            const auto &d = m->description;
            t.add({d.name, "loaded", d.version, std::to_string(d.abi_major) + "." + std::to_string(d.abi_minor),
                   capabilities_text(d.capabilities), m->file.string()});
        }
        for (const auto &r : host.refused()) t.add({r.name.empty() ? "?" : r.name, "refused", "", "", "", r.file.string()});
        if (t.empty()) std::cout << "no modules in " << ctx.modules_dir().string() << '\n';
        else t.print(std::cout);
        for (const auto &r : host.refused()) std::cout << "refused " << r.file.filename().string() << ": " << r.reason << '\n';
    }
    return exit_ok;
}

int show_module(Context &ctx, const std::string &name) {
    const LoadedModule &m = ctx.modules().require(name);
    const auto &d = m.description;
    if (ctx.options.json) {
        json opts = json::array();
        for (const auto &o : d.schema.options())
            opts.push_back({{"key", o.key}, {"label", o.label}, {"type", option_type_name(o.type)},
                            {"scope", o.scope == PROVISIO_SCOPE_SERVER ? "server" : "product"},
                            {"required", o.required}, {"default", o.default_value}, {"choices", o.choices},
                            {"description", o.description}});
        json actions = json::array();
        for (const auto &a : d.custom_actions) actions.push_back(custom_action_json(a));
        print_json(std::cout, {{"name", d.name}, {"version", d.version}, {"description", d.description},
                               {"abi", std::to_string(d.abi_major) + "." + std::to_string(d.abi_minor)},
                               {"capabilities", capabilities_json(d.capabilities)},
                               {"functions", module_functions(d)}, {"file", m.file.string()},
                               {"options", opts}, {"custom_actions", actions}});
        return exit_ok;
    }
    print_fields(std::cout, {{"name", d.name},
                             {"version", d.version},
                             {"description", d.description},
                             {"abi", std::to_string(d.abi_major) + "." + std::to_string(d.abi_minor)},
                             {"capabilities", capabilities_text(d.capabilities)},
                             {"functions", module_functions(d)},
                             {"file", m.file.string()}});
    std::cout << '\n';
    Table t({"OPTION", "LABEL", "TYPE", "SCOPE", "DEFAULT", "CHOICES", "DESCRIPTION"});
    for (const auto &o : d.schema.options()) {
        std::string choices;
        for (const auto &c : o.choices) choices += (choices.empty() ? "" : "|") + c;
        t.add({o.key + (o.required ? " *" : ""), o.label, option_type_name(o.type),
               o.scope == PROVISIO_SCOPE_SERVER ? "server" : "product", o.default_value, choices, o.description});
    }
    if (t.empty()) std::cout << "no options\n";
    else t.print(std::cout);
    if (!d.custom_actions.empty()) {
        std::cout << '\n';
        Table actions({"ACTION", "LABEL", "WHO", "DESCRIPTION"});
        for (const auto &a : d.custom_actions) actions.add({a.name, a.label, a.client_visible ? "operator, client" : "operator", a.description});
        actions.print(std::cout);
    }
    return exit_ok;
}

int check_module(Context &ctx, const std::string &file) {
    const ModuleCheckReport r = check_module_file(file, ctx.services());
    if (ctx.options.json) {
        print_json(std::cout, {{"file", file}, {"accepted", r.accepted}, {"name", r.name}, {"version", r.version},
                               {"abi", r.abi}, {"functions", r.functions}, {"options", r.option_count}, {"custom_actions", r.custom_actions},
                               {"reason", r.reason}, {"warnings", r.warnings}});
    } else if (r.accepted) {
        std::cout << file << ": ok — module " << r.name << " " << r.version << ", ABI " << r.abi << ", "
                  << r.option_count << " option(s), implements " << (r.functions.empty() ? "nothing" : r.functions)
                  << (r.custom_actions.empty() ? "" : "; custom actions: " + r.custom_actions) << '\n';
    } else {
        std::cout << file << ": refused — " << r.reason << '\n';
    }
    if (!ctx.options.json)
        for (const auto &w : r.warnings) std::cout << "warning: " << w << '\n';
    return r.accepted ? exit_ok : exit_failed;
}

int show_call_log(Context &ctx, const CallLogFilter &filter) {
    const auto entries = list_calls(ctx.db(), filter);
    if (ctx.options.json) {
        json out = json::array();
        for (const auto &e : entries)
            out.push_back({{"id", e.id}, {"at", e.at}, {"module", e.module}, {"service_id", e.service_id ? json(*e.service_id) : json()},
                           {"server_id", e.server_id ? json(*e.server_id) : json()}, {"action", e.action},
                           {"status", e.status}, {"message", e.message}, {"request", e.request},
                           {"response", e.response}, {"duration_us", e.duration_us}});
        print_json(std::cout, out);
        return exit_ok;
    }
    Table t({"ID", "AT", "MODULE", "SERVICE", "ACTION", "STATUS", "MESSAGE"});
    for (const auto &e : entries) {
        std::string message = e.message;
        if (e.status == "exchange") message = "request: " + e.request + " | response: " + e.response;
        t.add({std::to_string(e.id), e.at, e.module, e.service_id ? std::to_string(*e.service_id) : "-", e.action, e.status,
               message});
    }
    if (t.empty()) std::cout << "no module calls recorded\n";
    else t.print(std::cout);
    return exit_ok;
}

int new_module(Context &ctx, const SkeletonRequest &request) {
    const auto files = write_module_skeleton(request);
    if (ctx.options.json) {
        json out = json::array();
        for (const auto &f : files) out.push_back(f.string());
        print_json(std::cout, {{"name", request.name}, {"dir", request.dir.string()}, {"files", out}});
        return exit_ok;
    }
    for (const auto &f : files) std::cout << "wrote " << f.string() << '\n';
    const std::string dir = request.dir.string();
    std::cout << "next (add -DCMAKE_PREFIX_PATH=PREFIX when the SDK is not installed under /usr or /usr/local):\n"
              << "  cmake -S " << dir << " -B " << dir << "/build\n"
              << "  cmake --build " << dir << "/build && ctest --test-dir " << dir << "/build\n"
              << "  provisio module check " << dir << "/build/" << request.name << ".so\n";
    return exit_ok;
}

}  // namespace

void add_module_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *module = app.add_subcommand("module", "Server modules: list, show, check, call log, new");
    module->require_subcommand(1);
    struct Args {
        std::string name, file, service, module_name;
        CallLogFilter filter;
        SkeletonRequest skeleton;
        std::string dir;
    };
    auto args = std::make_shared<Args>();

    module->add_subcommand("list", "Every module found, loaded or refused (with the reason)")->callback([&] {
        run = [&] { return list_modules(ctx); };
    });

    auto *show = module->add_subcommand("show", "A module's details and option schema");
    show->add_option("NAME", args->name, "Module name")->required();
    show->callback([&, args] { run = [&, args] { return show_module(ctx, args->name); }; });

    auto *check = module->add_subcommand("check", "Validate a module file without installing it (loads it in a child process)");
    check->add_option("FILE", args->file, "Module .so file")->required();
    check->callback([&, args] { run = [&, args] { return check_module(ctx, args->file); }; });

    auto *create = module->add_subcommand("new", "Write a new module's source, unit test and CMakeLists.txt, ready to build "
                                                 "against the installed SDK");
    create->add_option("NAME", args->skeleton.name, "Module name ([a-z][a-z0-9_]*)")->required();
    create->add_flag("--http", args->skeleton.http, "A module that drives a JSON-over-HTTP API (uses the SDK's json component)");
    create->add_option("--dir", args->dir, "Directory to write (default: ./NAME); must not exist or be empty");
    create->callback([&, args] {
        run = [&, args] {
            args->skeleton.dir = args->dir.empty() ? std::filesystem::path(args->skeleton.name) : std::filesystem::path(args->dir);
            return new_module(ctx, args->skeleton);
        };
    });

    auto *log = module->add_subcommand("log", "The module-call log, oldest first (secrets scrubbed)");
    log->add_option("--service", args->service, "Only calls for this service id");
    log->add_option("--module", args->module_name, "Only calls to this module");
    log->add_option("--limit", args->filter.limit, "Show at most this many of the latest entries")->check(CLI::Range(1, 100000));
    log->callback([&, args] {
        run = [&, args] {
            if (!args->service.empty()) args->filter.service_id = parse_id(args->service, "--service");
            if (!args->module_name.empty()) args->filter.module = args->module_name;
            return show_call_log(ctx, args->filter);
        };
    });
}

}  // namespace provisio::cli
