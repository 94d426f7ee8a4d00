// provisio serve: a real server on a loopback port, driven over HTTP. Every route in the table
// refuses a request without credentials and with a role that lacks its permission; what is
// wrong comes back as an RFC 9457 problem; lists page with cursors; SIGTERM stops it cleanly.
#include "http/api_keys.hpp"
#include "net/http_client.hpp"
#include "sim_server.hpp"
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"
#include "support/served.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <thread>

using namespace provisio;
using namespace provisio::test;
using nlohmann::json;

TEST_CASE("every route refuses a request without credentials or with a role lacking its permission") {
    Served s;
    ok(s.inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    const std::string admin = s.key("admin"), reader = s.key("read-only");
    const json doc = json::parse(s.get("/api/v1/openapi.json", admin).body);
    REQUIRE(doc["openapi"] == "3.1.0");
    int routes = 0;
    for (const auto &[pattern, methods] : doc["paths"].items()) {
        std::string path = pattern;
        for (size_t at; (at = path.find("{id}")) != std::string::npos;) path.replace(at, 4, "1");
        for (const auto &[method, op] : methods.items()) {
            ++routes;
            std::string upper = method;
            for (auto &c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            INFO(upper << " " << path);
            // Every documented route is served: neither unknown nor the wrong method (a 404 may
            // still say there is no record 1 there).
            const HttpResult answered = s.request(upper, path, admin);
            CHECK_THAT(answered.body, !Catch::Contains("nothing is served at"));
            CHECK(answered.status != 405);
            if (op["security"].empty()) continue;  // /healthz
            const HttpResult anonymous = s.request(upper, path);
            CHECK(anonymous.status == 401);
            CHECK(header(anonymous, "content-type") == "application/problem+json");
            CHECK(header(anonymous, "www-authenticate") == "Bearer realm=\"provisio\"");
            CHECK(s.request(upper, path, "pv_1_not-the-secret").status == 401);
            // The read-only role has the read permission and no other.
            if (op["x-permission"] == "read") CHECK(s.request(upper, path, reader).status == answered.status);
            else CHECK(s.request(upper, path, reader).status == 403);
        }
    }
    CHECK(routes >= 8);
    // Every route in the table is in the document: a path the table does not serve is a 404 problem.
    const HttpResult unknown = s.get("/api/v1/nothing-here", admin);
    CHECK(unknown.status == 404);
    CHECK(json::parse(unknown.body)["type"] == "urn:provisio:problem:not-found");
}

TEST_CASE("API keys: revoked ones and ones used from an address they do not allow are refused; secrets are never shown again") {
    Served s;
    const std::string good = s.key("read-only"), elsewhere = s.key("read-only", {"10.0.0.0/8"}), here = s.key("read-only", {"127.0.0.1"});
    CHECK(s.get("/api/v1/clients", good).status == 200);
    CHECK(s.get("/api/v1/clients", elsewhere).status == 401);
    CHECK(s.get("/api/v1/clients", here).status == 200);
    const json keys = json::parse(s.inst.run({"--json", "api-key", "list"}).out);
    REQUIRE(keys.size() == 3);
    CHECK(keys[0]["last_used_at"].is_string());
    CHECK(keys[1]["last_used_at"].is_null());
    ok(s.inst, {"api-key", "revoke", "1"});
    CHECK(s.get("/api/v1/clients", good).status == 401);
    // Neither the CLI's list, the API's nor the database holds a secret.
    const std::string admin = s.key("admin");
    const std::string listed = s.inst.run({"--json", "api-key", "list"}).out + s.get("/api/v1/api-keys", admin).body + s.inst.dump();
    for (const auto &secret : {good, elsewhere, here, admin}) CHECK(listed.find(secret.substr(5)) == std::string::npos);
    // Bad input names what is wrong.
    const RunResult bad = s.inst.run({"api-key", "add", "--name", "x", "--role", "root"});
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Catch::Contains("unknown role 'root'"));
    const RunResult cidr = s.inst.run({"api-key", "add", "--name", "x", "--role", "admin", "--allow-ip", "10.0.0.0/33"});
    CHECK_THAT(cidr.err, Catch::Contains("--allow-ip '10.0.0.0/33' is not an address or network"));
    CHECK(address_in("2001:db8::7", "2001:db8::/32"));
    CHECK(!address_in("2001:db9::7", "2001:db8::/32"));
    CHECK(address_in("192.0.2.7", "192.0.2.0/24"));
    CHECK(!address_in("192.0.3.7", "192.0.2.0/24"));
}

TEST_CASE("problems name what is wrong; lists page with cursors") {
    Served s;
    const std::string key = s.key("read-only");
    for (int i = 1; i <= 5; ++i) ok(s.inst, {"client", "add", "--first-name", "C" + std::to_string(i), "--email", "c" + std::to_string(i) + "@example.org"});
    std::vector<int> seen;
    std::string cursor;
    for (int pages = 0; pages < 10; ++pages) {
        const HttpResult r = s.get("/api/v1/clients?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor), key);
        REQUIRE(r.status == 200);
        const json page = json::parse(r.body);
        for (const auto &c : page["data"]) seen.push_back(c["id"]);
        if (page["next_cursor"].is_null()) break;
        cursor = page["next_cursor"];
    }
    CHECK(seen == std::vector<int>{1, 2, 3, 4, 5});
    CHECK(json::parse(s.get("/api/v1/clients/3", key).body)["first_name"] == "C3");

    const HttpResult bad_limit = s.get("/api/v1/clients?limit=5000", key);
    CHECK(bad_limit.status == 400);
    CHECK(json::parse(bad_limit.body)["detail"] == "query parameter limit '5000' must be a whole number from 1 to 1000");
    const HttpResult missing = s.get("/api/v1/clients/42", key);
    CHECK(missing.status == 404);
    CHECK(json::parse(missing.body)["detail"] == "client 42 does not exist");
    CHECK(s.get("/api/v1/clients/abc", key).status == 404);
    const HttpResult wrong_method = s.request("DELETE", "/api/v1/clients/3", key);
    CHECK(wrong_method.status == 405);
    CHECK(header(wrong_method, "allow") == "GET, PATCH");
    CHECK(s.get("/api/v1/services?status=Broken", key).status == 400);
    CHECK(s.get("/api/v1/invoices?status=Overdue", key).status == 400);
    // Invoices page newest first.
    ok(s.inst, {"client", "set", "1", "--separate-invoices", "yes"});
    ok(s.inst, {"product", "add", "--name", "Plan", "--price", "10"});
    for (int i = 1; i <= 3; ++i) {
        ok(s.inst, {"service", "add", "--client", "1", "--product", "Plan", "--next-due", "2026-12-05"});
        ok(s.inst, {"service", "create", std::to_string(i)});
    }
    ok(s.inst, {"--now", "2026-12-01T12:00:00Z", "invoice", "generate"});
    REQUIRE(s.inst.sql("SELECT count(*) FROM invoices") == "3");
    std::vector<int> invoices;
    cursor.clear();
    for (int pages = 0; pages < 10; ++pages) {
        const json page = json::parse(s.get("/api/v1/invoices?client_id=1&limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor), key).body);
        for (const auto &i : page["data"]) invoices.push_back(i["id"]);
        if (page["next_cursor"].is_null()) break;
        cursor = page["next_cursor"];
    }
    CHECK(invoices == std::vector<int>{3, 2, 1});
}

TEST_CASE("a body over [http_server] max_body_kb is refused as a problem, and nothing is stored") {
    Served s([](Installation &inst) { inst.edit_config("max_body_kb = 8192", "max_body_kb = 1"); });
    const std::string key = s.key("billing");
    const std::string big = R"({"first_name": "Ada", "email": "ada@example.org", "company": ")" + std::string(2048, 'x') + "\"}";
    const HttpResult r = s.request("POST", "/api/v1/clients", key, big);
    CHECK(r.status == 413);
    CHECK(json::parse(r.body)["type"] == "urn:provisio:problem:body-too-large");
    CHECK(s.inst.sql("SELECT count(*) FROM clients") == "0");
}

TEST_CASE("serve stops cleanly on SIGTERM, and refuses a bad listen address") {
    Served s;
    REQUIRE(::kill(s.pid, SIGTERM) == 0);
    int status = 0;
    for (int i = 0; i < 100 && ::waitpid(s.pid, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    s.pid = -1;
    const RunResult bad = s.inst.run({"serve", "--listen", "localhost"});
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Catch::Contains("--listen 'localhost' must be ADDRESS:PORT"));
}

TEST_CASE("clients are added and changed through the API, audited with the key; an Idempotency-Key replays instead of repeating") {
    Served s;
    const std::string writer = s.key("billing"), reader = s.key("read-only");
    const std::string ada = R"({"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org", "country": "GB"})";
    CHECK(s.request("POST", "/api/v1/clients", reader, ada).status == 403);

    const HttpResult made = s.request("POST", "/api/v1/clients", writer, ada, "order-17");
    REQUIRE(made.status == 201);
    const json client = json::parse(made.body);
    CHECK(client["email"] == "ada@example.org");
    CHECK(header(made, "location") == "/api/v1/clients/" + client["id"].dump());
    // The same request again under the same key: the same answer, and no second client.
    const HttpResult again = s.request("POST", "/api/v1/clients", writer, ada, "order-17");
    CHECK(again.status == 201);
    CHECK(again.body == made.body);
    CHECK(header(again, "idempotent-replayed") == "true");
    CHECK(s.inst.sql("SELECT count(*) FROM clients") == "1");
    // Another request under that key is refused; without a key, a second POST makes a second client
    // (refused here: the e-mail address is taken).
    const HttpResult reused = s.request("POST", "/api/v1/clients", writer, R"({"first_name": "Bob", "email": "bob@example.org"})", "order-17");
    CHECK(reused.status == 422);
    CHECK(json::parse(reused.body)["type"] == "urn:provisio:problem:idempotency-key-reused");
    CHECK(s.request("POST", "/api/v1/clients", writer, ada).status == 409);

    // Changes: only the fields given; bad input is named.
    const std::string path = "/api/v1/clients/" + client["id"].dump();
    const HttpResult changed = s.request("PATCH", path, writer, R"({"company": "Analytical Engines", "no_late_fees": true})");
    REQUIRE(changed.status == 200);
    CHECK(json::parse(changed.body)["company"] == "Analytical Engines");
    CHECK(json::parse(changed.body)["no_late_fees"] == true);
    CHECK(json::parse(changed.body)["last_name"] == "Lovelace");
    for (const auto &[body, says] : std::vector<std::pair<std::string, std::string>>{
             {R"({"colour": "blue"})", "unknown field 'colour'"},
             {R"({"email": "not an address"})", "email 'not an address' is not an e-mail address"},
             {R"({"no_late_fees": "yes"})", "field no_late_fees must be true or false"},
             {R"({"country": "Narnia"})", "country"},
             {R"([1, 2])", "the body must be a JSON object"},
             {R"({"first_name": )", "the body is not JSON"}}) {
        const HttpResult bad = s.request("PATCH", path, writer, body);
        INFO(body << " -> " << bad.body);
        CHECK(bad.status == 400);
        CHECK_THAT(json::parse(bad.body)["detail"].get<std::string>(), Catch::Contains(says));
    }
    CHECK(s.request("POST", "/api/v1/clients", writer, R"({"email": "x@example.org"})").status == 400);
    // Every write is in the audit log with the key that made it.
    CHECK(s.inst.sql("SELECT group_concat(action || ' by ' || actor, '; ') FROM audit_log WHERE action LIKE 'client%'") ==
          "client added by api key 1 (billing key); client changed by api key 1 (billing key)");
}

TEST_CASE("lifecycle actions through the API call the module in its runner: 200 done, 202 queued, 502 refused") {
    Served s([](Installation &inst) { inst.install_module("scripted"); });
    ok(s.inst, {"client", "add", "--first-name", "Grace", "--email", "grace@example.org"});
    ok(s.inst, {"server", "add", "--name", "pbx1", "--module", "scripted", "--hostname", "pbx1.example", "--username", "admin",
                "--password", "server-pw-987"});
    for (const std::string outcome : {"ok", "retryable", "error"}) {
        ok(s.inst, {"product", "add", "--name", "P-" + outcome, "--module", "scripted", "--price", "5", "--setting", "outcome=" + outcome,
                    "--setting", "region=eu", "--setting", "api_key=KEY-123456"});
        ok(s.inst, {"service", "add", "--client", "1", "--product", "P-" + outcome, "--domain", outcome + ".example"});
    }
    const std::string ops = s.key("provisioning"), billing = s.key("billing");
    CHECK(s.request("POST", "/api/v1/services/1/create", billing).status == 403);

    const HttpResult created = s.request("POST", "/api/v1/services/1/create", ops);
    INFO(created.body);
    REQUIRE(created.status == 200);
    CHECK(json::parse(created.body)["service_status"] == "Active");
    const HttpResult suspended = s.request("POST", "/api/v1/services/1/suspend", ops, R"({"reason": "abuse"})");
    CHECK(suspended.status == 200);
    CHECK(json::parse(s.get("/api/v1/services/1", ops).body)["suspend_reason"] == "abuse");
    CHECK(s.request("POST", "/api/v1/services/1/suspend", ops, R"({"colour": "red"})").status == 400);
    CHECK(s.request("POST", "/api/v1/services/1/change-password", ops).status == 400);

    const HttpResult queued = s.request("POST", "/api/v1/services/2/create", ops);
    CHECK(queued.status == 202);
    CHECK(json::parse(queued.body)["queue_id"].is_number());
    const HttpResult refused = s.request("POST", "/api/v1/services/3/create", ops);
    CHECK(refused.status == 502);
    CHECK_THAT(json::parse(refused.body)["message"].get<std::string>(), Catch::Contains("refused by the PBX"));
    // Nothing a response carries holds the module's secret setting or the server's password.
    for (const auto *r : {&created, &suspended, &queued, &refused}) {
        CHECK(r->body.find("KEY-123456") == std::string::npos);
        CHECK(r->body.find("server-pw-987") == std::string::npos);
    }
    CHECK(s.inst.sql("SELECT count(*) FROM audit_log WHERE actor = 'api key 1 (provisioning key)'") == "4");
    // /metrics counts the module's calls by action and outcome, from the call log.
    const HttpResult m = s.get("/metrics", s.key("read-only"));
    INFO(m.body);
    for (const char *outcome : {"ok", "retryable", "error"})
        CHECK_THAT(m.body, Catch::Contains(std::string("provisio_module_calls{module=\"scripted\",action=\"create\",outcome=\"") + outcome + "\"} 1"));
    CHECK_THAT(m.body, Catch::Contains("provisio_module_calls{module=\"scripted\",action=\"suspend\",outcome=\"ok\"} 1"));
    CHECK_THAT(m.body, Catch::Contains("provisio_module_call_seconds{module=\"scripted\",action=\"create\",outcome=\"ok\"} "));
}

TEST_CASE("/metrics counts requests by route and status and reads the cron history") {
    Served s;
    const std::string key = s.key("read-only");
    ok(s.inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    ok(s.inst, {"--now", "2026-03-10T12:00:00Z", "cron"});
    for (int i = 0; i < 3; ++i) CHECK(s.get("/api/v1/clients/1", key).status == 200);
    CHECK(s.get("/api/v1/clients/2", key).status == 404);
    CHECK(s.get("/api/v1/no/such/thing", key).status == 404);
    CHECK(s.get("/dashboard-typo").status == 303);  // the client area, signed out: to its login page
    const HttpResult m = s.get("/metrics", key);
    REQUIRE(m.status == 200);
    CHECK(header(m, "content-type") == "text/plain; version=0.0.4");
    INFO(m.body);
    CHECK_THAT(m.body, Catch::Contains("provisio_http_requests_total{method=\"GET\",route=\"/api/v1/clients/{id}\",status=\"200\"} 3"));
    CHECK_THAT(m.body, Catch::Contains("provisio_http_requests_total{method=\"GET\",route=\"/api/v1/clients/{id}\",status=\"404\"} 1"));
    CHECK_THAT(m.body, Catch::Contains("provisio_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1"));
    CHECK_THAT(m.body, Catch::Contains("provisio_http_requests_total{method=\"GET\",route=\"(signed out)\",status=\"303\"} 1"));
    CHECK_THAT(m.body, Catch::Contains("provisio_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/clients/{id}\"} 4"));
    CHECK_THAT(m.body, Catch::Contains("provisio_cron_last_run_status{status=\"ok\"} 1"));
    CHECK_THAT(m.body, Catch::Contains("provisio_cron_task_runs{task=\"invoices\",outcome=\"ok\"} 1"));
    CHECK(s.get("/metrics").status == 401);
}

TEST_CASE("credit, the module queue and the audit log read through the API in the CLI's shapes") {
    Served s;
    const std::string reader = s.key("read-only"), admin = s.key("admin");
    ok(s.inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    ok(s.inst, {"credit", "add", "1", "12.50", "--description", "top-up"});
    const json credit = json::parse(s.get("/api/v1/clients/1/credit", reader).body);
    CHECK(credit == json::parse(s.inst.run({"--json", "credit", "list", "1"}).out));
    CHECK(credit["balance"] == "12.50");
    CHECK(s.get("/api/v1/clients/9/credit", reader).status == 404);
    // Adding and taking credit: billing_write, audited, the amount exact decimal text.
    const std::string billing = s.key("billing");
    CHECK(s.request("POST", "/api/v1/clients/1/credit", reader, R"({"amount": "1.00", "description": "x"})").status == 403);
    const HttpResult added = s.request("POST", "/api/v1/clients/1/credit", billing, R"({"amount": "2.25", "description": "goodwill"})");
    REQUIRE(added.status == 201);
    CHECK(json::parse(added.body)["balance"] == "14.75");
    const HttpResult taken = s.request("POST", "/api/v1/clients/1/credit", billing, R"({"amount": "4.75", "description": "fee", "take": true})");
    CHECK(json::parse(taken.body)["balance"] == "10.00");
    CHECK(json::parse(taken.body)["amount"] == "-4.75");
    for (const auto &[body, says] : std::vector<std::pair<std::string, std::string>>{
             {R"({"amount": 5, "description": "x"})", "money is never a JSON number"},
             {R"({"amount": "-5", "description": "x"})", "must be more than zero"},
             {R"({"amount": "5.001", "description": "x"})", "amount"},
             {R"({"amount": "5"})", "description is required"}}) {
        const HttpResult bad = s.request("POST", "/api/v1/clients/1/credit", billing, body);
        INFO(body << " -> " << bad.body);
        CHECK(bad.status == 400);
        CHECK_THAT(json::parse(bad.body)["detail"].get<std::string>(), Catch::Contains(says));
    }
    CHECK(s.inst.sql("SELECT count(*) FROM audit_log WHERE actor LIKE 'api key % (billing key)'") == "2");
    CHECK(json::parse(s.get("/api/v1/queue", reader).body)["data"].empty());
    CHECK(s.get("/api/v1/queue?all=maybe", reader).status == 400);
    CHECK(s.get("/api/v1/audit", reader).status == 403);
    const json audit = json::parse(s.get("/api/v1/audit", admin).body)["data"];
    REQUIRE(audit.size() == 5);  // the three keys made above, the credit added and taken
    CHECK(audit[0]["action"] == "api key added");
}

TEST_CASE("serve speaks HTTPS with [http_server] cert and key, and says HSTS") {
    Served s({}, true);
    const HttpResult health = s.get("/healthz");
    REQUIRE(health.status == 200);
    CHECK(header(health, "strict-transport-security") == "max-age=31536000");
    const std::string key = s.key("read-only");
    CHECK(s.get("/api/v1/clients", key).status == 200);
    // Plain HTTP to the HTTPS port gets no answer.
    HttpExchange plain;
    plain.url = "http" + s.base.substr(5) + "/healthz";
    plain.timeout = std::chrono::seconds(5);
    CHECK(http_exchange(plain).kind != HttpResult::Kind::response);
    // A certificate without its key is refused before anything listens.
    Installation half;
    half.edit_config("cert = \"\"", "cert = \"" + s.ca_file.string() + "\"");
    const RunResult r = half.run({"serve", "--listen", "127.0.0.1:0"});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("[http_server] cert and key go together"));
}

namespace {

// Client 1 (Ada) with service 1 on a metered VoIP product, its calls rated at 0.012/min.
void metered_service(Installation &inst) {
    ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
    ok(inst, {"tariff", "import", "Wholesale", inst.write_file("rates.csv", "Description,Prefix,RateValue,Increment\nNANP,1,0.012,6\n")});
    ok(inst, {"product", "add", "--name", "Metered", "--price", "10"});
    ok(inst, {"package", "set", "Metered", "--tariff", "Wholesale"});
    ok(inst, {"service", "add", "--client", "1", "--product", "Metered", "--domain", "pbx.example.ca | 5192229000"});
}

}  // namespace

TEST_CASE("VoIP usage through the API: calls paged in start order, one call explained, per-day summaries, in the CLI's shapes") {
    Served s([](Installation &inst) {
        metered_service(inst);
        ok(inst, {"service", "create", "1"});
        std::string calls = "xml_cdr_uuid,direction,caller_id_number,destination_number,start_stamp,answer_stamp,end_stamp,billsec\n";
        for (int i = 0; i < 5; ++i)
            calls += "c" + std::to_string(i) + ",outbound,2112," + (i == 3 ? "4165550100" : "5192225555") + ",2026-05-1" + std::to_string(i) +
                     " 10:00:00,2026-05-1" + std::to_string(i) + " 10:00:00,2026-05-1" + std::to_string(i) + " 10:01:00,60\n";
        calls += "c5,outbound,2112,*97,2026-05-12 11:00:00,2026-05-12 11:00:00,2026-05-12 11:00:10,10\n";
        ok(inst, {"cdr", "import", "--service", "1", inst.write_file("calls.csv", calls)});
    });
    const std::string reader = s.key("read-only");
    const json listed = json::parse(s.inst.run({"--json", "cdr", "list", "--service", "1"}).out);
    REQUIRE(listed.size() == 5);  // the *97 is suppressed
    json paged = json::array();
    std::string path = "/api/v1/services/1/cdrs?limit=2";
    for (int pages = 0; pages < 5; ++pages) {
        const json page = json::parse(s.get(path, reader).body);
        for (const auto &c : page["data"]) paged.push_back(c);
        if (page["next_cursor"].is_null()) break;
        path = "/api/v1/services/1/cdrs?limit=2&cursor=" + page["next_cursor"].get<std::string>();
    }
    CHECK(paged == listed);
    CHECK(json::parse(s.get("/api/v1/services/1/cdrs?all=true", reader).body)["data"].size() == 6);
    const json toronto = json::parse(s.get("/api/v1/services/1/cdrs?number=41655", reader).body)["data"];
    REQUIRE(toronto.size() == 1);
    CHECK(toronto[0]["source_id"] == "c3");
    CHECK(json::parse(s.get("/api/v1/services/1/cdrs?from=2026-05-12&to=2026-05-14", reader).body)["data"].size() == 2);
    CHECK(s.get("/api/v1/services/1/cdrs?all=maybe", reader).status == 400);
    CHECK(s.get("/api/v1/services/1/cdrs?from=2026-13-01", reader).status == 400);
    CHECK(s.get("/api/v1/services/9/cdrs", reader).status == 404);

    const json one = json::parse(s.get("/api/v1/cdrs/" + std::to_string(listed[0]["id"].get<int64_t>()), reader).body);
    CHECK(one["source_id"] == "c0");
    bool rate_step = false;
    for (const auto &step : one["explanation"])
        if (step["step"] == "rate") rate_step = step["text"].get<std::string>().find("prefix 1 in the tariff Wholesale") != std::string::npos;
    CHECK(rate_step);
    CHECK(s.get("/api/v1/cdrs/1", reader).status == 404);

    const json summary = json::parse(s.get("/api/v1/services/1/usage?from=2026-05-01&to=2026-06-01", reader).body);
    CHECK(summary == json::parse(s.inst.run({"--json", "cdr", "summary", "--service", "1", "--from", "2026-05-01", "--to", "2026-06-01"}).out));
    CHECK(summary["total"]["calls"] == 5);
    CHECK(summary["total"]["cost"] == "0.0600");
    CHECK(json::parse(s.get("/api/v1/clients/1/usage?from=2026-05-01&to=2026-06-01", reader).body)["total"] == summary["total"]);
    CHECK(s.get("/api/v1/services/1/usage?from=2026-05-01", reader).status == 400);
    CHECK(s.get("/api/v1/services/1/usage?from=2026-05-01&to=2027-06-01", reader).status == 400);
}

TEST_CASE("time credits through the API: the Service Credits view of a client and of a service, as `timelog show --json`") {
    Served s([](Installation &inst) {
        inst.install_module("timelog");
        ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
        ok(inst, {"product", "add", "--name", "Support", "--module", "timelog", "--price", "100", "--setting", "cycle=monthly",
                  "--setting", "credits=5"});
        ok(inst, {"--now", "2026-04-30T15:00:00Z", "service", "add", "--client", "1", "--product", "Support"});
        ok(inst, {"--now", "2026-04-30T15:00:00Z", "service", "create", "1"});
        ok(inst, {"--now", "2026-05-02T12:00:00Z", "cron", "--task", "time-credits"});
        ok(inst, {"timelog", "add", "1", "--minutes", "45", "--note", "setup"});
    });
    const std::string reader = s.key("read-only");
    const json client = json::parse(s.get("/api/v1/clients/1/time-credits", reader).body);
    CHECK(client == json::parse(s.inst.run({"--json", "timelog", "show", "--client", "1"}).out));
    CHECK(client["total"] == "4.25");
    CHECK(json::parse(s.get("/api/v1/services/1/time-credits", reader).body) ==
          json::parse(s.inst.run({"--json", "timelog", "show", "--service", "1"}).out));
    CHECK(s.get("/api/v1/clients/7/time-credits", reader).status == 404);
}

TEST_CASE("products, contacts, cancellation requests and cron runs read through the API in the CLI's shapes") {
    Served s([](Installation &inst) {
        ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
        ok(inst, {"contact", "add", "1", "--first-name", "Bea", "--last-name", "Bee", "--email", "bea@example.org", "--subscribe", "invoice"});
        ok(inst, {"product", "add", "--name", "Hosting", "--price", "9.50"});
        ok(inst, {"service", "add", "--client", "1", "--product", "Hosting"});
        ok(inst, {"service", "create", "1"});
        ok(inst, {"service", "cancel-request", "1", "--when", "end-of-period", "--reason", "moving"});
        ok(inst, {"cron", "--task", "autosuspend"});
    });
    const std::string reader = s.key("read-only");
    auto cli = [&](std::vector<std::string> args) {
        args.insert(args.begin(), "--json");
        const RunResult r = s.inst.run(args);
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        return json::parse(r.out);
    };
    auto api = [&](const std::string &path) {
        const HttpResult r = s.get(path, reader);
        INFO(path << " " << r.body);
        REQUIRE(r.status == 200);
        return json::parse(r.body);
    };
    CHECK(api("/api/v1/products")["data"] == cli({"product", "list"}));
    CHECK(api("/api/v1/products/1") == cli({"product", "show", "1"}));
    CHECK(s.get("/api/v1/products/5", reader).status == 404);
    const json contacts = api("/api/v1/clients/1/contacts")["data"];
    CHECK(contacts == cli({"contact", "list", "1"}));
    CHECK(contacts[0]["email_categories"] == json::array({"invoice"}));
    CHECK(api("/api/v1/cancellations")["data"] == cli({"cancellation", "list"}));
    CHECK(api("/api/v1/cancellations?all=true")["data"].size() == 1);
    CHECK(s.get("/api/v1/cancellations?all=1", reader).status == 400);
    CHECK(api("/api/v1/cron/runs")["data"] == cli({"cron", "history"}));
    CHECK(api("/api/v1/cron/runs?limit=1")["data"].size() == 1);
    CHECK(s.get("/api/v1/cron/runs?limit=0", reader).status == 400);
}

TEST_CASE("a lifecycle action whose module does not answer within its deadline is queued: 202, and the server goes on serving") {
    Served s([](Installation &inst) {
        inst.edit_config("call_timeout = 60", "call_timeout = 2");
        inst.install_module("hostile_hang_call");
        ok(inst, {"product", "add", "--name", "P", "--module", "hostile_hang_call", "--price", "5"});
        ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
        ok(inst, {"service", "add", "--client", "1", "--product", "P", "--username", "poison"});
        ok(inst, {"service", "create", "1"});
    });
    const std::string ops = s.key("provisioning");
    const auto started = std::chrono::steady_clock::now();
    const HttpResult slow = s.request("POST", "/api/v1/services/1/suspend", ops);
    const auto waited = std::chrono::steady_clock::now() - started;
    INFO(slow.body);
    CHECK(slow.status == 202);
    CHECK(json::parse(slow.body)["queue_id"].is_number());
    CHECK_THAT(json::parse(slow.body)["message"].get<std::string>(), Catch::Contains("did not answer within 2 s"));
    CHECK(waited < std::chrono::seconds(8));  // the deadline, not the module, decides
    CHECK(json::parse(s.get("/api/v1/services/1", ops).body)["status"] == "Active");
    CHECK(s.get("/healthz").status == 200);
}

TEST_CASE("paging through 100,000 calls: every call once, in order, and serve's memory stays flat") {
    Served s([](Installation &inst) {
        metered_service(inst);
        // Stored as an import stores them: ids from the start second, a call every 7 s.
        inst.sql("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99999) "
                 "INSERT INTO cdrs (id, service_id, source, source_id, direction, caller, destination, caller_destination, start_at, "
                 "answer_at, end_at, duration, billsec, hangup_cause, status, number, billed_seconds, cost_micros, imported_at) "
                 "SELECT (unixepoch('2026-03-01') + i * 7) * 1000000, 1, 'fusionpbx', 'call-' || i, 'outbound', '2112', '5192225555', '', "
                 "strftime('%Y-%m-%dT%H:%M:%SZ', unixepoch('2026-03-01') + i * 7, 'unixepoch'), NULL, "
                 "strftime('%Y-%m-%dT%H:%M:%SZ', unixepoch('2026-03-01') + i * 7 + 5, 'unixepoch'), 5, 0, 'NO_ANSWER', 'unanswered', "
                 "'15192225555', 0, 0, '2026-04-01T00:00:00Z' FROM n");
    });
    const std::string reader = s.key("read-only");
    auto rss_kib = [&] {
        std::ifstream status("/proc/" + std::to_string(s.pid) + "/status");
        for (std::string line; std::getline(status, line);)
            if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
        return 0L;
    };
    // One pass over every page: how many calls, in order.
    auto pass = [&] {
        int64_t seen = 0, last = 0;
        bool in_order = true;
        std::string path = "/api/v1/services/1/cdrs?limit=1000";
        for (int page = 0; page < 200; ++page) {
            const HttpResult r = s.get(path, reader);
            REQUIRE(r.status == 200);
            const json body = json::parse(r.body);
            for (const auto &c : body["data"]) {
                in_order = in_order && c["id"].get<int64_t>() > last;
                last = c["id"].get<int64_t>();
                ++seen;
            }
            if (body["next_cursor"].is_null()) break;
            path = "/api/v1/services/1/cdrs?limit=1000&cursor=" + body["next_cursor"].get<std::string>();
        }
        CHECK(in_order);
        return seen;
    };
    const long at_start = rss_kib();
    CHECK(pass() == 100000);
    const long after_one = rss_kib();
    CHECK(pass() == 100000);
    CHECK(pass() == 100000);
    const long after_three = rss_kib();
    // The first pass warms the connections' page caches and the allocator's arenas (far less
    // than the 100,000 calls' JSON, about 60 MB); passes after it add nothing.
    INFO("RSS " << at_start << " KiB at the start, " << after_one << " after one pass, " << after_three << " after three");
#if !defined(__SANITIZE_ADDRESS__)  // AddressSanitizer keeps freed memory in quarantine (256 MiB) on purpose
    CHECK(after_one - at_start < 32 * 1024);
#endif
    CHECK(after_three - after_one < 4 * 1024);
}

TEST_CASE("writes through the API: orders, payments and credit with what paying sets off, notes, and tariff uploads") {
    Served s([](Installation &inst) { inst.install_module("scripted"); });
    ok(s.inst, {"client", "add", "--first-name", "Grace", "--email", "grace@example.org"});
    ok(s.inst, {"client", "add", "--first-name", "Alan", "--email", "alan@example.org"});
    ok(s.inst, {"server", "add", "--name", "pbx1", "--module", "scripted", "--hostname", "pbx1.example", "--username", "admin",
                "--password", "server-pw-987"});
    ok(s.inst, {"product", "add", "--name", "Phone", "--module", "scripted", "--price", "20", "--setting", "outcome=ok", "--setting",
                "region=eu", "--setting", "api_key=KEY-123456"});
    ok(s.inst, {"addon", "catalogue", "add", "--name", "Extra DID", "--price", "2"});
    const std::string ops = s.key("provisioning"), billing = s.key("billing"), reader = s.key("read-only");

    // An order: the Pending service, its addon and their invoice; the product provisions on payment.
    CHECK(s.request("POST", "/api/v1/orders", billing, R"({"client_id": 1, "product": "Phone"})").status == 403);
    CHECK(s.request("POST", "/api/v1/orders", ops, R"({"client_id": 1})").status == 400);
    CHECK(s.request("POST", "/api/v1/orders", ops, R"({"client_id": 1, "product": "Phone", "price": 5})").status == 400);
    CHECK(s.request("POST", "/api/v1/orders", ops, R"({"client_id": 1, "product": "Fax"})").status == 404);
    CHECK(s.request("POST", "/api/v1/orders", ops, R"({"client_id": 1, "product": "Phone", "colour": "red"})").status == 400);
    CHECK(s.inst.sql("SELECT count(*) FROM services") == "0");
    HttpResult r = s.request("POST", "/api/v1/orders", ops, R"({"client_id": 1, "product": "Phone", "domain": "g.example", "addons": ["Extra DID"]})");
    INFO(r.body);
    REQUIRE(r.status == 201);
    CHECK(header(r, "location") == "/api/v1/services/1");
    json placed = json::parse(r.body);
    CHECK(placed["service"]["status"] == "Pending");
    CHECK(placed["addons"] == json::array({1}));
    REQUIRE(placed["invoices"].size() >= 1);
    CHECK(placed["setup"].empty());
    CHECK(placed["note"] == "service 1 is provisioned when its first invoice is paid");
    CHECK(json::parse(s.get("/api/v1/services/1/addons", reader).body)["data"][0]["name"] == "Extra DID");
    CHECK(json::parse(s.get("/api/v1/addons", reader).body)["data"].size() == 1);

    // Paying it: the service is created at once, as `invoice pay` does it.
    const std::string invoice = std::to_string(placed["invoices"][0].get<int64_t>());
    CHECK(s.request("POST", "/api/v1/invoices/" + invoice + "/payments", ops, R"({"method": "banktransfer"})").status == 403);
    CHECK(s.request("POST", "/api/v1/invoices/" + invoice + "/payments", billing, R"({"amount": "5.00"})").status == 400);
    CHECK(s.request("POST", "/api/v1/invoices/" + invoice + "/payments", billing, R"({"method": "barter"})").status == 400);
    r = s.request("POST", "/api/v1/invoices/" + invoice + "/payments", billing, R"({"method": "banktransfer", "transaction_id": "BT-1"})");
    REQUIRE(r.status == 201);
    json paid = json::parse(r.body);
    CHECK(paid["paid"] == true);
    CHECK(paid["balance_due"] == "0.00");
    CHECK_THAT(paid["then"].dump(), Catch::Contains("service 1 create: ok"));
    CHECK(json::parse(s.get("/api/v1/services/1", reader).body)["status"] == "Active");
    CHECK(s.request("POST", "/api/v1/invoices/" + invoice + "/payments", billing, R"({"method": "banktransfer"})").status == 409);

    // A second order whose invoice the client's credit pays later.
    r = s.request("POST", "/api/v1/orders", ops, R"({"client_id": 1, "product": "Phone"})");
    REQUIRE(r.status == 201);
    const std::string second = std::to_string(json::parse(r.body)["invoices"][0].get<int64_t>());
    r = s.request("POST", "/api/v1/invoices/" + second + "/apply-credit", billing);
    REQUIRE(r.status == 200);
    CHECK(json::parse(r.body)["applied"] == "0.00");
    CHECK(s.request("POST", "/api/v1/clients/1/credit", billing, R"({"amount": "50.00", "description": "prepaid"})").status == 201);
    r = s.request("POST", "/api/v1/invoices/" + second + "/apply-credit", billing);
    REQUIRE(r.status == 200);
    const json applied = json::parse(r.body);
    CHECK(applied["applied"] == "20.00");
    CHECK(applied["paid"] == true);
    CHECK_THAT(applied["then"].dump(), Catch::Contains("service 2 create: ok"));
    CHECK(s.request("POST", "/api/v1/invoices/" + second + "/apply-credit", billing).status == 409);
    CHECK(json::parse(s.get("/api/v1/clients/1/credit", reader).body)["balance"] == "30.00");
    // The CLI does the same through the same use-case.
    CHECK(s.inst.run({"invoice", "apply-credit", second}).exit_code == 4);

    // Notes: added with the key as author, listed, deleted only through their own client.
    CHECK(s.request("POST", "/api/v1/clients/1/notes", billing, R"({"text": "  "})").status == 400);
    r = s.request("POST", "/api/v1/clients/1/notes", billing, R"({"text": "Porting <b>5551234</b> next week"})");
    REQUIRE(r.status == 201);
    CHECK_THAT(json::parse(r.body)["author"].get<std::string>(), Catch::Contains("api key 2 (billing key)"));
    CHECK(json::parse(s.get("/api/v1/clients/1/notes", reader).body)["data"].size() == 1);
    CHECK(json::parse(s.inst.run({"--json", "client", "note", "list", "1"}).out)[0]["text"] == "Porting <b>5551234</b> next week");
    CHECK(s.request("DELETE", "/api/v1/clients/2/notes/1", billing).status == 404);
    CHECK(s.request("DELETE", "/api/v1/clients/1/notes/1", reader).status == 403);
    CHECK(s.request("DELETE", "/api/v1/clients/1/notes/1", billing).status == 204);
    CHECK(json::parse(s.get("/api/v1/clients/1/notes", reader).body)["data"].empty());

    // A tariff's next version uploaded as CSV; a card with an error is refused whole.
    const std::string card = "Description,Prefix,RateValue,Increment\nCanada/US,1,0.012,6\nUK,44,0.030,60\n";
    CHECK(s.request("POST", "/api/v1/tariffs/Wholesale/versions", billing, card).status == 400);  // not sent as text/csv
    r = s.request("POST", "/api/v1/tariffs/Wholesale/versions", billing, "Description,Prefix,RateValue\nUK,44,0.03\n", "", "text/csv");
    CHECK(r.status == 400);
    CHECK_THAT(json::parse(r.body)["detail"].get<std::string>(), Catch::Contains("missing required column Increment"));
    r = s.request("POST", "/api/v1/tariffs/Wholesale/versions", billing, card, "", "text/csv; charset=utf-8");
    INFO(r.body);
    REQUIRE(r.status == 201);
    CHECK(json::parse(r.body)["rates"] == 2);
    const json tariffs = json::parse(s.get("/api/v1/tariffs", reader).body)["data"];
    REQUIRE(tariffs.size() == 1);
    CHECK(tariffs == json::parse(s.inst.run({"--json", "tariff", "list"}).out));
    const json tariff = json::parse(s.get("/api/v1/tariffs/1", reader).body);
    CHECK(tariff["versions"][0]["file"] == "upload by api key 2 (billing key)");
    CHECK(tariff == json::parse(s.inst.run({"--json", "tariff", "show", "Wholesale"}).out));
    CHECK(s.inst.run({"tariff", "export", "Wholesale"}).out ==
          "Description,Prefix,RateValue,Increment,ConnectFee,MinimumDuration,GracePeriod\nCanada/US,1,0.012,6,0.00,6,0\nUK,44,0.03,60,0.00,60,0\n");
    CHECK(s.get("/api/v1/products/1/package", reader).status == 404);
    ok(s.inst, {"package", "set", "Phone", "--tariff", "Wholesale"});
    CHECK(json::parse(s.get("/api/v1/products/1/package", reader).body) == json::parse(s.inst.run({"--json", "package", "show", "Phone"}).out));
}

TEST_CASE("writes through the API: client fields, service settings, cancellation requests, time logged, queue retry and release") {
    Served s([](Installation &inst) {
        inst.install_module("scripted");
        inst.install_module("timelog");
    });
    ok(s.inst, {"client", "add", "--first-name", "Grace", "--email", "grace@example.org"});
    ok(s.inst, {"field", "add", "--name", "Account Manager", "--type", "text"});
    ok(s.inst, {"field", "add", "--name", "Tier", "--type", "dropdown", "--options", "gold,silver", "--default", "silver"});
    ok(s.inst, {"server", "add", "--name", "pbx1", "--module", "scripted", "--hostname", "pbx1.example", "--username", "admin",
                "--password", "server-pw-987"});
    ok(s.inst, {"product", "add", "--name", "Phone", "--module", "scripted", "--price", "5", "--setting", "outcome=ok", "--setting",
                "region=eu", "--setting", "api_key=KEY-123456"});
    ok(s.inst, {"service", "add", "--client", "1", "--product", "Phone", "--domain", "g.example"});
    ok(s.inst, {"service", "create", "1"});
    ok(s.inst, {"product", "add", "--name", "Support hours", "--module", "timelog", "--price", "100"});
    ok(s.inst, {"service", "add", "--client", "1", "--product", "Support hours"});
    ok(s.inst, {"service", "create", "2"});
    const std::string ops = s.key("provisioning"), billing = s.key("billing"), reader = s.key("read-only");

    // Custom fields: all or none saved; each value checked as the CLI checks it.
    CHECK(json::parse(s.get("/api/v1/clients/1/fields", reader).body) == json{{"Account Manager", ""}, {"Tier", "silver"}});
    CHECK(s.request("PATCH", "/api/v1/clients/1/fields", billing, R"({"Account Manager": "Ann", "Tier": "bronze"})").status == 400);
    CHECK(s.request("PATCH", "/api/v1/clients/1/fields", billing, R"({"Colour": "red"})").status == 404);
    CHECK(json::parse(s.get("/api/v1/clients/1/fields", reader).body)["Account Manager"] == "");
    HttpResult r = s.request("PATCH", "/api/v1/clients/1/fields", billing, R"({"Account Manager": "Ann", "Tier": "gold"})");
    REQUIRE(r.status == 200);
    CHECK(json::parse(r.body) == json::parse(s.inst.run({"--json", "field", "show", "1"}).out));

    // Module settings: overridden, checked against the schema, unset with null; a password shown as "(set)".
    CHECK(json::parse(s.get("/api/v1/services/1/settings", reader).body) == json::parse(s.inst.run({"--json", "service", "settings", "1"}).out));
    CHECK(s.request("PATCH", "/api/v1/services/1/settings", ops, R"({"nonsense": "1"})").status == 400);
    r = s.request("PATCH", "/api/v1/services/1/settings", ops, R"({"region": "us", "api_key": "KEY-999999"})");
    REQUIRE(r.status == 200);
    for (const auto &row : json::parse(r.body)) {
        if (row["key"] == "region") CHECK(row["override"] == "us");
        if (row["key"] == "api_key") CHECK(row["override"] == "(set)");
    }
    CHECK(s.inst.sql("SELECT count(*) FROM audit_log WHERE action = 'service settings changed' AND detail LIKE '%KEY-999999%'") == "0");
    r = s.request("PATCH", "/api/v1/services/1/settings", ops, R"({"region": null})");
    for (const auto &row : json::parse(r.body))
        if (row["key"] == "region") CHECK(row["override"].is_null());

    // A cancellation request, listed for the operator, then withdrawn.
    CHECK(s.request("POST", "/api/v1/services/1/cancellation", ops, R"({"when": "tomorrow"})").status == 400);
    r = s.request("POST", "/api/v1/services/1/cancellation", ops, R"({"when": "end-of-period", "reason": "moving"})");
    REQUIRE(r.status == 201);
    CHECK(json::parse(r.body)["reason"] == "moving");
    CHECK(s.request("POST", "/api/v1/services/1/cancellation", ops, R"({"when": "immediate"})").status == 409);
    CHECK(json::parse(s.get("/api/v1/cancellations", reader).body)["data"].size() == 1);
    CHECK(s.request("DELETE", "/api/v1/services/1/cancellation", ops).status == 204);
    CHECK(s.request("DELETE", "/api/v1/services/1/cancellation", ops).status == 404);

    // Time logged on a service with time credits (and refused on one without).
    CHECK(s.request("POST", "/api/v1/services/1/time-entries", billing, R"({"minutes": 30, "note": "setup"})").status == 409);
    CHECK(s.request("POST", "/api/v1/services/2/time-entries", billing, R"({"minutes": 0, "note": "setup"})").status == 400);
    CHECK(s.request("POST", "/api/v1/services/2/time-entries", billing, R"({"minutes": 30})").status == 400);
    r = s.request("POST", "/api/v1/services/2/time-entries", billing, R"({"minutes": 90, "note": "PBX setup"})");
    INFO(r.body);
    REQUIRE(r.status == 201);
    CHECK(json::parse(r.body)["hours"] == "-1.50");
    CHECK_THAT(s.inst.run({"timelog", "show", "--service", "2"}).out, Catch::Contains("PBX setup"));

    // The queue: a retryable failure queued, retried through the API, not released (not parked).
    ok(s.inst, {"product", "set", "Phone", "--setting", "outcome=retryable"});
    CHECK(s.inst.run({"service", "suspend", "1"}).exit_code == 6);
    const int64_t item = json::parse(s.inst.run({"--json", "queue", "list"}).out)[0]["id"];
    r = s.request("POST", "/api/v1/queue/" + std::to_string(item) + "/retry", ops);
    REQUIRE(r.status == 200);
    CHECK(json::parse(r.body)["result"] == "retryable");
    r = s.request("POST", "/api/v1/queue/" + std::to_string(item) + "/release", ops);
    CHECK(r.status == 409);
    CHECK_THAT(json::parse(r.body)["detail"].get<std::string>(), Catch::Contains("is not parked"));
    CHECK(s.request("POST", "/api/v1/queue/999/retry", ops).status == 404);
}
