// scripted — a test module written with the SDK's C++ layer whose behaviour the test chooses
// through settings: each lifecycle call returns the outcome named by the `outcome` option (or
// throws when it is "throw"; "not_utf8" succeeds with a message and a state value in Latin-1,
// which the host must refuse), records a counter in the module state, logs an exchange that
// contains the server password and the api_key (which the host must scrub; with `verbose`, also
// URL-encoded, in HTTP Basic credentials and JSON-escaped), and, when `url` is set, makes an
// HTTP GET through the host. The server's db_port reaches it with the schema's default.
// Built as scripted_1_0 it targets ABI 1.0 (PROVISIO_ABI_TARGET_MINOR) and has no invoice events.
#include <provisio/module.hpp>

#include "../support/encodings.hpp"

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

using provisio::test::base64;
using provisio::test::json_escaped;
using provisio::test::url_encoded;

constexpr const char *outcomes[] = {"ok", "error", "retryable", "throw", "not_utf8"};

class Scripted {
public:
    static constexpr provisio::ModuleInfo info{FIXTURE_NAME, "2.0.0", "Does what the test says",
                                               PROVISIO_CAP_PROVISIONING | PROVISIO_CAP_NEEDS_SERVER};
    static constexpr provisio_option options[] = {
        provisio::dropdown("outcome", "Outcome", outcomes, "ok", "What every call returns"),
        provisio::password("api_key", "API key", "A secret the module logs; the host must scrub it"),
        provisio::number("quota", "Quota", "10", "A number, to test number validation"),
        provisio::yesno("verbose", "Verbose", false, "Also log an HTTP exchange carrying the secrets encoded"),
        provisio::text("url", "URL", "", "When set, each call GETs it through the host"),
        provisio::number("delay_ms", "Delay", "0", "Milliseconds each lifecycle call takes (a slow PBX)"),
        provisio::on_server(provisio::number("db_port", "Database port", "5432")),
        provisio::on_server(provisio::password("db_password", "Database password")),
        provisio::option("region", "Region", PROVISIO_OPTION_TEXT, "", "Required", PROVISIO_OPTION_REQUIRED),
#ifdef SCRIPTED_SERVER_REQUIRED
        // scripted_strict: a server option the server record must give.
        provisio::on_server(provisio::option("tenant", "Tenant", PROVISIO_OPTION_TEXT, "", "Required", PROVISIO_OPTION_REQUIRED)),
#endif
    };

    explicit Scripted(const provisio::Host &) {}

    provisio::Outcome create(provisio::Call &c) { return act(c); }
    provisio::Outcome suspend(provisio::Call &c) { return act(c); }
    provisio::Outcome unsuspend(provisio::Call &c) { return act(c); }
    provisio::Outcome terminate(provisio::Call &c) { return act(c); }
    provisio::Outcome change_package(provisio::Call &c) { return act(c); }
    provisio::Outcome change_password(provisio::Call &c) { return act(c); }
    provisio::Outcome test_connection(provisio::Call &c) { return act(c); }

#if PROVISIO_ABI_TARGET_MINOR >= 1  // scripted_1_0 targets ABI 1.0, which had no invoice events
    // Records each invoice event in the service's state: kind, invoice, its own lines' total.
    provisio::Outcome invoice_event(provisio::Call &c, const provisio::InvoiceEvent &e) {
        int own = 0;
        for (const auto &l : e.lines)
            if (l.item_id == c.service_id()) ++own;
        const std::string seen = c.state("events").value_or("");
        c.set_state("events", seen + (seen.empty() ? "" : ",") + (e.kind == provisio::InvoiceEvent::paid ? "paid" : "created") +
                                  "#" + std::to_string(e.invoice_id) + ":" + e.total + ":" + std::to_string(own));
        if (c.setting("outcome") == "retryable") return provisio::Outcome::retry("busy");
        return provisio::Outcome::success();
    }
#endif

private:
    // A slow call records when it ran (wall clock, microseconds), so a test can tell from the
    // intervals how many calls per server were in flight at once — across runner processes too.
    static provisio::Outcome act(provisio::Call &c) {
        const std::string delay_text(c.setting("delay_ms"));
        if (const int delay = delay_text.empty() ? 0 : std::stoi(delay_text); delay > 0) {
            auto now_us = [] {
                return std::to_string(
                    std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
            };
            const std::string began = now_us();
            std::this_thread::sleep_for(std::chrono::milliseconds(delay));
            c.set_state("ran_from_us", began);
            c.set_state("ran_to_us", now_us());
        }
        const std::string calls = c.state("calls").value_or("0");
        c.set_state("calls", std::to_string(std::stoi(calls) + 1));
        c.set_state("last_action", c.action());
        if (!c.reason().empty()) c.set_state("last_reason", c.reason());
        const std::string password(c.server("password"));
        const std::string key(c.setting("api_key"));
        c.log_call(c.action(), "login user=" + std::string(c.server("username")) + " password=" + password + " key=" + key,
                   "welcome; your service password is " + std::string(c.service("password")));
        if (c.setting("verbose") == "yes") {
            // The secrets as an HTTP client puts them on the wire: URL-encoded in a query, in
            // HTTP Basic credentials, JSON-escaped in a body. The host must mask every form.
            const std::string user(c.server("username"));
            c.log_call("http", "POST /api?user=" + url_encoded(user) + "&pass=" + url_encoded(password) +
                                   "\nAuthorization: Basic " + base64(user + ":" + password) +
                                   "\n\n{\"api_key\":\"" + json_escaped(key) + "\",\"db\":\"" +
                                   json_escaped(std::string(c.server("db_password"))) + "\"}",
                       "{\"echo\":\"" + json_escaped(key) + "\",\"db_port\":\"" + std::string(c.server("db_port")) + "\"}");
        }
        std::string message = std::string(c.action()) + " on " + std::string(c.service("domain")) + " in " +
                              std::string(c.setting("region"));
        if (const std::string url(c.setting("url")); !url.empty()) {
            provisio::HttpResponse r = c.http({.method = "GET", .url = url});
            if (r.transport != provisio::Status::ok) return {r.transport, "http failed: " + r.error};
            message += "; http " + std::to_string(r.status) + " " + r.body;
        }
        const std::string outcome(c.setting("outcome"));
        if (outcome == "throw") throw std::runtime_error("scripted failure with key " + key);
        if (outcome == "error") return provisio::Outcome::failure("refused by the PBX (key " + key + ")");
        if (outcome == "retryable") return provisio::Outcome::retry("PBX busy, try later");
        if (outcome == "not_utf8") {
            c.set_state("greeting", "Caf\xe9");
            return provisio::Outcome::success("created Caf\xe9");
        }
        return provisio::Outcome::success(message);
    }
};

}  // namespace

PROVISIO_MODULE(Scripted)
