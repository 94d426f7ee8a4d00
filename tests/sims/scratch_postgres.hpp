// A real PostgreSQL server for tests and the demo: initdb in a scratch directory, started on a
// free 127.0.0.1 port, stopped and removed by the destructor. As root it runs as the
// `postgres` user (PostgreSQL refuses to run as root). Needs Debian's postgresql package.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace provisio::sims {

class ScratchPostgres {
public:
    ScratchPostgres();
    ~ScratchPostgres();
    ScratchPostgres(const ScratchPostgres &) = delete;
    ScratchPostgres &operator=(const ScratchPostgres &) = delete;

    unsigned short port() const { return port_; }
    // Runs SQL as the superuser in `db`; throws with PostgreSQL's message.
    void exec(const std::string &sql, const std::string &db = "postgres") const;
    // Rows of text (NULL as "") of a query run as the superuser.
    std::vector<std::vector<std::string>> query(const std::string &sql, const std::string &db = "postgres") const;

private:
    void run(const std::string &command) const;  // as the server's user; throws on failure
    std::filesystem::path dir_;
    std::string bin_, as_user_;
    unsigned short port_ = 0;
    std::string password_;
};

// FusionPBX's tables, for the columns provisio touches (from FusionPBX's app_config.php
// definitions): v_domains, v_extensions, v_voicemails, v_gateways, v_xml_cdr. Older FusionPBX
// keeps its `enabled` columns as text 'true'/'false', newer as boolean.
enum class EnabledColumns { text, boolean };
// FusionPBX 4.4 and older key v_xml_cdr by `uuid` and keep its stamps without a zone
// (app/xml_cdr/app_config.php at tag 4.4.1); 4.5 renamed the key xml_cdr_uuid.
enum class FusionPbxVersion { current, v4_4 };
// Creates database `db` owned by a login role `user` with `password`, holding those tables.
void create_fusionpbx_database(const ScratchPostgres &pg, const std::string &db, const std::string &user,
                               const std::string &password, EnabledColumns enabled, FusionPbxVersion version = FusionPbxVersion::current);

}  // namespace provisio::sims
