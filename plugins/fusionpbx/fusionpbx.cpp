// fusionpbx — FusionPBX tenants as a server module. FusionPBX has no REST API: like its own
// PHP, the module writes FusionPBX's PostgreSQL tables (libpq) and tells FreeSWITCH to apply
// the change over the event socket (through the host's TCP exchange). A service is a domain and
// its main DID ("mcon.wat5.example.ca | 5192229000") with extensions "2112 | 2113" in the
// Dedicated IP field (v1.4 style; the username when that is blank).
//
// Suspend disables the domain's gateways (then `sofia profile P killgw UUID`) or only the
// service's extensions (then the directory cache entry of each), records exactly what it
// disabled, and unsuspend enables exactly that whatever the mode is by then. Database changes
// and switch commands go together: the transaction commits only once the switch has answered,
// so a failure leaves both as they were.
#include "esl.hpp"
#include "pg.hpp"
#include "plugin_support.hpp"

#include <provisio/module.hpp>

#include <algorithm>
#include <random>

namespace {

using provisio::Outcome;
using provisio::plugin::add_unique;
using provisio::plugin::is_digits;
using provisio::plugin::joined;
using provisio::plugin::split_fields;
using provisio::plugin::state_list;

constexpr const char *suspend_modes[] = {"gateway", "extension"};
constexpr const char *cdr_scopes[] = {"domain", "extensions"};

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

class FusionPbx {
public:
    static constexpr provisio::ModuleInfo info{"fusionpbx", "1.0.0",
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
        provisio::dropdown("suspend_mode", "Auto Suspend Mode", suspend_modes, "gateway",
                           "gateway: disable the domain's SIP gateways; extension: disable only the service's extensions"),
        provisio::number("limit_max", "Extension limit_max", "", "Concurrent calls per extension, set by create and change package; blank: leave"),
        provisio::text("cache_delete_command", "Cache delete command", "memcache delete",
                       "The switch command that drops a directory cache entry"),
        provisio::dropdown("cdr_scope", "CDR scope", cdr_scopes, "domain",
                           "domain: bill every call of the domain; extensions: only calls of the service's extensions"),
    };

    explicit FusionPbx(const provisio::Host &) {}

    Outcome test_connection(provisio::Call &c) {
        return guarded(c, [&] {
            pg::Connection db(settings(c));
            const auto domains = sql(c, db, "SELECT count(*) FROM v_domains");
            const auto types = sql(c, db,
                                   "SELECT data_type FROM information_schema.columns WHERE table_name = 'v_gateways' AND column_name = 'enabled'");
            std::vector<std::string> bodies;
            if (auto failed = switch_commands(c, {"status"}, &bodies)) return *failed;
            return Outcome::success("PostgreSQL: " + domains.at(0).at(0) + " domain(s), enabled columns as " +
                                    (types.empty() ? "?" : types[0][0]) + "; FreeSWITCH: " + bodies.at(0).substr(0, bodies[0].find('\n')));
        });
    }

    Outcome create(provisio::Call &c) {
        return guarded(c, [&] {
            const Tenant t(c);
            pg::Connection db(settings(c));
            pg::Transaction tx(db);
            std::vector<std::string> said;
            auto found = sql(c, db, "SELECT domain_uuid::text, domain_enabled::text FROM v_domains WHERE domain_name = $1", {t.domain});
            std::string domain_uuid;
            if (found.empty()) {
                domain_uuid = new_uuid();
                sql(c, db, "INSERT INTO v_domains (domain_uuid, domain_name, domain_enabled, domain_description) VALUES ($1, $2, 'true', $3)",
                    {domain_uuid, t.domain, "provisio service " + std::to_string(c.service_id())});
                said.push_back("domain created");
            } else {
                domain_uuid = found[0][0];
                if (found[0][1] != "true") {
                    sql(c, db, "UPDATE v_domains SET domain_enabled = 'true' WHERE domain_uuid = $1", {domain_uuid});
                    said.push_back("domain enabled");
                }
            }
            const std::string limit = provisio::plugin::product_option<FusionPbx>(c, "limit_max");
            std::vector<std::string> commands{"reloadxml"}, created, enabled;
            for (const auto &ext : t.extensions) {
                auto e = sql(c, db, "SELECT extension_uuid::text, enabled::text FROM v_extensions WHERE domain_uuid = $1 AND extension = $2",
                             {domain_uuid, ext});
                if (e.empty()) {
                    sql(c, db,
                        "INSERT INTO v_extensions (extension_uuid, domain_uuid, extension, number_alias, password, effective_caller_id_name, "
                        "user_context, limit_max, enabled, description) VALUES ($1, $2, $3, '', md5(random()::text), $3, $4, $5, 'true', $6)",
                        {new_uuid(), domain_uuid, ext, t.domain, limit.empty() ? "5" : limit, "provisio service " + std::to_string(c.service_id())});
                    created.push_back(ext);
                } else if (e[0][1] != "true") {
                    sql(c, db, "UPDATE v_extensions SET enabled = 'true' WHERE extension_uuid = $1", {e[0][0]});
                    enabled.push_back(ext);
                }
                commands.push_back(cache_delete(c, ext, t.domain));
            }
            if (!limit.empty() && !t.extensions.empty())
                sql(c, db, "UPDATE v_extensions SET limit_max = $3 WHERE domain_uuid = $1 AND extension = ANY($2::text[])",
                    {domain_uuid, pg::array_literal(t.extensions), limit});
            if (auto failed = switch_commands(c, commands)) return *failed;
            tx.commit();
            c.set_state("domain_uuid", domain_uuid);
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
                const auto rows = sql(c, db,
                                      "UPDATE v_extensions SET enabled = 'false' WHERE domain_uuid = $1 AND extension = ANY($2::text[]) "
                                      "AND enabled::text = 'true' RETURNING extension_uuid::text, extension",
                                      {domain_uuid, pg::array_literal(t.extensions)});
                std::vector<std::string> done, commands;
                for (const auto &r : rows) {
                    done.push_back(r[0] + ":" + r[1]);
                    commands.push_back(cache_delete(c, r[1], domain));
                }
                if (auto failed = switch_commands(c, commands)) return *failed;
                tx.commit();
                const auto all = merged(state_list(c.state("disabled_extensions")), done);
                if (!all.empty()) {
                    c.set_state("disabled_extensions", joined(all));
                    c.set_state("suspended_domain", domain);
                }
                return Outcome::success("extensions disabled on " + domain + ": " + (rows.empty() ? "none (already disabled)" : names_of(done)));
            }
            const auto rows = sql(c, db,
                                  "UPDATE v_gateways SET enabled = 'false' WHERE domain_uuid = $1 AND enabled::text = 'true' "
                                  "RETURNING gateway_uuid::text, coalesce(nullif(profile, ''), 'external'), coalesce(gateway, '')",
                                  {domain_uuid});
            std::vector<std::string> done, commands, names;
            for (const auto &r : rows) {
                done.push_back(r[0] + "@" + r[1]);
                names.push_back(r[2].empty() ? r[0] : r[2]);
                commands.push_back("sofia profile " + r[1] + " killgw " + r[0]);
            }
            if (auto failed = switch_commands(c, commands)) return *failed;
            tx.commit();
            const auto all = merged(state_list(c.state("disabled_gateways")), done);
            if (!all.empty()) {
                c.set_state("disabled_gateways", joined(all));
                c.set_state("suspended_domain", domain);
            }
            return Outcome::success("gateways disabled on " + domain + ": " + (names.empty() ? "none (already disabled)" : joined(names)));
        });
    }

    Outcome unsuspend(provisio::Call &c) {
        return guarded(c, [&] {
            const auto gateways = state_list(c.state("disabled_gateways"));
            const auto extensions = state_list(c.state("disabled_extensions"));
            pg::Connection db(settings(c));
            pg::Transaction tx(db);
            std::vector<std::string> commands, said;
            std::string domain;
            if (gateways.empty() && extensions.empty()) {
                // Suspended before this module recorded what it did (or by hand).
                c.log(PROVISIO_LOG_WARNING, "no record of what suspend disabled: enabling what the current Auto Suspend Mode disables");
                const Tenant t(c);
                domain = t.domain;
                const std::string domain_uuid = uuid_of(c, db, domain);
                if (provisio::plugin::product_option<FusionPbx>(c, "suspend_mode") == "extension") {
                    for (const auto &r : sql(c, db,
                                             "UPDATE v_extensions SET enabled = 'true' WHERE domain_uuid = $1 AND extension = ANY($2::text[]) "
                                             "AND enabled::text <> 'true' RETURNING extension",
                                             {domain_uuid, pg::array_literal(t.extensions)})) {
                        commands.push_back(cache_delete(c, r[0], domain));
                        said.push_back("extension " + r[0]);
                    }
                } else {
                    for (const auto &r : sql(c, db,
                                             "UPDATE v_gateways SET enabled = 'true' WHERE domain_uuid = $1 AND enabled::text <> 'true' "
                                             "RETURNING coalesce(nullif(profile, ''), 'external'), coalesce(gateway, gateway_uuid::text)",
                                             {domain_uuid})) {
                        add_unique(commands, "sofia profile " + r[0] + " rescan");
                        said.push_back("gateway " + r[1]);
                    }
                }
            } else {
                domain = c.state("suspended_domain").value_or(Tenant(c).domain);
                std::vector<std::string> uuids;
                for (const auto &g : gateways) uuids.push_back(g.substr(0, g.find('@')));
                if (!uuids.empty())
                    for (const auto &r : sql(c, db,
                                             "UPDATE v_gateways SET enabled = 'true' WHERE gateway_uuid = ANY($1::uuid[]) "
                                             "RETURNING coalesce(nullif(profile, ''), 'external'), coalesce(gateway, gateway_uuid::text)",
                                             {pg::array_literal(uuids)})) {
                        add_unique(commands, "sofia profile " + r[0] + " rescan");
                        said.push_back("gateway " + r[1]);
                    }
                uuids.clear();
                for (const auto &e : extensions) uuids.push_back(e.substr(0, e.find(':')));
                if (!uuids.empty())
                    for (const auto &r : sql(c, db, "UPDATE v_extensions SET enabled = 'true' WHERE extension_uuid = ANY($1::uuid[]) RETURNING extension",
                                             {pg::array_literal(uuids)})) {
                        commands.push_back(cache_delete(c, r[0], domain));
                        said.push_back("extension " + r[0]);
                    }
            }
            if (auto failed = switch_commands(c, commands)) return *failed;
            tx.commit();
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
            std::vector<std::string> commands, said;
            for (const auto &r : sql(c, db,
                                     "UPDATE v_extensions SET enabled = 'false' WHERE domain_uuid = $1 AND extension = ANY($2::text[]) "
                                     "AND enabled::text = 'true' RETURNING extension",
                                     {domain_uuid, pg::array_literal(t.extensions)})) {
                commands.push_back(cache_delete(c, r[0], t.domain));
                said.push_back("extension " + r[0]);
            }
            if (whole_domain) {
                for (const auto &r : sql(c, db,
                                         "UPDATE v_gateways SET enabled = 'false' WHERE domain_uuid = $1 AND enabled::text = 'true' "
                                         "RETURNING gateway_uuid::text, coalesce(nullif(profile, ''), 'external'), coalesce(gateway, '')",
                                         {domain_uuid})) {
                    commands.push_back("sofia profile " + r[1] + " killgw " + r[0]);
                    said.push_back("gateway " + (r[2].empty() ? r[0] : r[2]));
                }
                sql(c, db, "UPDATE v_domains SET domain_enabled = 'false' WHERE domain_uuid = $1", {domain_uuid});
                said.push_back("domain");
                commands.push_back("reloadxml");
            }
            if (auto failed = switch_commands(c, commands)) return *failed;
            tx.commit();
            for (const char *key : {"disabled_gateways", "disabled_extensions", "suspended_domain"}) c.erase_state(key);
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
            std::vector<std::string> commands, changed;
            for (const auto &r : sql(c, db,
                                     "UPDATE v_extensions SET limit_max = $3 WHERE domain_uuid = $1 AND extension = ANY($2::text[]) RETURNING extension",
                                     {domain_uuid, pg::array_literal(t.extensions), limit})) {
                commands.push_back(cache_delete(c, r[0], t.domain));
                changed.push_back(r[0]);
            }
            if (auto failed = switch_commands(c, commands)) return *failed;
            tx.commit();
            return Outcome::success("limit_max " + limit + " on extension(s) " + (changed.empty() ? "none found" : joined(changed)));
        });
    }

    Outcome collect_usage(provisio::Call &c, const provisio::UsageRequest &request) {
        return guarded(c, [&] {
            const Tenant t(c);
            pg::Connection db(settings(c));
            const std::string domain_uuid = uuid_of(c, db, t.domain);
            const std::string cursor_text = request.cursor.empty() ? request.since : request.cursor;
            const auto [floor_start, floor_id] = provisio::plugin::split_cursor(cursor_text);
            const bool by_extension = provisio::plugin::product_option<FusionPbx>(c, "cdr_scope") == "extensions";
            std::string query =
                "SELECT xml_cdr_uuid::text, coalesce(direction, ''), coalesce(caller_id_number, ''), coalesce(caller_destination, ''), "
                "coalesce(destination_number, ''), floor(start_epoch)::bigint, coalesce(answer_epoch, 0)::bigint, coalesce(end_epoch, 0)::bigint, "
                "coalesce(duration, 0)::bigint, billsec::bigint, coalesce(hangup_cause, '') FROM v_xml_cdr "
                "WHERE domain_uuid = $1 AND billsec > 0 AND (start_epoch, xml_cdr_uuid::text) > ($2::numeric, $3) ";
            std::vector<std::string> params{domain_uuid, std::to_string(floor_start), floor_id, std::to_string(request.max_records)};
            if (by_extension) {
                query += "AND extension_uuid IN (SELECT extension_uuid FROM v_extensions WHERE domain_uuid = $1 AND extension = ANY($5::text[])) ";
                params.push_back(pg::array_literal(t.extensions));
            }
            query += "ORDER BY start_epoch, xml_cdr_uuid::text LIMIT $4";
            const pg::Rows rows = db.exec(query, params);  // not logged row by row: the host keeps the records
            c.log_call("v_xml_cdr", "calls of " + t.domain + " after " + cursor_text, std::to_string(rows.size()) + " row(s)");
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

    // Runs a statement and records it in the module-call log (parameters included: none is secret).
    static pg::Rows sql(const provisio::Call &c, pg::Connection &db, const std::string &statement, const std::vector<std::string> &params = {}) {
        pg::Rows rows = db.exec(statement, params);
        c.log_call("sql", statement + (params.empty() ? "" : " [" + joined(params, ", ") + "]"), std::to_string(rows.size()) + " row(s)");
        return rows;
    }

    static std::string uuid_of(const provisio::Call &c, pg::Connection &db, const std::string &domain) {
        const auto rows = sql(c, db, "SELECT domain_uuid::text FROM v_domains WHERE domain_name = $1", {domain});
        if (rows.empty()) throw pg::Error("domain " + domain + " is not in FusionPBX's v_domains (create the service first)", false);
        return rows[0][0];
    }

    static std::string cache_delete(const provisio::Call &c, const std::string &ext, const std::string &domain) {
        return provisio::plugin::product_option<FusionPbx>(c, "cache_delete_command") + " directory:" + ext + "@" + domain;
    }

    static std::string names_of(const std::vector<std::string> &uuid_name_pairs) {
        std::vector<std::string> names;
        for (const auto &p : uuid_name_pairs) names.push_back(p.substr(p.find(':') + 1));
        return joined(names);
    }

    // Sends the commands in one event-socket exchange; nothing when all went well, else the outcome.
    static std::optional<Outcome> switch_commands(provisio::Call &c, const std::vector<std::string> &commands,
                                                  std::vector<std::string> *bodies = nullptr) {
        if (commands.empty()) return std::nullopt;
        std::string host = provisio::plugin::server_option<FusionPbx>(c, "esl_host");
        if (host.empty()) host = std::string(c.server("hostname"));
        const std::string port = provisio::plugin::server_option<FusionPbx>(c, "esl_port");
        std::string password(c.server("esl_password"));
        if (password.empty()) password = "ClueCon";
        const std::string timeout = provisio::plugin::server_option<FusionPbx>(c, "esl_timeout_ms");
        const std::string where = "the FreeSWITCH event socket at " + host + ":" + port;
        const provisio::TcpResponse r = c.tcp_exchange(host, static_cast<uint16_t>(std::stoi(port)), esl::payload(password, commands),
                                                       std::chrono::milliseconds(timeout.empty() ? 0 : std::stoi(timeout)));
        if (r.transport != provisio::Status::ok) {
            c.log_call("event socket", joined(commands, "; "), r.error, {password});
            return r.transport == provisio::Status::retryable ? Outcome::retry(where + ": " + r.error) : Outcome::failure(where + ": " + r.error);
        }
        esl::Reply reply;
        try {
            reply = esl::parse(r.data);
        } catch (const std::exception &e) {
            c.log_call("event socket", joined(commands, "; "), r.data.substr(0, 2000), {password});
            return Outcome::retry(where + " answered something that is not the event-socket protocol (" + e.what() + ")");
        }
        std::vector<std::string> answers;  // the api bodies, one line each, for the call log
        for (const auto &b : reply.api_bodies) answers.push_back(provisio::plugin::trimmed(b.substr(0, b.find('\n'))));
        c.log_call("event socket", joined(commands, "; "),
                   !reply.auth_answered ? "(no answer to auth)" : !reply.authenticated ? "auth refused" : joined(answers, "; "), {password});
        if (!reply.greeted) return Outcome::retry(where + " closed the connection without greeting");
        if (!reply.auth_answered) return Outcome::retry(where + " closed the connection before answering the password");
        if (!reply.authenticated) return Outcome::failure(where + " refused the password (server option esl_password)");
        if (reply.api_bodies.size() < commands.size())
            return Outcome::retry(where + " answered " + std::to_string(reply.api_bodies.size()) + " of " + std::to_string(commands.size()) +
                                  " command(s), then closed");
        for (size_t i = 0; i < commands.size(); ++i) {
            const std::string &b = reply.api_bodies[i];
            if (!esl::failed(b)) continue;
            // A gateway the switch is not running (never registered, or killed already) is as
            // good as killed.
            if (commands[i].find(" killgw ") != std::string::npos && b.find("Invalid Gateway") != std::string::npos) continue;
            return Outcome::failure("FreeSWITCH refused '" + commands[i] + "': " + b.substr(0, b.find('\n')));
        }
        if (bodies) *bodies = reply.api_bodies;
        return std::nullopt;
    }
};

}  // namespace

PROVISIO_MODULE(FusionPbx)
