// Benchmarks for the foundation (docs/performance.md has the figures and targets):
//   1. discovering, loading and validating 50 module files, against plain dlopen of the same files;
//   2. one lifecycle call through the ABI into a module that does nothing, host dispatch
//      included, no database — against calling the module's function pointer directly;
//   3. one lifecycle call with its database writes (status, call log) — against a bare SQLite
//      transaction that inserts one row;
//   4. the same call and the same lifecycle through a module runner (the default way modules run)
//      — against the inline figures of 2 and 3, measured in the same run.
// Usage: bench_modulehost NOOP_MODULE [dispatch_calls] [lifecycle_calls]
// Prints figures; asserts nothing about time.
#include "domain/repository.hpp"
#include "modulehost/module_host.hpp"
#include "provisioning/lifecycle.hpp"
#include "secrets/secret_box.hpp"
#include "store/database.hpp"

#include <dlfcn.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <algorithm>
#include <random>

using namespace provisio;
using Clock_ = std::chrono::steady_clock;

namespace {

double us_since(Clock_::time_point t0) {
    return std::chrono::duration<double, std::micro>(Clock_::now() - t0).count();
}

std::filesystem::path scratch() {
    std::random_device rd;
    auto p = std::filesystem::temp_directory_path() / ("provisio-bench-" + std::to_string(rd()));
    std::filesystem::create_directories(p / "modules");
    std::filesystem::permissions(p, std::filesystem::perms::owner_all);
    std::filesystem::permissions(p / "modules", std::filesystem::perms::owner_all);
    return p;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s NOOP_MODULE [dispatch_calls] [lifecycle_calls]\n", argv[0]);
        return 2;
    }
    const std::filesystem::path noop = argv[1];
    const long dispatch_calls = argc > 2 ? std::atol(argv[2]) : 1000000;
    const long lifecycle_calls = argc > 3 ? std::atol(argv[3]) : 2000;
    const auto dir = scratch();

    // 1. Load 50 modules (each a copy of noop, named after its file).
    for (int i = 0; i < 50; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "noop_%02d.so", i);
        std::filesystem::copy_file(noop, dir / "modules" / name);
        std::filesystem::permissions(dir / "modules" / name, std::filesystem::perms::owner_all);
    }
    HostServices services{HostConfig{}};
    ModuleHost host(services);
    auto t0 = Clock_::now();
    host.load_directory(dir / "modules");
    const double load_us = us_since(t0);
    if (host.loaded().size() != 50) {
        std::fprintf(stderr, "expected 50 modules, loaded %zu\n", host.loaded().size());
        return 1;
    }
    // Baseline: dlopen of 50 fresh copies, nothing else.
    std::filesystem::create_directories(dir / "plain");
    for (int i = 0; i < 50; ++i) std::filesystem::copy_file(noop, dir / "plain" / ("p" + std::to_string(i) + ".so"));
    t0 = Clock_::now();
    for (int i = 0; i < 50; ++i) {
        void *h = dlopen((dir / "plain" / ("p" + std::to_string(i) + ".so")).c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!h || !dlsym(h, PROVISIO_ENTRY_SYMBOL)) return 1;
    }
    const double dlopen_us = us_since(t0);
    std::printf("load+validate 50 modules: %.2f ms   (baseline dlopen+dlsym of 50: %.2f ms; ratio %.2f)\n",
                load_us / 1000, dlopen_us / 1000, load_us / dlopen_us);

    // 2. Dispatch without the database.
    const LoadedModule &m = *host.loaded().front();
    CallInput in;
    in.service_id = 1;
    in.settings = {{"a", "1"}, {"b", "2"}};
    in.service = {{"domain", "example.org"}, {"username", "u"}, {"status", "Active"}};
    t0 = Clock_::now();
    for (long i = 0; i < dispatch_calls; ++i) {
        const CallOutcome o = host.invoke(m, Action::change_package, in);
        if (o.status != PROVISIO_OK) return 1;
    }
    const double dispatch_us = us_since(t0) / static_cast<double>(dispatch_calls);
    provisio_call raw{};
    raw.struct_size = sizeof raw;
    volatile int32_t sink = 0;
    t0 = Clock_::now();
    for (long i = 0; i < dispatch_calls; ++i) sink = sink + m.description.functions.change_package(m.instance, &raw);
    const double direct_us = us_since(t0) / static_cast<double>(dispatch_calls);
    std::printf("dispatch, no database: %.3f us/call over %ld calls   (baseline direct call: %.4f us)\n", dispatch_us,
                dispatch_calls, direct_us);

    // 3. Lifecycle with database writes: suspend/unsuspend alternately on one service.
    SecretBox::create_key_file(dir / "k");
    const SecretBox box = SecretBox::from_key_file(dir / "k");
    Database db = Database::open(dir / "bench.db", true);
    const provisio::Clock clock;
    Repository repo(db, box, clock);
    Client c;
    c.first_name = "Bench";
    c.email = "bench@example.org";
    c.currency = "USD";
    Product p;
    p.name = "noop";
    p.module = m.name();
    Service s;
    s.client_id = repo.add_client(c);
    s.product_id = repo.add_product(p);
    s.next_due_date = s.next_invoice_date = "2026-01-01";
    const int64_t id = repo.add_service(s);
    Provisioner prov(repo, host);
    prov.run(id, Action::create);
    t0 = Clock_::now();
    for (long i = 0; i < lifecycle_calls; ++i) {
        const auto r = prov.run(id, i % 2 ? Action::unsuspend : Action::suspend, {"bench"});
        if (r.status != PROVISIO_OK) return 1;
    }
    const double lifecycle_us = us_since(t0) / static_cast<double>(lifecycle_calls);
    db.exec("CREATE TABLE baseline (x INTEGER, t TEXT)");
    t0 = Clock_::now();
    for (long i = 0; i < lifecycle_calls; ++i) {
        Transaction tx(db);
        db.prepare("INSERT INTO baseline VALUES (?1, 'x')").bind(1, int64_t{i}).run();
        tx.commit();
    }
    const double commit_us = us_since(t0) / static_cast<double>(lifecycle_calls);
    std::printf("lifecycle with database writes: %.1f us/call over %ld calls   (baseline one-row SQLite transaction: %.1f us; ratio %.2f)\n",
                lifecycle_us, lifecycle_calls, commit_us, lifecycle_us / commit_us);

    // 4. The same through a runner process: the round trip, then the lifecycle with the database.
    {
        Containment contained;
        contained.runner.program = PROVISIO_RUNNER;
        ModuleHost runner_host(services, contained);
        runner_host.load_file(dir / "modules" / "noop_00.so");
        if (runner_host.loaded().size() != 1) {
            std::fprintf(stderr, "the runner did not load noop: %s\n", runner_host.refused().empty() ? "?" : runner_host.refused()[0].reason.c_str());
            return 1;
        }
        const LoadedModule &rm = *runner_host.loaded().front();
        const long round_trips = std::max(dispatch_calls / 20, 10L);
        t0 = Clock_::now();
        for (long i = 0; i < round_trips; ++i) {
            const CallOutcome o = runner_host.invoke(rm, Action::change_package, in);
            if (o.status != PROVISIO_OK) return 1;
        }
        const double runner_us = us_since(t0) / static_cast<double>(round_trips);
        std::printf("dispatch through a runner: %.1f us/call over %ld calls   (inline, above: %.3f us; the round trip costs %.1f us)\n",
                    runner_us, round_trips, dispatch_us, runner_us - dispatch_us);
        Provisioner runner_prov(repo, runner_host);
        t0 = Clock_::now();
        for (long i = 0; i < lifecycle_calls; ++i) {
            const auto r = runner_prov.run(id, i % 2 ? Action::unsuspend : Action::suspend, {"bench"});
            if (r.status != PROVISIO_OK) return 1;
        }
        const double runner_lifecycle_us = us_since(t0) / static_cast<double>(lifecycle_calls);
        std::printf("lifecycle through a runner: %.1f us/call over %ld calls   (inline, above: %.1f us; ratio %.2f)\n",
                    runner_lifecycle_us, lifecycle_calls, lifecycle_us, runner_lifecycle_us / lifecycle_us);
    }

    std::filesystem::remove_all(dir);
    return 0;
}
