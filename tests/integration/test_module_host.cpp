// The module host against real shared libraries: every fixture module in tests/modules is
// loaded from a scratch modules directory, and each bad one must be refused with its reason
// while the good ones load and run.
#include "foundation/error.hpp"
#include "modulehost/module_check.hpp"
#include "modulehost/module_host.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace provisio;
using namespace provisio::test;

namespace {

struct Modules {
    TempDir dir;
    HostServices services{HostConfig{}};
    ModuleHost host{services};

    explicit Modules(const std::vector<std::string> &names) {
        std::filesystem::create_directory(dir / "modules");
        std::filesystem::permissions(dir / "modules", std::filesystem::perms::owner_all);
        for (const auto &n : names) {
            std::filesystem::copy_file(fixture_module(n), dir / "modules" / (n + ".so"));
            std::filesystem::permissions(dir / "modules" / (n + ".so"), std::filesystem::perms::owner_all);
        }
    }
    void load() { host.load_directory(dir / "modules"); }
    std::string reason(const std::string &file) const {
        for (const auto &r : host.refused())
            if (r.file.filename() == file) return r.reason;
        return "(not refused)";
    }
};

}  // namespace

TEST_CASE("bad modules are refused with a precise reason and never stop the good ones") {
    Modules m({"hello", "noop", "scripted", "misbehaving", "good_c", "wrong_abi", "no_entry", "bad_schema",
               "duplicate_option", "null_name", "long_description", "init_fails"});
    std::ofstream(m.dir / "modules" / "garbage.so") << "this is not an ELF file\n";
    std::filesystem::permissions(m.dir / "modules" / "garbage.so", std::filesystem::perms::owner_all);
    // Same module name as hello.so, in another file: refused as a duplicate.
    std::filesystem::copy_file(fixture_module("hello"), m.dir / "modules" / "hello_copy.so");
    std::filesystem::permissions(m.dir / "modules" / "hello_copy.so", std::filesystem::perms::owner_all);
    m.load();

    std::vector<std::string> loaded;
    for (const auto &l : m.host.loaded()) loaded.push_back(l->name());
    CHECK(loaded == std::vector<std::string>{"good_c", "hello", "misbehaving", "noop", "scripted"});

    CHECK(m.reason("wrong_abi.so") == "module wrong_abi.so built for ABI 2, this host speaks ABI 1; rebuild it against a matching provisio SDK");
    CHECK(m.reason("no_entry.so").find("has no entry point 'provisio_module_entry'") == 0);
    CHECK(m.reason("garbage.so").find("not a loadable shared library") == 0);
    CHECK(m.reason("garbage.so").find("garbage.so") != std::string::npos);  // dlerror's text names the file
    CHECK(m.reason("bad_schema.so") == "option 'mode' is a dropdown with no choices");
    CHECK(m.reason("duplicate_option.so") == "option 'host' is declared twice");
    CHECK(m.reason("null_name.so") == "module name is a null pointer");
    CHECK(m.reason("long_description.so") == "description is longer than 4096 bytes");
    CHECK(m.reason("init_fails.so") == "init failed (status 1): licence file /etc/example.lic is missing");
    CHECK(m.reason("hello_copy.so").find("module name 'hello' is already provided by") == 0);
    CHECK(m.host.refused().size() == 9);

    CHECK_THROWS_WITH(m.host.require("init_fails"), Catch::Contains("was refused") && Catch::Contains("licence file"));
    CHECK_THROWS_WITH(m.host.require("nonesuch"), Catch::Contains("is not loaded"));
}

TEST_CASE("a modules directory writable by others is refused whole") {
    Modules m({"noop"});
    std::filesystem::permissions(m.dir / "modules", std::filesystem::perms::others_write, std::filesystem::perm_options::add);
    m.load();
    CHECK(m.host.loaded().empty());
    CHECK(m.reason("noop.so").find("writable by others") != std::string::npos);
    CHECK(m.reason("noop.so").find("chmod go-w") != std::string::npos);
}

TEST_CASE("a module file writable by its group is refused") {
    Modules m({"noop", "good_c"});
    std::filesystem::permissions(m.dir / "modules" / "noop.so", std::filesystem::perms::group_write, std::filesystem::perm_options::add);
    m.load();
    REQUIRE(m.host.loaded().size() == 1);
    CHECK(m.reason("noop.so").find("writable by its group") != std::string::npos);
}

TEST_CASE("run-time ABI violations become error outcomes, and the host survives them") {
    Modules m({"misbehaving"});
    m.load();
    const LoadedModule &mod = m.host.require("misbehaving");
    CallInput in;
    in.service_id = 7;
    in.state = {{"kept", "yes"}};

    const auto created = m.host.invoke(mod, Action::create, in);
    CHECK(created.status == PROVISIO_ERROR);
    CHECK(created.message.find("outcome message was a null pointer with size 5") != std::string::npos);

    const auto suspended = m.host.invoke(mod, Action::suspend, in);
    CHECK(suspended.status == PROVISIO_ERROR);
    CHECK(suspended.message.find("over the limit of 65536") != std::string::npos);

    const auto unsuspended = m.host.invoke(mod, Action::unsuspend, in);
    CHECK(unsuspended.status == PROVISIO_ERROR);
    CHECK(unsuspended.message == "module returned unknown status 42");

    const auto terminated = m.host.invoke(mod, Action::terminate, in);
    CHECK(terminated.status == PROVISIO_ERROR);
    CHECK(terminated.message == "exception escaped the module: the cable is unplugged");

    const auto changed = m.host.invoke(mod, Action::change_package, in);
    CHECK(changed.status == PROVISIO_ERROR);
    CHECK_FALSE(changed.state_changed);
    CHECK(changed.state == Settings{{"kept", "yes"}});

    const auto tested = m.host.invoke(mod, Action::test_connection, in);
    CHECK(tested.status == PROVISIO_OK);
    CHECK(tested.message.empty());

    CHECK(m.host.invoke(mod, Action::change_password, in).message == "module misbehaving does not support change_password");
}

TEST_CASE("the SDK's trampolines turn a C++ exception into an error outcome, and secrets are scrubbed") {
    Modules m({"scripted"});
    m.load();
    const LoadedModule &mod = m.host.require("scripted");
    CallInput in;
    in.service_id = 3;
    in.settings = {{"outcome", "throw"}, {"api_key", "KEY-123456"}, {"region", "eu"}};
    in.server = {{"username", "admin"}, {"password", "server-pw-987"}};
    in.service = {{"password", "svc-pw-555"}, {"domain", "d.example"}};
    in.secrets = {"KEY-123456", "server-pw-987", "svc-pw-555"};
    const auto out = m.host.invoke(mod, Action::create, in);
    CHECK(out.status == PROVISIO_ERROR);
    CHECK(out.message == "module exception: scripted failure with key ********");
    REQUIRE(out.exchanges.size() == 1);
    CHECK(out.exchanges[0].request == "login user=admin password=******** key=********");
    CHECK(out.exchanges[0].response == "welcome; your service password is ********");
    CHECK(out.state.at("calls") == "1");  // state written before the throw is kept: the module did act
}

TEST_CASE("module check reports a module that crashes while loading, without dying") {
    HostServices services{HostConfig{}};
    const auto crashed = check_module_file(fixture_module("crash_on_load"), services);
    CHECK_FALSE(crashed.accepted);
    CHECK(crashed.reason.find("crashed while loading: signal 11") == 0);

    const auto good = check_module_file(fixture_module("hello"), services);
    CHECK(good.accepted);
    CHECK(good.name == "hello");
    CHECK(good.option_count == 4);

    const auto wrong = check_module_file(fixture_module("wrong_abi"), services);
    CHECK_FALSE(wrong.accepted);
    CHECK(wrong.reason.find("built for ABI 2") != std::string::npos);
}
