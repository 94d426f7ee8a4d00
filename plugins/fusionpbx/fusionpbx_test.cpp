// The fusionpbx module's pieces that need no database: the event-socket exchange (payload and
// parse), service-field validation, and how switch answers become outcomes (on the SDK's fake
// host, whose database connection fails fast). The database side is tested against a real
// PostgreSQL in tests/integration/test_fusionpbx.cpp.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "esl.hpp"

#include <provisio/testing.hpp>

using provisio::Status;
using provisio::testing::CallInput;
using provisio::testing::FakeHost;

TEST_CASE("event socket: the payload authenticates, runs each api command and exits") {
    CHECK(esl::payload("ClueCon", {"status", "reloadxml"}) == "auth ClueCon\n\napi status\n\napi reloadxml\n\nexit\n\n");
}

TEST_CASE("event socket: frames are parsed with their bodies; a refused password and garbage are told apart") {
    const std::string ok =
        "Content-Type: auth/request\n\n"
        "Content-Type: command/reply\nReply-Text: +OK accepted\n\n"
        "Content-Type: api/response\nContent-Length: 24\n\n+OK killing: 1234-abcd\n\n"
        "Content-Type: api/response\nContent-Length: 23\n\n-ERR Invalid Gateway!\n\n"
        "Content-Type: command/reply\nReply-Text: +OK bye\n\n"
        "Content-Type: text/disconnect-notice\nContent-Length: 23\n\nDisconnected, goodbye.\n";
    auto r = esl::parse(ok);
    CHECK(r.greeted);
    CHECK(r.authenticated);
    REQUIRE(r.api_bodies.size() == 2);
    CHECK(r.api_bodies[0] == "+OK killing: 1234-abcd\n\n");
    CHECK(esl::failed(r.api_bodies[1]));

    r = esl::parse("Content-Type: auth/request\n\nContent-Type: command/reply\nReply-Text: -ERR invalid\n\n");
    CHECK(r.auth_answered);
    CHECK_FALSE(r.authenticated);
    CHECK_THROWS_WITH(esl::parse("HTTP/1.1 400 Bad Request\r\n\r\n"), Catch::Contains("frame 1 has no end of headers"));
    CHECK_THROWS_WITH(esl::parse("Content-Type: api/response\nContent-Length: 99\n\nshort"), Catch::Contains("cut short"));
    CHECK_THROWS_WITH(esl::parse("garbage\n\n"), Catch::Contains("'garbage' is not a header"));
}

TEST_CASE("bad service fields are refused before anything is touched") {
    FakeHost host;
    host.load(provisio::testing::linked_module());
    CallInput in;
    in.server = {{"hostname", "127.0.0.1"}, {"port", "1"}, {"username", "fusionpbx"}, {"password", "x"}};
    in.service = {{"domain", "mcon.example.ca | 519-222"}, {"dedicated_ip", "2112"}};
    auto r = host.call("create", in);
    CHECK(r.status == Status::error);
    CHECK_THAT(r.message, Catch::Contains("the main DID '519-222'"));
    in.service = {{"domain", "mcon.example.ca | 5192229000"}, {"dedicated_ip", "2112 | 21x3"}};
    r = host.call("suspend", in);
    CHECK_THAT(r.message, Catch::Contains("extension '21x3' (item 2 of the Dedicated IP field) is not a number"));
    in.service = {{"domain", "a | 1 | 2"}};
    CHECK_THAT(host.call("create", in).message, Catch::Contains("must be 'domain | main DID'"));
    CHECK(host.tcp_requests.empty());
}

TEST_CASE("an unreachable database is a retryable failure naming where") {
    FakeHost host;
    host.load(provisio::testing::linked_module());
    CallInput in;
    in.server = {{"hostname", "127.0.0.1"}, {"port", "1"}, {"username", "fusionpbx"}, {"password", "s3cret"}, {"db_connect_timeout", "2"}};
    in.service = {{"domain", "mcon.example.ca | 5192229000"}, {"dedicated_ip", "2112"}};
    const auto r = host.call("suspend", in);
    CHECK(r.status == Status::retryable);
    CHECK_THAT(r.message, Catch::Contains("PostgreSQL fusionpbx@127.0.0.1:1/fusionpbx"));
    CHECK(r.message.find("s3cret") == std::string::npos);
}
