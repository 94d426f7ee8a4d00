// The client area of provisio serve, driven over HTTP like a browser without JavaScript: login
// and logout, each client's own records and nobody else's, CSRF tokens on every form, login
// throttling, session fixation, and escaping of everything a client or module could have typed.
#include "support/browser.hpp"
#include "support/expect_ok.hpp"
#include "support/sandbox.hpp"
#include "support/served.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <regex>
#include <thread>

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

// What a client or module typed never comes back as markup (the pages' own scripts are
// <script src=…> tags of provisio's).
void no_raw_markup(const HttpResult &page) {
    INFO(page.body);
    CHECK(page.body.find(evil) == std::string::npos);
    CHECK(page.body.find("<script>") == std::string::npos);
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

TEST_CASE("client area: a forgotten password is reset with the mailed code, which works once") {
    Served s(seed);
    Browser b(s);
    Browser other(s);
    REQUIRE(other.log_in("ada@example.org", "correct horse battery").status == 303);
    const auto outbox = [&] { return nlohmann::json::parse(s.inst.run({"--json", "mail", "outbox", "--all"}).out); };
    const size_t before = outbox().size();

    // An unknown address gets the same answer, and no mail.
    HttpResult r = b.go("POST", "/password/forgot", {{"csrf", Browser::field(b.get("/password/forgot").body, "csrf")}, {"email", "nobody@example.org"}});
    CHECK(r.status == 200);
    CHECK(r.body.find("If that address belongs to an account") != std::string::npos);
    CHECK(outbox().size() == before);
    // Without the form's token, nothing is sent either.
    CHECK(b.go("POST", "/password/forgot", {{"email", "ada@example.org"}}).status == 403);
    CHECK(outbox().size() == before);

    r = b.go("POST", "/password/forgot", {{"csrf", Browser::field(b.get("/password/forgot").body, "csrf")}, {"email", "ada@example.org"}});
    REQUIRE(r.status == 200);
    const auto mails = outbox();
    REQUIRE(mails.size() == before + 1);
    CHECK(mails.back()["to"] == "ada@example.org");
    std::smatch m;
    const std::string body = mails.back()["body"];
    REQUIRE(std::regex_search(body, m, std::regex("use this code within\\ntwo hours: (\\S+)")));
    const std::string code = m[1].str();

    const std::string token = Browser::field(r.body, "csrf");
    r = b.go("POST", "/password/reset", {{"csrf", token}, {"code", code}, {"password", "a new secret 42"}, {"again", "a different one"}});
    CHECK(r.status == 400);
    CHECK(r.body.find("The two passwords differ.") != std::string::npos);
    r = b.go("POST", "/password/reset", {{"csrf", token}, {"code", code}, {"password", "short"}, {"again", "short"}});
    CHECK(r.status == 400);
    CHECK(r.body.find("at least 8 characters") != std::string::npos);
    r = b.go("POST", "/password/reset", {{"csrf", token}, {"code", code + "x"}, {"password", "a new secret 42"}, {"again", "a new secret 42"}});
    CHECK(r.status == 400);
    CHECK(r.body.find("That code is not valid") != std::string::npos);
    r = b.go("POST", "/password/reset", {{"csrf", token}, {"code", code}, {"password", "a new secret 42"}, {"again", "a new secret 42"}});
    REQUIRE(r.status == 303);
    CHECK(header(r, "location") == "/login?reset=1");
    CHECK(b.get("/login?reset=1").body.find("Your new password is set") != std::string::npos);

    // The session made with the old password is over; the old password no longer opens one.
    CHECK(other.get("/").status == 303);
    CHECK(b.log_in("ada@example.org", "correct horse battery").status == 401);
    CHECK(b.log_in("ada@example.org", "a new secret 42").status == 303);
    // The code worked once.
    Browser c(s);
    const std::string t = Browser::field(c.get("/password/reset").body, "csrf");
    r = c.go("POST", "/password/reset", {{"csrf", t}, {"code", code}, {"password", "yet another 43"}, {"again", "yet another 43"}});
    CHECK(r.status == 400);
    const std::string audit = s.inst.run({"--json", "audit", "list"}).out;
    CHECK(audit.find("client area, from 127.0.0.1") != std::string::npos);
}

TEST_CASE("client area: a client requests a cancellation of its own service, and changes its password") {
    Served s(seed);
    Browser b(s);
    REQUIRE(b.log_in("ada@example.org", "correct horse battery").status == 303);
    HttpResult page = b.get("/services/1");
    REQUIRE(page.status == 200);
    CHECK(page.body.find("action=\"/services/1/cancel\"") != std::string::npos);

    // Bob's service cannot be cancelled from Ada's session; a form without the token changes nothing.
    CHECK(b.post_from(page, "/services/2/cancel", {{"when", "immediate"}, {"reason", "not mine"}}).status == 404);
    CHECK(b.go("POST", "/services/1/cancel", {{"when", "immediate"}}).status == 403);
    CHECK(b.post_from(page, "/services/1/cancel", {{"when", "tomorrow"}}).status == 409);
    CHECK(s.inst.sql("SELECT count(*) FROM cancellation_requests") == "0");

    HttpResult r = b.post_from(page, "/services/1/cancel", {{"when", "end-of-period"}, {"reason", std::string("Moving ") + evil}});
    REQUIRE(r.status == 303);
    page = b.get("/services/1");
    CHECK(page.body.find("id=\"cancellation\">Cancellation requested on") != std::string::npos);
    CHECK(page.body.find("at the end of the billing period") != std::string::npos);
    CHECK(page.body.find("action=\"/services/1/cancel\"") == std::string::npos);
    CHECK(s.inst.sql("SELECT service_id, type, reason FROM cancellation_requests") == std::string("1|end_of_period|Moving ") + evil);
    // The operator sees it, as requested from the client area.
    CHECK(s.inst.run({"cancellation", "list"}).out.find("end_of_period") != std::string::npos);
    CHECK(s.inst.run({"--json", "audit", "list"}).out.find("client 1 in the client area, from 127.0.0.1") != std::string::npos);

    // A password change needs the current password; it logs out every other session.
    Browser other(s);
    REQUIRE(other.log_in("ada@example.org", "correct horse battery").status == 303);
    page = b.get("/profile");
    REQUIRE(page.status == 200);
    no_raw_markup(page);
    r = b.post_from(page, "/profile/password", {{"current", "wrong one here"}, {"password", "fresh password 1"}, {"again", "fresh password 1"}});
    CHECK(r.status == 400);
    CHECK(r.body.find("The current password is not right.") != std::string::npos);
    r = b.post_from(page, "/profile/password", {{"current", "correct horse battery"}, {"password", "fresh password 1"}, {"again", "fresh password 2"}});
    CHECK(r.status == 400);
    const std::string before = b.jar["provisio_session"];
    r = b.post_from(page, "/profile/password",
                    {{"current", "correct horse battery"}, {"password", "fresh password 1"}, {"again", "fresh password 1"}});
    REQUIRE(r.status == 303);
    CHECK(b.jar["provisio_session"] != before);
    CHECK(b.get("/profile?changed=1").body.find("Your password is changed.") != std::string::npos);
    CHECK(other.get("/").status == 303);
    CHECK(s.inst.run({"client", "password", "check", "ada@example.org"}, "fresh password 1\n").exit_code == 0);
}

TEST_CASE("client area: an operator's login link opens the client's session once, within a minute") {
    Served s(seed);
    const auto link = [&](const std::vector<std::string> &args) {
        const RunResult r = s.inst.run(args);
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        return nlohmann::json::parse(r.out)["url"].get<std::string>();
    };
    const std::string url = link({"--json", "client", "login-link", "2"});
    const std::string path = url.substr(url.find("/login/link?token="));
    Browser b(s);
    HttpResult r = b.get(path);
    REQUIRE(r.status == 303);
    CHECK(header(r, "location") == "/");
    const HttpResult dash = b.get("/");
    CHECK(dash.status == 200);
    CHECK(dash.body.find("Welcome, Bob") != std::string::npos);

    Browser again(s);
    r = again.get(path);
    CHECK(r.status == 400);
    CHECK(r.body.find("That login link is not valid") != std::string::npos);
    CHECK(again.jar.count("provisio_session") == 0);
    // One made long ago has expired; a forged one opens nothing; a closed client gets none.
    const std::string old = link({"--json", "--now", "2026-01-01T00:00:00Z", "client", "login-link", "2"});
    CHECK(again.get(old.substr(old.find("/login/link?token="))).status == 400);
    CHECK(again.get("/login/link?token=forged").status == 400);
    CHECK(again.get("/login/link").status == 400);
    CHECK(s.inst.run({"client", "login-link", "3"}).exit_code == 4);
    const std::string audit = s.inst.run({"--json", "audit", "list"}).out;
    CHECK(audit.find("client.login_link_used") != std::string::npos);
    CHECK(s.inst.sql("SELECT count(*) FROM login_links WHERE used_at IS NOT NULL") == "1");
}

TEST_CASE("client area: a client adds, edits and deletes its own contacts, and only its own") {
    Served s([](Installation &inst) {
        seed(inst);
        ok(inst, {"contact", "add", "2", "--first-name", "Bobs", "--last-name", "Helper", "--email", "helper@example.org"});
    });
    Browser b(s);
    REQUIRE(b.log_in("ada@example.org", "correct horse battery").status == 303);
    HttpResult page = b.get("/contacts");
    REQUIRE(page.status == 200);
    CHECK(page.body.find("No contacts yet.") != std::string::npos);
    CHECK(page.body.find("helper@example.org") == std::string::npos);

    HttpResult r = b.post_from(page, "/contacts", {{"first_name", "Charles"}, {"last_name", ""}, {"email", "charles@example.org"}});
    CHECK(r.status == 400);
    CHECK(r.body.find("value=\"Charles\"") != std::string::npos);  // what was typed stays in the form
    r = b.post_from(page, "/contacts", {{"first_name", std::string("Charles") + evil}, {"last_name", "Babbage"},
                                        {"email", "charles@example.org"}, {"category_invoice", "1"}, {"category_support", "1"}});
    REQUIRE(r.status == 303);
    page = b.get("/contacts");
    no_raw_markup(page);
    CHECK(page.body.find("invoice, support") != std::string::npos);
    const std::string id = s.inst.sql("SELECT id FROM contacts WHERE email = 'charles@example.org'");

    // Bob's contact is not Ada's to see, change or delete.
    CHECK(b.get("/contacts/1").status == 404);
    CHECK(b.post_from(page, "/contacts/1", {{"first_name", "X"}, {"last_name", "Y"}, {"email", "x@example.org"}}).status == 404);
    CHECK(b.post_from(page, "/contacts/1/delete").status == 404);
    CHECK(s.inst.sql("SELECT first_name FROM contacts WHERE id = 1") == "Bobs");

    HttpResult edit = b.get("/contacts/" + id);
    REQUIRE(edit.status == 200);
    CHECK(edit.body.find("name=\"category_invoice\" value=\"1\" checked") != std::string::npos);
    r = b.post_from(edit, "/contacts/" + id, {{"first_name", "Charles"}, {"last_name", "Babbage"}, {"email", "cb@example.org"}, {"category_general", "1"}});
    REQUIRE(r.status == 303);
    CHECK(s.inst.sql("SELECT email FROM contacts WHERE id = " + id) == "cb@example.org");
    CHECK(b.go("POST", "/contacts/" + id + "/delete").status == 403);  // no token
    r = b.post_from(edit, "/contacts/" + id + "/delete");
    REQUIRE(r.status == 303);
    CHECK(s.inst.sql("SELECT count(*) FROM contacts") == "1");
}

TEST_CASE("client area: a client downloads its own files that are not Admin Only, and nothing else") {
    Served s([](Installation &inst) {
        seed(inst);
        const std::string contract = inst.write_file("contract.pdf", std::string("%PDF-1.4\0binary\xff", 16));
        ok(inst, {"client", "file", "add", "1", contract, "--title", std::string("Contract ") + evil, "--name", "Vertrag \"2026\".pdf"});
        ok(inst, {"client", "file", "add", "1", contract, "--title", "Internal notes", "--admin-only"});
        ok(inst, {"client", "file", "add", "2", contract, "--title", "Bob's contract"});
    });
    Browser b(s);
    REQUIRE(b.log_in("ada@example.org", "correct horse battery").status == 303);
    const HttpResult page = b.get("/files");
    REQUIRE(page.status == 200);
    no_raw_markup(page);
    CHECK(page.body.find("href=\"/files/1\"") != std::string::npos);
    CHECK(page.body.find("Internal notes") == std::string::npos);
    CHECK(page.body.find("Bob&apos;s contract") == std::string::npos);

    const HttpResult file = b.get("/files/1");
    REQUIRE(file.status == 200);
    CHECK(file.body == std::string("%PDF-1.4\0binary\xff", 16));
    CHECK(header(file, "content-type") == "application/octet-stream");
    CHECK(header(file, "content-disposition") == "attachment; filename=\"Vertrag _2026_.pdf\"; filename*=UTF-8''Vertrag%20%222026%22.pdf");
    CHECK(b.get("/files/2").status == 404);   // Admin Only
    CHECK(b.get("/files/3").status == 404);   // Bob's
    CHECK(b.get("/files/..%2f..%2fprovisio.key").status == 404);
    CHECK(b.get("/files/%2e%2e").status == 404);
}

namespace {

// A VoIP product and a service of it for Ada (service 3) and Bob (service 4); Ada's has 60 calls
// over two days of May, five of them to Toronto; Bob's one.
void seed_voip(Installation &inst) {
    seed(inst);
    ok(inst, {"tariff", "import", "Wholesale", inst.write_file("rates.csv", "Description,Prefix,RateValue,Increment\nNANP,1,0.012,6\n")});
    ok(inst, {"product", "add", "--name", "Metered", "--price", "10"});
    ok(inst, {"package", "set", "Metered", "--tariff", "Wholesale"});
    ok(inst, {"service", "add", "--client", "1", "--product", "Metered", "--domain", "pbx.example.ca | 5192229000", "--next-due", "2026-06-01"});
    ok(inst, {"service", "add", "--client", "2", "--product", "Metered", "--domain", "bob.example.ca | 5192229001", "--next-due", "2026-06-01"});
    ok(inst, {"service", "create", "3"});
    ok(inst, {"service", "create", "4"});
    const std::string header = "xml_cdr_uuid,direction,caller_id_number,destination_number,start_stamp,answer_stamp,end_stamp,billsec\n";
    std::string ada = header;
    for (int i = 0; i < 60; ++i) {
        const std::string day = i < 30 ? "2026-05-10" : "2026-05-11";
        const std::string at = day + " 1" + std::to_string(i % 10) + ":" + std::to_string(10 + i % 30) + ":00";
        ada += "ada-" + std::to_string(i) + ",outbound,2112," + (i % 12 == 0 ? "4165550100" : "5192225555") + "," + at + "," + at + "," +
               day + " 1" + std::to_string(i % 10) + ":" + std::to_string(10 + i % 30) + ":30,30\n";
    }
    ok(inst, {"cdr", "import", "--service", "3", inst.write_file("ada.csv", ada)});
    ok(inst, {"cdr", "import", "--service", "4",
              inst.write_file("bob.csv", header + "bob-1,outbound,2112,5192225555,2026-05-10 09:00:00,2026-05-10 09:00:00,2026-05-10 09:01:00,60\n")});
}

std::vector<std::string> call_links(const std::string &body) {
    std::vector<std::string> out;
    static const std::regex link("href=\"(/services/[0-9]+/calls/[0-9]+)\"");
    for (auto it = std::sregex_iterator(body.begin(), body.end(), link); it != std::sregex_iterator(); ++it) out.push_back((*it)[1]);
    return out;
}

}  // namespace

TEST_CASE("client area: a VoIP service's calls and usage — per day, filtered, paged, and how a call was priced") {
    Served s(seed_voip);
    Browser b(s);
    REQUIRE(b.log_in("ada@example.org", "correct horse battery").status == 303);
    CHECK(b.get("/services/3").body.find("href=\"/services/3/usage\"") != std::string::npos);
    CHECK(b.get("/services/1").body.find("/usage\"") == std::string::npos);  // no VoIP package
    CHECK(b.get("/services/1/usage").status == 404);

    HttpResult page = b.get("/services/3/usage?from=2026-05-01&to=2026-06-01");
    REQUIRE(page.status == 200);
    no_raw_markup(page);
    CHECK(page.body.find("<td>2026-05-10</td><td class=\"num\">30</td><td class=\"num\">15.00</td>") != std::string::npos);
    CHECK(page.body.find("<td>2026-05-11</td><td class=\"num\">30</td>") != std::string::npos);
    CHECK(page.body.find("id=\"total-calls\">60<") != std::string::npos);
    CHECK(page.body.find("id=\"total-cost\">0.3600<") != std::string::npos);  // 60 × 30 s at 0.012/min
    CHECK(page.body.find("<td>2026-05-31</td><td class=\"num\">0</td>") != std::string::npos);
    std::vector<std::string> calls = call_links(page.body);
    CHECK(calls.size() == 50);
    // The next page goes on from the 50th call, with the same filters.
    static const std::regex next("id=\"next-calls\" href=\"([^\"]+)\"");
    std::smatch m;
    REQUIRE(std::regex_search(page.body, m, next));
    std::string next_url = m[1];
    for (size_t at; (at = next_url.find("&amp;")) != std::string::npos;) next_url.replace(at, 5, "&");
    page = b.get(next_url);
    REQUIRE(page.status == 200);
    const std::vector<std::string> rest = call_links(page.body);
    CHECK(rest.size() == 10);
    CHECK(std::find(rest.begin(), rest.end(), calls.back()) == rest.end());
    CHECK(page.body.find("id=\"next-calls\"") == std::string::npos);

    // A number filter, and a day range.
    page = b.get("/services/3/usage?from=2026-05-01&to=2026-06-01&number=41655");
    CHECK(call_links(page.body).size() == 5);
    page = b.get("/services/3/usage?from=2026-05-11&to=2026-05-12");
    CHECK(call_links(page.body).size() == 30);
    CHECK(page.body.find("2026-05-10") == std::string::npos);

    // How one call was priced.
    const HttpResult call = b.get(calls.front());
    REQUIRE(call.status == 200);
    CHECK(call.body.find("prefix 1 in the tariff Wholesale version 1") != std::string::npos);
    CHECK(call.body.find("<dt>billed</dt><dd>30 s → 30 s</dd>") != std::string::npos);

    // Bob's service and call are not found, whichever way they are asked for.
    const std::string bobs_call = s.inst.sql("SELECT id FROM cdrs WHERE service_id = 4");
    for (const std::string &path : {std::string("/services/4/usage"), "/services/4/calls/" + bobs_call, "/services/3/calls/" + bobs_call,
                                    std::string("/services/3/calls/1")}) {
        INFO(path);
        CHECK(b.get(path).status == 404);
    }
    // Bad filters are a clear 400.
    CHECK(b.get("/services/3/usage?from=2026-05-32").status == 400);
    CHECK(b.get("/services/3/usage?from=2026-05-10&to=2026-05-10").status == 400);
    CHECK(b.get("/services/3/usage?from=2025-01-01&to=2026-06-01").status == 400);
    // The chart's own script is served; Chart.js itself is the system's.
    const HttpResult script = b.get("/assets/usage-chart.js");
    CHECK(script.status == 200);
    CHECK(header(script, "content-type") == "text/javascript; charset=utf-8");
    CHECK(b.get("/assets/layout.html").status == 404);
}

TEST_CASE("client area: the Service Credits view shows a client's own time credits, used time and balances") {
    Served s([](Installation &inst) {
        seed(inst);
        inst.install_module("timelog");
        ok(inst, {"product", "add", "--name", "Support hours", "--module", "timelog", "--price", "100", "--setting", "cycle=monthly",
                  "--setting", "credits=5"});
        ok(inst, {"--now", "2026-04-30T15:00:00Z", "service", "add", "--client", "1", "--product", "Support hours", "--domain", "ada-support"});
        ok(inst, {"--now", "2026-04-30T15:00:00Z", "service", "create", "3"});
        ok(inst, {"--now", "2026-05-02T12:00:00Z", "cron", "--task", "time-credits"});
        ok(inst, {"timelog", "add", "3", "--minutes", "90", "--note", std::string("Phone setup ") + evil});
    });
    Browser b(s);
    REQUIRE(b.log_in("ada@example.org", "correct horse battery").status == 303);
    const HttpResult dash = b.get("/");
    CHECK(dash.body.find("href=\"/time-credits\"") != std::string::npos);
    const HttpResult page = b.get("/time-credits");
    REQUIRE(page.status == 200);
    no_raw_markup(page);
    CHECK(page.body.find("Support hours — ada-support") != std::string::npos);
    CHECK(page.body.find("Phone setup &lt;script&gt;") != std::string::npos);
    CHECK(page.body.find("(90 min)") != std::string::npos);
    CHECK(page.body.find("id=\"credits-total\">3.50 h<") != std::string::npos);
    // The page is `timelog show --client 1`'s view.
    const nlohmann::json view = nlohmann::json::parse(s.inst.run({"--json", "timelog", "show", "--client", "1"}).out);
    CHECK(view["total"] == "3.50");
    CHECK(view["services"][0]["entries"].size() == 2);

    // Bob has none: no link, and the page says so.
    Browser bob(s);
    REQUIRE(bob.log_in("bob@example.org", "correct horse battery").status == 303);
    CHECK(bob.get("/").body.find("href=\"/time-credits\"") == std::string::npos);
    const HttpResult none = bob.get("/time-credits");
    CHECK(none.status == 200);
    CHECK(none.body.find("No time credits on your account.") != std::string::npos);
    CHECK(none.body.find("ada-support") == std::string::npos);
}

TEST_CASE("client area and API: a page never waits for another process's write transaction") {
    Served s(seed);
    Browser b(s);
    REQUIRE(b.log_in("ada@example.org", "correct horse battery").status == 303);
    const std::string key = s.key("read-only");
    // Both would be written now — the session last seen long ago, the key never used — but a
    // writer holds the database (as an import does between its commits): the pages answer
    // without waiting for it, and without the bookkeeping.
    const std::string five_minutes_ago = s.inst.sql("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-5 minutes')");
    s.inst.sql("UPDATE web_sessions SET seen_at = '" + five_minutes_ago + "'; UPDATE api_keys SET last_used_at = NULL");
    std::thread writer([&] {
        run_program("/usr/bin/sqlite3", {s.inst.database().string(), "BEGIN IMMEDIATE;", "UPDATE clients SET phone = phone;",
                                         ".shell sleep 4", "COMMIT;"});
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    const auto started = std::chrono::steady_clock::now();
    const HttpResult page = b.get("/");
    const HttpResult api = s.get("/api/v1/clients/1", key);
    const auto waited = std::chrono::steady_clock::now() - started;
    writer.join();
    CHECK(page.status == 200);
    CHECK(api.status == 200);
    CHECK(waited < std::chrono::seconds(2));
    // Once the writer is gone, the next request writes what was skipped.
    CHECK(b.get("/").status == 200);
    CHECK(s.get("/api/v1/clients/1", key).status == 200);
    CHECK(s.inst.sql("SELECT seen_at > '" + five_minutes_ago + "' FROM web_sessions") == "1");
    CHECK(s.inst.sql("SELECT last_used_at IS NOT NULL FROM api_keys") == "1");
}

TEST_CASE("client area and API: a module's own actions — client-visible ones as buttons, every one through the API") {
    Served s([](Installation &inst) {
        inst.install_module("hostile_custom");
        ok(inst, {"client", "add", "--first-name", "Ada", "--email", "ada@example.org"});
        ok(inst, {"client", "add", "--first-name", "Bob", "--email", "bob@example.org"});
        for (const char *id : {"1", "2"}) REQUIRE(inst.run({"client", "password", "set", id}, "correct horse battery\n").exit_code == 0);
        ok(inst, {"product", "add", "--name", "Phones", "--module", "hostile_custom", "--price", "5"});
        ok(inst, {"service", "add", "--client", "1", "--product", "1", "--username", "ada", "--password", "server-pw-987"});
        ok(inst, {"service", "add", "--client", "2", "--product", "1", "--username", "bob"});
        ok(inst, {"service", "add", "--client", "1", "--product", "1", "--username", "pending"});
        ok(inst, {"service", "create", "1"});
        ok(inst, {"service", "create", "2"});
    });
    Browser b(s);
    REQUIRE(b.log_in("ada@example.org", "correct horse battery").status == 303);
    HttpResult page = b.get("/services/1");
    REQUIRE(page.status == 200);
    CHECK(page.body.find("id=\"action-echo\">Echo</button> <span class=\"hint\">Answers with the service&apos;s id</span>") != std::string::npos);
    CHECK(page.body.find("id=\"action-tattle\"") != std::string::npos);
    CHECK(page.body.find("action-crash") == std::string::npos);  // operator-only: no button
    CHECK(b.get("/services/3").body.find("id=\"actions\"") == std::string::npos);  // Pending: nothing to act on

    HttpResult r = b.post_from(page, "/services/1/actions/echo");
    CHECK(r.status == 200);
    CHECK(r.body.find("<p class=\"notice\">Echo: done. echo for service 1</p>") != std::string::npos);
    CHECK(s.inst.sql("SELECT action FROM module_calls WHERE service_id = 1 ORDER BY id DESC LIMIT 1") == "echo");
    CHECK(s.inst.run({"--json", "audit", "list"}).out.find("service action echo") != std::string::npos);
    // A module that writes the service's password into what the client reads is masked.
    r = b.post_from(page, "/services/1/actions/tattle");
    CHECK(r.status == 200);
    CHECK(r.body.find("the password is ") != std::string::npos);
    CHECK(r.body.find("server-pw-987") == std::string::npos);
    // Operator-only, unknown, another client's, without the form's token: refused, nothing called.
    const std::string calls = s.inst.sql("SELECT count(*) FROM module_calls");
    CHECK(b.post_from(page, "/services/1/actions/crash").status == 404);
    CHECK(b.post_from(page, "/services/1/actions/reboot").status == 404);
    CHECK(b.post_from(page, "/services/2/actions/echo").status == 404);
    CHECK(b.go("POST", "/services/1/actions/echo").status == 403);
    CHECK(b.post_from(page, "/services/3/actions/echo").status == 409);
    CHECK(s.inst.sql("SELECT count(*) FROM module_calls") == calls);

    const std::string admin = s.key("admin"), reader = s.key("read-only");
    const nlohmann::json listed = nlohmann::json::parse(s.get("/api/v1/services/1/actions", reader).body)["data"];
    REQUIRE(listed.size() == 4);
    CHECK(listed[2] == nlohmann::json{{"name", "crash"}, {"label", "Crash"}, {"description", ""}, {"client_visible", false}});
    CHECK(s.request("POST", "/api/v1/services/2/actions/echo", reader).status == 403);
    r = s.request("POST", "/api/v1/services/2/actions/echo", admin);
    CHECK(r.status == 200);
    const nlohmann::json done = nlohmann::json::parse(r.body);
    CHECK(done["status"] == "ok");
    CHECK(done["message"] == "echo for service 2");
    CHECK(done["service_status"] == "Active");
    r = s.request("POST", "/api/v1/services/2/actions/reboot", admin);
    CHECK(r.status == 404);
    CHECK(nlohmann::json::parse(r.body)["detail"] == "service 2: module hostile_custom has no action 'reboot' (it has: echo, tattle, crash, hang)");
    CHECK(s.request("POST", "/api/v1/services/2/actions/echo", admin, R"({"force": true})").status == 400);
    CHECK(s.request("POST", "/api/v1/services/3/actions/echo", admin).status == 409);
}
