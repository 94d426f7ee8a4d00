#include "modulehost/module_host.hpp"

#include "foundation/error.hpp"
#include "modulehost/descriptor_cache.hpp"
#include "modulehost/permissions.hpp"
#include "modulehost/runner_pool.hpp"
#include "modulehost/runner_wire.hpp"

// Boost.DLL 1.74's library_info needs these first; shared_library is all we use.
#include <string>
#include <vector>
#include <boost/dll/shared_library.hpp>

#include <dlfcn.h>
#include <elf.h>
#include <link.h>

#include <algorithm>
#include <exception>

namespace provisio {

struct ModuleHost::Library {
    boost::dll::shared_library library;
};

// Loading a module in a runner, in two steps so a directory's runners all start at once and load
// side by side: start() starts the runner (or finds the file in the cache), finish() takes what
// it said, in file order.
struct ModuleHost::PendingLoad {
    std::filesystem::path file;
    std::string refusal;               // decided before any runner: permissions, no runner to start
    std::optional<std::string> known;  // the cache's load reply
    std::unique_ptr<RunnerProcess> runner;
    std::chrono::steady_clock::time_point deadline;
};


const char *action_name(Action a) {
    switch (a) {
    case Action::create: return "create";
    case Action::suspend: return "suspend";
    case Action::unsuspend: return "unsuspend";
    case Action::terminate: return "terminate";
    case Action::change_package: return "change_package";
    case Action::change_password: return "change_password";
    case Action::test_connection: return "test_connection";
    }
    return "unknown";
}

const char *gateway_op_name(GatewayOp op) {
    switch (op) {
    case GatewayOp::charge: return "charge";
    case GatewayOp::checkout: return "checkout";
    case GatewayOp::refund: return "refund";
    case GatewayOp::webhook: return "webhook";
    }
    return "unknown";
}

std::optional<Action> action_from_name(std::string_view name) {
    for (Action a : {Action::create, Action::suspend, Action::unsuspend, Action::terminate, Action::change_package,
                     Action::change_password, Action::test_connection})
        if (name == action_name(a)) return a;
    return std::nullopt;
}

provisio_lifecycle_fn LoadedModule::function(Action a) const {
    const auto &f = description.functions;
    switch (a) {
    case Action::create: return f.create;
    case Action::suspend: return f.suspend;
    case Action::unsuspend: return f.unsuspend;
    case Action::terminate: return f.terminate;
    case Action::change_package: return f.change_package;
    case Action::change_password: return f.change_password;
    case Action::test_connection: return f.test_connection;
    }
    return nullptr;
}

ModuleHost::ModuleHost(HostServices &services) : services_(services) {}

ModuleHost::ModuleHost(HostServices &services, Containment containment) : services_(services), containment_(std::move(containment)) {
    if (!containment_->descriptor_cache.empty()) cache_ = std::make_unique<DescriptorCache>(containment_->descriptor_cache);
}

ModuleHost::~ModuleHost() {
    for (const auto &m : loaded_)
        if (m->description.functions.fini) m->description.functions.fini(m->instance);
}

void ModuleHost::load_directory(const std::filesystem::path &dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) return;
    std::vector<std::filesystem::path> files;
    for (const auto &entry : std::filesystem::directory_iterator(dir, ec))
        // Hidden files are skipped so an atomic install's temporary name is never loaded.
        if (entry.path().extension() == ".so" && entry.path().filename().string()[0] != '.' && !entry.is_directory())
            files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) return;
    if (auto why = unsafe_permissions(dir)) {
        for (const auto &f : files) refused_.push_back({f, {}, "modules directory refused: " + *why});
        return;
    }
    if (!containment_) {
        for (const auto &f : files) load_file(f);
        return;
    }
    std::vector<PendingLoad> pending;
    for (const auto &f : files) pending.push_back(start_load(f, true));
    for (auto &p : pending) finish_load(std::move(p));
    if (cache_) cache_->save();
}

void ModuleHost::load_file(const std::filesystem::path &file, bool check_permissions) {
    if (containment_) return finish_load(start_load(file, check_permissions));
    if (check_permissions)
        if (auto why = unsafe_permissions(file)) return refused_.push_back({file, {}, *why});
    load_here(file);
}

namespace {

// The ELF type of the entry symbol: a module that exports a function under the entry's name
// would have its code read as a pointer to a descriptor.
bool exported_as_function(const void *address) {
    Dl_info info{};
    void *found = nullptr;
    if (!::dladdr1(address, &info, &found, RTLD_DL_SYMENT) || !found) return false;
    const auto *symbol = static_cast<const ElfW(Sym) *>(found);
    return ELF64_ST_TYPE(symbol->st_info) == STT_FUNC;
}

}  // namespace

// The module is loaded by a runner of its own; its description comes back over the socket, and
// that runner stays to serve the first call. Whatever the file does while loading — crash,
// exit, hang — happens to the runner.
ModuleHost::PendingLoad ModuleHost::start_load(const std::filesystem::path &file, bool check_permissions) {
    PendingLoad p;
    p.file = file;
    if (check_permissions)
        if (auto why = unsafe_permissions(file)) {
            p.refusal = *why;
            return p;
        }
    if (cache_ && (p.known = cache_->find(file))) return p;  // seen before as it is now: no runner until it is called
    try {
        p.runner = RunnerProcess::start(containment_->runner, file);
        p.deadline = std::chrono::steady_clock::now() + containment_->runner.load_timeout;
    } catch (const std::exception &e) {
        p.refusal = e.what();  // this machine's trouble, not the file's: not cached
    }
    return p;
}

void ModuleHost::finish_load(PendingLoad p) {
    const std::filesystem::path &file = p.file;
    if (!p.refusal.empty()) return refused_.push_back({file, {}, p.refusal});
    auto refuse = [&](std::string name, std::string reason) {
        if (cache_) {
            wire::LoadReply refusal;
            refusal.name = name;
            refusal.reason = reason;
            cache_->put(file, wire::encode(refusal), true);
        }
        refused_.push_back({file, std::move(name), std::move(reason)});
    };
    if (p.known) {
        try {
            wire::LoadReply seen = wire::decode_load_reply(*p.known);
            if (!seen.loaded) return refused_.push_back({file, seen.name, seen.reason});
            return add_contained(file, std::move(seen.description), nullptr);
        } catch (const wire::Malformed &) {
            return finish_load(start_load(file, false));  // a damaged entry: load it afresh
        }
    }
    const auto got = p.runner->receive(p.deadline);
    if (got.result == RunnerProcess::Result::timeout)
        return refuse({}, "did not finish loading within " + seconds_text(containment_->runner.load_timeout) +
                              " (a constructor or its init never returned); its runner was stopped");
    if (got.result == RunnerProcess::Result::died) {
        const std::string tail = p.runner->stderr_tail();
        return refuse({}, "its runner " + got.what + " while loading it" + (tail.empty() ? "" : "; its last output: " + tail));
    }
    wire::LoadReply loaded;
    try {
        loaded = wire::decode_load_reply(got.payload);
    } catch (const wire::Malformed &e) {
        return refuse({}, std::string("its runner answered garbage while loading it (") + e.what() + ")");
    }
    if (!loaded.loaded) return refuse(loaded.name, loaded.reason);
    if (cache_) cache_->put(file, got.payload);
    add_contained(file, std::move(loaded.description), std::move(p.runner));
}

// A module a runner loaded (`runner`, kept for the first call) or the cache knows (no runner yet).
void ModuleHost::add_contained(const std::filesystem::path &file, ModuleDescription description, std::unique_ptr<RunnerProcess> runner) {
    const Containment &c = *containment_;
    if (const LoadedModule *other = find(description.name))
        return refused_.push_back(
            {file, description.name, "module name '" + description.name + "' is already provided by " + other->file.string()});
    const auto &trusted = c.inline_modules;
    if (std::find(trusted.begin(), trusted.end(), description.name) != trusted.end()) {
        runner.reset();  // listed as inline: it runs in this process, as the operator chose
        return load_here(file);
    }
    RunnerSetup setup = c.runner;
    if (auto t = c.call_timeouts.find(description.name); t != c.call_timeouts.end()) setup.call_timeout = t->second;
    auto module = std::make_unique<LoadedModule>();
    module->file = file;
    module->description = std::move(description);
    pools_.push_back(std::make_unique<RunnerPool>(setup, file, module->name(), std::move(runner), c.runners_per_module, c.calls_per_runner));
    module->runners = pools_.back().get();
    loaded_.push_back(std::move(module));
}

void ModuleHost::load_here(const std::filesystem::path &file) {
    auto refuse = [&](std::string name, std::string reason) { refused_.push_back({file, std::move(name), std::move(reason)}); };
    auto lib = std::make_unique<Library>();
    try {
        lib->library = boost::dll::shared_library(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    } catch (const std::exception &e) {
        return refuse({}, std::string("not a loadable shared library: ") + e.what());
    }
    if (!lib->library.has(PROVISIO_ENTRY_SYMBOL))
        return refuse({}, std::string("has no entry point '") + PROVISIO_ENTRY_SYMBOL +
                              "' (not a provisio module? export one with PROVISIO_MODULE or PROVISIO_MODULE_ENTRY)");
    if (exported_as_function(&lib->library.get<char>(PROVISIO_ENTRY_SYMBOL)))
        return refuse({}, std::string("entry point '") + PROVISIO_ENTRY_SYMBOL +
                              "' is exported as a function; export a pointer with PROVISIO_MODULE_ENTRY");
    const void *alias = lib->library.get<const void *>(PROVISIO_ENTRY_SYMBOL);
    if (!alias) return refuse({}, std::string("entry point '") + PROVISIO_ENTRY_SYMBOL + "' is a null pointer");
    auto &entry = lib->library.get_alias<const provisio_module_descriptor *()>(PROVISIO_ENTRY_SYMBOL);

    const provisio_module_descriptor *descriptor = nullptr;
    try {
        descriptor = entry();
    } catch (...) {
        return refuse({}, "its entry point threw an exception");
    }
    DescriptorVerdict verdict = read_descriptor(descriptor, file.filename().string());
    if (!verdict.module) return refuse(verdict.name, verdict.reason);
    if (const LoadedModule *other = find(verdict.module->name))
        return refuse(verdict.name, "module name '" + verdict.name + "' is already provided by " + other->file.string());

    auto module = std::make_unique<LoadedModule>();
    module->file = file;
    module->description = std::move(*verdict.module);
    if (auto init = module->description.functions.init) {
        InitLogCapture capture;
        int32_t rc = PROVISIO_ERROR;
        try {
            rc = init(services_.vtable(), &module->instance);
        } catch (...) {
            return refuse(module->name(), "init threw an exception");
        }
        if (rc != PROVISIO_OK) {
            std::string why = "init failed (status " + std::to_string(rc) + ")";
            if (!capture.lines().empty()) why += ": " + capture.lines().back();
            return refuse(module->name(), why);
        }
    }
    libraries_.push_back(std::move(lib));
    loaded_.push_back(std::move(module));
}

const LoadedModule *ModuleHost::find(std::string_view name) const {
    for (const auto &m : loaded_)
        if (m->name() == name) return m.get();
    return nullptr;
}

const LoadedModule &ModuleHost::require(std::string_view name) const {
    if (const LoadedModule *m = find(name)) return *m;
    for (const auto &r : refused_)
        if (r.name == name)
            fail(ErrorKind::not_found, "module '" + std::string(name) + "' (" + r.file.string() + ") was refused: " + r.reason);
    fail(ErrorKind::not_found, "module '" + std::string(name) + "' is not loaded (see: provisio module list)");
}

namespace {

std::vector<provisio_kv> to_kvs(const Settings &s) {
    std::vector<provisio_kv> out;
    out.reserve(s.size());
    for (const auto &[k, v] : s) out.push_back({{k.data(), k.size()}, {v.data(), v.size()}});
    return out;
}
provisio_kv_list as_list(const std::vector<provisio_kv> &v) { return {v.data(), static_cast<uint32_t>(v.size())}; }

}  // namespace

namespace {

wire::Request request_for(wire::Op op, const CallInput &in) {
    wire::Request r;
    r.op = op;
    r.input_of = &in;
    return r;
}

}  // namespace

CallOutcome ModuleHost::invoke(const LoadedModule &module, Action action, const CallInput &in) const {
    const provisio_lifecycle_fn fn = module.function(action);
    if (!fn) {
        CallOutcome out;
        out.status = PROVISIO_ERROR;
        out.message = "module " + module.name() + " does not support " + action_name(action);
        out.state = in.state;
        return out;
    }
    if (module.runners) {
        wire::Request r = request_for(wire::Op::lifecycle, in);
        r.action = action;
        return module.runners->call(std::move(r), action_name(action)).outcome;
    }
    return run_call(module, action_name(action), in, [&](const provisio_call &call) { return fn(module.instance, &call); });
}

CallOutcome ModuleHost::invoke_event(const LoadedModule &module, const CallInput &in, const provisio_invoice_event &event) const {
    const provisio_invoice_event_fn fn = module.description.functions.invoice_event;
    const char *name = event.kind == PROVISIO_EVENT_INVOICE_PAID ? "invoice_paid" : "invoice_created";
    if (!fn) {
        CallOutcome out;
        out.status = PROVISIO_ERROR;
        out.message = "module " + module.name() + " does not take invoice events";
        out.state = in.state;
        return out;
    }
    if (module.runners) {
        wire::Request r = request_for(wire::Op::invoice_event, in);
        r.event = wire::InvoiceEvent::from(event);
        return module.runners->call(std::move(r), name).outcome;
    }
    return run_call(module, name, in, [&](const provisio_call &call) { return fn(module.instance, &call, &event); });
}

CallOutcome ModuleHost::invoke_validate(const LoadedModule &module, const CallInput &in) const {
    const auto fn = module.description.functions.validate_settings;
    if (!fn) return CallOutcome{};
    if (module.runners) return module.runners->call(request_for(wire::Op::validate, in), "validate_settings").outcome;
    return run_call(module, "validate_settings", in, [&](const provisio_call &call) { return fn(module.instance, &call); });
}

std::optional<provisio_credit_schedule> ModuleHost::invoke_schedule(const LoadedModule &module, const CallInput &in,
                                                                    std::string &error) const {
    const auto fn = module.description.functions.credit_schedule;
    if (!fn) {
        error = "module " + module.name() + " does not generate credits";
        return std::nullopt;
    }
    if (module.runners) {
        wire::Reply reply = module.runners->call(request_for(wire::Op::schedule, in), "credit_schedule");
        if (!reply.has_schedule) error = reply.schedule_error.empty() ? reply.outcome.message : reply.schedule_error;
        return reply.has_schedule ? std::optional(reply.schedule) : std::nullopt;
    }
    provisio_credit_schedule schedule{};
    schedule.struct_size = sizeof schedule;
    const CallOutcome out =
        run_call(module, "credit_schedule", in, [&](const provisio_call &call) { return fn(module.instance, &call, &schedule); });
    if (out.status != PROVISIO_OK) {
        error = out.message;
        return std::nullopt;
    }
    if (schedule.trigger > PROVISIO_CREDIT_YEARLY) {
        error = "module " + module.name() + " returned unknown credit trigger " + std::to_string(schedule.trigger);
        return std::nullopt;
    }
    return schedule;
}

CallOutcome ModuleHost::invoke_generate(const LoadedModule &module, const CallInput &in, const provisio_credit_cycle &cycle) const {
    const auto fn = module.description.functions.generate_credits;
    if (!fn) {
        CallOutcome out;
        out.status = PROVISIO_ERROR;
        out.message = "module " + module.name() + " does not generate credits";
        return out;
    }
    if (module.runners) {
        wire::Request r = request_for(wire::Op::generate, in);
        r.cycle = wire::CreditCycle::from(cycle);
        return module.runners->call(std::move(r), "generate_credits").outcome;
    }
    return run_call(module, "generate_credits", in, [&](const provisio_call &call) { return fn(module.instance, &call, &cycle); },
                    Collects::credits);
}

std::optional<std::vector<CallOutcome>> ModuleHost::invoke_generate_many(const LoadedModule &module, const std::vector<GenerateCall> &calls,
                                                                         std::string &why) const {
    std::vector<CallOutcome> outcomes;
    outcomes.reserve(calls.size());
    if (module.runners && module.description.functions.generate_credits && calls.size() > 1) {
        wire::Request batch;
        batch.op = wire::Op::batch;
        batch.batch.reserve(calls.size());
        for (const auto &c : calls) {
            wire::Request &r = batch.batch.emplace_back(request_for(wire::Op::generate, *c.input));
            r.cycle = wire::CreditCycle::from(*c.cycle);
        }
        const std::string what = "generate_credits for " + std::to_string(calls.size()) + " services";
        wire::Reply reply = module.runners->call(std::move(batch), what.c_str());
        if (reply.outcome.aborted != CallOutcome::Abort::none || reply.batch.size() != calls.size()) {
            why = reply.outcome.message;
            return std::nullopt;
        }
        for (auto &r : reply.batch) outcomes.push_back(std::move(r.outcome));
        return outcomes;
    }
    for (const auto &c : calls) outcomes.push_back(invoke_generate(module, *c.input, *c.cycle));
    return outcomes;
}

CallOutcome ModuleHost::invoke_usage(const LoadedModule &module, const CallInput &in, const provisio_usage_request &request) const {
    const auto fn = module.description.functions.collect_usage;
    if (!fn) {
        CallOutcome out;
        out.status = PROVISIO_ERROR;
        out.message = "module " + module.name() + " does not collect usage";
        return out;
    }
    if (module.runners) {
        wire::Request r = request_for(wire::Op::usage, in);
        r.usage.max_records = request.max_records;
        r.usage.cursor = std::string(request.cursor.data ? std::string_view(request.cursor.data, request.cursor.size) : std::string_view{});
        r.usage.since = std::string(request.since.data ? std::string_view(request.since.data, request.since.size) : std::string_view{});
        return module.runners->call(std::move(r), "collect_usage").outcome;
    }
    return run_call(module, "collect_usage", in, [&](const provisio_call &call) { return fn(module.instance, &call, &request); },
                    Collects::usage, request.max_records);
}

CallOutcome ModuleHost::invoke_custom(const LoadedModule &module, std::string_view action, const CallInput &in) const {
    const CustomAction *declared = module.description.custom_action(action);
    const auto fn = module.description.call_custom_action;
    if (!declared || !fn) {
        CallOutcome out;
        out.status = PROVISIO_ERROR;
        out.message = "module " + module.name() + " has no custom action '" + std::string(action) + "'";
        out.state = in.state;
        return out;
    }
    if (module.runners) {
        wire::Request r = request_for(wire::Op::custom, in);
        r.custom_action = declared->name;
        return module.runners->call(std::move(r), declared->name.c_str()).outcome;
    }
    return run_call(module, declared->name.c_str(), in, [&](const provisio_call &call) { return fn(module.instance, &call); });
}

CallOutcome ModuleHost::invoke_payment(const LoadedModule &module, const CallInput &in, const GatewayRequest &request) const {
    const auto &g = module.description.gateway;
    provisio_payment_fn fn = nullptr;
    switch (request.op) {
    case GatewayOp::charge: fn = g.charge; break;
    case GatewayOp::checkout: fn = g.start_checkout; break;
    case GatewayOp::refund: fn = g.refund; break;
    case GatewayOp::webhook: fn = g.parse_webhook; break;
    }
    const char *name = gateway_op_name(request.op);
    if (!fn) {
        CallOutcome out;
        out.status = PROVISIO_ERROR;
        out.message = module.description.is_gateway() ? "payment gateway " + module.name() + " cannot " + (request.op == GatewayOp::checkout ? "open a hosted payment" : "refund")
                                          : "module " + module.name() + " is not a payment gateway";
        return out;
    }
    if (module.runners) {
        wire::Request r = request_for(wire::Op::payment, in);
        r.payment = request;
        return module.runners->call(std::move(r), name).outcome;
    }
    const auto headers = to_kvs(request.headers);
    auto str = [](const std::string &s) { return provisio_str{s.data(), s.size()}; };
    provisio_payment_request raw{};
    raw.struct_size = sizeof raw;
    raw.amount_minor = request.amount_minor;
    raw.currency = str(request.currency);
    raw.idempotency_key = str(request.idempotency_key);
    raw.reference = str(request.reference);
    raw.description = str(request.description);
    raw.customer = str(request.customer);
    raw.payment_method = str(request.payment_method);
    raw.payment = str(request.payment);
    raw.email = str(request.email);
    raw.return_url = str(request.return_url);
    raw.cancel_url = str(request.cancel_url);
    raw.save_method = request.save_method ? 1 : 0;
    raw.headers = as_list(headers);
    raw.body = str(request.body);
    CallOutcome out = run_call(module, name, in, [&](const provisio_call &call) { return fn(module.instance, &call, &raw); }, Collects::payment);
    if (out.status == PROVISIO_OK && !out.payment) {
        out.status = PROVISIO_ERROR;
        out.message = "module broke the ABI: " + std::string(name) + " returned OK without set_payment_result" +
                      (out.message.empty() ? "" : " (its message: " + out.message + ")");
    } else if (out.status == PROVISIO_OK && request.op == GatewayOp::webhook && out.payment->event_id.empty()) {
        out.status = PROVISIO_ERROR;
        out.message = "module broke the ABI: parse_webhook returned OK without an event_id";
        out.payment.reset();
    }
    return out;
}

template <class Invoke>
CallOutcome ModuleHost::run_call(const LoadedModule &module, const char *name, const CallInput &in, Invoke invoke,
                                 Collects collects, uint32_t usage_limit) const {
    CallOutcome out;
    CallContext ctx;
    ctx.module = module.name();
    ctx.service_id = in.service_id;
    ctx.tls_verify = in.tls_verify;
    ctx.state = in.state;
    ctx.collects = collects;
    ctx.usage_limit = usage_limit;
    for (const auto &s : in.secrets)
        if (!s.empty()) ctx.secrets.push_back(s);

    const auto settings = to_kvs(in.settings), service = to_kvs(in.service), custom = to_kvs(in.custom_fields),
               server = to_kvs(in.server), state = to_kvs(in.state);
    provisio_call call{};
    call.struct_size = sizeof call;
    call.service_id = in.service_id;
    call.action = {name, std::char_traits<char>::length(name)};
    call.settings = as_list(settings);
    call.service = as_list(service);
    call.custom_fields = as_list(custom);
    call.server = as_list(server);
    call.state = as_list(state);
    call.reason = {in.reason.data(), in.reason.size()};
    call.host_context = &ctx;

    const auto started = std::chrono::steady_clock::now();
    int32_t rc = PROVISIO_ERROR;
    try {
        rc = invoke(call);
    } catch (const std::exception &e) {
        ctx.message = ctx.scrub(std::string("exception escaped the module: ") + e.what());
    } catch (...) {
        ctx.message = "an exception of unknown type escaped the module";
    }
    out.duration = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);

    out.message = std::move(ctx.message);
    if (rc == PROVISIO_OK || rc == PROVISIO_ERROR || rc == PROVISIO_RETRYABLE) {
        out.status = static_cast<provisio_status>(rc);
    } else {
        out.status = PROVISIO_ERROR;
        out.message = "module returned unknown status " + std::to_string(rc) + (out.message.empty() ? "" : ": " + out.message);
    }
    if (!ctx.violations.empty()) {
        // A state the module meant to write but could not hand over intact is not saved.
        std::string what;
        for (const auto &v : ctx.violations) what += (what.empty() ? "" : "; ") + v;
        out.status = PROVISIO_ERROR;
        out.message = "module broke the ABI: " + what + (out.message.empty() ? "" : " (its message: " + out.message + ")");
        ctx.state_changed = false;
        ctx.state = in.state;
    }
    if (out.status != PROVISIO_OK && out.message.empty()) out.message = "module reported a failure without a message";
    out.state = std::move(ctx.state);
    out.state_changed = ctx.state_changed;
    out.exchanges = std::move(ctx.exchanges);
    if (out.status == PROVISIO_OK) {
        out.credits = std::move(ctx.credits);
        out.usage = std::move(ctx.usage);
        out.usage_cursor = std::move(ctx.usage_cursor);
        out.payment = std::move(ctx.payment);
    }
    return out;
}

}  // namespace provisio
