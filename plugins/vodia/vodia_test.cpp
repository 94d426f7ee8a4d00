// The vodia module on the SDK's fake host: login and session reuse, what suspend records and
// unsuspend undoes, CDR paging and whose calls are whose, SIP address parsing. No core, no network.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "sip_address.hpp"

#include <provisio/testing.hpp>

#include <nlohmann/json.hpp>

using nlohmann::json;
using provisio::Status;
using provisio::testing::CallInput;
using provisio::testing::FakeHost;

namespace {

const std::string password = "pbx-Secret-9";

struct Fixture {
    FakeHost host;
    Fixture() { host.load(provisio::testing::linked_module()); }
    CallInput input(const std::string &mode = "trunks") {
        CallInput in;
        in.service = {{"domain", "cffm.example.ca | 5484815577 | 8300"}, {"username", "8300"}};
        in.server = {{"hostname", "pbx.example.net"}, {"secure", "yes"}, {"username", "admin"}, {"password", password}};
        in.settings = {{"suspend_mode", mode}};
        in.custom_fields = {{"Ext Profile First Name", "Ann"}};
        return in;
    }
    void login_reply() { host.reply(200, "\"sid-1\"", {{"set-cookie", "session=sid-1; Path=/"}}); }
    std::string header(size_t request, const std::string &name) const {
        for (const auto &[k, v] : host.requests.at(request).headers)
            if (k == name) return v;
        return "";
    }
};

}  // namespace

TEST_CASE("SIP parties: display name and number from the forms Vodia writes") {
    auto p = vodia::parse_sip_party("\"Ann Lee\" <sip:8300@cffm.example.ca>");
    CHECK(p.display == "Ann Lee");
    CHECK(p.number == "8300");
    p = vodia::parse_sip_party("<sip:+15145550100@trunk.example;user=phone>");
    CHECK(p.display.empty());
    CHECK(p.number == "15145550100");
    CHECK(vodia::parse_sip_party("sip:5484815577@host").number == "5484815577");
    CHECK(vodia::parse_sip_party("Bob <tel:+14165550123>").display == "Bob");
    CHECK(vodia::parse_sip_party("4165550123").number == "4165550123");
    CHECK(vodia::contains_ignoring_case("Sales ANN desk", "ann"));
    CHECK_FALSE(vodia::contains_ignoring_case("Bob", ""));
}

TEST_CASE("session login sends MD5 of the password once, then the cookie; an expired session logs in again") {
    Fixture f;
    f.login_reply();
    f.host.reply(200, R"([{"name":"cffm.example.ca"}])");
    REQUIRE(f.host.call("test_connection", f.input()).status == Status::ok);
    REQUIRE(f.host.requests.size() == 2);
    CHECK(f.host.requests[0].method == "PUT");
    CHECK(f.host.requests[0].url == "https://pbx.example.net/rest/system/session");
    CHECK(json::parse(f.host.requests[0].body)["value"] == "admin 5989e0cf454950382e7b793fb7abdce3");  // md5("pbx-Secret-9")
    CHECK(f.header(1, "Cookie") == "session=sid-1");

    f.host.reply(200, R"([])");  // the session is reused: no login
    REQUIRE(f.host.call("test_connection", f.input()).status == Status::ok);
    CHECK(f.host.requests.size() == 3);

    f.host.reply(401, R"({"error":"session expired"})");
    f.host.reply(200, "\"sid-2\"", {{"set-cookie", "session=sid-2"}});
    f.host.reply(200, R"([])");
    REQUIRE(f.host.call("test_connection", f.input()).status == Status::ok);
    CHECK(f.host.requests[4].method == "PUT");
    CHECK(f.header(5, "Cookie") == "session=sid-2");
    for (const auto &c : f.host.calls) {
        CHECK(c.request.find(password) == std::string::npos);
        CHECK(c.request.find("5989e0cf454950382e7b793fb7abdce3") == std::string::npos);
        CHECK(c.request.find("sid-2") == std::string::npos);
    }
}

TEST_CASE("wrong credentials fail without a retry; Basic sends them on each request") {
    Fixture f;
    f.host.reply(401, R"({"error":"Authentication failed"})");
    auto r = f.host.call("test_connection", f.input());
    CHECK(r.status == Status::error);
    CHECK_THAT(r.message, Catch::Contains("refused the credentials"));

    auto in = f.input();
    in.server.emplace_back("auth", "basic");
    f.host.reply(200, R"([])");
    REQUIRE(f.host.call("test_connection", in).status == Status::ok);
    CHECK(f.header(1, "Authorization") == "Basic YWRtaW46cGJ4LVNlY3JldC05");  // admin:pbx-Secret-9
}

TEST_CASE("suspend in trunk mode disables only enabled trunks; unsuspend undoes exactly that after a mode change") {
    Fixture f;
    f.login_reply();
    f.host.reply(200, R"([{"id":"1","name":"Main","disabled":"false"},{"id":"2","name":"Backup","disabled":"true"},{"id":"3","name":"Fax","disabled":""}])");
    f.host.reply(200, R"({"dis":"true"})");
    f.host.reply(200, R"({"dis":"true"})");
    auto r = f.host.call("suspend", f.input());
    REQUIRE(r.status == Status::ok);
    CHECK_THAT(r.message, Catch::Contains("trunks disabled on cffm.example.ca: 1,3"));
    CHECK(f.host.requests[2].url == "https://pbx.example.net/rest/domain/cffm.example.ca/edit_trunk/1");
    CHECK(json::parse(f.host.requests[2].body)["dis"] == "true");
    CHECK(f.host.state[1]["disabled_trunks"] == "1,3");

    // The product now says "accounts": unsuspend still enables trunks 1 and 3, and not 2.
    f.host.reply(200, R"({"dis":"false"})");
    f.host.reply(200, R"({"dis":"false"})");
    r = f.host.call("unsuspend", f.input("accounts"));
    REQUIRE(r.status == Status::ok);
    CHECK_THAT(r.message, Catch::Contains("trunk 1,trunk 3"));
    CHECK(f.host.requests[4].url.ends_with("/edit_trunk/1"));
    CHECK(f.host.requests[5].url.ends_with("/edit_trunk/3"));
    CHECK(f.host.state[1].count("disabled_trunks") == 0);
}

TEST_CASE("suspend in account mode disables the service's accounts; a half-done suspend is finished by the retry") {
    Fixture f;
    f.login_reply();
    f.host.reply(200, R"({"alias":"8300","dis":"false"})");  // GET user_settings/8300
    f.host.reply(500, R"({"error":"busy"})");                 // POST fails
    auto r = f.host.call("suspend", f.input("accounts"));
    CHECK(r.status == Status::retryable);
    CHECK(f.host.state[1].count("disabled_accounts") == 0);
    f.host.reply(200, R"({"alias":"8300","dis":"false"})");
    f.host.reply(200, R"({"dis":"true"})");
    f.host.reply(404, R"({"error":"account 5484815577 does not exist"})");  // a DID
    r = f.host.call("suspend", f.input("accounts"));
    REQUIRE(r.status == Status::ok);
    CHECK(f.host.state[1]["disabled_accounts"] == "8300");
}

TEST_CASE("usage: the service's calls after the cursor, paged by start time, inbound by the search string") {
    Fixture f;
    auto in = f.input();
    in.settings.emplace_back("cdr_page_size", "2");
    in.custom_fields.emplace_back("Inbound Search String", "Ann");
    f.login_reply();
    // 1795860000 = 2026-11-28T10:00:00Z
    f.host.reply(200, R"([{"id":"a","from":"\"Ann\" <sip:8300@cffm.example.ca>","to":"<sip:15145550100@cffm.example.ca>","start":1795860000,"connect":1795860005,"end":1795860065},
                          {"id":"b","from":"\"Bob\" <sip:8301@cffm.example.ca>","to":"<sip:15145550101@cffm.example.ca>","start":1795860100,"connect":1795860101,"end":1795860200}])");
    f.host.reply(200, R"([{"id":"b","from":"\"Bob\" <sip:8301@cffm.example.ca>","to":"<sip:15145550101@cffm.example.ca>","start":1795860100,"connect":1795860101,"end":1795860200},
                          {"id":"c","from":"<sip:+14165550123@trunk>","to":"\"Ann\" <sip:8300@cffm.example.ca>","start":1795860200,"connect":0,"end":1795860230}])");
    f.host.reply(200, R"([{"id":"c","from":"<sip:+14165550123@trunk>","to":"\"Ann\" <sip:8300@cffm.example.ca>","start":1795860200,"connect":0,"end":1795860230}])");
    provisio::UsageRequest req;
    req.since = "2026-11-28T00:00:00Z";
    req.max_records = 100;
    auto r = f.host.collect(req, in);
    INFO(r.message);
    REQUIRE(r.status == Status::ok);
    REQUIRE(f.host.usage.size() == 2);
    CHECK(f.host.usage[0].id == "a");
    CHECK(f.host.usage[0].direction == "outbound");
    CHECK(f.host.usage[0].destination_number == "15145550100");
    CHECK(f.host.usage[0].start == "2026-11-28T10:00:00Z");
    CHECK(f.host.usage[0].billsec == 60);
    CHECK(f.host.usage[1].id == "c");
    CHECK(f.host.usage[1].direction == "inbound");
    CHECK(f.host.usage[1].caller == "14165550123");
    CHECK(f.host.usage[1].billsec == 0);
    CHECK(*f.host.usage_cursor == "2026-11-28T10:03:20Z|c");
    CHECK(f.host.requests[1].url.ends_with("/cdrs?start=1795824000&count=2"));
    CHECK(f.host.requests[2].url.ends_with("/cdrs?start=1795860100&count=2"));

    // The next collection starts after c.
    f.host.reply(200, R"([{"id":"c","from":"<sip:+14165550123@trunk>","to":"\"Ann\" <sip:8300@cffm.example.ca>","start":1795860200,"connect":0,"end":1795860230}])");
    req.cursor = *f.host.usage_cursor;
    REQUIRE(f.host.collect(req, in).status == Status::ok);
    CHECK(f.host.usage.empty());
    CHECK(*f.host.usage_cursor == "2026-11-28T10:03:20Z|c");
}

TEST_CASE("bad service fields are refused with what is wrong") {
    Fixture f;
    auto in = f.input();
    in.service = {{"domain", "cffm.example.ca | 548-481 | 8300"}};
    auto r = f.host.call("suspend", in);
    CHECK(r.status == Status::error);
    CHECK_THAT(r.message, Catch::Contains("'548-481' (part 2 of the domain) is not a DID or extension"));
    in.service = {{"domain", " | 8300"}};
    CHECK_THAT(f.host.call("suspend", in).message, Catch::Contains("must be 'tenant | DID | ... | ext'"));
}
