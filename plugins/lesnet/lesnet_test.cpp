// The lesnet module on the SDK's fake host: requests it makes, answers it understands, the
// CDR file's layout, paging and conditional fetches. No core, no network.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

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
};

const char *file_v1 =
    "uniqueid,peer,calldate,src,dst,direction,duration,billsec\n"
    "u1,D4E3CD2BFC791,2026-11-28 10:00:00,12046664021,15145550100,outbound,70,65\n"
    "u2,OTHERPEER0001,2026-11-28 10:05:00,12045550000,15145550101,outbound,70,65\n"
    "u3,D4E3CD2BFC791,2026-11-28 11:00:00,14165550123,12046664021,inbound,30,25\n"
    "u4,D4E3CD2BFC791,not a time,1,2,outbound,1,1\n";

}  // namespace

TEST_CASE("suspend disables the peer and unsuspend enables the one it disabled") {
    Fixture f;
    f.host.reply(200, R"({"status":"success"})");
    auto in = f.input();
    REQUIRE(f.host.call("suspend", in).status == Status::ok);
    REQUIRE(f.host.requests.size() == 1);
    CHECK(f.host.requests[0].method == "POST");
    CHECK(f.host.requests[0].url == "https://api.example.net/v1/peer/disable/");
    const auto body = nlohmann::json::parse(f.host.requests[0].body);
    CHECK(body["peer"] == "D4E3CD2BFC791");
    CHECK(body["authentication"]["idkey"] == "11330");
    CHECK(f.host.state[1]["disabled_peer"] == "D4E3CD2BFC791");

    // The service's fields change while it is suspended: unsuspend still enables the peer it disabled.
    in.service = {{"domain", "NEWPEER000001 | 12046664021"}};
    f.host.reply(200, R"({"status":"success"})");
    REQUIRE(f.host.call("unsuspend", in).status == Status::ok);
    CHECK(nlohmann::json::parse(f.host.requests[1].body)["peer"] == "D4E3CD2BFC791");
    CHECK(f.host.state[1].count("disabled_peer") == 0);
}

TEST_CASE("API failures: credentials, server errors, garbage and timeouts say what and whether to retry") {
    Fixture f;
    f.host.reply(401, R"({"status":"error","message":"authentication failed"})");
    auto r = f.host.call("suspend", f.input());
    CHECK(r.status == Status::error);
    CHECK_THAT(r.message, Catch::Contains("refused the credentials"));
    f.host.reply(500, R"({"error":"boom"})");
    CHECK(f.host.call("suspend", f.input()).status == Status::retryable);
    f.host.reply(200, "{not json");
    r = f.host.call("suspend", f.input());
    CHECK(r.status == Status::retryable);
    CHECK_THAT(r.message, Catch::Contains("not JSON"));
    f.host.reply({PROVISIO_RETRYABLE, 0, {}, "", "timed out after 15000 ms"});
    r = f.host.call("suspend", f.input());
    CHECK(r.status == Status::retryable);
    CHECK_THAT(r.message, Catch::Contains("timed out"));
    f.host.reply(404, R"({"status":"error","message":"peer D4E3CD2BFC791 not found"})");
    r = f.host.call("suspend", f.input());
    CHECK(r.status == Status::error);
    CHECK_THAT(r.message, Catch::Contains("peer D4E3CD2BFC791 not found"));
    CHECK(f.host.state[1].count("disabled_peer") == 0);
    for (const auto &c : f.host.calls) CHECK(c.request.find("s3cret-apikey") == std::string::npos);
}

TEST_CASE("create checks the DID is on the peer; bad service fields are refused") {
    Fixture f;
    f.host.reply(200, R"({"status":"success","data":{"peer":"D4E3CD2BFC791","status":"enabled","dids":["12040000000"]}})");
    auto r = f.host.call("create", f.input());
    CHECK(r.status == Status::error);
    CHECK_THAT(r.message, Catch::Contains("DID 12046664021 is not attached to peer D4E3CD2BFC791"));
    auto in = f.input();
    in.service = {{"domain", "D4E3CD2BFC791 | 1204-666"}};
    r = f.host.call("create", in);
    CHECK(r.status == Status::error);
    CHECK_THAT(r.message, Catch::Contains("DID '1204-666' is not a number"));
}

TEST_CASE("usage: the service's peer's calls after the cursor; an unchanged file is one 304") {
    Fixture f;
    f.host.reply(200, file_v1, {{"etag", "\"v1\""}, {"last-modified", "Sat, 28 Nov 2026 06:00:00 GMT"}});
    provisio::UsageRequest req;
    req.since = "2026-11-01T00:00:00Z";
    req.max_records = 100;
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
    bool warned = false;
    for (const auto &l : f.host.logs) warned = warned || l.text.find("line 5: start 'not a time'") != std::string::npos;
    CHECK(warned);

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
    provisio::UsageRequest req;
    req.since = "2026-11-01T00:00:00Z";
    req.max_records = 1;
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
    CHECK_THAT(file.errors[1], Catch::Contains("line 4: start"));
    CHECK_THAT(file.errors[2], Catch::Contains("line 5: start"));
    CHECK_THROWS_WITH(lesnet::parse_cdr_file("CallID,Date,To,Seconds\n", columns, "+-1:00"), Catch::Contains("UTC offset"));
}
