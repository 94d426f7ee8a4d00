// Unit tests of the hello module on the SDK's fake host: no core, no database.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <provisio/testing.hpp>

using provisio::Status;
using provisio::testing::FakeHost;

TEST_CASE("hello describes itself") {
    const provisio_module_descriptor *d = provisio::testing::linked_module();
    CHECK(std::string(d->name) == "hello");
    CHECK(d->abi_major == PROVISIO_ABI_MAJOR);
    CHECK(d->option_count == 4);
    CHECK(d->create != nullptr);
    CHECK(d->change_password == nullptr);  // not implemented, so not advertised
}

TEST_CASE("create greets the service and remembers it") {
    FakeHost host;
    host.load(provisio::testing::linked_module());
    auto r = host.call("create", {.settings = {{"greeting", "Hi"}, {"mood", "loud"}, {"remember", "yes"}},
                                  .service = {{"domain", "example.org"}}});
    CHECK(r.status == Status::ok);
    CHECK(r.message == "Hi, example.org!");
    CHECK(host.state[1]["greeted"] == "Hi, example.org!");
    CHECK(host.state[1]["visits"] == "1");
}

TEST_CASE("suspend records the reason and unsuspend clears it") {
    FakeHost host;
    host.load(provisio::testing::linked_module());
    host.call("suspend", {.settings = {{"remember", "no"}}, .reason = "Overdue on Payment"});
    CHECK(host.state[1]["suspended_for"] == "Overdue on Payment");
    CHECK(host.state[1].count("visits") == 0);
    host.call("unsuspend", {.settings = {{"remember", "no"}}});
    CHECK(host.state[1].count("suspended_for") == 0);
}

TEST_CASE("test_connection uses the host's HTTP service") {
    FakeHost host;
    host.load(provisio::testing::linked_module());

    SECTION("a 200 is a success, and the exchange is logged") {
        host.reply(200, "pong");
        auto r = host.call("test_connection", {.settings = {{"ping_url", "https://pbx.example/ping"}}});
        CHECK(r.status == Status::ok);
        REQUIRE(host.requests.size() == 1);
        CHECK(host.requests[0].url == "https://pbx.example/ping");
        REQUIRE(host.calls.size() == 1);
        CHECK(host.calls[0].response == "200 pong");
    }
    SECTION("a timeout is retryable") {
        host.reply({.transport = PROVISIO_RETRYABLE, .status = 0, .error = "timed out"});
        auto r = host.call("test_connection", {.settings = {{"ping_url", "https://pbx.example/ping"}}});
        CHECK(r.status == Status::retryable);
        CHECK(r.message == "ping failed: timed out");
    }
    SECTION("an HTTP error is an error") {
        host.reply(503, "busy");
        auto r = host.call("test_connection", {.settings = {{"ping_url", "https://pbx.example/ping"}}});
        CHECK(r.status == Status::error);
    }
}
