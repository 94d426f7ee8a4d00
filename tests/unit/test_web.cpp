// The client area's building blocks without a server: templates escape everything and refuse the
// forms that would not; sessions end when idle, when too old and at logout; forms and cookies
// decode as browsers send them.
#include "http/url_encoding.hpp"
#include "store/database.hpp"
#include "support/sandbox.hpp"
#include "web/assets.hpp"
#include "web/page_renderer.hpp"
#include "web/sessions.hpp"

#include <catch2/catch.hpp>

using namespace provisio;
using provisio::test::TempDir;

TEST_CASE("page templates escape every value and may not ask otherwise") {
    for (const auto &[name, text] : web_assets()) {
        INFO(name);
        if (name.size() > 5 && name.substr(name.size() - 5) == ".html") CHECK(template_problem(std::string(text)).empty());
    }
    CHECK(!template_problem("<p>{{{name}}}</p>").empty());
    CHECK(!template_problem("<p>{{&name}}</p>").empty());
    CHECK(!template_problem("<p>{{ & name}}</p>").empty());
    CHECK(!template_problem("{{=<% %>=}}<p><%name%></p>").empty());
    CHECK(!template_problem("{{#open}}never closed").empty());

    const std::string page = render_page("error", {{"company", "A & B"}, {"heading", "<b>x</b>"}, {"detail", "\"quoted\" 'too'"}});
    CHECK(page.find("&lt;b&gt;x&lt;/b&gt;") != std::string::npos);
    CHECK(page.find("&quot;quoted&quot; &apos;too&apos;") != std::string::npos);
    CHECK(page.find("A &amp; B") != std::string::npos);
    CHECK_THROWS(render_page("no-such-page", {}));
    // An empty text is no notice at all: no empty box.
    CHECK(render_page("error", {{"notice", ""}, {"heading", "h"}}).find("class=\"notice\"") == std::string::npos);
    CHECK(render_page("error", {{"notice", "Saved."}, {"heading", "h"}}).find("<p class=\"notice\">Saved.</p>") != std::string::npos);
}

TEST_CASE("sessions: only a hash is stored; they end when idle, when too old, and at logout") {
    TempDir dir;
    Database db = Database::open(dir / "p.db", true);
    db.exec("INSERT INTO clients (first_name, email, currency, created_at) VALUES ('Ada', 'ada@example.org', 'USD', 't')");
    SessionLimits limits;
    limits.idle = std::chrono::minutes(30);
    limits.absolute = std::chrono::hours(2);
    const auto started = WebSessions(db, "2026-12-01T10:00:00Z", limits).start(1, "127.0.0.1");
    CHECK(started.cookie.size() == 43);
    CHECK(started.session.csrf.size() == 43);
    CHECK(started.cookie != started.session.csrf);
    {
        auto q = db.prepare("SELECT count(*) FROM web_sessions WHERE token_hash = ?1 OR csrf = ?1");
        q.bind(1, started.cookie);
        q.step();
        CHECK(q.int64(0) == 0);
    }
    // Each request restarts the idle clock...
    for (const char *at : {"2026-12-01T10:29:00Z", "2026-12-01T10:58:00Z", "2026-12-01T11:27:00Z", "2026-12-01T11:56:00Z"}) {
        INFO(at);
        const auto found = WebSessions(db, at, limits).find(started.cookie);
        REQUIRE(found);
        CHECK(found->client_id == 1);
        CHECK(found->csrf == started.session.csrf);
    }
    // ...but not past the absolute limit.
    CHECK(!WebSessions(db, "2026-12-01T12:01:00Z", limits).find(started.cookie));

    const auto idle = WebSessions(db, "2026-12-01T13:00:00Z", limits).start(1, "127.0.0.1");
    CHECK(WebSessions(db, "2026-12-01T13:29:59Z", limits).find(idle.cookie));
    CHECK(!WebSessions(db, "2026-12-01T14:00:00Z", limits).find(idle.cookie));

    const auto ended = WebSessions(db, "2026-12-01T15:00:00Z", limits).start(1, "127.0.0.1");
    WebSessions(db, "2026-12-01T15:01:00Z", limits).end(ended.cookie);
    CHECK(!WebSessions(db, "2026-12-01T15:02:00Z", limits).find(ended.cookie));
    CHECK(!WebSessions(db, "2026-12-01T15:02:00Z", limits).find(""));
    CHECK(!WebSessions(db, "2026-12-01T15:02:00Z", limits).find("made-up"));
}

TEST_CASE("forms and cookies decode as browsers send them") {
    const auto form = parse_form("email=ada%40example.org&password=two+words%26more&empty=&flag&email2=%zz");
    CHECK(form.at("email") == "ada@example.org");
    CHECK(form.at("password") == "two words&more");
    CHECK(form.at("empty").empty());
    CHECK(form.at("flag").empty());
    CHECK(form.at("email2") == "%zz");
    CHECK(cookie_value("a=1; provisio_session=abc; b=2", "provisio_session") == "abc");
    CHECK(cookie_value("provisio_session_x=1;provisio_session = abc ", "provisio_session") == "abc");
    CHECK(cookie_value("a=1", "provisio_session").empty());
    CHECK(same_token("abc", "abc"));
    CHECK(!same_token("abc", "abd"));
    CHECK(!same_token("", ""));
}
