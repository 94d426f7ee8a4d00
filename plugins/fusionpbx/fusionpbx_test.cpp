// The fusionpbx module's pieces that need no database: the event-socket exchange (payload and
// parse), service-field validation, and how switch answers become outcomes (on the SDK's fake
// host, whose database connection fails fast). The database side is tested against a real
// PostgreSQL in tests/integration/test_fusionpbx.cpp.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "cache.hpp"
#include "esl.hpp"
#include "registrations.hpp"

#include <provisio/testing.hpp>

using provisio::Status;
using provisio::testing::CallInput;
using provisio::testing::FakeHost;

TEST_CASE("event socket: the payload authenticates, runs each api command or fires each event, and exits") {
    CHECK(esl::payload("ClueCon", {esl::api("status"), esl::api("reloadxml")}) == "auth ClueCon\n\napi status\n\napi reloadxml\n\nexit\n\n");
    const auto event = esl::event("CUSTOM\nEvent-Name: CUSTOM\nEvent-Subclass: fusion::file\nAPI-Command: cache\nAPI-Command-Argument: delete k");
    CHECK(esl::payload("pw", {event}) ==
          "auth pw\n\nsendevent CUSTOM\nEvent-Name: CUSTOM\nEvent-Subclass: fusion::file\nAPI-Command: cache\nAPI-Command-Argument: delete k\n\nexit\n\n");
    CHECK(esl::describe(event) == "sendevent CUSTOM (fusion::file: delete k)");
}

TEST_CASE("event socket: frames are parsed with their bodies; a refused password, an ACL rejection and garbage are told apart") {
    const std::string ok =
        "Content-Type: auth/request\n\n"
        "Content-Type: command/reply\nReply-Text: +OK accepted\n\n"
        "Content-Type: api/response\nContent-Length: 33\n\n+OK gateway marked for deletion.\n"
        "Content-Type: command/reply\nReply-Text: +OK 6a0c2c3e-4f1b-4a55-9e3b-0d7f5c9e1a22\n\n"
        "Content-Type: api/response\nContent-Length: 22\n\n-ERR no such gateway.\n"
        "Content-Type: command/reply\nReply-Text: +OK bye\n\n"
        "Content-Type: text/disconnect-notice\nContent-Length: 23\n\nDisconnected, goodbye.\n";
    auto r = esl::parse(ok);
    CHECK(r.greeted);
    CHECK(r.authenticated);
    REQUIRE(r.answers.size() == 4);
    CHECK(r.answers[0] == "+OK gateway marked for deletion.\n");
    CHECK(r.answers[1] == "+OK 6a0c2c3e-4f1b-4a55-9e3b-0d7f5c9e1a22");
    CHECK(r.answers[2] == "-ERR no such gateway.\n");

    r = esl::parse("Content-Type: auth/request\n\nContent-Type: command/reply\nReply-Text: -ERR invalid\n\n");
    CHECK(r.auth_answered);
    CHECK_FALSE(r.authenticated);
    // mod_event_socket.c: a peer its ACL refuses gets this instead of the greeting.
    r = esl::parse("Content-Type: text/rude-rejection\nContent-Length: 24\n\nAccess Denied, go away.\n");
    CHECK(r.rejection == "Access Denied, go away.");
    CHECK_FALSE(r.greeted);
    CHECK_THROWS_WITH(esl::parse("HTTP/1.1 400 Bad Request\r\n\r\n"), Catch::Contains("frame 1 has no end of headers"));
    CHECK_THROWS_WITH(esl::parse("Content-Type: api/response\nContent-Length: 99\n\nshort"), Catch::Contains("cut short"));
    CHECK_THROWS_WITH(esl::parse("garbage\n\n"), Catch::Contains("'garbage' is not a header"));
}

// Every answer below is the text FreeSWITCH writes for that case (mod_sofia.c cmd_profile,
// mod_commands.c reload_xml_function, mod_memcache.c, mod_lua.cpp lua_api_function,
// mod_event_socket.c api_exec).
TEST_CASE("event socket: each answer is read the way the switch means it") {
    using esl::Verdict;
    auto kind = [](const char *command, const char *answer) { return esl::judge(esl::api(command), answer).kind; };
    CHECK(kind("memcache delete directory:2112@d", "+OK\n") == Verdict::done);
    CHECK(kind("memcache delete directory:2112@d", "-ERR NOT FOUND\n") == Verdict::absent);
    CHECK(kind("memcache delete directory:2112@d", "-ERR SERVER HAS FAILED AND IS DISABLED UNTIL TIMED RETRY\n") == Verdict::failed);
    CHECK(kind("memcache delete directory:2112@d", "-ERR memcache Command not found!\n") == Verdict::failed);
    CHECK(kind("sofia profile external killgw 2222", "+OK gateway marked for deletion.\n") == Verdict::done);
    CHECK(kind("sofia profile external killgw 2222", "-ERR no such gateway.\n") == Verdict::absent);
    CHECK(kind("sofia profile extern killgw 2222", "Invalid Profile [extern]") == Verdict::failed);
    CHECK(kind("sofia profile external rescan", "Reload XML [Success]\n+OK scan complete\n") == Verdict::done);
    CHECK(kind("sofia profile external rescan", "Reload XML [Success]\n-ERR cannot find config for profile external\n") == Verdict::failed);
    CHECK(esl::judge(esl::api("sofia profile external rescan"), "Reload XML [Cannot Open log directory or XML Root!]\n+OK scan complete\n").reason ==
          "the XML reload failed: Cannot Open log directory or XML Root!");
    CHECK(kind("sofia profile nope rescan", "Invalid Profile [nope]") == Verdict::failed);
    CHECK(kind("reloadxml", "+OK [Success]\n") == Verdict::done);
    CHECK(kind("reloadxml", "+OK [Cannot Open log directory or XML Root!]\n") == Verdict::failed);
    CHECK(kind("lua app/servers/resources/clear_cache.lua delete directory.2112@d", "-ERR no reply\n") == Verdict::done);
    CHECK(kind("lua app/servers/resources/clear_cache.lua delete directory.2112@d", "-ERR Cannot execute script\n") == Verdict::failed);
    CHECK(kind("hostname", "pbx1") == Verdict::done);
    CHECK(esl::judge(esl::event("CUSTOM\nEvent-Subclass: fusion::file"), "+OK 6a0c2c3e").kind == Verdict::done);
    CHECK(esl::judge(esl::event("CUSTOM\nEvent-Subclass: fusion::file"), "-ERR invalid event").kind == Verdict::failed);
}

TEST_CASE("FusionPBX's cache: the keys it deletes, and the commands for each cache method") {
    CHECK(fusion_cache::directory_keys("2112", "", "d.example", "d.example") == std::vector<std::string>{"directory:2112@d.example"});
    CHECK(fusion_cache::directory_keys("2112", "12", "ctx", "d.example") ==
          std::vector<std::string>{"directory:2112@ctx", "directory:12@ctx", "directory:2112@d.example", "directory:12@d.example"});
    auto file = fusion_cache::delete_commands(fusion_cache::Method::file, "pbx1:configuration:sofia.conf");
    REQUIRE(file.size() == 2);
    CHECK(file[0].text == "CUSTOM\nEvent-Name: CUSTOM\nEvent-Subclass: fusion::file\nAPI-Command: cache\nAPI-Command-Argument: delete pbx1.configuration.sofia.conf");
    CHECK(file[1].text == "lua app/servers/resources/clear_cache.lua delete pbx1.configuration.sofia.conf");
    auto mem = fusion_cache::delete_commands(fusion_cache::Method::memcache, "directory:2112@d");
    CHECK(mem[1].text == "memcache delete directory:2112@d");
    CHECK_THROWS_WITH(fusion_cache::method_named("redis"), Catch::Contains("server option cache_method is 'redis'"));
}

TEST_CASE("bad service fields are refused before anything is touched") {
    FakeHost host;
    host.load(provisio::testing::linked_module());
    CallInput in;
    in.server = {{"hostname", "127.0.0.1"}, {"port", "1"}, {"username", "fusionpbx"}, {"password", "db-s3cret"}};
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

TEST_CASE("registrations: sofia's XML is read with its entities; only the domain's phones, of the listed extensions") {
    const std::string xml =
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<profile>\n  <registrations>\n"
        "    <registration>\n        <user>2112@a.example</user>\n        <contact>&quot;&quot; &lt;sip:2112@192.0.2.10&gt;</contact>\n"
        "        <agent>Yealink &amp; co &lt;1&gt;</agent>\n        <status>Registered(UDP-NAT) exp(x) expsecs(1)</status>\n"
        "        <network-ip>192.0.2.10</network-ip>\n        <network-port>5060</network-port>\n"
        "        <sip-auth-realm>a.example</sip-auth-realm>\n    </registration>\n"
        "    <registration>\n        <user>2113@10.0.0.1</user>\n        <sip-auth-realm>a.example</sip-auth-realm>\n    </registration>\n"
        "    <registration>\n        <user>2112@b.example</user>\n        <sip-auth-realm>b.example</sip-auth-realm>\n    </registration>\n"
        "  </registrations>\n</profile>\n";
    const auto all = fusion_registrations::parse(xml);
    REQUIRE(all.size() == 3);
    CHECK(all[0].agent == "Yealink & co <1>");
    CHECK(all[0].user_part() == "2112");
    CHECK(all[0].network_port == "5060");
    CHECK(fusion_registrations::of_domain(all, "a.example", {}).size() == 2);  // by realm, whatever the user's host
    CHECK(fusion_registrations::of_domain(all, "a.example", {"2113"}).at(0).user == "2113@10.0.0.1");
    CHECK(fusion_registrations::of_domain(all, "c.example", {}).empty());
    CHECK(fusion_registrations::parse("<profile>\n  <registrations>\n  </registrations>\n</profile>\n").empty());
    CHECK_THROWS_WITH(fusion_registrations::parse("-ERR no reply\n"), Catch::Contains("not sofia's registration XML"));
    CHECK_THROWS_WITH(fusion_registrations::parse("<profile><registration><user>x"), Catch::Contains("not closed"));
}
