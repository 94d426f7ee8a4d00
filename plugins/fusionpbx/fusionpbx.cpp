// fusionpbx — FusionPBX tenants as a server module. FusionPBX has no REST API: like its own
// PHP, the module writes FusionPBX's PostgreSQL tables (libpq) and tells FreeSWITCH to apply
// the change over the event socket (through the host's TCP exchange). A service is a domain and
// its main DID ("mcon.wat5.example.ca | 5192229000") with extensions "2112 | 2113" in the
// Dedicated IP field (v1.4 style; the username when that is blank).
//
// Every action does what FusionPBX's own PHP does for the same change, in its order (the files
// and lines are in docs/modules/fusionpbx.md): suspend stops and disables the domain's gateways,
// or disables only the service's extensions, then clears the cache entries the switch reads them
// from; it records exactly what it disabled, and unsuspend enables exactly that whatever the mode
// is by then. Gateways are stopped before the transaction commits (a refusal rolls it back);
// cache deletes and rescans follow the commit, because the switch re-reads the database.
#include "cache.hpp"
#include "esl.hpp"
#include "pg.hpp"
#include "plugin_support.hpp"
#include "registrations.hpp"

#include <provisio/module.hpp>

#include <algorithm>
#include <random>
#include <tuple>

namespace {

using provisio::Outcome;
using provisio::plugin::add_unique;
using provisio::plugin::is_digits;
using provisio::plugin::joined;
using provisio::plugin::split_fields;
using provisio::plugin::state_list;

constexpr const char *suspend_modes[] = {"gateway", "extension"};
constexpr const char *cdr_scopes[] = {"domain", "extensions"};
constexpr const char *cache_methods[] = {"file", "memcache"};

std::vector<std::string> merged(std::vector<std::string> a, const std::vector<std::string> &b) {
    for (const auto &x : b) provisio::plugin::add_unique(a, x);
    return a;
}

std::string new_uuid() {
    static thread_local std::mt19937_64 random{std::random_device{}()};
    const uint64_t hi = random(), lo = random();
    char buf[37];
    std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(hi >> 32), static_cast<unsigned>((hi >> 16) & 0xffff),
                  static_cast<unsigned>(hi & 0x0fff), static_cast<unsigned>(0x8000 | (lo >> 48 & 0x3fff)),
                  static_cast<unsigned long long>(lo & 0xffffffffffffULL));
    return buf;
}

// The service's fields, checked.
struct Tenant {
    std::string domain, main_did;
    std::vector<std::string> extensions;

    explicit Tenant(const provisio::Call &c) {
        const auto parts = split_fields(c.service("domain"));
        domain = parts.front();
        if (domain.empty() || domain.find(' ') != std::string::npos || parts.size() > 2)
            throw std::runtime_error("the service's domain must be 'domain | main DID' (e.g. mcon.wat5.example.ca | 5192229000), not '" +
                                     std::string(c.service("domain")) + "'");
        if (parts.size() == 2) {
            main_did = parts[1];
            if (!is_digits(main_did)) throw std::runtime_error("the main DID '" + main_did + "' (after the domain's '|') is not a number");
        }
        std::string_view list = c.service("dedicated_ip");
        const char *field = "Dedicated IP";
        if (provisio::plugin::trimmed(list).empty()) {
            list = c.service("username");
            field = "username";
        }
        if (provisio::plugin::trimmed(list).empty()) return;
        const auto exts = split_fields(list);
        for (size_t i = 0; i < exts.size(); ++i) {
            if (!is_digits(exts[i]))
                throw std::runtime_error("extension '" + exts[i] + "' (item " + std::to_string(i + 1) + " of the " + field +
                                         " field) is not a number: list extensions as '2112 | 2113 | 2114'");
            add_unique(extensions, exts[i]);
        }
    }
};

// Rows of the extensions an UPDATE … RETURNING touched: uuid, extension, number alias, user context.
constexpr const char *extension_columns = "extension_uuid::text, extension, coalesce(number_alias, ''), coalesce(user_context, '')";
// Rows of gateways: uuid, profile (FusionPBX's default "external" when blank), name.
constexpr const char *gateway_columns = "gateway_uuid::text, coalesce(nullif(profile, ''), 'external'), coalesce(nullif(gateway, ''), gateway_uuid::text)";

class FusionPbx {
public:
    static constexpr provisio::ModuleInfo info{"fusionpbx", "1.2.0",
                                               "FusionPBX domains through its database and FreeSWITCH's event socket: "
                                               "suspend gateways or extensions, usage from v_xml_cdr",
                                               PROVISIO_CAP_PROVISIONING | PROVISIO_CAP_NEEDS_SERVER};
    static constexpr provisio_option options[] = {
        provisio::on_server(provisio::text("db_name", "Database name", "fusionpbx")),
        provisio::on_server(provisio::text("db_sslmode", "Database sslmode", "prefer", "libpq sslmode: disable, prefer, require, verify-full")),
        provisio::on_server(provisio::number("db_connect_timeout", "Database connect timeout (s)", "5")),
        provisio::on_server(provisio::number("db_statement_timeout_ms", "Database statement timeout (ms)", "10000")),
        provisio::on_server(provisio::text("esl_host", "Event socket host", "", "Blank: the server's hostname")),
        provisio::on_server(provisio::number("esl_port", "Event socket port", "8021")),
        provisio::on_server(provisio::password("esl_password", "Event socket password", "Blank: FreeSWITCH's default, ClueCon")),
        provisio::on_server(provisio::number("esl_timeout_ms", "Event socket timeout (ms)", "", "Blank: [http] timeout_ms")),
        provisio::on_server(provisio::dropdown("cache_method", "Cache method", cache_methods, "file",
                                               "FusionPBX's cache.method default setting: file (FusionPBX's default) or memcache")),
        provisio::dropdown("suspend_mode", "Auto Suspend Mode", suspend_modes, "gateway",
                           "gateway: disable the domain's SIP gateways; extension: disable only the service's extensions"),
        provisio::number("limit_max", "Extension limit_max", "", "Concurrent calls per extension, set by create and change package; blank: leave"),
        provisio::dropdown("cdr_scope", "CDR scope", cdr_scopes, "domain",
                           "domain: bill every call of the domain; extensions: only calls of the service's extensions"),
    };

    static constexpr provisio_custom_action custom_actions[] = {
        provisio::operator_action("reload_directory", "Reload the domain's directory",
                                  "Delete the switch's cached directory entries of every extension of the domain and reload its XML, "
                                  "so changes made in FusionPBX's database reach the phones"),
        provisio::client_action("registrations", "Registered phones",
                                "Which of the service's phones are registered now, with their model and address"),
    };

    explicit FusionPbx(const provisio::Host &) {}

    Outcome custom_action(provisio::Call &c) {
        if (c.action() == "reload_directory") return reload_directory(c);
        if (c.action() == "registrations") return registrations(c);
        return Outcome::failure("fusionpbx has no action '" + std::string(c.action()) + "'");
    }

    // As FusionPBX's extension form saves a password (app/extensions/extension_edit.php): the
    // extensions' password, the password of the device lines provisioned for them (matched on
    // server_address = the domain and user_id = the extension, as the form matches them), then
    // the extensions' directory cache entries, so the next registration is checked against the
    // new one. The form enforces no rule of its own (its length and strength settings only
    // generate passwords); its field takes 50 characters, and an empty password would let
    // anything register.
    Outcome change_password(provisio::Call &c) {
        return guarded(c, [&] {
            const Tenant t(c);
            if (t.extensions.empty())
                return Outcome::failure("the service lists no extensions (Dedicated IP field, e.g. '2112 | 2113'): no SIP password to change");
            const std::string password(c.service("password"));
            if (password.empty()) return Outcome::failure("the new password is empty; a FusionPBX extension needs one to register safely");
            if (password.size() > 50) return Outcome::failure("the new password is longer than the 50 characters FusionPBX's extension form takes");
            pg::Connection db(settings(c));
            const std::string domain_uuid = uuid_of(c, db, t.domain);
            pg::Transaction tx(db);
            SwitchPlan plan;
            std::vector<std::string> changed;
            for (const auto &r : update_extensions(c, db, plan, t.domain, domain_uuid, t.extensions, "password = $3", "", password, true))
                changed.push_back(r[1]);
            if (changed.empty()) return Outcome::failure("none of extension(s) " + joined(t.extensions) + " is in FusionPBX's domain " + t.domain);
            size_t lines = 0;
            if (sql(c, db, "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'v_device_lines'")[0][0] != "0")
                lines = sql(c, db,
                            "UPDATE v_device_lines SET password = $3 WHERE domain_uuid = $1 AND server_address = $4 AND user_id = ANY($2::text[]) "
                            "RETURNING device_line_uuid",
                            {domain_uuid, pg::array_literal(changed), password, t.domain}, 2)
                            .size();
            if (const Applied applied = apply(c, tx, plan); applied.failed) return *applied.failed;
            return Outcome::success("password set on extension(s) " + joined(changed) +
                                    (lines ? " and " + std::to_string(lines) + " device line(s)" : ""));
        });
    }

    Outcome test_connection(provisio::Call &c) {
        return guarded(c, [&] {
            pg::Connection db(settings(c));
            const auto domains = sql(c, db, "SELECT count(*) FROM v_domains");
            const auto types = sql(c, db,
                                   "SELECT data_type FROM information_schema.columns WHERE table_name = 'v_gateways' AND column_name = 'enabled'");
            const CdrColumns cdr = cdr_columns(c, db);
            std::vector<std::string> answers;
            if (auto failed = switch_commands(c, {esl::api("status"), esl::api("hostname")}, &answers)) return *failed;
            return Outcome::success("PostgreSQL: " + domains.at(0).at(0) + " domain(s), enabled columns as " +
                                    (types.empty() ? "?" : types[0][0]) + ", call records keyed by " + cdr.id + "; FreeSWITCH " +
                                    first_line(answers.at(1)) + ": " + first_line(answers.at(0)) + "; cache method " +
                                    provisio::plugin::server_option<FusionPbx>(c, "cache_method"));
        });
    }

    // The domain must exist: FusionPBX's domain form (core/domains/domain_edit.php) also imports
    // the default dialplans and creates the domain's recording and voicemail folders on the
    // FusionPBX host, which a remote integration cannot do; a bare v_domains row routes no calls.
    Outcome create(provisio::Call &c) {
        return guarded(c, [&] {
            const Tenant t(c);
            pg::Connection db(settings(c));
            pg::Transaction tx(db);
            std::vector<std::string> said;
            auto found = sql(c, db, "SELECT domain_uuid::text, domain_enabled::text FROM v_domains WHERE domain_name = $1", {t.domain});
            if (found.empty())
                return Outcome::failure("domain " + t.domain + " is not in FusionPBX: create it in FusionPBX first (Advanced > Domains), "
                                        "which also imports its dialplans and creates its folders; provisio does not create domains");
            const std::string domain_uuid = found[0][0];
            if (found[0][1] != "true") {
                sql(c, db, "UPDATE v_domains SET domain_enabled = 'true' WHERE domain_uuid = $1", {domain_uuid});
                said.push_back("domain enabled");
            }
            const std::string limit = provisio::plugin::product_option<FusionPbx>(c, "limit_max");
            SwitchPlan plan;
            std::vector<std::string> created, enabled;
            for (const auto &ext : t.extensions) {
                auto e = sql(c, db,
                             "SELECT extension_uuid::text, enabled::text, coalesce(number_alias, ''), coalesce(user_context, '') FROM v_extensions "
                             "WHERE domain_uuid = $1 AND extension = $2",
                             {domain_uuid, ext});
                if (e.empty()) {
                    add_extension(c, db, domain_uuid, t.domain, ext, limit.empty() ? "5" : limit);
                    created.push_back(ext);
                    e = {{"", "true", "", t.domain}};
                } else if (e[0][1] != "true") {
                    sql(c, db, "UPDATE v_extensions SET enabled = 'true' WHERE extension_uuid = $1", {e[0][0]});
                    enabled.push_back(ext);
                }
                plan.forget_directory(ext, e[0][2], e[0][3], t.domain);
            }
            if (!limit.empty() && !t.extensions.empty())
                sql(c, db, "UPDATE v_extensions SET limit_max = $3 WHERE domain_uuid = $1 AND extension = ANY($2::text[])",
                    {domain_uuid, pg::array_literal(t.extensions), limit});
            const Applied applied = apply(c, tx, plan);
            if (!applied.committed) return *applied.failed;
            c.set_state("domain_uuid", domain_uuid);
            if (applied.failed) return *applied.failed;
            if (!created.empty()) said.push_back("extension(s) " + joined(created) + " created");
            if (!enabled.empty()) said.push_back("extension(s) " + joined(enabled) + " enabled");
            return Outcome::success("domain " + t.domain + ": " + (said.empty() ? "already in place" : joined(said, ", ")));
        });
    }

    Outcome suspend(provisio::Call &c) {
        return guarded(c, [&] {
            const Tenant t(c);
            const std::string mode = provisio::plugin::product_option<FusionPbx>(c, "suspend_mode");
            pg::Connection db(settings(c));
            const std::string domain = c.state("suspended_domain").value_or(t.domain);
            const std::string domain_uuid = uuid_of(c, db, domain);
            pg::Transaction tx(db);
            if (mode == "extension") {
                if (t.extensions.empty()) return Outcome::failure("extension mode needs the service's extensions in its Dedicated IP field ('2112 | 2113')");
                SwitchPlan plan;
                const auto rows =
                    update_extensions(c, db, plan, domain, domain_uuid, t.extensions, "enabled = 'false'", "AND enabled::text = 'true'");
                std::vector<std::string> done, names;
                for (const auto &r : rows) {
                    done.push_back(r[0] + ":" + r[1]);
                    names.push_back(r[1]);
                }
                const Applied applied = apply(c, tx, plan);
                if (!applied.committed) return *applied.failed;
                const auto all = merged(state_list(c.state("disabled_extensions")), done);
                if (!all.empty()) {
                    c.set_state("disabled_extensions", joined(all));
                    c.set_state("suspended_domain", domain);
                }
                if (applied.failed) return *applied.failed;
                return Outcome::success("extensions disabled on " + domain + ": " + (rows.empty() ? "none (already disabled)" : joined(names)));
            }
            const auto rows = in_order(sql(c, db,
                                  std::string("UPDATE v_gateways SET enabled = 'false' WHERE domain_uuid = $1 AND enabled::text = 'true' RETURNING ") +
                                      gateway_columns,
                                  {domain_uuid}));
            std::vector<std::string> done, names;
            for (const auto &r : rows) {
                done.push_back(r[0] + "@" + r[1]);
                names.push_back(r[2]);
            }
            SwitchPlan plan;
            plan.stop_gateways(rows);
            const Applied applied = apply(c, tx, plan);
            if (!applied.committed) return *applied.failed;
            const auto all = merged(state_list(c.state("disabled_gateways")), done);
            if (!all.empty()) {
                c.set_state("disabled_gateways", joined(all));
                c.set_state("suspended_domain", domain);
            }
            if (applied.failed) return *applied.failed;
            return Outcome::success("gateways disabled on " + domain + ": " + (names.empty() ? "none (already disabled)" : joined(names)));
        });
    }

    Outcome unsuspend(provisio::Call &c) {
        return guarded(c, [&] {
            const auto gateways = state_list(c.state("disabled_gateways"));
            const auto extensions = state_list(c.state("disabled_extensions"));
            pg::Connection db(settings(c));
            pg::Transaction tx(db);
            SwitchPlan plan;
            std::vector<std::string> said;
            pg::Rows enabled_gateways, enabled_extensions;
            std::string domain;
            if (gateways.empty() && extensions.empty()) {
                // Suspended before this module recorded what it did (or by hand).
                c.log(PROVISIO_LOG_WARNING, "no record of what suspend disabled: enabling what the current Auto Suspend Mode disables");
                const Tenant t(c);
                domain = t.domain;
                const std::string domain_uuid = uuid_of(c, db, domain);
                if (provisio::plugin::product_option<FusionPbx>(c, "suspend_mode") == "extension")
                    enabled_extensions = in_order(sql(c, db,
                                             std::string("UPDATE v_extensions SET enabled = 'true' WHERE domain_uuid = $1 AND extension = "
                                                         "ANY($2::text[]) AND enabled::text <> 'true' RETURNING ") + extension_columns,
                                             {domain_uuid, pg::array_literal(t.extensions)}));
                else
                    enabled_gateways = in_order(sql(c, db,
                                           std::string("UPDATE v_gateways SET enabled = 'true' WHERE domain_uuid = $1 AND enabled::text <> 'true' "
                                                       "RETURNING ") + gateway_columns,
                                           {domain_uuid}));
            } else {
                domain = c.state("suspended_domain").value_or(Tenant(c).domain);
                std::vector<std::string> uuids;
                for (const auto &g : gateways) uuids.push_back(g.substr(0, g.find('@')));
                if (!uuids.empty())
                    enabled_gateways = in_order(sql(c, db, std::string("UPDATE v_gateways SET enabled = 'true' WHERE gateway_uuid = ANY($1::uuid[]) RETURNING ") +
                                                      gateway_columns,
                                           {pg::array_literal(uuids)}));
                uuids.clear();
                for (const auto &e : extensions) uuids.push_back(e.substr(0, e.find(':')));
                if (!uuids.empty())
                    enabled_extensions = in_order(sql(c, db,
                                             std::string("UPDATE v_extensions SET enabled = 'true' WHERE extension_uuid = ANY($1::uuid[]) RETURNING ") +
                                                 extension_columns,
                                             {pg::array_literal(uuids)}));
            }
            for (const auto &r : enabled_gateways) said.push_back("gateway " + r[2]);
            for (const auto &r : enabled_extensions) {
                plan.forget_directory(r[1], r[2], r[3], domain);
                said.push_back("extension " + r[1]);
            }
            plan.start_gateways(enabled_gateways);
            // Until the switch has re-read the change, the state stays: a retry enables the same
            // rows again (nothing changes) and finishes the switch's part.
            if (const Applied applied = apply(c, tx, plan); applied.failed) return *applied.failed;
            for (const char *key : {"disabled_gateways", "disabled_extensions", "suspended_domain"}) c.erase_state(key);
            return Outcome::success("enabled on " + domain + ": " + (said.empty() ? "nothing" : joined(said)));
        });
    }

    Outcome terminate(provisio::Call &c) {
        return guarded(c, [&] {
            const Tenant t(c);
            const bool whole_domain = provisio::plugin::product_option<FusionPbx>(c, "suspend_mode") == "gateway";
            pg::Connection db(settings(c));
            const std::string domain_uuid = uuid_of(c, db, t.domain);
            pg::Transaction tx(db);
            SwitchPlan plan;
            std::vector<std::string> said;
            for (const auto &r :
                 update_extensions(c, db, plan, t.domain, domain_uuid, t.extensions, "enabled = 'false'", "AND enabled::text = 'true'"))
                said.push_back("extension " + r[1]);
            if (whole_domain) {
                const auto rows = in_order(sql(c, db,
                                      std::string("UPDATE v_gateways SET enabled = 'false' WHERE domain_uuid = $1 AND enabled::text = 'true' "
                                                  "RETURNING ") + gateway_columns,
                                      {domain_uuid}));
                for (const auto &r : rows) said.push_back("gateway " + r[2]);
                plan.stop_gateways(rows);
                // FusionPBX's domain toggle (resources/classes/domains.php) changes the flag and nothing else.
                sql(c, db, "UPDATE v_domains SET domain_enabled = 'false' WHERE domain_uuid = $1", {domain_uuid});
                said.push_back("domain");
            }
            const Applied applied = apply(c, tx, plan);
            if (!applied.committed) return *applied.failed;
            for (const char *key : {"disabled_gateways", "disabled_extensions", "suspended_domain"}) c.erase_state(key);
            if (applied.failed) return *applied.failed;
            return Outcome::success(t.domain + ": disabled " + (said.empty() ? "nothing (already disabled)" : joined(said, ", ")) +
                                    " (rows are kept; delete them in FusionPBX)");
        });
    }

    Outcome change_package(provisio::Call &c) {
        return guarded(c, [&] {
            const Tenant t(c);
            const std::string limit(c.setting("limit_max"));
            if (limit.empty() || t.extensions.empty()) return Outcome::success("no limit_max or no extensions: " + t.domain + " left as it is");
            if (!is_digits(limit)) return Outcome::failure("limit_max '" + limit + "' is not a whole number");
            pg::Connection db(settings(c));
            const std::string domain_uuid = uuid_of(c, db, t.domain);
            pg::Transaction tx(db);
            SwitchPlan plan;
            std::vector<std::string> changed;
            for (const auto &r : update_extensions(c, db, plan, t.domain, domain_uuid, t.extensions, "limit_max = $3", "", limit))
                changed.push_back(r[1]);
            if (const Applied applied = apply(c, tx, plan); applied.failed) return *applied.failed;
            return Outcome::success("limit_max " + limit + " on extension(s) " + (changed.empty() ? "none found" : joined(changed)));
        });
    }

    // Only a-legs, as FusionPBX shows and exports its call records to anyone without the
    // xml_cdr_b_leg permission (app/xml_cdr/xml_cdr_inc.php): an installation that also records
    // b-legs would otherwise bill each bridged call twice.
    Outcome collect_usage(provisio::Call &c, const provisio::UsageRequest &request) {
        return guarded(c, [&] {
            const Tenant t(c);
            pg::Connection db(settings(c));
            const std::string domain_uuid = uuid_of(c, db, t.domain);
            const CdrColumns columns = cdr_columns(c, db);
            const std::string cursor_text = request.cursor.empty() ? request.since : request.cursor;
            const auto [floor_start, floor_id] = provisio::plugin::split_cursor(cursor_text);
            const bool by_extension = provisio::plugin::product_option<FusionPbx>(c, "cdr_scope") == "extensions";
            const std::string id = columns.id + "::text";
            std::string query = "SELECT " + id +
                                ", coalesce(direction, ''), coalesce(caller_id_number, ''), coalesce(caller_destination, ''), "
                                "coalesce(destination_number, ''), floor(start_epoch)::bigint, coalesce(answer_epoch, 0)::bigint, "
                                "coalesce(end_epoch, 0)::bigint, coalesce(duration, 0)::bigint, billsec::bigint, coalesce(hangup_cause, '') "
                                "FROM v_xml_cdr WHERE domain_uuid = $1 AND leg = 'a' AND billsec > 0 AND (start_epoch, " + id +
                                ") > ($2::numeric, $3) ";
            std::vector<std::string> params{domain_uuid, std::to_string(floor_start), floor_id, std::to_string(request.max_records)};
            if (by_extension) {
                query += "AND extension_uuid IN (SELECT extension_uuid FROM v_extensions WHERE domain_uuid = $1 AND extension = ANY($5::text[])) ";
                params.push_back(pg::array_literal(t.extensions));
            }
            query += "ORDER BY start_epoch, " + id + " LIMIT $4";
            const pg::Rows rows = db.exec(query, params);  // not logged row by row: the host keeps the records
            c.log_call("v_xml_cdr", "a-leg calls of " + t.domain + " after " + cursor_text, std::to_string(rows.size()) + " row(s)");
            for (const auto &r : rows) {
                provisio::UsageRecord u;
                u.id = r[0];
                u.direction = r[1];
                u.caller = r[2];
                u.caller_destination = r[3];
                u.destination_number = r[4];
                const int64_t start = std::stoll(r[5]), answer = std::stoll(r[6]), end = std::stoll(r[7]);
                u.start = provisio::plugin::iso_utc(start);
                u.answer = answer > 0 ? provisio::plugin::iso_utc(answer) : "";
                u.end = end > 0 ? provisio::plugin::iso_utc(end) : "";
                u.duration = std::stoll(r[8]);
                u.billsec = std::stoll(r[9]);
                u.hangup_cause = r[10];
                c.add_usage(u);
            }
            c.set_usage_cursor(rows.empty() ? cursor_text : provisio::plugin::iso_utc(std::stoll(rows.back()[5])) + "|" + rows.back()[0]);
            return Outcome::success(std::to_string(rows.size()) + " answered call(s) of " + t.domain);
        });
    }

private:
    // FusionPBX's "Reload XML" after clearing the directory cache of the domain's extensions.
    Outcome reload_directory(provisio::Call &c) {
        return guarded(c, [&] {
            const Tenant t(c);
            pg::Connection db(settings(c));
            const std::string domain_uuid = uuid_of(c, db, t.domain);
            SwitchPlan plan;
            const auto rows =
                in_order(sql(c, db, std::string("SELECT ") + extension_columns + " FROM v_extensions WHERE domain_uuid = $1", {domain_uuid}));
            for (const auto &r : rows) plan.forget_directory(r[1], r[2], r[3], t.domain);
            // Nothing in the database changes: one exchange clears the entries and reloads.
            std::vector<esl::Command> commands;
            for (const auto &key : plan.cache_keys) append(commands, fusion_cache::delete_commands(cache_method(c), key));
            commands.push_back(esl::api("reloadxml"));
            if (auto failed = switch_commands(c, commands)) return *failed;
            return Outcome::success("domain " + t.domain + ": cached directory entries of " + std::to_string(rows.size()) +
                                    " extension(s) cleared, XML reloaded");
        });
    }

    // As FusionPBX's Registrations page: each enabled SIP profile's registrations, those of the
    // domain; of the service's extensions only, when it lists them.
    Outcome registrations(provisio::Call &c) {
        return guarded(c, [&] {
            const Tenant t(c);
            pg::Connection db(settings(c));
            std::vector<esl::Command> commands;
            for (const auto &r : sql(c, db, "SELECT sip_profile_name FROM v_sip_profiles WHERE sip_profile_enabled::text = 'true' ORDER BY sip_profile_name"))
                commands.push_back(esl::api("sofia xmlstatus profile " + r[0] + " reg"));
            if (commands.empty()) return Outcome::failure("FusionPBX has no enabled SIP profile (v_sip_profiles)");
            std::vector<std::string> answers;
            if (auto failed = switch_commands(c, commands, &answers)) return *failed;
            std::vector<fusion_registrations::Registration> all;
            for (const auto &answer : answers)
                if (answer.find("<profile") != std::string::npos)
                    for (auto &r : fusion_registrations::parse(answer)) all.push_back(std::move(r));
            auto mine = fusion_registrations::of_domain(all, t.domain, t.extensions);
            std::sort(mine.begin(), mine.end(), [](const auto &a, const auto &b) { return std::tie(a.user, a.network_ip) < std::tie(b.user, b.network_ip); });
            if (mine.empty()) return Outcome::success("no phone is registered" + (t.extensions.empty() ? " on " + t.domain : " as " + joined(t.extensions)));
            std::vector<std::string> said;
            for (const auto &r : mine)
                said.push_back(r.user_part() + " (" + (r.agent.empty() ? "unknown phone" : r.agent) + ", " + r.network_ip + ":" + r.network_port +
                               ", " + r.status.substr(0, r.status.find(' ')) + ")");
            return Outcome::success(std::to_string(mine.size()) + " phone(s) registered: " + joined(said, "; "));
        });
    }

    template <class Body>
    static Outcome guarded(provisio::Call &c, Body body) {
        try {
            return body();
        } catch (const pg::Error &e) {
            c.log_call("database", "", e.what());
            return e.retryable ? Outcome::retry(e.what()) : Outcome::failure(e.what());
        }
    }

    static pg::Settings settings(const provisio::Call &c) {
        pg::Settings s;
        s.host = std::string(c.server("hostname"));
        s.port = std::string(c.server("port"));
        s.dbname = provisio::plugin::server_option<FusionPbx>(c, "db_name");
        s.user = std::string(c.server("username"));
        s.password = std::string(c.server("password"));
        s.sslmode = provisio::plugin::server_option<FusionPbx>(c, "db_sslmode");
        s.connect_timeout_s = std::stoi(provisio::plugin::server_option<FusionPbx>(c, "db_connect_timeout"));
        s.statement_timeout_ms = std::stoi(provisio::plugin::server_option<FusionPbx>(c, "db_statement_timeout_ms"));
        return s;
    }

    // Runs a statement and records it in the module-call log, parameters included but the one
    // at `secret_param` (a password), which the log shows as "(secret)".
    static pg::Rows sql(const provisio::Call &c, pg::Connection &db, const std::string &statement, const std::vector<std::string> &params = {},
                        std::optional<size_t> secret_param = std::nullopt) {
        pg::Rows rows = db.exec(statement, params);
        std::vector<std::string> shown = params;
        if (secret_param && *secret_param < shown.size()) shown[*secret_param] = "(secret)";
        c.log_call("sql", statement + (shown.empty() ? "" : " [" + joined(shown, ", ") + "]"), std::to_string(rows.size()) + " row(s)");
        return rows;
    }

    static std::string uuid_of(const provisio::Call &c, pg::Connection &db, const std::string &domain) {
        const auto rows = sql(c, db, "SELECT domain_uuid::text FROM v_domains WHERE domain_name = $1", {domain});
        if (rows.empty()) throw pg::Error("domain " + domain + " is not in FusionPBX's v_domains (create it in FusionPBX first)", false);
        return rows[0][0];
    }

    // A new extension with the defaults of FusionPBX's extension form (app/extensions/
    // extension_edit.php, "set the defaults"), and its voicemail box as that form saves it.
    static void add_extension(const provisio::Call &c, pg::Connection &db, const std::string &domain_uuid, const std::string &domain,
                              const std::string &ext, const std::string &limit) {
        const std::string description = "provisio service " + std::to_string(c.service_id());
        sql(c, db,
            "INSERT INTO v_extensions (extension_uuid, domain_uuid, extension, number_alias, password, accountcode, effective_caller_id_name, "
            "effective_caller_id_number, user_context, limit_max, limit_destination, call_timeout, directory_visible, directory_exten_visible, "
            "call_screen_enabled, enabled, description) VALUES ($1, $2, $3, '', md5(random()::text), $4, $3, $3, $4, $5, '!USER_BUSY', 30, "
            "'false', 'false', 'false', 'true', $6)",
            {new_uuid(), domain_uuid, ext, domain, limit, description});
        sql(c, db,
            "INSERT INTO v_voicemails (voicemail_uuid, domain_uuid, voicemail_id, voicemail_password, voicemail_local_after_email, "
            "voicemail_tutorial, voicemail_enabled, voicemail_description) SELECT $1, $2, $3, lpad((floor(random() * 10000))::int::text, 4, '0'), "
            "'true', 'true', 'true', $4 WHERE NOT EXISTS (SELECT 1 FROM v_voicemails WHERE domain_uuid = $2 AND voicemail_id::text = $3)",
            {new_uuid(), domain_uuid, ext, description});
    }

    struct CdrColumns {
        std::string id;  // xml_cdr_uuid; uuid before FusionPBX 4.5
    };
    // FusionPBX renamed v_xml_cdr's id column from `uuid` to `xml_cdr_uuid` in 4.5 (2018); its
    // `leg` column is older than both. Anything else is not a FusionPBX call-record table.
    static CdrColumns cdr_columns(const provisio::Call &c, pg::Connection &db) {
        const auto rows = sql(c, db,
                              "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() "
                              "AND table_name = 'v_xml_cdr' AND column_name IN ('xml_cdr_uuid', 'uuid', 'leg') ORDER BY column_name");
        bool leg = false, modern = false, old = false;
        for (const auto &r : rows) {
            leg |= r[0] == "leg";
            modern |= r[0] == "xml_cdr_uuid";
            old |= r[0] == "uuid";
        }
        if (!modern && !old)
            throw pg::Error("v_xml_cdr has neither xml_cdr_uuid (FusionPBX 4.5 and later) nor uuid (FusionPBX 4.4 and earlier): "
                            "this is not a FusionPBX call-record table this module knows",
                            false);
        if (!leg)
            throw pg::Error("v_xml_cdr has no leg column, so a-legs cannot be told from b-legs: every FusionPBX version since 2012 has one", false);
        if (!modern) c.log(PROVISIO_LOG_INFO, "v_xml_cdr keyed by uuid: a FusionPBX 4.4 or older schema");
        return {modern ? "xml_cdr_uuid" : "uuid"};
    }

    static fusion_cache::Method cache_method(const provisio::Call &c) {
        return fusion_cache::method_named(provisio::plugin::server_option<FusionPbx>(c, "cache_method"));
    }

    // What an action asks of the switch, in the order FusionPBX's own code asks it: gateways to
    // stop (`killgw`, gateways.php stop()) while the transaction is still open, so a refusal rolls
    // the change back; then, once the change is committed — the switch's Lua handlers read the
    // database, so they must see it — the cache entries to delete and, where gateways changed,
    // the cached sofia.conf and a rescan of each of their profiles (gateways.php toggle(),
    // extension.php toggle()).
    struct SwitchPlan {
        std::vector<esl::Command> stop;
        std::vector<std::string> cache_keys, rescan;

        void stop_gateways(const pg::Rows &rows) {
            for (const auto &r : rows) stop.push_back(esl::api("sofia profile " + r[1] + " killgw " + r[0]));
            start_gateways(rows);
        }
        void start_gateways(const pg::Rows &rows) {
            for (const auto &r : rows) add_unique(rescan, r[1]);
        }
        void forget_directory(const std::string &ext, const std::string &alias, const std::string &user_context, const std::string &domain) {
            for (const auto &key : fusion_cache::directory_keys(ext, alias, user_context, domain)) add_unique(cache_keys, key);
        }
    };

    // UPDATE v_extensions SET `change` of the listed extensions of the domain (`also`: a further
    // condition; `value`: $3, logged as "(secret)" when `secret`), and each changed extension's
    // directory cache entries added to `plan`. The rows changed, in order.
    static pg::Rows update_extensions(const provisio::Call &c, pg::Connection &db, SwitchPlan &plan, const std::string &domain,
                                      const std::string &domain_uuid, const std::vector<std::string> &extensions, const std::string &change,
                                      const std::string &also = "", std::optional<std::string> value = std::nullopt, bool secret = false) {
        std::vector<std::string> params{domain_uuid, pg::array_literal(extensions)};
        if (value) params.push_back(*value);
        const pg::Rows rows = in_order(sql(c, db,
                                           "UPDATE v_extensions SET " + change + " WHERE domain_uuid = $1 AND extension = ANY($2::text[]) " +
                                               (also.empty() ? "" : also + " ") + "RETURNING " + extension_columns,
                                           params, secret ? std::optional<size_t>(2) : std::nullopt));
        for (const auto &r : rows) plan.forget_directory(r[1], r[2], r[3], domain);
        return rows;
    }

    struct Applied {
        bool committed = false;
        std::optional<Outcome> failed;  // before the commit: nothing changed; after it: the switch has not re-read the change yet
    };

    // Runs the plan around the commit of `tx`. When the switch's part after the commit fails, what
    // it still owes is kept in the service's state (switch_pending) and done by the next action
    // on the service, its retry included, so a change saved in the database always reaches the switch.
    static Applied apply(provisio::Call &c, pg::Transaction &tx, SwitchPlan plan) {
        for (const auto &item : state_list(c.state("switch_pending"))) {
            if (item.starts_with("cache=")) add_unique(plan.cache_keys, item.substr(6));
            if (item.starts_with("rescan=")) add_unique(plan.rescan, item.substr(7));
            // Stopped already, but a restart with the stale sofia.conf may have started it again.
            if (item.starts_with("killgw=")) {
                const std::string profile_and_gateway = item.substr(7);
                const size_t space = profile_and_gateway.find(' ');
                plan.stop.push_back(esl::api("sofia profile " + profile_and_gateway.substr(0, space) + " killgw " +
                                             profile_and_gateway.substr(space + 1)));
            }
        }
        std::vector<esl::Command> before = plan.stop;
        if (!plan.rescan.empty()) before.insert(before.begin(), esl::api("hostname"));
        std::vector<std::string> answers;
        if (auto failed = switch_commands(c, before, &answers)) return {false, failed};
        tx.commit();
        const fusion_cache::Method method = cache_method(c);
        std::vector<esl::Command> after;
        for (const auto &key : plan.cache_keys) append(after, fusion_cache::delete_commands(method, key));
        if (!plan.rescan.empty()) {
            append(after, fusion_cache::delete_commands(method, fusion_cache::sofia_conf_key(first_line(answers.at(0)))));
            for (const auto &profile : plan.rescan) after.push_back(esl::api("sofia profile " + profile + " rescan"));
        }
        auto failed = switch_commands(c, after);
        if (!failed) {
            c.erase_state("switch_pending");
            return {true, std::nullopt};
        }
        std::vector<std::string> owed;
        for (const auto &stop : plan.stop) {  // "sofia profile P killgw G"
            const std::string rest = stop.text.substr(14);
            owed.push_back("killgw=" + rest.substr(0, rest.find(' ')) + " " + rest.substr(rest.rfind(' ') + 1));
        }
        for (const auto &key : plan.cache_keys) owed.push_back("cache=" + key);
        for (const auto &profile : plan.rescan) owed.push_back("rescan=" + profile);
        c.set_state("switch_pending", joined(owed));
        failed->message = "FusionPBX's database is changed, but the switch has not re-read it: " + failed->message +
                          " (the next action on this service, or its retry, finishes it)";
        return {true, failed};
    }

    // Rows an UPDATE … RETURNING gave, by (extension or profile, uuid): PostgreSQL returns them in
    // storage order, and the switch commands and the call log should not depend on it.
    static pg::Rows in_order(pg::Rows rows) {
        std::sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) { return std::tie(a[1], a[0]) < std::tie(b[1], b[0]); });
        return rows;
    }

    static std::string first_line(const std::string &text) { return provisio::plugin::trimmed(text.substr(0, text.find('\n'))); }

    static void append(std::vector<esl::Command> &to, std::vector<esl::Command> more) {
        for (auto &m : more) to.push_back(std::move(m));
    }

    // Sends the commands in one event-socket exchange; nothing when the switch did all of them,
    // else the outcome. `answers` gets the switch's answers in order.
    static std::optional<Outcome> switch_commands(provisio::Call &c, const std::vector<esl::Command> &commands,
                                                  std::vector<std::string> *answers = nullptr) {
        if (commands.empty()) return std::nullopt;
        std::string host = provisio::plugin::server_option<FusionPbx>(c, "esl_host");
        if (host.empty()) host = std::string(c.server("hostname"));
        const std::string port = provisio::plugin::server_option<FusionPbx>(c, "esl_port");
        std::string password(c.server("esl_password"));
        if (password.empty()) password = "ClueCon";
        const std::string timeout = provisio::plugin::server_option<FusionPbx>(c, "esl_timeout_ms");
        const std::string where = "the FreeSWITCH event socket at " + host + ":" + port;
        std::vector<std::string> sent;
        for (const auto &command : commands) sent.push_back(esl::describe(command));
        const provisio::TcpResponse r = c.tcp_exchange(host, static_cast<uint16_t>(std::stoi(port)), esl::payload(password, commands),
                                                       std::chrono::milliseconds(timeout.empty() ? 0 : std::stoi(timeout)));
        if (r.transport != provisio::Status::ok) {
            c.log_call("event socket", joined(sent, "; "), r.error, {password});
            // A switch whose ACL refuses us sends a rude rejection and closes at once, which
            // often arrives as a reset, with or without the rejection read first.
            try {
                if (const esl::Reply partial = esl::parse(r.data); !partial.rejection.empty())
                    return Outcome::failure(where + " refuses this host by its access list (apply-inbound-acl in event_socket.conf.xml): " +
                                            partial.rejection);
            } catch (const std::exception &) {
            }
            const std::string hint = r.error.find("reset") != std::string::npos
                                         ? " (if this persists, check that the event socket's apply-inbound-acl allows this host)"
                                         : "";
            return r.transport == provisio::Status::retryable ? Outcome::retry(where + ": " + r.error + hint)
                                                              : Outcome::failure(where + ": " + r.error + hint);
        }
        esl::Reply reply;
        try {
            reply = esl::parse(r.data);
        } catch (const std::exception &e) {
            c.log_call("event socket", joined(sent, "; "), r.data.substr(0, 2000), {password});
            return Outcome::retry(where + " answered something that is not the event-socket protocol (" + e.what() + ")");
        }
        std::vector<std::string> lines;  // the answers, one line each, for the call log
        for (size_t i = 0; i < reply.answers.size() && i < commands.size(); ++i) lines.push_back(first_line(reply.answers[i]));
        c.log_call("event socket", joined(sent, "; "),
                   !reply.rejection.empty() ? "rejected: " + reply.rejection
                   : !reply.auth_answered   ? "(no answer to auth)"
                   : !reply.authenticated   ? "auth refused"
                                            : joined(lines, "; "),
                   {password});
        // Its ACL (apply-inbound-acl in event_socket.conf.xml) refuses this host: retrying will not help.
        if (!reply.rejection.empty())
            return Outcome::failure(where + " refuses this host by its access list (apply-inbound-acl in event_socket.conf.xml): " +
                                    reply.rejection);
        if (!reply.greeted) return Outcome::retry(where + " closed the connection without greeting");
        if (!reply.auth_answered) return Outcome::retry(where + " closed the connection before answering the password");
        if (!reply.authenticated) return Outcome::failure(where + " refused the password (server option esl_password)");
        if (reply.answers.size() < commands.size())
            return Outcome::retry(where + " answered " + std::to_string(reply.answers.size()) + " of " + std::to_string(commands.size()) +
                                  " command(s), then closed");
        for (size_t i = 0; i < commands.size(); ++i) {
            const esl::Verdict v = esl::judge(commands[i], reply.answers[i]);
            if (v.kind == esl::Verdict::absent) c.log(PROVISIO_LOG_INFO, "'" + sent[i] + "': " + v.reason + " (nothing to do)");
            if (v.kind != esl::Verdict::failed) continue;
            std::string hint;
            if (commands[i].text.starts_with("lua app/servers/resources/clear_cache.lua"))
                hint = " (is FusionPBX's app/servers/resources/clear_cache.lua in the switch's scripts directory? server option cache_method)";
            else if (commands[i].text.starts_with("memcache "))
                hint = " (server option cache_method says memcache: is mod_memcache loaded?)";
            return Outcome::failure("FreeSWITCH refused '" + sent[i] + "': " + v.reason + hint);
        }
        if (answers) *answers = reply.answers;
        return std::nullopt;
    }
};

}  // namespace

PROVISIO_MODULE(FusionPbx)
