// The lesnet module on the SDK's fake host: the requests each action makes (as LesNet's sample
// client makes them), the answers it understands and the ones it refuses to guess at, the CDR
// file's layout, paging and conditional fetches. No core, no network.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "api.hpp"
#include "cdr_file.hpp"

#include <provisio/testing.hpp>

#include <nlohmann/json.hpp>

using provisio::Status;
using provisio::testing::CallInput;
using provisio::testing::FakeHost;

namespace {

struct Fixture {
    FakeHost host;
    Fixture() { host.load(provisio::testing::linked_module()); }
    CallInput input() {
        CallInput in;
        in.service = {{"domain", "D4E3CD2BFC791 | 12046664021"}, {"username", "12046664021"}};
        in.server = {{"hostname", "api.example.net"}, {"secure", "yes"}, {"username", "11330"}, {"password", "s3cret-apikey"}};
        in.custom_fields = {{"CDR Link", "https://portal.example.net/cdr/11330_0000.txt"}};
        return in;
    }
    // The host's first collection of a service: no cursor yet.
    static provisio::UsageRequest first_collection(uint32_t max_records) {
        provisio::UsageRequest req;
        req.since = "2026-11-01T00:00:00Z";
        req.max_records = max_records;
        return req;
    }
};

const char *file_v1 =
    "uniqueid,peer,calldate,src,dst,direction,duration,billsec\n"
    "u1,D4E3CD2BFC791,2026-11-28 10:00:00,12046664021,15145550100,outbound,70,65\n"
    "u2,OTHERPEER0001,2026-11-28 10:05:00,12045550000,15145550101,outbound,70,65\n"
    "u3,D4E3CD2BFC791,2026-11-28 11:00:00,14165550123,12046664021,inbound,30,25\n"
    "u4,D4E3CD2BFC791,not a time,1,2,outbound,1,1\n";

// A request as "METHOD URL BODY", the apikey masked: what the transcripts compare.
std::string line(const provisio::HttpRequest &r) {
    std::string body = r.body;
    if (!body.empty()) {
        auto j = nlohmann::json::parse(body);
        if (j.contains("authentication") && j["authentication"].value("apikey", "") == "s3cret-apikey") j["authentication"]["apikey"] = "<apikey>";
        body = j.dump();
    }
    return r.method + " " + r.url + (body.empty() ? "" : " " + body);
}

std::vector<std::string> transcript(const FakeHost &host) {
    std::vector<std::string> out;
    for (const auto &r : host.requests) out.push_back(line(r));
    return out;
}

bool logged(const FakeHost &host, const std::string &text) {
    for (const auto &l : host.logs)
        if (l.text.find(text) != std::string::npos) return true;
    return false;
}

// FakeHost's clock: 2026-01-01T00:00:00Z, so every request's sequence is 1767225600.
const std::string ok = R"({"status":"success"})";

}  // namespace

// ---- Transcripts: each action's exact requests, as LesNet's sample client builds them ----------
// (rwyc-devon/simple-dashboard include/lesnet_api.php: POST https://api.les.net/v1/ENDPOINT/,
// Content-Type application/json, the parameters plus "authentication" {apikey, idkey} and
// "sequence" = time()). The peer endpoints' names are our assumption (docs/modules/lesnet.md).

TEST_CASE("transcript: test connection is one POST to account/balance with authentication and sequence") {
    Fixture f;
    f.host.reply(200, R"({"balance":25.75})");
    const auto r = f.host.call("test_connection", f.input());
    INFO(r.message);
    REQUIRE(r.status == Status::ok);
    CHECK(r.message == "LesNet API answered for idkey 11330: balance 25.75");
    CHECK(transcript(f.host) == std::vector<std::string>{
                                    R"(POST https://api.example.net/v1/account/balance/ {"authentication":{"apikey":"<apikey>","idkey":"11330"},"sequence":1767225600})"});
    bool json_type = false;
    for (const auto &[k, v] : f.host.requests[0].headers) json_type = json_type || (k == "Content-Type" && v == "application/json");
    CHECK(json_type);
}

TEST_CASE("transcript: create reads the peer, then enables it") {
    Fixture f;
    f.host.reply(200, R"({"status":"success","peer":"D4E3CD2BFC791","dids":["12046664021"]})");
    f.host.reply(200, ok);
    const auto r = f.host.call("create", f.input());
    INFO(r.message);
    REQUIRE(r.status == Status::ok);
    CHECK(transcript(f.host) ==
          std::vector<std::string>{
              R"(POST https://api.example.net/v1/peer/info/ {"authentication":{"apikey":"<apikey>","idkey":"11330"},"peer":"D4E3CD2BFC791","sequence":1767225600})",
              R"(POST https://api.example.net/v1/peer/enable/ {"authentication":{"apikey":"<apikey>","idkey":"11330"},"peer":"D4E3CD2BFC791","sequence":1767225600})"});
    CHECK(f.host.state[1]["peer"] == "D4E3CD2BFC791");
}

TEST_CASE("transcript: suspend, unsuspend, terminate and change package are one POST each") {
    Fixture f;
    const std::string auth = R"({"authentication":{"apikey":"<apikey>","idkey":"11330"},)";
    auto in = f.input();
    in.settings = {{"max_channels", "5"}};
    for (const char *action : {"suspend", "unsuspend", "change_package", "terminate"}) {
        f.host.reply(200, ok);
        const auto r = f.host.call(action, in);
        INFO(action << ": " << r.message);
        CHECK(r.status == Status::ok);
    }
    CHECK(transcript(f.host) ==
          std::vector<std::string>{
              "POST https://api.example.net/v1/peer/disable/ " + auth + R"("peer":"D4E3CD2BFC791","sequence":1767225600})",
              "POST https://api.example.net/v1/peer/enable/ " + auth + R"("peer":"D4E3CD2BFC791","sequence":1767225600})",
              "POST https://api.example.net/v1/peer/update/ " + auth + R"("max_channels":5,"peer":"D4E3CD2BFC791","sequence":1767225600})",
              "POST https://api.example.net/v1/peer/disable/ " + auth + R"("peer":"D4E3CD2BFC791","sequence":1767225600})"});
}

TEST_CASE("transcript: collect usage is one GET of the CDR link, conditional once the file was read") {
    Fixture f;
    f.host.reply(200, file_v1, {{"etag", "\"v1\""}});
    provisio::UsageRequest req = Fixture::first_collection(100);
    REQUIRE(f.host.collect(req, f.input()).status == Status::ok);
    f.host.reply(304, "");
    req.cursor = "2026-11-28T11:00:00Z";
    REQUIRE(f.host.collect(req, f.input()).status == Status::ok);
    CHECK(transcript(f.host) ==
          std::vector<std::string>{"GET https://portal.example.net/cdr/11330_0000.txt", "GET https://portal.example.net/cdr/11330_0000.txt"});
    CHECK(f.host.requests[0].headers.empty());
    CHECK(f.host.requests[1].headers == provisio::testing::Pairs{{"If-None-Match", "\"v1\""}});
}

TEST_CASE("the sequence is the host clock's Unix time in seconds, as the sample client's time()") {
    Fixture f;
    f.host.now_us = 1796018400123456;  // 2026-11-30T06:00:00.123456Z
    f.host.reply(200, ok);
    REQUIRE(f.host.call("suspend", f.input()).status == Status::ok);
    CHECK(nlohmann::json::parse(f.host.requests[0].body)["sequence"] == 1796018400);
}

// ---- Answers: LesNet's documented shapes, and everything else quoted, never guessed at ---------

TEST_CASE("suspend remembers the peer it disabled; unsuspend enables that one even if the fields changed") {
    Fixture f;
    f.host.reply(200, ok);
    auto in = f.input();
    REQUIRE(f.host.call("suspend", in).status == Status::ok);
    CHECK(f.host.state[1]["disabled_peer"] == "D4E3CD2BFC791");
    in.service = {{"domain", "NEWPEER000001 | 12046664021"}};
    f.host.reply(200, ok);
    REQUIRE(f.host.call("unsuspend", in).status == Status::ok);
    CHECK(nlohmann::json::parse(f.host.requests[1].body)["peer"] == "D4E3CD2BFC791");
    CHECK(f.host.state[1].count("disabled_peer") == 0);
}

TEST_CASE("an error answer is LesNet's error and error_detail, whatever the HTTP status, and changes nothing") {
    Fixture f;
    for (int http : {200, 400, 404}) {
        INFO("HTTP " << http);
        f.host.reply(http, R"({"status":"error","error":"peer_not_found","error_detail":"peer D4E3CD2BFC791 does not exist"})");
        const auto r = f.host.call("suspend", f.input());
        CHECK(r.status == Status::error);
        CHECK(r.message == "LesNet API (peer/disable) answered an error: peer_not_found: peer D4E3CD2BFC791 does not exist");
        CHECK(f.host.state[1].count("disabled_peer") == 0);
    }
    // An error without its two fields (e.g. the "message" this module once expected) is quoted whole.
    f.host.reply(200, R"({"status":"error","message":"peer not found"})");
    const auto r = f.host.call("suspend", f.input());
    CHECK(r.status == Status::error);
    CHECK_THAT(r.message, Catch::Contains(R"(an error without "error" or "error_detail": {"status":"error","message":"peer not found"})"));
}

TEST_CASE("test connection needs the balance at the top level; the old data/account shape is an error quoting it") {
    Fixture f;
    f.host.reply(200, R"({"status":"success","balance":"12.50"})");
    auto r = f.host.call("test_connection", f.input());
    CHECK(r.status == Status::ok);
    CHECK_THAT(r.message, Catch::EndsWith("balance 12.50"));
    for (const std::string body : {R"({"status":"success","data":{"account":"11330"}})", R"({"status":"success"})", R"({})",
                                   R"({"status":"pending","balance":1})", R"({"balance":{"CAD":1}})", R"([1,2])"}) {
        INFO(body);
        f.host.reply(200, body);
        r = f.host.call("test_connection", f.input());
        CHECK(r.status == Status::error);
        CHECK(r.message == "LesNet API (account/balance) answered in a shape this module does not know (expected a top-level \"balance\"): " + body);
    }
}

TEST_CASE("a write is confirmed only by status success; anything else is an error quoting the answer") {
    Fixture f;
    for (const std::string body : {R"({})", R"({"status":"ok"})", R"({"status":true})", R"("success")", R"([])", R"(null)"}) {
        INFO(body);
        f.host.reply(200, body);
        const auto r = f.host.call("suspend", f.input());
        CHECK(r.status == Status::error);
        CHECK(r.message == "LesNet API (peer/disable) answered in a shape this module does not know (expected {\"status\": \"success\"}): " + body);
        CHECK(f.host.state[1].count("disabled_peer") == 0);
    }
}

TEST_CASE("create: the DIDs at the top level (strings or numbers); inside data with a warning; missing is an error") {
    Fixture f;
    f.host.reply(200, R"({"status":"success","dids":[12046664021]})");
    f.host.reply(200, ok);
    auto r = f.host.call("create", f.input());
    CHECK(r.status == Status::ok);
    CHECK_FALSE(logged(f.host, "inside \"data\""));

    f.host.reply(200, R"({"status":"success","data":{"peer":"D4E3CD2BFC791","dids":["12046664021"]}})");
    f.host.reply(200, ok);
    r = f.host.call("create", f.input());
    CHECK(r.status == Status::ok);
    CHECK(logged(f.host, "LesNet API (peer/info) answered with its fields inside \"data\""));

    f.host.reply(200, R"({"status":"success","dids":["12040000000"]})");
    r = f.host.call("create", f.input());
    CHECK(r.status == Status::error);
    CHECK(r.message == "DID 12046664021 is not attached to peer D4E3CD2BFC791 (attached: 12040000000)");

    const size_t before = f.host.requests.size();
    for (const std::string body : {R"({"status":"success","peer":"D4E3CD2BFC791"})", R"({"status":"success","dids":"12046664021"})",
                                   R"({"status":"success","dids":[{"did":"12046664021"}]})"}) {
        INFO(body);
        f.host.reply(200, body);
        r = f.host.call("create", f.input());
        CHECK(r.status == Status::error);
        CHECK(r.message == "LesNet API (peer/info) answered in a shape this module does not know (expected \"dids\": the peer's numbers): " + body);
    }
    CHECK(f.host.requests.size() == before + 3);  // nothing was enabled

    auto in = f.input();
    in.service = {{"domain", "D4E3CD2BFC791 | 1204-666"}};
    r = f.host.call("create", in);
    CHECK(r.status == Status::error);
    CHECK_THAT(r.message, Catch::Contains("DID '1204-666' is not a number"));
}

TEST_CASE("credentials, server errors, garbage and timeouts say what and whether to retry, quoting without the apikey") {
    Fixture f;
    f.host.reply(401, R"({"status":"error","error":"auth","error_detail":"bad apikey s3cret-apikey"})");
    auto r = f.host.call("suspend", f.input());
    CHECK(r.status == Status::error);
    CHECK(r.message == "LesNet refused the credentials (the server's username is the idkey, its password the apikey): auth: bad apikey ********");
    f.host.reply(403, "<html>Forbidden</html>");
    r = f.host.call("suspend", f.input());
    CHECK(r.status == Status::error);
    CHECK_THAT(r.message, Catch::Contains("refused the credentials") && Catch::Contains("<html>Forbidden</html>"));
    f.host.reply(503, R"({"error":"maintenance"})");
    r = f.host.call("suspend", f.input());
    CHECK(r.status == Status::retryable);
    CHECK(r.message == R"(LesNet API (peer/disable) answered HTTP 503: {"error":"maintenance"})");
    f.host.reply(200, "{not json");
    r = f.host.call("suspend", f.input());
    CHECK(r.status == Status::retryable);
    CHECK(r.message == "LesNet API (peer/disable) answered HTTP 200 with a body that is not JSON: {not json");
    f.host.reply(302, R"({"location":"/login"})");
    r = f.host.call("suspend", f.input());
    CHECK(r.status == Status::error);
    CHECK(r.message == R"(LesNet API (peer/disable) answered HTTP 302: {"location":"/login"})");
    f.host.reply({PROVISIO_RETRYABLE, 0, {}, "", "timed out after 15000 ms"});
    r = f.host.call("suspend", f.input());
    CHECK(r.status == Status::retryable);
    CHECK_THAT(r.message, Catch::Contains("timed out"));
    CHECK(f.host.state[1].count("disabled_peer") == 0);
    for (const auto &c : f.host.calls) CHECK(c.request.find("s3cret-apikey") == std::string::npos);
    for (const auto &c : f.host.calls) CHECK(c.response.find("s3cret-apikey") == std::string::npos);
}

TEST_CASE("a long answer is quoted to 300 bytes, never cutting a character in two") {
    Fixture f;
    const std::string body = R"({"status":"success","note":")" + std::string(271, 'x') + "é" + std::string(100, 'y') + R"("})";
    f.host.reply(200, body);
    const auto r = f.host.call("test_connection", f.input());
    CHECK(r.status == Status::error);
    const std::string quote = r.message.substr(r.message.find("): ") + 3);
    CHECK(quote == body.substr(0, 299) + "…");  // the 'é' is bytes 299 and 300: cut before it
    CHECK(lesnet::quoted("abc", "") == "abc");
}

TEST_CASE("change package: a max_channels that is not a whole number is refused before any request") {
    Fixture f;
    auto in = f.input();
    in.settings = {{"max_channels", "4.5"}};
    const auto r = f.host.call("change_package", in);
    CHECK(r.status == Status::error);
    CHECK(r.message == "max_channels '4.5' is not a whole number of channels");
    CHECK(f.host.requests.empty());
}

TEST_CASE("usage: the service's peer's calls after the cursor; an unchanged file is one 304") {
    Fixture f;
    f.host.reply(200, file_v1, {{"etag", "\"v1\""}, {"last-modified", "Sat, 28 Nov 2026 06:00:00 GMT"}});
    provisio::UsageRequest req = Fixture::first_collection(100);
    auto r = f.host.collect(req, f.input());
    REQUIRE(r.status == Status::ok);
    REQUIRE(f.host.usage.size() == 2);
    CHECK(f.host.usage[0].id == "u1");
    CHECK(f.host.usage[0].direction == "outbound");
    CHECK(f.host.usage[0].start == "2026-11-28T10:00:00Z");
    CHECK(f.host.usage[0].end == "2026-11-28T10:01:10Z");
    CHECK(f.host.usage[1].direction == "inbound");
    CHECK(f.host.usage[1].caller_destination == "12046664021");
    CHECK(*f.host.usage_cursor == "2026-11-28T11:00:00Z");
    CHECK(f.host.state[1]["cdr_etag"] == "\"v1\"");
    bool reported = false;
    for (const auto &l : f.host.logs)
        reported = reported || (l.level == PROVISIO_LOG_ERROR &&
                                l.text == "CDR file line 5 (call u4): start 'not a time' is not "
                                          "YYYY-MM-DD HH:MM:SS (skipped, not billed)");
    CHECK(reported);

    f.host.usage.clear();
    f.host.reply(304, "");
    req.cursor = "2026-11-28T11:00:00Z";
    r = f.host.collect(req, f.input());
    REQUIRE(r.status == Status::ok);
    CHECK(f.host.usage.empty());
    CHECK(*f.host.usage_cursor == "2026-11-28T11:00:00Z");
    bool conditional = false;
    for (const auto &[k, v] : f.host.requests.back().headers) conditional = conditional || (k == "If-None-Match" && v == "\"v1\"");
    CHECK(conditional);
}

TEST_CASE("usage pages through a big file without saving its ETag until the end") {
    Fixture f;
    f.host.reply(200, file_v1, {{"etag", "\"v1\""}});
    provisio::UsageRequest req = Fixture::first_collection(1);
    REQUIRE(f.host.collect(req, f.input()).status == Status::ok);
    CHECK(f.host.usage.size() == 1);
    CHECK(f.host.state[1].count("cdr_etag") == 0);
}

TEST_CASE("the CDR layout comes from a column map; a header without a required column is refused") {
    const auto columns = lesnet::parse_column_map("id=CallID,start=Date,destination=To,billsec=Seconds");
    const auto file = lesnet::parse_cdr_file("CallID,Date,To,Seconds\nx1,2026-11-28 05:00:00,15145550100,42\n", columns, "-05:00");
    REQUIRE(file.rows.size() == 1);
    CHECK(file.rows[0].start_utc == "2026-11-28T10:00:00Z");
    CHECK(file.rows[0].duration == 42);
    CHECK_THROWS_WITH(lesnet::parse_cdr_file("CallID,Date\n", columns, "+00:00"), Catch::Contains("lacks column(s) Seconds, To"));
    CHECK_THROWS_WITH(lesnet::parse_column_map("when=Date"), Catch::Contains("'when=Date' is not FIELD=COLUMN"));
    CHECK_THROWS_WITH(lesnet::parse_cdr_file("", columns, "+00:00"), Catch::Contains("empty"));
}

TEST_CASE("CDR rows: a field count other than the header's, a signed or pre-1970 time, and a bad offset are refused; a BOM is skipped") {
    const auto columns = lesnet::parse_column_map("id=CallID,start=Date,destination=To,billsec=Seconds");
    const auto file = lesnet::parse_cdr_file("\xEF\xBB\xBF" "CallID,Date,To,Seconds\n"
                                             "x1,2026-11-28 05:00:00,15145550100,42\n"
                                             "x2,2026-11-28 05:01:00,1514,5550100,42\n"
                                             "x3,2026-11-28 -5:01:00,15145550100,42\n"
                                             "x4,1969-11-28 05:01:00,15145550100,42\n",
                                             columns, "+00:00");
    REQUIRE(file.rows.size() == 1);
    CHECK(file.rows[0].id == "x1");
    REQUIRE(file.errors.size() == 3);
    CHECK_THAT(file.errors[0], Catch::Contains("line 3: the record has 5 fields, the header has 4"));
    CHECK_THAT(file.errors[1], Catch::Contains("line 4 (call x3): start '2026-11-28 -5:01:00'"));
    CHECK_THAT(file.errors[2], Catch::Contains("line 5 (call x4): start"));
    CHECK_THROWS_WITH(lesnet::parse_cdr_file("CallID,Date,To,Seconds\n", columns, "+-1:00"), Catch::Contains("UTC offset"));
}
