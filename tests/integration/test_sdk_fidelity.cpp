// The SDK's fake host against the real one: the same module (the `scripted` fixture, loaded
// from its .so) runs once through `provisio` on a sandbox installation and once on
// provisio::testing::FakeHost, with the same product, service and server, and what each
// recorded must be the same — the exchanges in the call log (secrets masked in every encoding),
// the outcome message, the module state. The module's output depends on option defaults
// (a server option it echoes), on normalised values (it acts on verbose=yes, given as "on") and
// on PASSWORD options, so a fake host that skipped any of the host's rules would differ.
//
// Its own executable: it includes the SDK's testing.hpp and must not link the core, whose
// types share names with the SDK's.
#include "support/sandbox.hpp"

#include <provisio/testing.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <dlfcn.h>

using namespace provisio::test;
using nlohmann::json;
using provisio::testing::CallInput;
using provisio::testing::FakeHost;

namespace {

// The fixture's descriptor, loaded as the host loads it. The library stays loaded.
const provisio_module_descriptor *descriptor_of(const std::string &fixture) {
    void *lib = dlopen(fixture_module(fixture).c_str(), RTLD_NOW | RTLD_LOCAL);
    REQUIRE(lib);
    auto *entry = static_cast<const provisio_entry_fn *>(dlsym(lib, PROVISIO_ENTRY_SYMBOL));
    REQUIRE(entry);
    return (*entry)();
}

// The same service on both hosts: a client, a server with a password and a PASSWORD option, a
// product whose settings leave quota and the server's db_port at their defaults.
const std::vector<std::string> product_settings = {"outcome=ok", "api_key=KEY-123456", "region=eu", "verbose=on"};

void seed(const Installation &inst) {
    REQUIRE(inst.run({"client", "add", "--first-name", "Grace", "--email", "grace@example.org"}).exit_code == 0);
    REQUIRE(inst.run({"server", "add", "--name", "pbx1", "--module", "scripted", "--hostname", "pbx1.example",
                      "--username", "admin", "--password-stdin", "--option", "db_password=db-secret-42"},
                     "server-pw-987\n")
                .exit_code == 0);
    std::vector<std::string> add{"product", "add", "--name", "Voice", "--module", "scripted", "--price", "20"};
    for (const auto &s : product_settings) add.insert(add.end(), {"--setting", s});
    REQUIRE(inst.run(add).exit_code == 0);
    REQUIRE(inst.run({"service", "add", "--client", "1", "--product", "Voice", "--domain", "tenant.example", "--server",
                      "pbx1", "--password", "svc-pw-555"})
                .exit_code == 0);
}

CallInput fake_input() {
    CallInput in;
    in.service_id = 1;
    for (const auto &s : product_settings) in.settings.emplace_back(s.substr(0, s.find('=')), s.substr(s.find('=') + 1));
    in.service = {{"domain", "tenant.example"}, {"username", ""}, {"password", "svc-pw-555"}};
    in.server = {{"name", "pbx1"}, {"hostname", "pbx1.example"}, {"username", "admin"}, {"password", "server-pw-987"},
                 {"db_password", "db-secret-42"}};
    return in;
}

struct Recorded {
    std::vector<std::string> exchanges;  // "action | request | response"
    std::string message;
};

// What the real host logged for the service's latest `action` call.
Recorded real_log(const Installation &inst, const std::string &action) {
    const RunResult r = inst.run({"--json", "module", "log", "--service", "1"});
    REQUIRE(r.exit_code == 0);
    Recorded out;
    for (const auto &e : json::parse(r.out)) {
        const std::string a = e.at("action");
        if (a.rfind(action + ":", 0) == 0)
            out.exchanges.push_back(a.substr(action.size() + 1) + " | " + e.at("request").get<std::string>() + " | " +
                                    e.at("response").get<std::string>());
        else if (a == action)
            out.message = e.at("message");
    }
    return out;
}

std::vector<std::string> fake_exchanges(const FakeHost &host) {
    std::vector<std::string> out;
    for (const auto &c : host.calls) out.push_back(c.action + " | " + c.request + " | " + c.response);
    return out;
}

}  // namespace

TEST_CASE("the fake host records what the real host records for the same module and service") {
    Installation inst;
    inst.install_module("scripted");
    seed(inst);
    REQUIRE(inst.run({"service", "create", "1"}).exit_code == 0);
    const Recorded real = real_log(inst, "create");
    const json state = json::parse(inst.run({"--json", "service", "show", "1"}).out).at("module_state");

    FakeHost host;
    host.load(descriptor_of("scripted"));
    const auto result = host.call("create", fake_input());
    CHECK(result.status == provisio::Status::ok);

    // verbose=on reached the module as "yes" (two exchanges), db_port as its default.
    REQUIRE(real.exchanges.size() == 2);
    CHECK(real.exchanges[1].find(R"("db_port":"5432")") != std::string::npos);
    CHECK(fake_exchanges(host) == real.exchanges);
    CHECK(result.message == real.message);
    CHECK(json(host.state[1]) == state);
    for (const std::string secret : {"KEY-123456", "server-pw-987", "db-secret-42", "svc-pw-555"})
        for (const auto &e : fake_exchanges(host)) CHECK(e.find(secret) == std::string::npos);

    SECTION("a message carrying a PASSWORD option is masked alike") {
        REQUIRE(inst.run({"product", "set", "Voice", "--setting", "outcome=throw"}).exit_code == 0);
        REQUIRE(inst.run({"service", "suspend", "1"}).exit_code == 1);
        CallInput in = fake_input();
        for (auto &[k, v] : in.settings)
            if (k == "outcome") v = "throw";
        host.calls.clear();
        const auto failed = host.call("suspend", in);
        CHECK(failed.status == provisio::Status::error);
        const Recorded suspend = real_log(inst, "suspend");
        CHECK(failed.message == "module exception: scripted failure with key ********");
        CHECK(failed.message == suspend.message);
        CHECK(fake_exchanges(host) == suspend.exchanges);
    }
}

TEST_CASE("the fake host refuses the settings the real host refuses, with its words") {
    Installation inst;
    inst.install_module("scripted");
    FakeHost host;
    host.load(descriptor_of("scripted"));

    // A REQUIRED option left empty.
    RunResult r = inst.run({"product", "add", "--name", "Voice", "--module", "scripted"});
    CHECK(r.exit_code == 2);
    CallInput in = fake_input();
    in.settings = {{"api_key", "k"}};
    try {
        host.call("create", in);
        FAIL("the fake host made a call the host refuses");
    } catch (const std::invalid_argument &e) {
        CHECK(r.err.find(e.what()) != std::string::npos);
    }

    // A value its type refuses.
    r = inst.run({"product", "add", "--name", "Voice", "--module", "scripted", "--setting", "region=eu", "--setting",
                  "quota=lots"});
    CHECK(r.exit_code == 2);
    in.settings = {{"region", "eu"}, {"quota", "lots"}};
    try {
        host.call("create", in);
        FAIL("the fake host accepted a value the host refuses");
    } catch (const std::invalid_argument &e) {
        CHECK(r.err.find(e.what()) != std::string::npos);
    }

    // A key the schema does not have.
    r = inst.run({"product", "add", "--name", "Voice", "--module", "scripted", "--setting", "region=eu", "--setting",
                  "colour=red"});
    CHECK(r.exit_code == 2);
    in.settings = {{"region", "eu"}, {"colour", "red"}};
    try {
        host.call("create", in);
        FAIL("the fake host accepted an option the module does not have");
    } catch (const std::invalid_argument &e) {
        CHECK(r.err.find(e.what()) != std::string::npos);
    }
}

TEST_CASE("a module built for ABI 1.0 loads and runs on today's host, and on a 1.0 host") {
    const provisio_module_descriptor *d = descriptor_of("scripted_1_0");
    CHECK(d->abi_minor == 0);
    // Nothing in a slot 1.0 reserved: a 1.0 host would ignore it, today's must not call it.
    CHECK(d->invoice_event == nullptr);
    CHECK(d->validate_settings == nullptr);
    CHECK(d->collect_usage == nullptr);

    Installation inst;
    inst.install_module("scripted_1_0");
    const json modules = json::parse(inst.run({"--json", "module", "list"}).out);
    REQUIRE(modules.size() == 1);
    CHECK(modules[0]["status"] == "loaded");
    CHECK(modules[0]["abi"] == "1.0");
    REQUIRE(inst.run({"client", "add", "--first-name", "Ada", "--email", "ada@example.org"}).exit_code == 0);
    REQUIRE(inst.run({"server", "add", "--name", "pbx1", "--module", "scripted_1_0", "--hostname", "pbx1.example"}).exit_code == 0);
    REQUIRE(inst.run({"product", "add", "--name", "Old", "--module", "scripted_1_0", "--setting", "region=eu"}).exit_code == 0);
    REQUIRE(inst.run({"service", "add", "--client", "1", "--product", "Old", "--server", "pbx1"}).exit_code == 0);
    const RunResult created = inst.run({"service", "create", "1"});
    CHECK(created.exit_code == 0);
    CHECK(created.out.find("create on  in eu") != std::string::npos);

    // A 1.0 host's table ends before post_credit; the module never reaches past it.
    FakeHost old_host(0);
    CHECK(old_host.host_table()->struct_size == offsetof(provisio_host, post_credit));
    old_host.load(d);
    CHECK(old_host.call("create", {.settings = {{"region", "eu"}}, .server = {{"hostname", "pbx1.example"}}}).status ==
          provisio::Status::ok);
    // Today's module is refused by that host, as an older provisio refuses it.
    FakeHost old_host_again(0);
    CHECK_THROWS_WITH(old_host_again.load(descriptor_of("scripted")), Catch::Contains("newer than this host's 1.0"));
}
