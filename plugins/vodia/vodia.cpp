// vodia — Vodia PBX tenants as a server module. A service is a tenant and its numbers
// ("tenant | DID | DID | ext", e.g. "cffm.wat1.example.ca | 5484815577 | 5197830020 | 8300");
// the service's username is the DID or extension billed. Suspend disables the tenant's trunks
// or only the service's accounts (product option), and records exactly what it disabled;
// unsuspend enables exactly that, whatever the option says by then. Usage reads the tenant's
// CDR list, paged by start time.
#include "md5_hex.hpp"
#include "plugin_support.hpp"
#include "sip_address.hpp"

#include <provisio/module.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <mutex>

namespace {

using nlohmann::json;
using provisio::Outcome;
using provisio::plugin::add_unique;
using provisio::plugin::is_digits;
using provisio::plugin::joined;
using provisio::plugin::iso_utc;
using provisio::plugin::split_fields;
using provisio::plugin::state_list;

constexpr const char *auth_modes[] = {"session", "basic"};
constexpr const char *suspend_modes[] = {"trunks", "accounts"};

std::string base64(std::string_view in) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    uint32_t value = 0;
    int bits = 0;
    for (unsigned char ch : in) {
        value = (value << 8) | ch;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += alphabet[(value >> bits) & 63];
        }
    }
    if (bits > 0) out += alphabet[(value << (6 - bits)) & 63];
    while (out.size() % 4) out += '=';
    return out;
}

int64_t number_of(const json &j, const char *key) {
    if (!j.contains(key)) return 0;
    const json &v = j[key];
    if (v.is_number_integer()) return v.get<int64_t>();
    if (v.is_string() && is_digits(v.get<std::string>())) return std::stoll(v.get<std::string>());
    return 0;
}

std::string text_of(const json &j, const char *key) {
    if (!j.is_object() || !j.contains(key)) return "";
    const json &v = j[key];
    return v.is_string() ? v.get<std::string>() : v.dump();
}

// A service's fields, checked.
struct Tenant {
    std::string domain;
    std::vector<std::string> numbers;  // DIDs and extensions after the tenant
    std::string billed;                // the DID or extension billed
    std::string first_name;            // "Ext Profile First Name"
    std::string inbound_search;        // "Inbound Search String": extension or first name

    explicit Tenant(const provisio::Call &c) {
        const auto parts = split_fields(c.service("domain"));
        domain = parts.front();
        if (domain.empty())
            throw std::runtime_error("the service's domain must be 'tenant | DID | ... | ext' (e.g. cffm.wat1.example.ca | 5484815577 | 8300)");
        for (size_t i = 1; i < parts.size(); ++i) {
            if (!is_digits(parts[i]))
                throw std::runtime_error("'" + parts[i] + "' (part " + std::to_string(i + 1) +
                                         " of the domain) is not a DID or extension: the domain must be 'tenant | DID | ... | ext'");
            add_unique(numbers, parts[i]);
        }
        billed = provisio::plugin::trimmed(c.service("username"));
        if (billed.empty() && !numbers.empty()) billed = numbers.back();
        if (!billed.empty() && !is_digits(billed))
            throw std::runtime_error("the username '" + billed + "' is not the DID or extension to bill");
        first_name = provisio::plugin::trimmed(c.custom_field("Ext Profile First Name"));
        inbound_search = provisio::plugin::trimmed(c.custom_field("Inbound Search String"));
        if (inbound_search.empty()) inbound_search = billed;
    }

    // The numbers that may be accounts on the PBX (the billed one first).
    std::vector<std::string> candidates() const {
        std::vector<std::string> out;
        if (!billed.empty()) out.push_back(billed);
        for (const auto &n : numbers) add_unique(out, n);
        return out;
    }
    bool owns(const std::string &number) const {
        return !number.empty() && (number == billed || std::find(numbers.begin(), numbers.end(), number) != numbers.end());
    }
};

struct Reply {
    int status = 0;
    json body;
    std::optional<Outcome> failed;
};

class Vodia {
public:
    static constexpr provisio::ModuleInfo info{"vodia", "1.0.0",
                                               "Vodia PBX tenants: suspend trunks or accounts, usage from the CDR list",
                                               PROVISIO_CAP_PROVISIONING | PROVISIO_CAP_NEEDS_SERVER};
    static constexpr provisio_option options[] = {
        provisio::on_server(provisio::dropdown("auth", "Authentication", auth_modes, "session",
                                               "session: log in once (MD5 of the password) and send the session cookie; basic: HTTP Basic on each request")),
        provisio::dropdown("suspend_mode", "Auto Suspend Mode", suspend_modes, "trunks",
                           "trunks: disable the tenant's trunks; accounts: disable only the service's accounts"),
        provisio::number("max_calls", "Max calls", "", "The tenant's concurrent call limit, set by create and change package; blank: leave"),
        provisio::number("cdr_page_size", "CDR page size", "500", "CDRs asked for per request"),
    };

    explicit Vodia(const provisio::Host &) {}

    Outcome test_connection(provisio::Call &c) {
        const Reply r = call(c, "GET", "/rest/system/domains");
        if (r.failed) return *r.failed;
        return Outcome::success("Vodia PBX answered: " + std::to_string(r.body.is_array() ? r.body.size() : 0) + " tenant(s)");
    }

    Outcome create(provisio::Call &c) {
        const Tenant t(c);
        const Reply trunks = call(c, "GET", domain_path(t.domain, "domain_trunks"));
        if (trunks.status == 404) return Outcome::failure("tenant " + t.domain + " does not exist on the Vodia PBX (create it there first)");
        if (trunks.failed) return *trunks.failed;
        std::vector<std::string> accounts, enabled;
        for (const auto &n : t.candidates()) {
            const Reply a = call(c, "GET", domain_path(t.domain, "user_settings/" + n));
            if (a.status == 404) continue;  // a DID, not an account
            if (a.failed) return *a.failed;
            accounts.push_back(n);
            if (text_of(a.body, "dis") == "true") {
                if (auto failed = set_disabled(c, t.domain, "user_settings/" + n, false)) return *failed;
                enabled.push_back(n);
            }
        }
        if (auto failed = apply_max_calls(c, t.domain)) return *failed;
        c.set_state("tenant", t.domain);
        return Outcome::success("tenant " + t.domain + ": " + std::to_string(trunks.body.size()) + " trunk(s), account(s) " +
                                (accounts.empty() ? "none" : joined(accounts)) + (enabled.empty() ? "" : ", enabled " + joined(enabled)));
    }

    Outcome suspend(provisio::Call &c) {
        const Tenant t(c);
        const std::string mode = provisio::plugin::product_option<Vodia>(c, "suspend_mode");
        // A suspend that failed half-way kept what it did disable in the state: go on from there.
        const std::string domain = c.state("suspended_tenant").value_or(t.domain);
        if (mode == "accounts") {
            std::vector<std::string> done = state_list(c.state("disabled_accounts"));
            auto failed = disable_accounts(c, domain, t.candidates(), done);
            if (failed) return *failed;
            return Outcome::success("accounts disabled on " + domain + ": " + (done.empty() ? "none (already disabled)" : joined(done)));
        }
        std::vector<std::string> done = state_list(c.state("disabled_trunks"));
        if (auto failed = disable_trunks(c, domain, done)) return *failed;
        return Outcome::success("trunks disabled on " + domain + ": " + (done.empty() ? "none (already disabled)" : joined(done)));
    }

    Outcome unsuspend(provisio::Call &c) {
        const auto trunks = c.state("disabled_trunks");
        const auto accounts = c.state("disabled_accounts");
        if (!trunks && !accounts) {
            // Suspended before this module recorded what it did (or by hand): undo what the
            // current mode would have done.
            c.log(PROVISIO_LOG_WARNING, "no record of what suspend disabled: enabling what the current Auto Suspend Mode disables");
            return undo_current_mode(c);
        }
        const std::string domain = c.state("suspended_tenant").value_or(Tenant(c).domain);
        std::vector<std::string> said;
        for (auto [key, kind] : {std::pair{"disabled_trunks", "edit_trunk/"}, std::pair{"disabled_accounts", "user_settings/"}}) {
            std::vector<std::string> left = state_list(c.state(key));
            while (!left.empty()) {
                const Reply r = call(c, "POST", domain_path(domain, kind + left.front()), json{{"dis", "false"}});
                if (r.failed && r.status != 404) return *r.failed;  // gone since: nothing to enable
                said.push_back((std::string(kind) == "edit_trunk/" ? "trunk " : "account ") + left.front());
                left.erase(left.begin());
                if (left.empty()) c.erase_state(key);
                else c.set_state(key, joined(left));
            }
        }
        c.erase_state("suspended_tenant");
        return Outcome::success("enabled on " + domain + ": " + (said.empty() ? "nothing" : joined(said)));
    }

    Outcome terminate(provisio::Call &c) {
        const Tenant t(c);
        std::vector<std::string> accounts = state_list(c.state("disabled_accounts"));
        if (auto failed = disable_accounts(c, t.domain, t.candidates(), accounts)) return *failed;
        std::vector<std::string> trunks = state_list(c.state("disabled_trunks"));
        if (provisio::plugin::product_option<Vodia>(c, "suspend_mode") == "trunks")
            if (auto failed = disable_trunks(c, t.domain, trunks)) return *failed;
        for (const char *key : {"disabled_accounts", "disabled_trunks", "suspended_tenant"}) c.erase_state(key);
        return Outcome::success("tenant " + t.domain + ": accounts " + (accounts.empty() ? "none" : joined(accounts)) + " and trunks " +
                                (trunks.empty() ? "none" : joined(trunks)) +
                                " disabled for good (the PBX keeps the tenant; delete it there)");
    }

    Outcome change_package(provisio::Call &c) {
        const Tenant t(c);
        if (std::string(c.setting("max_calls")).empty()) return Outcome::success("no max_calls set: tenant " + t.domain + " left as it is");
        if (auto failed = apply_max_calls(c, t.domain)) return *failed;
        return Outcome::success("tenant " + t.domain + " limited to " + std::string(c.setting("max_calls")) + " call(s)");
    }

    Outcome collect_usage(provisio::Call &c, const provisio::UsageRequest &request) {
        const Tenant t(c);
        // The cursor is "START|ID" of the last CDR handed over (start as ISO 8601 UTC).
        const std::string cursor_text = request.cursor.empty() ? request.since : request.cursor;
        auto [floor_start, floor_id] = provisio::plugin::split_cursor(cursor_text);
        bool moved = false;
        size_t page = std::max<size_t>(1, std::stoul(provisio::plugin::product_option<Vodia>(c, "cdr_page_size")));
        uint32_t served = 0, seen = 0;
        for (int round = 0; round < 100000 && served < request.max_records; ++round) {
            const Reply r = call(c, "GET", domain_path(t.domain, "cdrs?start=" + std::to_string(floor_start) + "&count=" + std::to_string(page)));
            if (r.failed) return *r.failed;
            if (!r.body.is_array()) return Outcome::retry("the Vodia PBX answered the CDR list with something that is not a list");
            bool progressed = false;
            for (const json &rec : r.body) {
                const int64_t start = number_of(rec, "start");
                const std::string id = text_of(rec, "id");
                if (std::tie(start, id) <= std::tie(floor_start, floor_id)) continue;  // handed over already
                progressed = moved = true;
                floor_start = start;
                floor_id = id;
                ++seen;
                if (add_record(c, t, rec, start, id) && ++served == request.max_records) break;
            }
            if (r.body.size() < page) break;  // the last page
            if (!progressed) page *= 2;       // a page's worth of calls in one second: ask for more
        }
        if (moved) c.set_usage_cursor(iso_utc(floor_start) + "|" + floor_id);
        else c.set_usage_cursor(cursor_text);
        return Outcome::success(std::to_string(served) + " call(s) of " + std::to_string(seen) + " on tenant " + t.domain);
    }

private:
    static std::string domain_path(const std::string &domain, const std::string &what) { return "/rest/domain/" + domain + "/" + what; }

    static bool add_record(const provisio::Call &c, const Tenant &t, const json &rec, int64_t start, const std::string &id) {
        const vodia::SipParty from = vodia::parse_sip_party(text_of(rec, "from"));
        const vodia::SipParty to = vodia::parse_sip_party(text_of(rec, "to"));
        const bool outbound = t.owns(from.number) ||
                              (!t.first_name.empty() && from.display.size() == t.first_name.size() &&
                               vodia::contains_ignoring_case(from.display, t.first_name));
        const bool inbound = !outbound && (t.owns(to.number) || to.number == t.inbound_search ||
                                           vodia::contains_ignoring_case(to.display, t.inbound_search));
        if (!outbound && !inbound) return false;  // another service's call on the same tenant
        const int64_t connect = number_of(rec, "connect"), end = std::max(start, number_of(rec, "end"));
        provisio::UsageRecord u;
        u.id = id;
        u.direction = outbound ? "outbound" : "inbound";
        u.caller = from.number;
        u.destination_number = to.number;
        u.caller_destination = inbound ? to.number : "";
        u.start = iso_utc(start);
        u.answer = connect > 0 ? iso_utc(connect) : "";
        u.end = iso_utc(end);
        u.duration = end - start;
        u.billsec = connect > 0 ? std::max<int64_t>(0, end - connect) : 0;
        u.hangup_cause = connect > 0 ? "ANSWERED" : "NO ANSWER";
        c.add_usage(u);
        return true;
    }

    std::optional<Outcome> set_disabled(provisio::Call &c, const std::string &domain, const std::string &what, bool disabled) {
        const Reply r = call(c, "POST", domain_path(domain, what), json{{"dis", disabled ? "true" : "false"}});
        return r.failed;
    }

    // Disables the tenant's enabled trunks, adding each to `done` (saved as it goes).
    std::optional<Outcome> disable_trunks(provisio::Call &c, const std::string &domain, std::vector<std::string> &done) {
        const Reply list = call(c, "GET", domain_path(domain, "domain_trunks"));
        if (list.failed) return list.failed;
        if (!list.body.is_array()) return Outcome::retry("the Vodia PBX answered the trunk list with something that is not a list");
        for (const json &trunk : list.body) {
            const std::string id = text_of(trunk, "id");
            if (text_of(trunk, "disabled") == "true") continue;  // disabled by someone else: not ours to enable later
            if (auto failed = set_disabled(c, domain, "edit_trunk/" + id, true)) return failed;
            add_unique(done, id);
            c.set_state("disabled_trunks", joined(done));
            c.set_state("suspended_tenant", domain);
        }
        return std::nullopt;
    }

    std::optional<Outcome> disable_accounts(provisio::Call &c, const std::string &domain, const std::vector<std::string> &numbers,
                                            std::vector<std::string> &done) {
        for (const auto &n : numbers) {
            const Reply a = call(c, "GET", domain_path(domain, "user_settings/" + n));
            if (a.status == 404) continue;
            if (a.failed) return a.failed;
            if (text_of(a.body, "dis") == "true") continue;
            if (auto failed = set_disabled(c, domain, "user_settings/" + n, true)) return failed;
            add_unique(done, n);
            c.set_state("disabled_accounts", joined(done));
            c.set_state("suspended_tenant", domain);
        }
        return std::nullopt;
    }

    Outcome undo_current_mode(provisio::Call &c) {
        const Tenant t(c);
        std::vector<std::string> enabled;
        if (provisio::plugin::product_option<Vodia>(c, "suspend_mode") == "accounts") {
            for (const auto &n : t.candidates()) {
                const Reply a = call(c, "GET", domain_path(t.domain, "user_settings/" + n));
                if (a.status == 404) continue;
                if (a.failed) return *a.failed;
                if (text_of(a.body, "dis") != "true") continue;
                if (auto failed = set_disabled(c, t.domain, "user_settings/" + n, false)) return *failed;
                enabled.push_back("account " + n);
            }
        } else {
            const Reply list = call(c, "GET", domain_path(t.domain, "domain_trunks"));
            if (list.failed) return *list.failed;
            for (const json &trunk : list.body.is_array() ? list.body : json::array()) {
                if (text_of(trunk, "disabled") != "true") continue;
                if (auto failed = set_disabled(c, t.domain, "edit_trunk/" + text_of(trunk, "id"), false)) return *failed;
                enabled.push_back("trunk " + text_of(trunk, "id"));
            }
        }
        return Outcome::success("enabled on " + t.domain + ": " + (enabled.empty() ? "nothing" : joined(enabled)));
    }

    std::optional<Outcome> apply_max_calls(provisio::Call &c, const std::string &domain) {
        const std::string limit(c.setting("max_calls"));
        if (limit.empty()) return std::nullopt;
        return call(c, "POST", domain_path(domain, "settings"), json{{"max_calls", limit}}).failed;
    }

    // ---- The REST client: session or Basic authentication, errors sorted into retry or not ----

    std::string session_key(const provisio::Call &c) const {
        return provisio::plugin::base_url(c) + " " + std::string(c.server("username"));
    }

    Reply call(provisio::Call &c, const std::string &method, const std::string &path, const std::optional<json> &body = std::nullopt) {
        const bool basic = provisio::plugin::server_option<Vodia>(c, "auth") == "basic";
        std::string session;
        bool fresh = false;
        if (!basic) {
            session = cached_session(c);
            if (session.empty()) {
                Reply login = log_in(c);
                if (login.failed) return login;
                session = login.body.get<std::string>();
                fresh = true;
            }
        }
        for (int attempt = 0;; ++attempt) {
            provisio::HttpRequest req;
            req.method = method;
            req.url = provisio::plugin::base_url(c) + path;
            req.headers = {{"Accept", "application/json"}};
            if (basic)
                req.headers.emplace_back("Authorization", "Basic " + base64(std::string(c.server("username")) + ":" + std::string(c.server("password"))));
            else req.headers.emplace_back("Cookie", "session=" + session);
            if (body) {
                req.headers.emplace_back("Content-Type", "application/json");
                req.body = body->dump();
            }
            const provisio::HttpResponse r = c.http(req);
            log(c, method + " " + path + (req.body.empty() ? "" : " " + req.body), r, session);
            if (!basic && !fresh && r.transport == provisio::Status::ok && (r.status == 401 || r.status == 403) && attempt == 0) {
                forget_session(c, session);  // expired: log in again once
                Reply login = log_in(c);
                if (login.failed) return login;
                session = login.body.get<std::string>();
                fresh = true;
                continue;
            }
            return sorted(r, method + " " + path);
        }
    }

    Reply log_in(provisio::Call &c) {
        const std::string user(c.server("username"));
        const std::string hash = provisio::plugin::md5_hex(c.server("password"));
        provisio::HttpRequest req;
        req.method = "PUT";
        req.url = provisio::plugin::base_url(c) + "/rest/system/session";
        req.headers = {{"Content-Type", "application/json"}, {"Accept", "application/json"}};
        req.body = json{{"name", "auth"}, {"value", user + " " + hash}}.dump();
        const provisio::HttpResponse r = c.http(req);
        std::string session;
        if (r.transport == provisio::Status::ok && r.status == 200) {
            const std::string cookie = r.header("set-cookie");
            if (const size_t at = cookie.find("session="); at != std::string::npos)
                session = cookie.substr(at + 8, cookie.find(';', at) == std::string::npos ? std::string::npos : cookie.find(';', at) - at - 8);
            if (session.empty()) {  // some versions answer with the id as a JSON string
                try {
                    const json j = json::parse(r.body);
                    if (j.is_string()) session = j.get<std::string>();
                } catch (const std::exception &) {
                }
            }
        }
        c.log_call("login", "PUT /rest/system/session " + req.body,
                   r.transport == provisio::Status::ok ? std::to_string(r.status) + " " + r.body : r.error, {hash, session});
        Reply out = sorted(r, "login");
        if (out.failed) return out;
        if (session.empty()) {
            out.failed = Outcome::retry("the Vodia PBX accepted the login but sent no session cookie");
            return out;
        }
        std::lock_guard lock(mutex_);
        sessions_[session_key(c)] = session;
        out.body = session;
        return out;
    }

    std::string cached_session(const provisio::Call &c) {
        std::lock_guard lock(mutex_);
        auto it = sessions_.find(session_key(c));
        return it == sessions_.end() ? "" : it->second;
    }
    void forget_session(const provisio::Call &c, const std::string &session) {
        std::lock_guard lock(mutex_);
        auto it = sessions_.find(session_key(c));
        if (it != sessions_.end() && it->second == session) sessions_.erase(it);
    }

    static void log(const provisio::Call &c, const std::string &request, const provisio::HttpResponse &r, const std::string &session) {
        c.log_call(request.substr(0, request.find(' ')), request,
                   r.transport == provisio::Status::ok ? std::to_string(r.status) + " " + r.body.substr(0, 2000) : r.error,
                   {c.server("password"), session});
    }

    static Reply sorted(const provisio::HttpResponse &r, const std::string &what) {
        Reply out;
        out.status = r.status;
        if (r.transport != provisio::Status::ok) {
            out.failed = r.transport == provisio::Status::retryable ? Outcome::retry("Vodia PBX unreachable: " + r.error)
                                                                    : Outcome::failure("Vodia PBX: " + r.error);
            return out;
        }
        if (r.status == 401 || r.status == 403) {
            out.failed = Outcome::failure("the Vodia PBX refused the credentials (" + what + ", HTTP " + std::to_string(r.status) +
                                          "): check the server's username and password");
            return out;
        }
        if (r.status >= 500) {
            out.failed = Outcome::retry("the Vodia PBX answered HTTP " + std::to_string(r.status) + " to " + what);
            return out;
        }
        try {
            out.body = r.body.empty() ? json() : json::parse(r.body);
        } catch (const std::exception &) {
            out.failed = Outcome::retry("the Vodia PBX answered " + what + " with HTTP " + std::to_string(r.status) + " and a body that is not JSON");
            return out;
        }
        if (r.status < 200 || r.status >= 300) {
            const std::string message = text_of(out.body, "error");
            out.failed = Outcome::failure("the Vodia PBX answered HTTP " + std::to_string(r.status) + " to " + what +
                                          (message.empty() ? "" : ": " + message));
        }
        return out;
    }

    std::mutex mutex_;
    std::map<std::string, std::string> sessions_;  // "base URL user" → session id, shared by the workers
};

}  // namespace

PROVISIO_MODULE(Vodia)
