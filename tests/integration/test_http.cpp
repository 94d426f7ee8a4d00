// The host's HTTP service against real loopback servers: plain HTTP, TLS with verification
// (refused for an unknown CA, accepted with the CA configured or verification turned off),
// timeouts and refused connections as retryable failures.
#include "net/http_client.hpp"
#include "support/http_server.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>

using namespace provisio;
using namespace provisio::test;

TEST_CASE("plain HTTP exchange") {
    HttpServer server;
    server.set_body("pong");
    HttpExchange x;
    x.url = server.url("/ping?x=1");
    x.method = "POST";
    x.body = "{}";
    x.headers = {{"X-Test", "1"}};
    const HttpResult r = http_exchange(x);
    REQUIRE(r.kind == HttpResult::Kind::response);
    CHECK(r.status == 200);
    CHECK(r.body == "pong");
    CHECK(server.requests() == std::vector<std::string>{"POST /ping?x=1"});
    bool has_content_type = false;
    for (const auto &[k, v] : r.headers) has_content_type |= k == "content-type" && v == "text/plain";
    CHECK(has_content_type);
}

TEST_CASE("HTTP error statuses are responses, not transport failures") {
    HttpServer server;
    server.status = 503;
    const HttpResult r = http_exchange({.url = server.url()});
    CHECK(r.kind == HttpResult::Kind::response);
    CHECK(r.status == 503);
}

TEST_CASE("TLS: certificates are verified unless the operator says otherwise") {
    TempDir dir;
    const TlsFiles tls = make_self_signed(dir.path());
    HttpServer server(tls);

    HttpExchange x;
    x.url = server.url("/secure");
    const HttpResult unknown_ca = http_exchange(x);
    CHECK(unknown_ca.kind == HttpResult::Kind::failure);
    CHECK(unknown_ca.error.find("failed verification") != std::string::npos);

    x.ca_file = tls.certificate;
    const HttpResult trusted = http_exchange(x);
    REQUIRE(trusted.kind == HttpResult::Kind::response);
    CHECK(trusted.body == "ok");

    HttpExchange insecure;
    insecure.url = server.url("/secure");
    insecure.verify_tls = false;
    CHECK(http_exchange(insecure).kind == HttpResult::Kind::response);

    // The certificate names 127.0.0.1 and localhost, not this host name.
    HttpExchange wrong_name;
    wrong_name.url = "https://ip6-localhost-does-not-resolve.invalid:" + std::to_string(server.port()) + "/";
    wrong_name.ca_file = tls.certificate;
    CHECK(http_exchange(wrong_name).kind != HttpResult::Kind::response);
}

TEST_CASE("a slow server times out as a retryable failure") {
    HttpServer server;
    server.delay_ms = 1500;
    HttpExchange x;
    x.url = server.url();
    x.timeout = std::chrono::milliseconds(200);
    const auto started = std::chrono::steady_clock::now();
    const HttpResult r = http_exchange(x);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(1400));
    CHECK(r.kind == HttpResult::Kind::retryable_failure);
    CHECK(r.error.find("timed out after 200 ms") != std::string::npos);
}

TEST_CASE("a refused connection is retryable; a malformed URL is not") {
    unsigned short port;
    {
        HttpServer server;
        port = server.port();
    }
    const HttpResult refused = http_exchange({.url = "http://127.0.0.1:" + std::to_string(port) + "/"});
    CHECK(refused.kind == HttpResult::Kind::retryable_failure);
    CHECK(refused.error.find("cannot connect") != std::string::npos);

    CHECK(http_exchange({.url = "ftp://x/"}).kind == HttpResult::Kind::failure);
    CHECK(http_exchange({.url = "http://user:pw@host/"}).error.find("credentials in the URL") != std::string::npos);
    CHECK(http_exchange({.url = "http://host:99999/"}).error.find("invalid port") != std::string::npos);
}
