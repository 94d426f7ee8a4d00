#include "modulehost/module_skeleton.hpp"

#include "foundation/error.hpp"
#include "foundation/files.hpp"

#include <provisio/abi.h>

#include <string_view>

namespace provisio {

namespace {

// The files, with @name@ (the module's name), @Class@ (its class), @abi@ (this SDK's ABI) and,
// in CMakeLists.txt, the JSON lines an HTTP module needs.
constexpr std::string_view basic_source = R"SKELETON(// @name@ — a provisio server module.
//
// Written by `provisio module new`: each lifecycle call records what it did in the service's
// module state, so a host can drive a service through its whole lifecycle before the module
// talks to anything. Replace the bodies with calls to your server and keep the state honest:
// record what you changed, so the reverse operation undoes exactly that. The provisio module
// guide (docs/module-sdk.md) and <provisio/abi.h> describe everything used here.
#include <provisio/module.hpp>

#include <string>

namespace {

class @Class@ {
public:
    static constexpr provisio::ModuleInfo info{"@name@", "0.1.0", "TODO: say what @name@ provisions",
                                               PROVISIO_CAP_PROVISIONING};
    // What operators set on a product (and may override per service). provisio::password(...)
    // makes an option whose value is sealed at rest and masked in every log the host keeps.
    static constexpr provisio_option options[] = {
        provisio::text("plan", "Plan", "basic", "The plan a new service gets"),
    };

    // Runs once per process, before any call: keep it cheap and offline.
    explicit @Class@(const provisio::Host &host) { host.log(PROVISIO_LOG_DEBUG, "@name@ ready"); }

    provisio::Outcome create(provisio::Call &call) {
        const std::string plan(call.setting("plan"));
        call.set_state("plan", plan);
        return provisio::Outcome::success("created " + std::string(call.service("domain")) + " on plan " + plan);
    }

    provisio::Outcome suspend(provisio::Call &call) {
        call.set_state("suspended", call.reason().empty() ? std::string_view("yes") : call.reason());
        return provisio::Outcome::success("suspended");
    }

    provisio::Outcome unsuspend(provisio::Call &call) {
        call.erase_state("suspended");
        return provisio::Outcome::success("unsuspended");
    }

    provisio::Outcome terminate(provisio::Call &call) {
        call.erase_state("plan");
        call.erase_state("suspended");
        return provisio::Outcome::success("terminated");
    }
};

}  // namespace

PROVISIO_MODULE(@Class@)
)SKELETON";

constexpr std::string_view basic_test = R"SKELETON(// Unit tests of @name@ on the provisio SDK's fake host: no provisio, no database, no network.
// The fake host hands the module what the real host would (option defaults filled in, values
// checked against the schema) and masks secrets in what it records, as the real host does.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <provisio/testing.hpp>

using provisio::Status;
using provisio::testing::FakeHost;

TEST_CASE("create records the plan, the option's default when the product sets none") {
    FakeHost host;
    host.load(provisio::testing::linked_module());
    auto r = host.call("create", {.service = {{"domain", "example.org"}}});
    CHECK(r.status == Status::ok);
    CHECK(r.message == "created example.org on plan basic");
    CHECK(host.state[1]["plan"] == "basic");

    r = host.call("create", {.settings = {{"plan", "gold"}}, .service = {{"domain", "example.org"}}});
    CHECK(host.state[1]["plan"] == "gold");
}

TEST_CASE("suspend and unsuspend undo each other") {
    FakeHost host;
    host.load(provisio::testing::linked_module());
    REQUIRE(host.call("suspend", {.reason = "Overdue on Payment"}).status == Status::ok);
    CHECK(host.state[1]["suspended"] == "Overdue on Payment");
    REQUIRE(host.call("unsuspend", {}).status == Status::ok);
    CHECK(host.state[1].count("suspended") == 0);
}

TEST_CASE("terminate clears what create recorded") {
    FakeHost host;
    host.load(provisio::testing::linked_module());
    REQUIRE(host.call("create", {}).status == Status::ok);
    REQUIRE(host.call("terminate", {}).status == Status::ok);
    CHECK(host.state[1].empty());
}

TEST_CASE("a setting the module does not have is refused, as the host refuses it") {
    FakeHost host;
    host.load(provisio::testing::linked_module());
    CHECK_THROWS_WITH(host.call("create", {.settings = {{"colour", "red"}}}), Catch::Contains("has no option 'colour'"));
}
)SKELETON";

constexpr std::string_view http_source = R"SKELETON(// @name@ — a provisio server module for a server with a JSON-over-HTTP API.
//
// Written by `provisio module new --http`: a working start for a server that manages accounts
// through a REST API — POST /api/v1/accounts, POST .../ID/suspend and .../ID/unsuspend,
// DELETE .../ID, GET /api/v1/status. Change the paths and fields to your server's API.
// Every request goes through the host's HTTP service (deadline, TLS verification, the
// operator's CA), every exchange lands in the module-call log with the secrets masked, and
// nlohmann-json (the SDK's provisio::json) writes and reads the bodies, so no escaping is
// written by hand. The provisio module guide (docs/module-sdk.md) describes everything here.
#include <provisio/module.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace {

using nlohmann::json;

class @Class@ {
public:
    static constexpr provisio::ModuleInfo info{"@name@", "0.1.0", "TODO: say what @name@ provisions",
                                               PROVISIO_CAP_PROVISIONING | PROVISIO_CAP_NEEDS_SERVER};
    static constexpr provisio_option options[] = {
        provisio::text("plan", "Plan", "basic", "The plan a new account gets"),
        // On the server record, one per server. PASSWORD: sealed at rest, masked in every log.
        provisio::on_server(provisio::password("api_key", "API key", "Sent as a bearer token")),
    };

    // Runs once per process, before any call: keep it cheap and offline.
    explicit @Class@(const provisio::Host &) {}

    provisio::Outcome create(provisio::Call &call) {
        const json body = {{"domain", std::string(call.service("domain"))},
                           {"username", std::string(call.service("username"))},
                           {"password", std::string(call.service("password"))},
                           {"plan", std::string(call.setting("plan"))}};
        const Reply r = send(call, "POST", "/api/v1/accounts", body);
        if (!r.ok()) return r.outcome;
        std::string id;
        if (r.body.is_object() && r.body.contains("id")) id = r.body["id"].is_string() ? r.body["id"].get<std::string>() : r.body["id"].dump();
        if (id.empty()) return provisio::Outcome::failure("the server answered create without an account id");
        call.set_state("account_id", id);  // saved whatever happens next: the account exists
        return provisio::Outcome::success("account " + id + " created");
    }

    provisio::Outcome suspend(provisio::Call &call) {
        return account_action(call, "suspend", "suspended", {{"reason", std::string(call.reason())}});
    }

    provisio::Outcome unsuspend(provisio::Call &call) { return account_action(call, "unsuspend", "unsuspended", json::object()); }

    provisio::Outcome terminate(provisio::Call &call) {
        const std::optional<std::string> id = call.state("account_id");
        if (!id) return provisio::Outcome::success("no account was created, so none was removed");
        const Reply r = send(call, "DELETE", "/api/v1/accounts/" + *id, std::nullopt);
        if (!r.ok() && r.status != 404) return r.outcome;  // 404: already gone, which is what we want
        call.erase_state("account_id");
        return provisio::Outcome::success("account " + *id + " removed");
    }

    provisio::Outcome test_connection(provisio::Call &call) {
        const Reply r = send(call, "GET", "/api/v1/status", std::nullopt);
        return r.ok() ? provisio::Outcome::success("connected to " + base_url(call)) : r.outcome;
    }

private:
    struct Reply {
        int status = 0;
        json body;                  // the parsed body; null when empty or not JSON
        provisio::Outcome outcome;  // success when the server answered 2xx
        bool ok() const { return outcome.status == provisio::Status::ok; }
    };

    static std::string base_url(const provisio::Call &call) {
        const std::string scheme = call.server("secure") == "no" ? "http" : "https";
        const std::string port(call.server("port"));
        return scheme + "://" + std::string(call.server("hostname")) + (port.empty() ? "" : ":" + port);
    }

    static provisio::Outcome account_action(provisio::Call &call, const std::string &action, const std::string &done,
                                            const json &body) {
        const std::optional<std::string> id = call.state("account_id");
        if (!id) return provisio::Outcome::failure("no account_id in the module state: was the service created?");
        const Reply r = send(call, "POST", "/api/v1/accounts/" + *id + "/" + action, body);
        return r.ok() ? provisio::Outcome::success("account " + *id + " " + done) : r.outcome;
    }

    // One exchange with the API, recorded in the module-call log (the host masks the API key and
    // the passwords there, in whatever encoding they appear). A timeout, a refused connection
    // or a 5xx/429 answer is retryable: the host queues the call for `provisio queue retry`.
    static Reply send(provisio::Call &call, const std::string &method, const std::string &path, const std::optional<json> &body) {
        provisio::HttpRequest request{.method = method,
                                      .url = base_url(call) + path,
                                      .headers = {{"Authorization", "Bearer " + std::string(call.server("api_key"))},
                                                  {"Accept", "application/json"}}};
        if (body) {
            request.headers.emplace_back("Content-Type", "application/json");
            request.body = body->dump();
        }
        const provisio::HttpResponse response = call.http(request);
        call.log_call(method, method + " " + request.url + "\n" + request.body,
                      response.transport == provisio::Status::ok ? std::to_string(response.status) + "\n" + response.body
                                                                 : response.error);
        Reply r;
        r.status = response.status;
        r.body = json::parse(response.body, nullptr, false);  // no exception: a non-JSON body is "discarded"
        if (r.body.is_discarded()) r.body = nullptr;
        const std::string what = method + " " + path;
        if (response.transport != provisio::Status::ok)
            r.outcome = {response.transport, what + " failed: " + response.error};
        else if (response.status >= 500 || response.status == 429)
            r.outcome = provisio::Outcome::retry(what + " answered HTTP " + std::to_string(response.status));
        else if (response.status >= 300)
            r.outcome = provisio::Outcome::failure(what + " answered HTTP " + std::to_string(response.status) + error_text(r.body));
        return r;
    }

    // The API's own words for a refusal, when it sends {"error": "..."}.
    static std::string error_text(const json &body) {
        if (body.is_object() && body.contains("error") && body["error"].is_string()) return ": " + body["error"].get<std::string>();
        return {};
    }
};

}  // namespace

PROVISIO_MODULE(@Class@)
)SKELETON";

constexpr std::string_view http_test = R"SKELETON(// Unit tests of @name@ on the provisio SDK's fake host, with scripted HTTP replies: no
// provisio, no database, no network. The fake host hands the module what the real host would
// (option defaults filled in, values checked against the schema) and masks secrets in what it
// records, as the real host does.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <provisio/testing.hpp>

#include <nlohmann/json.hpp>

using nlohmann::json;
using provisio::Status;
using provisio::testing::CallInput;
using provisio::testing::FakeHost;

namespace {

// A service on a server, as the host hands it over.
CallInput service() {
    return {.service = {{"domain", "example.org"}, {"username", "alice"}, {"password", "s3rvice-pw"}},
            .server = {{"hostname", "api.example.net"}, {"api_key", "k3y-of-the-server"}}};
}

}  // namespace

TEST_CASE("create posts the account as JSON and keeps the id the server gives") {
    FakeHost host;
    host.load(provisio::testing::linked_module());
    host.reply(201, R"({"id":"42"})");
    const auto r = host.call("create", service());
    REQUIRE(r.status == Status::ok);
    CHECK(r.message == "account 42 created");
    CHECK(host.state[1]["account_id"] == "42");
    REQUIRE(host.requests.size() == 1);
    CHECK(host.requests[0].method == "POST");
    CHECK(host.requests[0].url == "https://api.example.net/api/v1/accounts");
    const json body = json::parse(host.requests[0].body);
    CHECK(body["plan"] == "basic");  // the option's default: the product set none
    CHECK(body["password"] == "s3rvice-pw");
}

TEST_CASE("the call log never shows the API key or the service password") {
    FakeHost host;
    host.load(provisio::testing::linked_module());
    host.reply(201, R"({"id":"42"})");
    REQUIRE(host.call("create", service()).status == Status::ok);
    REQUIRE(host.calls.size() == 1);
    CHECK(host.calls[0].request.find("s3rvice-pw") == std::string::npos);
    CHECK(host.calls[0].request.find(R"("password":"********")") != std::string::npos);
}

TEST_CASE("a timeout or a busy server is retryable; a refusal is an error with the server's words") {
    FakeHost host;
    host.load(provisio::testing::linked_module());
    SECTION("timeout") {
        host.reply({.transport = PROVISIO_RETRYABLE, .status = 0, .error = "timed out"});
        CHECK(host.call("create", service()).status == Status::retryable);
    }
    SECTION("busy") {
        host.reply(503, "");
        CHECK(host.call("create", service()).status == Status::retryable);
    }
    SECTION("refused") {
        host.reply(422, R"({"error":"domain taken"})");
        const auto r = host.call("create", service());
        CHECK(r.status == Status::error);
        CHECK(r.message == "POST /api/v1/accounts answered HTTP 422: domain taken");
    }
}

TEST_CASE("suspend and terminate act on the account create recorded") {
    FakeHost host;
    host.load(provisio::testing::linked_module());
    host.state[1]["account_id"] = "42";
    host.reply(200, "{}");
    CallInput in = service();
    in.reason = "Overdue on Payment";
    CHECK(host.call("suspend", in).status == Status::ok);
    CHECK(host.requests.back().url == "https://api.example.net/api/v1/accounts/42/suspend");
    CHECK(json::parse(host.requests.back().body)["reason"] == "Overdue on Payment");
    host.reply(404, "");  // already gone
    CHECK(host.call("terminate", service()).status == Status::ok);
    CHECK(host.state[1].count("account_id") == 0);
}

TEST_CASE("test_connection asks a server for its status, with no service") {
    FakeHost host;
    host.load(provisio::testing::linked_module());
    host.reply(200, R"({"status":"ok"})");
    const auto r = host.call("test_connection", {.service_id = 0, .server = {{"hostname", "api.example.net"}, {"api_key", "k"}}});
    CHECK(r.status == Status::ok);
    CHECK(host.requests[0].url == "https://api.example.net/api/v1/status");
}
)SKELETON";

constexpr std::string_view cmake_lists = R"SKELETON(# @name@, a provisio server module, built against the installed provisio SDK:
#   cmake -S . -B build            (add -DCMAKE_PREFIX_PATH=PREFIX when the SDK is installed
#                                   elsewhere than /usr or /usr/local)
#   cmake --build build && ctest --test-dir build
#   provisio module check build/@name@.so
cmake_minimum_required(VERSION 3.20)
project(@name@ LANGUAGES CXX)

find_package(provisio-sdk @abi@ REQUIRED@components@)

# @name@.so: exports only its entry point, and fails to link without one. Add ABI_MINOR n to
# load in hosts from 1.n on (the module guide says what that allows).
provisio_add_module(@name@ @name@.cpp)@link_json@

# Its unit tests, on the SDK's fake host; Catch2 v2 (Debian: apt install catch2).
find_package(Catch2 2 REQUIRED)
enable_testing()
add_executable(@name@_test @name@_test.cpp @name@.cpp)
target_link_libraries(@name@_test PRIVATE provisio::sdk Catch2::Catch2@test_json@)
add_test(NAME @name@.unit COMMAND @name@_test)
)SKELETON";

std::string replaced(std::string_view text, const std::vector<std::pair<std::string, std::string>> &values) {
    std::string out(text);
    for (const auto &[from, to] : values)
        for (size_t at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size())) out.replace(at, from.size(), to);
    return out;
}

// acme_pbx -> AcmePbx; a digit after '_' stays as it is (acme_2 -> Acme2).
std::string class_name(const std::string &name) {
    std::string out;
    bool upper = true;
    for (char c : name) {
        if (c == '_') {
            upper = true;
            continue;
        }
        out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
        upper = false;
    }
    return out;
}

void check_name(const std::string &name) {
    bool ok = !name.empty() && name.size() <= PROVISIO_MAX_NAME_BYTES && name[0] >= 'a' && name[0] <= 'z';
    for (char c : name) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    if (!ok)
        fail(ErrorKind::invalid_input, "module name '" + name + "' must start with a letter a-z and hold only a-z, 0-9 and _ (at most " +
                                           std::to_string(PROVISIO_MAX_NAME_BYTES) + " bytes): products refer to it, and it names the .so");
}

}  // namespace

std::vector<std::filesystem::path> write_module_skeleton(const SkeletonRequest &request) {
    check_name(request.name);
    const std::filesystem::path &dir = request.dir;
    std::error_code ec;
    if (std::filesystem::exists(dir, ec) && !(std::filesystem::is_directory(dir, ec) && std::filesystem::is_empty(dir, ec)))
        fail(ErrorKind::conflict, dir.string() + " already exists and is not an empty directory; choose another with --dir");
    std::filesystem::create_directories(dir, ec);
    if (ec) fail(ErrorKind::storage, "cannot create " + dir.string() + ": " + ec.message());

    const std::string abi = std::to_string(PROVISIO_ABI_MAJOR) + "." + std::to_string(PROVISIO_ABI_MINOR);
    const std::vector<std::pair<std::string, std::string>> values = {
        {"@name@", request.name},
        {"@Class@", class_name(request.name)},
        {"@abi@", abi},
        {"@components@", request.http ? " COMPONENTS json" : ""},
        {"@link_json@", request.http ? "\ntarget_link_libraries(" + request.name + " PRIVATE provisio::json)" : ""},
        {"@test_json@", request.http ? " provisio::json" : ""},
    };
    const std::vector<std::pair<std::filesystem::path, std::string_view>> files = {
        {dir / "CMakeLists.txt", cmake_lists},
        {dir / (request.name + ".cpp"), request.http ? http_source : basic_source},
        {dir / (request.name + "_test.cpp"), request.http ? http_test : basic_test},
    };
    std::vector<std::filesystem::path> written;
    for (const auto &[path, text] : files) {
        create_file_whole(path, replaced(text, values), 0644);
        written.push_back(path);
    }
    return written;
}

}  // namespace provisio
