// The client area of provisio serve, driven over HTTP like a browser without JavaScript: login
// and logout, each client's own records and nobody else's, CSRF tokens on every form, login
// throttling, session fixation, and escaping of everything a client or module could have typed.
#include "support/browser.hpp"
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"
#include "support/served.hpp"

#include <catch2/catch.hpp>

using namespace provisio;
using namespace provisio::test;

namespace {

constexpr const char *evil = "<script>alert(1)</script>";

// Two clients with a service and an unpaid invoice each; client 1's name, domain and product
// carry markup.
void seed(Installation &inst) {
    ok(inst, {"client", "add", "--first-name", std::string("Ada") + evil, "--email", "ada@example.org"});
    ok(inst, {"client", "add", "--first-name", "Bob", "--email", "bob@example.org"});
    ok(inst, {"client", "add", "--first-name", "Cy", "--email", "cy@example.org", "--status", "Closed"});
    for (const char *id : {"1", "2", "3"}) REQUIRE(inst.run({"client", "password", "set", id}, "correct horse battery\n").exit_code == 0);
    ok(inst, {"product", "add", "--name", std::string("Voice ") + evil, "--price", "20"});
    ok(inst, {"service", "add", "--client", "1", "--product", "1", "--domain", std::string("a") + evil + ".example", "--next-due", "2026-06-01"});
    ok(inst, {"service", "add", "--client", "2", "--product", "1", "--domain", "bob.example", "--next-due", "2026-06-01"});
    ok(inst, {"service", "create", "1"});
    ok(inst, {"service", "create", "2"});
    ok(inst, {"--now", "2026-05-28T12:00:00Z", "invoice", "generate"});
}

void no_raw_markup(const HttpResult &page) {
    INFO(page.body);
    CHECK(page.body.find("<script") == std::string::npos);
}

}  // namespace

TEST_CASE("client area: a client logs in, sees its own dashboard, services and invoices, and logs out") {
    Served s(seed);
    Browser b(s);
    HttpResult r = b.get("/");
    CHECK(r.status == 303);
    CHECK(header(r, "location") == "/login");

    r = b.log_in("ada@example.org", "correct horse battery");
    REQUIRE(r.status == 303);
    CHECK(header(r, "location") == "/");
    REQUIRE(b.jar.count("provisio_session") == 1);
    CHECK(b.jar["provisio_session"].size() == 43);  // 256 bits, URL-safe base64

    const HttpResult dash = b.get("/");
    REQUIRE(dash.status == 200);
    CHECK(dash.body.find("Ada&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    CHECK(dash.body.find("id=\"due\">20.00<") != std::string::npos);
    CHECK(dash.body.find("href=\"/invoices/1\"") != std::string::npos);
    CHECK(dash.body.find("href=\"/services/1\"") != std::string::npos);
    CHECK(dash.body.find("bob.example") == std::string::npos);
    no_raw_markup(dash);
    CHECK(header(dash, "content-security-policy").find("default-src 'none'") != std::string::npos);
    CHECK(header(dash, "x-frame-options") == "DENY");
    CHECK(header(dash, "cache-control") == "no-store");
    const std::string set_cookie = header(r, "set-cookie");
    CHECK(set_cookie.find("HttpOnly") != std::string::npos);
    CHECK(set_cookie.find("SameSite=Lax") != std::string::npos);

    for (const char *path : {"/services", "/services/1", "/invoices", "/invoices/1"}) {
        const HttpResult page = b.get(path);
        INFO(path);
        CHECK(page.status == 200);
        no_raw_markup(page);
    }
    CHECK(b.get("/invoices/1").body.find("id=\"balance\">20.00<") != std::string::npos);
    CHECK(b.get("/assets/style.css").status == 200);

    // Bob's records are not found, whichever way they are asked for.
    for (const char *path : {"/services/2", "/invoices/2", "/invoices/999", "/services/x", "/nothing"}) {
        const HttpResult page = b.get(path);
        INFO(path);
        CHECK(page.status == 404);
        CHECK(page.body.find("bob.example") == std::string::npos);
    }

    // Logging out ends the session on the server: the old cookie opens nothing.
    const std::string old = b.jar["provisio_session"];
    r = b.post_from(dash, "/logout");
    CHECK(r.status == 303);
    CHECK(b.jar.count("provisio_session") == 0);
    b.jar["provisio_session"] = old;
    CHECK(b.get("/").status == 303);
    CHECK(s.inst.sql("SELECT count(*) FROM web_sessions") == "0");
}

TEST_CASE("client area: forms without their CSRF token are refused, and nothing changes") {
    Served s(seed);
    Browser b(s);
    // The login form's token must come with its cookie.
    HttpResult r = b.go("POST", "/login", {{"email", "ada@example.org"}, {"password", "correct horse battery"}});
    CHECK(r.status == 403);
    CHECK(b.jar.count("provisio_session") == 0);
    r = b.log_in("ada@example.org", "correct horse battery");
    REQUIRE(r.status == 303);
    // Logging out needs the session's token.
    CHECK(b.go("POST", "/logout").status == 403);
    CHECK(b.go("POST", "/logout", {{"csrf", "forged"}}).status == 403);
    CHECK(b.get("/").status == 200);  // still logged in
}

TEST_CASE("client area: wrong passwords, closed clients, throttling and session fixation") {
    Served s([](Installation &inst) {
        seed(inst);
        inst.edit_config("max_failed_logins_per_address = 25", "max_failed_logins_per_address = 8");
    });
    Browser b(s);
    HttpResult r = b.log_in("ada@example.org", "wrong password");
    CHECK(r.status == 401);
    CHECK(r.body.find("Wrong e-mail address or password.") != std::string::npos);
    CHECK(b.log_in("nobody@example.org", "whatever it is").status == 401);
    r = b.log_in("cy@example.org", "correct horse battery");
    CHECK(r.status == 401);
    CHECK(r.body.find("closed") != std::string::npos);

    // A session id planted before login is not the session after it.
    b.jar["provisio_session"] = "planted-by-an-attacker-xxxxxxxxxxxxxxxxxxxxx";
    REQUIRE(b.log_in("bob@example.org", "correct horse battery").status == 303);
    CHECK(b.jar["provisio_session"] != "planted-by-an-attacker-xxxxxxxxxxxxxxxxxxxxx");
    CHECK(b.get("/").status == 200);

    // Five failures for an account refuse the right password too, with a clear message.
    Browser c(s);
    for (int i = 0; i < 4; ++i) CHECK(c.log_in("ada@example.org", "wrong " + std::to_string(i)).status == 401);
    r = c.log_in("ada@example.org", "correct horse battery");
    CHECK(r.status == 429);
    CHECK(r.body.find("too many failed logins for this account; try again after") != std::string::npos);
    CHECK(c.jar.count("provisio_session") == 0);
    // Logins from one address are counted too ([client_area] max_failed_logins_per_address, 8
    // here): b's three failures and c's four make seven; one more refuses every account from it.
    Browser d(s);
    CHECK(d.log_in("bob@example.org", "wrong again").status == 401);
    r = d.log_in("bob@example.org", "correct horse battery");
    CHECK(r.status == 429);
    CHECK(r.body.find("too many failed logins from this address") != std::string::npos);
    // Only hashes of session ids are stored.
    const std::string live = b.jar["provisio_session"];
    CHECK(s.inst.sql("SELECT count(*) FROM web_sessions WHERE token_hash = '" + live + "'") == "0");
    CHECK(s.inst.sql("SELECT count(*) FROM web_sessions") == "1");
}
