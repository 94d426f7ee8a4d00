#include "scratch_postgres.hpp"
#include "sim_server.hpp"

#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>

namespace provisio::sims {

namespace {

std::string postgres_bin_dir() {
    std::vector<std::filesystem::path> found;
    std::error_code ec;
    for (const auto &e : std::filesystem::directory_iterator("/usr/lib/postgresql", ec))
        if (std::filesystem::exists(e.path() / "bin" / "pg_ctl")) found.push_back(e.path() / "bin");
    if (found.empty())
        throw std::runtime_error("PostgreSQL's server programs are not installed (/usr/lib/postgresql/*/bin/pg_ctl): "
                                 "install the postgresql package (scripts/setup does)");
    std::sort(found.begin(), found.end(), [](const auto &a, const auto &b) {
        return std::stoi(a.parent_path().filename().string()) < std::stoi(b.parent_path().filename().string());
    });
    return found.back().string();
}


struct PgConnDeleter {
    void operator()(PGconn *c) const { PQfinish(c); }
};
struct PgResultDeleter {
    void operator()(PGresult *r) const { PQclear(r); }
};

}  // namespace

ScratchPostgres::ScratchPostgres() : bin_(postgres_bin_dir()) {
    std::string templ = (std::filesystem::temp_directory_path() / "provisio-pg-XXXXXX").string();
    if (!::mkdtemp(templ.data())) throw std::runtime_error("cannot make a scratch directory for PostgreSQL");
    dir_ = templ;
    std::random_device rd;
    password_ = "scratch-" + std::to_string(rd()) + std::to_string(rd());
    std::ofstream(dir_ / "pwfile") << password_ << '\n';
    if (::geteuid() == 0) {
        const passwd *pw = ::getpwnam("postgres");
        if (!pw) throw std::runtime_error("running as root and there is no 'postgres' user to run PostgreSQL as");
        for (const auto &p : {dir_, dir_ / "pwfile"})
            if (::chown(p.c_str(), pw->pw_uid, pw->pw_gid) != 0) throw std::runtime_error("cannot give " + p.string() + " to postgres");
        as_user_ = "runuser -u postgres -- ";
    }
    run("'" + bin_ + "/initdb' -D '" + (dir_ / "data").string() + "' -U postgres --auth-local=trust --auth-host=scram-sha-256 --pwfile='" +
        (dir_ / "pwfile").string() + "' -E UTF8 --no-locale -N");
    // A port picked free may be taken by the time the server binds: try a few.
    for (int attempt = 0;; ++attempt) {
        port_ = free_port();
        try {
            run("'" + bin_ + "/pg_ctl' -D '" + (dir_ / "data").string() + "' -l '" + (dir_ / "log").string() + "' -w -t 60 -o \"-p " +
                std::to_string(port_) + " -k '" + dir_.string() +
                "' -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off\" start");
            break;
        } catch (const std::exception &) {
            if (attempt == 4) throw;
        }
    }
}

ScratchPostgres::~ScratchPostgres() {
    try {
        run("'" + bin_ + "/pg_ctl' -D '" + (dir_ / "data").string() + "' -m immediate -w stop");
    } catch (const std::exception &) {
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
}

void ScratchPostgres::run(const std::string &command) const {
    const std::string full = as_user_ + command + " >>'" + (dir_ / "commands.log").string() + "' 2>&1";
    if (std::system(full.c_str()) != 0) {
        std::ifstream log(dir_ / "commands.log");
        std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
        throw std::runtime_error("PostgreSQL set-up failed: " + command + "\n" + text.substr(text.size() > 2000 ? text.size() - 2000 : 0));
    }
}

std::vector<std::vector<std::string>> ScratchPostgres::query(const std::string &sql, const std::string &db) const {
    const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres password=" + password_ + " dbname=" + db;
    std::unique_ptr<PGconn, PgConnDeleter> c(PQconnectdb(conninfo.c_str()));
    if (PQstatus(c.get()) != CONNECTION_OK) throw std::runtime_error(std::string("scratch PostgreSQL: ") + PQerrorMessage(c.get()));
    std::unique_ptr<PGresult, PgResultDeleter> r(PQexec(c.get(), sql.c_str()));
    const auto status = PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
        throw std::runtime_error("scratch PostgreSQL: " + std::string(PQresultErrorMessage(r.get())) + " in: " + sql.substr(0, 200));
    std::vector<std::vector<std::string>> rows;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        auto &row = rows.emplace_back();
        for (int j = 0; j < PQnfields(r.get()); ++j) row.emplace_back(PQgetvalue(r.get(), i, j));
    }
    return rows;
}

void ScratchPostgres::exec(const std::string &sql, const std::string &db) const { query(sql, db); }

void create_fusionpbx_database(const ScratchPostgres &pg, const std::string &db, const std::string &user, const std::string &password,
                               EnabledColumns enabled, FusionPbxVersion version) {
    const std::string flag = enabled == EnabledColumns::boolean ? "boolean" : "text";
    const bool v4 = version == FusionPbxVersion::v4_4;
    pg.exec("CREATE ROLE \"" + user + "\" LOGIN PASSWORD '" + password + "'");
    pg.exec("CREATE DATABASE \"" + db + "\" OWNER \"" + user + "\"");
    pg.exec("SET ROLE \"" + user + "\";"
            "CREATE TABLE v_domains (domain_uuid uuid PRIMARY KEY, domain_parent_uuid uuid, domain_name text, domain_enabled " + flag +
                ", domain_description text);"
            "CREATE TABLE v_extensions (extension_uuid uuid PRIMARY KEY, domain_uuid uuid, extension text, number_alias text, "
            "password text, accountcode text, effective_caller_id_name text, effective_caller_id_number text, user_context text, "
            "limit_max text, limit_destination text, call_timeout numeric, directory_visible " + flag + ", directory_exten_visible " + flag +
                ", call_screen_enabled " + flag + ", enabled " + flag + ", description text);"
            "CREATE TABLE v_voicemails (voicemail_uuid uuid PRIMARY KEY, domain_uuid uuid, voicemail_id text, voicemail_password text, "
            "voicemail_local_after_email " + flag + ", voicemail_tutorial " + flag + ", voicemail_enabled " + flag +
                ", voicemail_description text);"
            "CREATE TABLE v_gateways (gateway_uuid uuid PRIMARY KEY, domain_uuid uuid, gateway text, username text, password text, "
            "proxy text, register text, profile text, enabled " + flag + ", description text);"
            "CREATE TABLE v_xml_cdr (" + std::string(v4 ? "uuid" : "xml_cdr_uuid") + " uuid PRIMARY KEY, domain_uuid uuid, domain_name text, "
            "extension_uuid uuid, direction text, caller_id_name text, caller_id_number text, caller_destination text, destination_number text, "
            "start_epoch numeric, start_stamp " + (v4 ? "timestamp" : "timestamptz") + ", answer_epoch numeric, answer_stamp " +
                (v4 ? "timestamp" : "timestamptz") + ", end_epoch numeric, end_stamp " + (v4 ? "timestamp" : "timestamptz") +
                ", duration numeric, billsec numeric, hangup_cause text, leg char(1));"
            "CREATE INDEX v_xml_cdr_domain_start ON v_xml_cdr (domain_uuid, start_epoch);"
            // A fresh FusionPBX's profiles (app/sip_profiles: internal and external enabled, the IPv6 ones not).
            "CREATE TABLE v_sip_profiles (sip_profile_uuid uuid PRIMARY KEY, sip_profile_name text, sip_profile_hostname text, "
            "sip_profile_enabled " + flag + ", sip_profile_description text);"
            "INSERT INTO v_sip_profiles VALUES ('9a1b6b7e-1c1e-4c55-8a01-000000000001', 'internal', NULL, 'true', ''), "
            "('9a1b6b7e-1c1e-4c55-8a01-000000000002', 'external', NULL, 'true', ''), "
            "('9a1b6b7e-1c1e-4c55-8a01-000000000003', 'internal-ipv6', NULL, 'false', ''), "
            "('9a1b6b7e-1c1e-4c55-8a01-000000000004', 'external-ipv6', NULL, 'false', '');"
            "CREATE TABLE v_device_lines (device_line_uuid uuid PRIMARY KEY, domain_uuid uuid, device_uuid uuid, line_number text, "
            "server_address text, display_name text, user_id text, auth_id text, password text, sip_port text, enabled " + flag + ");",
            db);
}

}  // namespace provisio::sims
