// vodia — Vodia PBX tenants as a server module. A service is a tenant and its numbers
// ("tenant | DID | DID | ext", e.g. "cffm.wat1.example.ca | 5484815577 | 5197830020 | 8300");
// the service's username is the DID or extension billed. Suspend disables the tenant's trunks
// or only the service's accounts (product option), and records exactly what it disabled;
// unsuspend enables exactly that, whatever the option says by then. Usage reads the tenant's
// CDR list page by page and hands over the service's calls in the order they ended.
// Requests are those of Vodia's published API and PHP sample client (docs/modules/vodia.md,
// "Checked against"); what they do not show is an assumption, checked before it is relied on.
#include "cdr_cursor.hpp"
#include "cdr_record.hpp"
#include "plugin_support.hpp"
#include "rest_client.hpp"
#include "sip_address.hpp"

#include <provisio/module.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <tuple>

namespace {

using nlohmann::json;
using provisio::Outcome;
using provisio::plugin::add_unique;
using provisio::plugin::is_digits;
using provisio::plugin::joined;
using provisio::plugin::split_fields;
using provisio::plugin::state_list;
using vodia::excerpt;
using vodia::Reply;

constexpr const char *auth_modes[] = {"session", "basic"};
constexpr const char *suspend_modes[] = {"trunks", "accounts"};
constexpr int max_cdr_pages = 10000;

std::string text_of(const json &j, const char *key) {
    if (!j.is_object() || !j.contains(key)) return "";
    const json &v = j[key];
    return v.is_string() ? v.get<std::string>() : v.dump();
}

// An account's "dis" flag: Vodia's published user_settings example has none, so whether an
// account can be disabled this way depends on the PBX version (see the module docs).
std::optional<bool> account_disabled(const json &settings) {
    if (!settings.is_object() || !settings.contains("dis") || !settings["dis"].is_string()) return std::nullopt;
    return settings["dis"].get<std::string>() == "true";
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

// The order the PBX listed its CDRs in (its documents do not say), for the log.
struct ListOrder {
    std::optional<int64_t> previous;
    bool rising = false, falling = false;
    void saw(int64_t start_ms) {
        if (previous && start_ms > *previous) rising = true;
        if (previous && start_ms < *previous) falling = true;
        previous = start_ms;
    }
    std::string describe() const {
        if (rising && falling) return "in no order of start time";
        if (falling) return "newest first";
        if (rising) return "oldest first";
        return "in one start time or none";
    }
};

class Vodia {
public:
    static constexpr provisio::ModuleInfo info{"vodia", "1.2.0",
                                               "Vodia PBX tenants: suspend trunks or accounts, usage from the CDR list",
                                               PROVISIO_CAP_PROVISIONING | PROVISIO_CAP_NEEDS_SERVER};
    static constexpr provisio_option options[] = {
        provisio::on_server(provisio::dropdown("auth", "Authentication", auth_modes, "session",
                                               "session: log in once (MD5 of the password) and send the session cookie; basic: HTTP Basic on each request")),
        provisio::dropdown("suspend_mode", "Auto Suspend Mode", suspend_modes, "trunks",
                           "trunks: disable the tenant's trunks; accounts: disable only the service's accounts"),
        provisio::number("max_calls", "Max calls", "", "The tenant's concurrent call limit, set by create and change package; blank: leave"),
        provisio::number("cdr_page_size", "CDR page size", "500", "CDRs asked for per page of the CDR list"),
        provisio::text("password_key", "Account password setting", "password",
                       "The account setting change password writes (Vodia's published API does not name it; 'password' is the SIP "
                       "password as guides write it)"),
    };
    static constexpr provisio_custom_action custom_actions[] = {
        provisio::operator_action("list_trunks", "List trunks",
                                  "The tenant's trunks: enabled or disabled, and the PBX's registration status of each"),
    };

    explicit Vodia(const provisio::Host &) {}

    Outcome custom_action(provisio::Call &c) {
        if (c.action() == "list_trunks") return list_trunks(c);
        return Outcome::failure("vodia has no action '" + std::string(c.action()) + "'");
    }

    // The billed account's password, written with the same PUT of user_settings Vodia's sample
    // client uses for every account setting. The PBX applies its own password-strength rule
    // and answers a refusal with an error status, which fails the call with what it said.
    Outcome change_password(provisio::Call &c) {
        const Tenant t(c);
        if (t.billed.empty()) return Outcome::failure("the service names no account (its username, or an extension in its domain field)");
        const std::string password(c.service("password"));
        if (password.empty())
            return Outcome::failure("the new password is empty; Vodia refuses empty passwords unless 'Allow empty passwords' is on");
        const std::string key(c.setting("password_key"));
        if (key.empty()) return Outcome::failure("product option password_key is empty: name the account setting that holds the password");
        const Reply a = account_settings(c, t.domain, t.billed);
        if (a.status == 404) return Outcome::failure("account " + t.billed + " does not exist on tenant " + t.domain);
        if (a.failed) return *a.failed;
        if (const Reply r = call(c, "PUT", domain_path(t.domain, "user_settings/" + t.billed), json{{key, password}}); r.failed)
            return *r.failed;
        return Outcome::success("password of account " + t.billed + " on " + t.domain + " set (" + key + ")");
    }

    // Vodia lists its tenants as an object keyed by tenant id (the shape public clients read);
    // a list is read too. The log says which the PBX used.
    Outcome test_connection(provisio::Call &c) {
        const Reply r = call(c, "GET", "/rest/system/domains");
        if (r.failed) return *r.failed;
        if (!r.body.is_object() && !r.body.is_array())
            return Outcome::failure("the Vodia PBX answered the tenant list with " + excerpt(r.text) + ", not a list of tenants");
        c.log(PROVISIO_LOG_INFO, std::string("Vodia tenant list: ") + (r.body.is_object() ? "an object keyed by tenant id" : "a JSON list"));
        return Outcome::success("Vodia PBX answered: " + std::to_string(r.body.size()) + " tenant(s)");
    }

    Outcome create(provisio::Call &c) {
        const Tenant t(c);
        const Reply trunks = trunk_list(c, t.domain);
        if (trunks.status == 404) return Outcome::failure("tenant " + t.domain + " does not exist on the Vodia PBX (create it there first)");
        if (trunks.failed) return *trunks.failed;
        std::vector<std::string> accounts, enabled;
        for (const auto &n : t.candidates()) {
            const Reply a = account_settings(c, t.domain, n);
            if (a.status == 404) continue;  // a DID, not an account
            if (a.failed) return *a.failed;
            accounts.push_back(n);
            const auto disabled = account_disabled(a.body);
            if (!disabled) {
                c.log(PROVISIO_LOG_WARNING, "account " + n + " on " + t.domain +
                                                " has no 'dis' flag in its settings: suspend_mode=accounts cannot disable it on this PBX");
                continue;
            }
            if (*disabled) {
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
            std::vector<std::string> done = state_list(c.state("disabled_accounts")), unflagged;
            if (auto failed = disable_accounts(c, domain, t.candidates(), done, unflagged)) return *failed;
            if (!unflagged.empty())  // the clients could still call: the suspend did not happen
                return Outcome::failure("account(s) " + joined(unflagged) + " on " + domain +
                                        " have no 'dis' flag in their settings, so this PBX cannot disable them: "
                                        "use suspend_mode=trunks (the call log has the settings the PBX sent)");
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
                const Reply r = call(c, "PUT", domain_path(domain, kind + left.front()), json{{"dis", "false"}});
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
        std::vector<std::string> accounts = state_list(c.state("disabled_accounts")), unflagged;
        if (auto failed = disable_accounts(c, t.domain, t.candidates(), accounts, unflagged)) return *failed;
        std::vector<std::string> trunks = state_list(c.state("disabled_trunks"));
        if (provisio::plugin::product_option<Vodia>(c, "suspend_mode") == "trunks")
            if (auto failed = disable_trunks(c, t.domain, trunks)) return *failed;
        for (const char *key : {"disabled_accounts", "disabled_trunks", "suspended_tenant"}) c.erase_state(key);
        // Terminate goes through: the tenant is the operator's to delete on the PBX, and an
        // account this PBX cannot disable is named so the operator can.
        return Outcome::success("tenant " + t.domain + ": accounts " + (accounts.empty() ? "none" : joined(accounts)) + " and trunks " +
                                (trunks.empty() ? "none" : joined(trunks)) + " disabled for good" +
                                (unflagged.empty() ? "" : "; account(s) " + joined(unflagged) + " left as they are (no 'dis' flag on this PBX)") +
                                " (the PBX keeps the tenant; delete it there)");
    }

    Outcome change_package(provisio::Call &c) {
        const Tenant t(c);
        if (std::string(c.setting("max_calls")).empty()) return Outcome::success("no max_calls set: tenant " + t.domain + " left as it is");
        if (auto failed = apply_max_calls(c, t.domain)) return *failed;
        return Outcome::success("tenant " + t.domain + " limited to " + std::string(c.setting("max_calls")) + " call(s)");
    }

    // Vodia pages its CDR list with page (from 1) and size and keeps no cursor of its own, so
    // every collection reads the list to its end (a page shorter than asked for) and keeps the
    // service's calls that ended after the cursor (cdr_cursor.hpp). The PBX keeps a bounded
    // number of CDRs, so the list is not long.
    Outcome collect_usage(provisio::Call &c, const provisio::UsageRequest &request) {
        const Tenant t(c);
        const std::string cursor_in = request.cursor.empty() ? request.since : request.cursor;
        vodia::CdrFloor floor;
        std::optional<int64_t> since_ms;
        try {
            floor = vodia::floor_of(cursor_in);
            if (!request.since.empty()) since_ms = provisio::plugin::epoch_of(request.since) * 1000;
        } catch (const std::exception &e) {
            return Outcome::failure(e.what());
        }
        const std::string size_text = provisio::plugin::product_option<Vodia>(c, "cdr_page_size");
        if (!is_digits(size_text) || size_text.size() > 5 || std::stoi(size_text) == 0)
            return Outcome::failure("cdr_page_size '" + size_text + "' is not a page size from 1 to 99999");
        const size_t size = std::stoul(size_text);

        struct Mine {
            vodia::CdrKey key;
            vodia::CdrRecord cdr;
        };
        std::vector<Mine> mine;
        std::set<std::string> seen;  // a call listed twice (the list moved while paging) counts once
        vodia::TimeForms forms;
        ListOrder order;
        int page = 1;
        for (;; ++page) {
            if (page > max_cdr_pages)
                return Outcome::failure("the CDR list of " + t.domain + " did not end after " + std::to_string(max_cdr_pages) + " pages of " +
                                        size_text + " (every page was full)");
            const Reply r = call(c, "GET", domain_path(t.domain, "cdrs?page=" + std::to_string(page) + "&size=" + size_text));
            if (r.failed) return *r.failed;
            if (!r.body.is_array())
                return Outcome::failure("the Vodia PBX answered page " + std::to_string(page) + " of the CDR list of " + t.domain + " with " +
                                        excerpt(r.text) + ", not a list of CDRs");
            for (size_t i = 0; i < r.body.size(); ++i) {
                vodia::CdrRecord cdr;
                vodia::CdrKey key;
                try {
                    cdr = vodia::read_cdr(r.body[i], "page " + std::to_string(page) + ", record " + std::to_string(i + 1), forms);
                    key = vodia::key_of(cdr.end_ms, cdr.id);
                } catch (const std::exception &e) {
                    return Outcome::failure(std::string(e.what()) + " — nothing collected for " + t.domain);
                }
                if (!seen.insert(cdr.id).second) continue;
                order.saw(cdr.start_ms);
                if (since_ms && cdr.start_ms < *since_ms) continue;
                if (!floor.after(key) || !belongs(t, cdr)) continue;
                mine.push_back({std::move(key), std::move(cdr)});
            }
            if (r.body.size() < size) break;
        }
        c.log(PROVISIO_LOG_INFO, "Vodia CDR list of " + t.domain + ": " + std::to_string(page) + " page(s) of " + size_text + ", " +
                                     std::to_string(seen.size()) + " call(s), " + order.describe() + "; times as " + forms.describe());

        std::sort(mine.begin(), mine.end(), [](const Mine &a, const Mine &b) { return std::tie(a.key.end_ms, a.key.id) < std::tie(b.key.end_ms, b.key.id); });
        if (mine.size() > request.max_records) mine.resize(request.max_records);
        for (const Mine &m : mine) c.add_usage(usage_of(t, m.cdr));
        std::string cursor_out = mine.empty() ? cursor_in : vodia::cursor_text(mine.back().key);
        // Right after an upgrade a cursor of the module's first versions ("START|ID") can sort
        // after the new form within the same second; keep it then (the host skips calls it has).
        if (cursor_out < cursor_in) cursor_out = cursor_in;
        c.set_usage_cursor(cursor_out);
        return Outcome::success(std::to_string(mine.size()) + " call(s) of " + std::to_string(seen.size()) + " on tenant " + t.domain);
    }

private:
    Outcome list_trunks(provisio::Call &c) {
        const Tenant t(c);
        const Reply list = trunk_list(c, t.domain);
        if (list.status == 404) return Outcome::failure("tenant " + t.domain + " does not exist on the Vodia PBX");
        if (list.failed) return *list.failed;
        if (list.body.empty()) return Outcome::success("tenant " + t.domain + " has no trunks");
        std::vector<std::string> said;
        for (const json &trunk : list.body) {
            // status1 and status2 are the registration's last answer and interval ("200 OK", "60 s"); empty when not registering.
            const std::string status = text_of(trunk, "status1"), interval = text_of(trunk, "status2");
            said.push_back(text_of(trunk, "name") + " (id " + text_of(trunk, "id") + ", " +
                           (text_of(trunk, "disabled") == "true" ? "disabled" : "enabled") +
                           (status.empty() ? ", not registered" : ", " + status + (interval.empty() ? "" : ", " + interval)) + ")");
        }
        return Outcome::success(std::to_string(list.body.size()) + " trunk(s) on " + t.domain + ": " + joined(said, "; "));
    }

    static std::string domain_path(const std::string &domain, const std::string &what) { return "/rest/domain/" + domain + "/" + what; }

    static bool outbound(const Tenant &t, const vodia::SipParty &from) {
        return t.owns(from.number) || (!t.first_name.empty() && from.display.size() == t.first_name.size() &&
                                       vodia::contains_ignoring_case(from.display, t.first_name));
    }
    static bool inbound(const Tenant &t, const vodia::SipParty &to) {
        return t.owns(to.number) || to.number == t.inbound_search || vodia::contains_ignoring_case(to.display, t.inbound_search);
    }
    static bool belongs(const Tenant &t, const vodia::CdrRecord &cdr) {
        return outbound(t, vodia::parse_sip_party(cdr.from)) || inbound(t, vodia::parse_sip_party(cdr.to));
    }

    static provisio::UsageRecord usage_of(const Tenant &t, const vodia::CdrRecord &cdr) {
        const vodia::SipParty from = vodia::parse_sip_party(cdr.from);
        const vodia::SipParty to = vodia::parse_sip_party(cdr.to);
        const bool out = outbound(t, from);
        provisio::UsageRecord u;
        // Qualified by the tenant: nothing says Vodia numbers CDRs across tenants, and the host
        // keeps one call per id.
        u.id = t.domain + "/" + cdr.id;
        u.direction = out ? "outbound" : "inbound";
        u.caller = from.number;
        u.destination_number = to.number;
        u.caller_destination = out ? "" : to.number;
        u.start = vodia::iso_utc_millis(cdr.start_ms);
        u.answer = cdr.connect_ms ? vodia::iso_utc_millis(*cdr.connect_ms) : "";
        u.end = vodia::iso_utc_millis(cdr.end_ms);
        u.duration = vodia::seconds_rounded_up(cdr.end_ms - cdr.start_ms);
        u.billsec = cdr.connect_ms ? vodia::seconds_rounded_up(cdr.end_ms - *cdr.connect_ms) : 0;
        u.hangup_cause = cdr.connect_ms ? "ANSWERED" : "NO ANSWER";
        return u;
    }

    // The tenant's trunks; failed also when the answer is not a list.
    Reply trunk_list(provisio::Call &c, const std::string &domain) {
        Reply list = call(c, "GET", domain_path(domain, "domain_trunks"));
        if (!list.failed && !list.body.is_array())
            list.failed = Outcome::failure("the Vodia PBX answered the trunk list of " + domain + " with " + excerpt(list.text) + ", not a list");
        return list;
    }

    Reply account_settings(provisio::Call &c, const std::string &domain, const std::string &number) {
        Reply a = call(c, "GET", domain_path(domain, "user_settings/" + number));
        if (!a.failed && !a.body.is_object())
            a.failed = Outcome::failure("the Vodia PBX answered the settings of account " + number + " on " + domain + " with " +
                                        excerpt(a.text) + ", not an object of settings");
        return a;
    }

    // Vodia's sample client changes a trunk's or an account's settings with PUT.
    std::optional<Outcome> set_disabled(provisio::Call &c, const std::string &domain, const std::string &what, bool disabled) {
        return call(c, "PUT", domain_path(domain, what), json{{"dis", disabled ? "true" : "false"}}).failed;
    }

    // Disables the tenant's enabled trunks, adding each to `done` (saved as it goes).
    std::optional<Outcome> disable_trunks(provisio::Call &c, const std::string &domain, std::vector<std::string> &done) {
        const Reply list = trunk_list(c, domain);
        if (list.failed) return list.failed;
        for (const json &trunk : list.body) {
            const std::string id = text_of(trunk, "id");
            if (id.empty()) return Outcome::failure("the Vodia PBX listed a trunk of " + domain + " without an id: " + excerpt(trunk.dump()));
            if (text_of(trunk, "disabled") == "true") continue;  // disabled by someone else: not ours to enable later
            if (auto failed = set_disabled(c, domain, "edit_trunk/" + id, true)) return failed;
            add_unique(done, id);
            c.set_state("disabled_trunks", joined(done));
            c.set_state("suspended_tenant", domain);
        }
        return std::nullopt;
    }

    // Disables the service's enabled accounts, adding each to `done` (saved as it goes); an
    // account whose settings carry no 'dis' flag is left alone and named in `unflagged`.
    std::optional<Outcome> disable_accounts(provisio::Call &c, const std::string &domain, const std::vector<std::string> &numbers,
                                            std::vector<std::string> &done, std::vector<std::string> &unflagged) {
        for (const auto &n : numbers) {
            const Reply a = account_settings(c, domain, n);
            if (a.status == 404) continue;
            if (a.failed) return a.failed;
            const auto disabled = account_disabled(a.body);
            if (!disabled) {
                c.log(PROVISIO_LOG_WARNING, "account " + n + " on " + domain + " has no 'dis' flag in its settings: not disabled");
                unflagged.push_back(n);
                continue;
            }
            if (*disabled) continue;
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
                const Reply a = account_settings(c, t.domain, n);
                if (a.status == 404) continue;
                if (a.failed) return *a.failed;
                if (account_disabled(a.body) != true) continue;
                if (auto failed = set_disabled(c, t.domain, "user_settings/" + n, false)) return *failed;
                enabled.push_back("account " + n);
            }
        } else {
            const Reply list = trunk_list(c, t.domain);
            if (list.failed) return *list.failed;
            for (const json &trunk : list.body) {
                if (text_of(trunk, "disabled") != "true") continue;
                if (auto failed = set_disabled(c, t.domain, "edit_trunk/" + text_of(trunk, "id"), false)) return *failed;
                enabled.push_back("trunk " + text_of(trunk, "id"));
            }
        }
        return Outcome::success("enabled on " + t.domain + ": " + (enabled.empty() ? "nothing" : joined(enabled)));
    }

    // The tenant's call limit. Vodia's sample client reads a tenant's settings with GET
    // …/settings and writes them with PUT …/settings/; the key "max_calls" is our reading of
    // the web interface, so it is written only when the PBX shows it.
    std::optional<Outcome> apply_max_calls(provisio::Call &c, const std::string &domain) {
        const std::string limit(c.setting("max_calls"));
        if (limit.empty()) return std::nullopt;
        const Reply settings = call(c, "GET", domain_path(domain, "settings"));
        if (settings.failed) return settings.failed;
        if (!settings.body.is_object() || !settings.body.contains("max_calls"))
            return Outcome::failure("the settings of tenant " + domain + " on the Vodia PBX have no 'max_calls' (answer: " +
                                    excerpt(settings.text) + "): this PBX does not take the call limit this way; leave max_calls blank");
        return call(c, "PUT", domain_path(domain, "settings/"), json{{"max_calls", limit}}).failed;
    }

    Reply call(provisio::Call &c, const std::string &method, const std::string &path, const std::optional<json> &body = std::nullopt) {
        return rest_.call(c, provisio::plugin::server_option<Vodia>(c, "auth") == "basic", method, path, body);
    }

    vodia::RestClient rest_;
};

}  // namespace

PROVISIO_MODULE(Vodia)
