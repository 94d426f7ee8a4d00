// The vodia module on the SDK's fake host: login and session reuse, what suspend records and
// unsuspend undoes, the CDR list read page by page with Vodia's fractional text times, whose
// calls are whose, the cursor, and CDRs that cannot be read. No core, no network.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "cdr_cursor.hpp"
#include "cdr_record.hpp"
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
    // Vodia's answer to the login: the session id as a JSON string, 20 characters.
    void login_reply() { host.reply(200, "\"sid1aaaaaaaaaaaaaaa\""); }
    std::string header(size_t request, const std::string &name) const {
        for (const auto &[k, v] : host.requests.at(request).headers)
            if (k == name) return v;
        return "";
    }
    bool logged(const std::string &part) const {
        for (const auto &l : host.logs)
            if (l.text.find(part) != std::string::npos) return true;
        return false;
    }
    // "METHOD path body" of every request, for comparing with a transcript.
    std::vector<std::string> transcript() const {
        std::vector<std::string> out;
        for (const auto &r : host.requests)
            out.push_back(r.method + " " + r.url.substr(std::string("https://pbx.example.net").size()) + (r.body.empty() ? "" : " " + r.body));
        return out;
    }
};

// A CDR as Vodia writes it (times as text with fractions).
std::string cdr(int id, const std::string &from, const std::string &to, const std::string &start, const std::string &connect,
                const std::string &end) {
    return json{{"id", id}, {"call_id", std::to_string(id) + "@10.0.0.1"}, {"from", from}, {"to", to}, {"start", start},
                {"connect", connect}, {"end", end}, {"rating", ""}, {"pcap", false}, {"extensions", json::array()}, {"trunks", json::array({106})}}
        .dump();
}

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

TEST_CASE("CDR times: Vodia's text with fractions, exactly, and nothing else") {
    CHECK(vodia::millis_of("1595572559.444") == 1595572559444);
    CHECK(vodia::millis_of("1595572656.86") == 1595572656860);
    CHECK(vodia::millis_of("1595572656.8609") == 1595572656860);  // beyond milliseconds: cut
    CHECK(vodia::millis_of("1595572559") == 1595572559000);
    for (const char *bad : {"", ".5", "1595572559.", "-1595572559", "1.5e9", " 1595572559", "1595572559.4a", "abc", "99999999999999"})
        CHECK_FALSE(vodia::millis_of(bad));
    CHECK(vodia::iso_utc_millis(1595572559444) == "2020-07-24T06:35:59.444Z");
    CHECK(vodia::iso_utc_millis(1595572559000) == "2020-07-24T06:35:59Z");
    CHECK(vodia::seconds_rounded_up(97416) == 98);
    CHECK(vodia::seconds_rounded_up(97000) == 97);

    vodia::TimeForms forms;
    auto r = vodia::read_cdr(json::parse(cdr(20753, "a", "b", "1595572559.444", "1595572559.445", "1595572656.860")), "page 1, record 1", forms);
    CHECK(r.id == "20753");
    CHECK(r.start_ms == 1595572559444);
    CHECK(*r.connect_ms == 1595572559445);
    CHECK(r.end_ms == 1595572656860);
    CHECK(forms.describe() == "text with fractions");
    // The same as JSON numbers (Vodia's ACD lists, the first simulators): read exactly too.
    r = vodia::read_cdr(json::parse(R"({"id":"7","from":"a","to":"b","start":1595572559.444,"connect":0,"end":1595572656})"), "x", forms);
    CHECK(r.start_ms == 1595572559444);
    CHECK_FALSE(r.connect_ms);
    CHECK(forms.describe() == "both text and JSON numbers");
    // Not answered: connect empty, or absent.
    r = vodia::read_cdr(json::parse(R"({"id":8,"from":"a","to":"b","start":"1595572559.1","connect":"","end":"1595572560.2"})"), "x", forms);
    CHECK_FALSE(r.connect_ms);
}

TEST_CASE("a CDR whose times cannot be read is an error naming the record and the field") {
    vodia::TimeForms forms;
    auto error_of = [&](const std::string &record) {
        try {
            vodia::read_cdr(json::parse(record), "page 2, record 5", forms);
        } catch (const std::exception &e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(error_of(R"({"id":20753,"from":"a","to":"b","start":"24.07.2020 06:35","end":"1595572656.860"})") ==
          "CDR 20753 (page 2, record 5): field 'start' is \"24.07.2020 06:35\", not a time in seconds since 1970 (Vodia writes e.g. \"1595572559.444\")");
    CHECK_THAT(error_of(R"({"id":20753,"from":"a","to":"b","start":"1595572559.444"})"), Catch::Contains("CDR 20753 (page 2, record 5): field 'end' is missing"));
    CHECK_THAT(error_of(R"({"id":20753,"from":"a","to":"b","start":"0","end":"1595572656.860"})"), Catch::Contains("field 'start' is missing or empty"));
    CHECK_THAT(error_of(R"({"id":20753,"from":"a","to":"b","start":"1595572659.0","end":"1595572656.860"})"), Catch::Contains("field 'end' (2020-07-24T06:37:36.860Z) is before 'start'"));
    CHECK_THAT(error_of(R"({"id":20753,"from":"a","to":"b","start":"1595572559.0","connect":"yes","end":"1595572656.860"})"), Catch::Contains("field 'connect' is \"yes\""));
    CHECK_THAT(error_of(R"({"id":20753,"from":"a","to":"b","start":"1595572559.0","connect":"1595572756.0","end":"1595572656.860"})"), Catch::Contains("field 'connect' (2020-07-24T06:39:16Z) is outside the call"));
    CHECK_THAT(error_of(R"({"id":"c1","from":"a","to":"b","start":"1595572559.0","end":"1595572656.860"})"), Catch::Contains("CDR page 2, record 5: field 'id' is \"c1\""));
    CHECK_THAT(error_of(R"({"id":1,"to":"b","start":"1595572559.0","end":"1595572656.860"})"), Catch::Contains("field 'from' is missing"));
}

TEST_CASE("the usage cursor sorts as the calls ended, and reads what earlier versions wrote") {
    const auto a = vodia::key_of(1795860065860, "9"), b = vodia::key_of(1795860065860, "10"), c = vodia::key_of(1795860066001, "2");
    CHECK(vodia::cursor_text(a) == "2026-11-28T10:01:05Z|860|00000000000000000009");
    CHECK(vodia::cursor_text(a) < vodia::cursor_text(b));  // byte-wise, as the host compares them
    CHECK(vodia::cursor_text(b) < vodia::cursor_text(c));
    const vodia::CdrFloor floor = vodia::floor_of(vodia::cursor_text(b));
    CHECK_FALSE(floor.after(a));
    CHECK_FALSE(floor.after(b));
    CHECK(floor.after(c));
    // The host's `since`, and "START|ID" of the module's first versions: everything that ended
    // in that second or later.
    for (const char *old : {"2026-11-28T10:01:05Z", "2026-11-28T10:01:05Z|c", "2026-11-28T06:01:05-04:00"}) {
        const vodia::CdrFloor f = vodia::floor_of(old);
        CHECK(f.after(a));
        CHECK_FALSE(f.after(vodia::key_of(1795860064999, "1")));
    }
    CHECK_THROWS_WITH(vodia::floor_of("yesterday"), Catch::Contains("the usage cursor 'yesterday' is not"));
}

TEST_CASE("session login: MD5 of the password once, the id from the answer's body, then the cookie; an expired session logs in again") {
    Fixture f;
    f.login_reply();
    f.host.reply(200, R"({"1":{"name":"cffm.example.ca","display":"CFFM"},"2":{"name":"b.example.ca","display":"B"}})");
    auto r = f.host.call("test_connection", f.input());
    REQUIRE(r.status == Status::ok);
    CHECK(r.message == "Vodia PBX answered: 2 tenant(s)");  // keyed by tenant id, as Vodia lists them
    REQUIRE(f.host.requests.size() == 2);
    CHECK(f.host.requests[0].method == "PUT");
    CHECK(f.host.requests[0].url == "https://pbx.example.net/rest/system/session");
    CHECK(json::parse(f.host.requests[0].body) == json{{"name", "auth"}, {"value", "admin 5989e0cf454950382e7b793fb7abdce3"}});  // md5("pbx-Secret-9")
    CHECK(f.header(1, "Cookie") == "session=sid1aaaaaaaaaaaaaaa");
    CHECK(f.logged("session id taken from the answer's body"));
    CHECK(f.logged("Vodia tenant list: an object keyed by tenant id"));

    f.host.reply(200, R"([])");  // the session is reused: no login; a list of tenants is read too
    REQUIRE(f.host.call("test_connection", f.input()).status == Status::ok);
    CHECK(f.host.requests.size() == 3);
    CHECK(f.logged("Vodia tenant list: a JSON list"));

    f.host.reply(401, R"({"error":"session expired"})");
    f.host.reply(200, "", {{"set-cookie", "session=sid-2; Path=/"}});  // some versions: the id in a cookie
    f.host.reply(200, R"({})");
    REQUIRE(f.host.call("test_connection", f.input()).status == Status::ok);
    CHECK(f.host.requests[4].method == "PUT");
    CHECK(f.header(5, "Cookie") == "session=sid-2");
    CHECK(f.logged("session id taken from its Set-Cookie header"));
    for (const auto &c : f.host.calls) {
        CHECK(c.request.find(password) == std::string::npos);
        CHECK(c.request.find("5989e0cf454950382e7b793fb7abdce3") == std::string::npos);
        CHECK(c.response.find("sid1aaaaaaaaaaaaaaa") == std::string::npos);
    }
}

TEST_CASE("a login or a tenant list in a shape nobody documents is an error that quotes it") {
    Fixture f;
    f.host.reply(200, "false");
    auto r = f.host.call("test_connection", f.input());
    CHECK(r.status == Status::error);
    CHECK_THAT(r.message, Catch::Contains("answered the login with 'false' and no session id"));
    f.login_reply();
    f.host.reply(200, R"("ok")");
    r = f.host.call("test_connection", f.input());
    CHECK(r.status == Status::error);
    CHECK_THAT(r.message, Catch::Contains("answered the tenant list with '\"ok\"'"));
}

TEST_CASE("wrong credentials fail without a retry; Basic sends them on each request") {
    Fixture f;
    f.host.reply(401, R"({"error":"Authentication failed"})");
    auto r = f.host.call("test_connection", f.input());
    CHECK(r.status == Status::error);
    CHECK_THAT(r.message, Catch::Contains("refused the credentials"));

    auto in = f.input();
    in.server.emplace_back("auth", "basic");
    f.host.reply(200, R"({})");
    REQUIRE(f.host.call("test_connection", in).status == Status::ok);
    CHECK(f.header(1, "Authorization") == "Basic YWRtaW46cGJ4LVNlY3JldC05");  // admin:pbx-Secret-9
}

TEST_CASE("suspend in trunk mode PUTs only enabled trunks disabled; unsuspend undoes exactly that after a mode change") {
    Fixture f;
    f.login_reply();
    f.host.reply(200, R"([{"id":"1","name":"Main","type":"register","disabled":"false"},{"id":"2","name":"Backup","disabled":"true"},{"id":"3","name":"Fax","disabled":""}])");
    f.host.reply(200, "");
    f.host.reply(200, "");
    auto r = f.host.call("suspend", f.input());
    REQUIRE(r.status == Status::ok);
    CHECK_THAT(r.message, Catch::Contains("trunks disabled on cffm.example.ca: 1,3"));
    CHECK(f.transcript() == std::vector<std::string>{
                                R"(PUT /rest/system/session {"name":"auth","value":"admin 5989e0cf454950382e7b793fb7abdce3"})",
                                "GET /rest/domain/cffm.example.ca/domain_trunks",
                                R"(PUT /rest/domain/cffm.example.ca/edit_trunk/1 {"dis":"true"})",
                                R"(PUT /rest/domain/cffm.example.ca/edit_trunk/3 {"dis":"true"})",
                            });
    CHECK(f.host.state[1]["disabled_trunks"] == "1,3");

    // The product now says "accounts": unsuspend still enables trunks 1 and 3, and not 2.
    f.host.reply(200, "");
    f.host.reply(200, "");
    r = f.host.call("unsuspend", f.input("accounts"));
    REQUIRE(r.status == Status::ok);
    CHECK_THAT(r.message, Catch::Contains("trunk 1,trunk 3"));
    CHECK(f.transcript().at(4) == R"(PUT /rest/domain/cffm.example.ca/edit_trunk/1 {"dis":"false"})");
    CHECK(f.transcript().at(5) == R"(PUT /rest/domain/cffm.example.ca/edit_trunk/3 {"dis":"false"})");
    CHECK(f.host.state[1].count("disabled_trunks") == 0);
}

TEST_CASE("suspend in account mode: PUT where the PBX has a 'dis' flag, an error naming the account where it has none") {
    Fixture f;
    f.login_reply();
    f.host.reply(200, R"({"first_name":"Ann","dis":"false"})");  // GET user_settings/8300
    f.host.reply(500, R"({"error":"busy"})");                   // PUT fails
    auto r = f.host.call("suspend", f.input("accounts"));
    CHECK(r.status == Status::retryable);
    CHECK(f.host.state[1].count("disabled_accounts") == 0);
    f.host.reply(200, R"({"first_name":"Ann","dis":"false"})");
    f.host.reply(200, "");
    f.host.reply(404, R"({"error":"account 5484815577 does not exist"})");  // a DID
    r = f.host.call("suspend", f.input("accounts"));
    REQUIRE(r.status == Status::ok);
    CHECK(f.host.requests[4].method == "PUT");
    CHECK(f.host.state[1]["disabled_accounts"] == "8300");

    // Vodia's published user_settings carry no such flag: nothing is PUT, and the suspend fails.
    Fixture g;
    g.login_reply();
    g.host.reply(200, R"({"access_level":"0","dial_plan":"","display_name":"","dnd":"false","first_name":"Ann"})");
    g.host.reply(404, R"({"error":"no such account"})");
    r = g.host.call("suspend", g.input("accounts"));
    CHECK(r.status == Status::error);
    CHECK_THAT(r.message, Catch::Contains("account(s) 8300 on cffm.example.ca have no 'dis' flag"));
    CHECK(g.host.requests.size() == 3);
    CHECK(g.host.state[1].count("disabled_accounts") == 0);
}

TEST_CASE("the tenant's call limit is written with PUT …/settings/ only when the PBX shows one") {
    Fixture f;
    auto in = f.input();
    in.settings.emplace_back("max_calls", "6");
    f.login_reply();
    f.host.reply(200, R"({"max_calls":"4"})");
    f.host.reply(200, "");
    REQUIRE(f.host.call("change_package", in).status == Status::ok);
    CHECK(f.transcript() == std::vector<std::string>{
                                R"(PUT /rest/system/session {"name":"auth","value":"admin 5989e0cf454950382e7b793fb7abdce3"})",
                                "GET /rest/domain/cffm.example.ca/settings",
                                R"(PUT /rest/domain/cffm.example.ca/settings/ {"max_calls":"6"})",
                            });
    f.host.reply(200, R"({"name":"CFFM","country":"1"})");
    auto r = f.host.call("change_package", in);
    CHECK(r.status == Status::error);
    CHECK_THAT(r.message, Catch::Contains("have no 'max_calls' (answer: '{\"name\":\"CFFM\",\"country\":\"1\"}')"));
    CHECK(f.host.requests.size() == 4);  // nothing written
}

TEST_CASE("usage: the CDR list page by page, Vodia's text times with fractions, the service's calls in the order they ended") {
    Fixture f;
    auto in = f.input();
    in.settings.emplace_back("cdr_page_size", "2");
    in.custom_fields.emplace_back("Inbound Search String", "Ann");
    f.login_reply();
    // 1795860000 = 2026-11-28T10:00:00Z. Newest first, as the PBX lists them; d started first,
    // but ended last (a long call).
    const std::string ann = "\"Ann\" <sip:8300@cffm.example.ca>", bob = "\"Bob\" <sip:8301@cffm.example.ca>";
    f.host.reply(200, "[" + cdr(20754, "<sip:+14165550123@trunk>", ann, "1795860200.120", "", "1795860230.500") + "," +
                          cdr(20753, bob, "<sip:15145550101@cffm.example.ca>", "1795860100.000", "1795860101.000", "1795860200.000") + "]");
    f.host.reply(200, "[" + cdr(20752, ann, "<sip:15145550100@cffm.example.ca>", "1795860000.444", "1795860005.445", "1795860065.860") + "," +
                          cdr(20755, ann, "<sip:15145550199@cffm.example.ca>", "1795859000.000", "1795859001.000", "1795861000.000") + "]");
    f.host.reply(200, "[]");
    provisio::UsageRequest req;
    req.since = "2026-11-28T00:00:00Z";
    req.max_records = 100;
    auto r = f.host.collect(req, in);
    INFO(r.message);
    REQUIRE(r.status == Status::ok);
    CHECK(r.message == "3 call(s) of 4 on tenant cffm.example.ca");
    CHECK(f.transcript() == std::vector<std::string>{
                                R"(PUT /rest/system/session {"name":"auth","value":"admin 5989e0cf454950382e7b793fb7abdce3"})",
                                "GET /rest/domain/cffm.example.ca/cdrs?page=1&size=2",
                                "GET /rest/domain/cffm.example.ca/cdrs?page=2&size=2",
                                "GET /rest/domain/cffm.example.ca/cdrs?page=3&size=2",
                            });
    REQUIRE(f.host.usage.size() == 3);
    CHECK(f.host.usage[0].id == "cffm.example.ca/20752");
    CHECK(f.host.usage[0].direction == "outbound");
    CHECK(f.host.usage[0].destination_number == "15145550100");
    CHECK(f.host.usage[0].start == "2026-11-28T10:00:00.444Z");
    CHECK(f.host.usage[0].answer == "2026-11-28T10:00:05.445Z");
    CHECK(f.host.usage[0].billsec == 61);   // 60.415 s: a started second counts
    CHECK(f.host.usage[0].duration == 66);  // 65.416 s
    CHECK(f.host.usage[1].id == "cffm.example.ca/20754");
    CHECK(f.host.usage[1].direction == "inbound");
    CHECK(f.host.usage[1].caller == "14165550123");
    CHECK(f.host.usage[1].billsec == 0);
    CHECK(f.host.usage[1].hangup_cause == "NO ANSWER");
    CHECK(f.host.usage[2].id == "cffm.example.ca/20755");  // started first, ended last
    CHECK(*f.host.usage_cursor == "2026-11-28T10:16:40Z|000|00000000000000020755");
    CHECK(f.logged("3 page(s) of 2, 4 call(s), newest first; times as text with fractions"));

    // The next collection: the same list, plus a call that ended since.
    f.host.reply(200, "[" + cdr(20756, ann, "<sip:15145550102@cffm.example.ca>", "1795861500.000", "1795861500.500", "1795861530.250") + "]");
    req.cursor = *f.host.usage_cursor;
    REQUIRE(f.host.collect(req, in).status == Status::ok);
    REQUIRE(f.host.usage.size() == 1);
    CHECK(f.host.usage[0].id == "cffm.example.ca/20756");
    CHECK(*f.host.usage_cursor == "2026-11-28T10:25:30Z|250|00000000000000020756");
}

TEST_CASE("usage: at most max_records per call, the cursor after the last handed over") {
    Fixture f;
    auto in = f.input();
    const std::string ann = "\"Ann\" <sip:8300@cffm.example.ca>";
    f.login_reply();
    f.host.reply(200, "[" + cdr(3, ann, "<sip:1@t>", "1795860200.0", "", "1795860201.0") + "," + cdr(2, ann, "<sip:1@t>", "1795860100.0", "", "1795860101.0") +
                          "," + cdr(1, ann, "<sip:1@t>", "1795860000.0", "", "1795860001.0") + "]");
    provisio::UsageRequest req;
    req.since = "2026-11-28T00:00:00Z";
    req.max_records = 2;
    REQUIRE(f.host.collect(req, in).status == Status::ok);
    REQUIRE(f.host.usage.size() == 2);
    CHECK(f.host.usage[1].id == "cffm.example.ca/2");
    CHECK(*f.host.usage_cursor == "2026-11-28T10:01:41Z|000|00000000000000000002");
}

// Before: the times were read as integers, so "1795860000.444" gave 0, every call was skipped
// and the collection succeeded with nothing in it.
TEST_CASE("usage: a CDR whose time cannot be read stops the collection with its record and field named") {
    Fixture f;
    const std::string ann = "\"Ann\" <sip:8300@cffm.example.ca>";
    f.login_reply();
    f.host.reply(200, "[" + cdr(20752, ann, "<sip:1@t>", "1795860000.444", "", "1795860065.860") + "," +
                          cdr(20751, ann, "<sip:1@t>", "28/11/2026 09:00", "", "1795859965.860") + "]");
    provisio::UsageRequest req;
    req.since = "2026-11-28T00:00:00Z";
    req.max_records = 100;
    auto r = f.host.collect(req, f.input());
    CHECK(r.status == Status::error);
    CHECK(r.message == "CDR 20751 (page 1, record 2): field 'start' is \"28/11/2026 09:00\", not a time in seconds since 1970 "
                       "(Vodia writes e.g. \"1595572559.444\") — nothing collected for cffm.example.ca");
    CHECK(f.host.usage.empty());
    CHECK_FALSE(f.host.usage_cursor);

    f.host.reply(200, R"({"error":"no"})");
    r = f.host.collect(req, f.input());
    CHECK(r.status == Status::error);
    CHECK_THAT(r.message, Catch::Contains("answered page 1 of the CDR list of cffm.example.ca with '{\"error\":\"no\"}', not a list of CDRs"));
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

TEST_CASE("custom actions on the fake host: list_trunks is listed for operators only, and reads the trunk list") {
    Fixture f;
    REQUIRE(f.host.custom_actions().size() == 1);
    CHECK(f.host.custom_actions()[0].name == "list_trunks");
    CHECK_FALSE(f.host.custom_actions()[0].client_visible);
    f.login_reply();
    f.host.reply(200, R"([{"id":"1","name":"Main","disabled":"false","status1":"200 OK","status2":"30 s"},{"id":"2","name":"Spare","disabled":"","status1":"","status2":""}])");
    const auto r = f.host.custom("list_trunks", f.input());
    CHECK(r.status == Status::ok);
    CHECK(r.message == "2 trunk(s) on cffm.example.ca: Main (id 1, enabled, 200 OK, 30 s); Spare (id 2, enabled, not registered)");
    CHECK(f.transcript().back() == "GET /rest/domain/cffm.example.ca/domain_trunks");
    CHECK_THROWS_AS(f.host.custom("reboot", f.input()), std::invalid_argument);
}
