// fusionpbx-sim: what the fusionpbx module talks to, as one command — FreeSWITCH's event socket
// (simulated) and, with --postgres, a real scratch PostgreSQL holding FusionPBX's tables.
// Serves until interrupted; the scratch database is removed on exit.
#include "esl_sim.hpp"
#include "scratch_postgres.hpp"

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

namespace {

void usage(std::ostream &out) {
    out << "usage: fusionpbx-sim [--esl-port N] [--esl-password P] [--postgres] [--db-password P]\n"
           "                     [--enabled text|boolean] [--schema current|4.4] [--cache-method file|memcache]\n"
           "                     [--sql FILE]...\n"
           "  Serves a FreeSWITCH event socket (auth, api, exit) on 127.0.0.1 (port 0: a free one).\n"
           "  --postgres       also start a scratch PostgreSQL on a free 127.0.0.1 port with database\n"
           "                   'fusionpbx' (role 'fusionpbx') holding v_domains, v_extensions, v_gateways\n"
           "                   and v_xml_cdr; needs Debian's postgresql package\n"
           "  --enabled KIND   the 'enabled' columns as text 'true'/'false' (older FusionPBX) or boolean\n"
           "  --schema 4.4     v_xml_cdr as FusionPBX 4.4 and older keep it (keyed by uuid, stamps without zone)\n"
           "  --sql FILE       run FILE in that database as the fusionpbx role (your domains, gateways, calls)\n"
           "  --cache-method M where FusionPBX's cache lives (its cache.method setting): file (default) or memcache\n"
           "  The switch starts the enabled gateways of the database, and rescans read them through the cache.\n"
           "  Prints one line: esl_port=N [db_port=N] once ready.\n"
           "  Faults, in-band on the event socket:\n"
           "    api sim_fault latency|timeout|reset|malformed|wrong_credentials|acl|reload_error COUNT [MS]\n";
}

}  // namespace

int main(int argc, char **argv) {
    unsigned short esl_port = 0;
    std::string esl_password = "ClueCon", db_password = "fusionpbx-demo", enabled = "boolean", schema = "current", cache_method = "file";
    bool postgres = false;
    std::vector<std::string> sql_files;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::cerr << "fusionpbx-sim: " << a << " needs a value\n";
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--help" || a == "-h") {
            usage(std::cout);
            return 0;
        } else if (a == "--esl-port") esl_port = static_cast<unsigned short>(std::stoi(value()));
        else if (a == "--esl-password") esl_password = value();
        else if (a == "--postgres") postgres = true;
        else if (a == "--db-password") db_password = value();
        else if (a == "--enabled") enabled = value();
        else if (a == "--sql") sql_files.push_back(value());
        else if (a == "--schema") schema = value();
        else if (a == "--cache-method") cache_method = value();
        else {
            std::cerr << "fusionpbx-sim: unknown argument " << a << '\n';
            usage(std::cerr);
            return 2;
        }
    }
    if (enabled != "text" && enabled != "boolean") {
        std::cerr << "fusionpbx-sim: --enabled must be text or boolean, not '" << enabled << "'\n";
        return 2;
    }
    if (schema != "current" && schema != "4.4") {
        std::cerr << "fusionpbx-sim: --schema must be current or 4.4, not '" << schema << "'\n";
        return 2;
    }
    if (cache_method != "file" && cache_method != "memcache") {
        std::cerr << "fusionpbx-sim: --cache-method must be file or memcache, not '" << cache_method << "'\n";
        return 2;
    }
    provisio::sims::EslSim esl(esl_password, esl_port);
    esl.set_cache_method(cache_method == "file" ? provisio::sims::EslSim::CacheMethod::file : provisio::sims::EslSim::CacheMethod::memcache);
    std::unique_ptr<provisio::sims::ScratchPostgres> pg;
    std::string banner = "esl_port=" + std::to_string(esl.port());
    if (postgres) {
        try {
            pg = std::make_unique<provisio::sims::ScratchPostgres>();
            provisio::sims::create_fusionpbx_database(*pg, "fusionpbx", "fusionpbx", db_password,
                                                      enabled == "text" ? provisio::sims::EnabledColumns::text
                                                                        : provisio::sims::EnabledColumns::boolean,
                                                      schema == "4.4" ? provisio::sims::FusionPbxVersion::v4_4 : provisio::sims::FusionPbxVersion::current);
            for (const auto &file : sql_files) {
                std::ifstream in(file);
                if (!in) throw std::runtime_error("cannot read " + file);
                std::stringstream text;
                text << in.rdbuf();
                pg->exec("SET ROLE fusionpbx;" + text.str(), "fusionpbx");
            }
        } catch (const std::exception &e) {
            std::cerr << "fusionpbx-sim: " << e.what() << '\n';
            return 1;
        }
        banner += " db_port=" + std::to_string(pg->port());
        esl.set_gateway_source([&pg] {
            std::vector<provisio::sims::EslSim::Gateway> out;
            for (const auto &r : pg->query("SELECT gateway_uuid::text, coalesce(nullif(profile, ''), 'external') FROM v_gateways "
                                           "WHERE enabled::text = 'true'", "fusionpbx"))
                out.push_back({r[0], r[1]});
            return out;
        });
        esl.start();
    }
    return provisio::sims::serve_until_interrupted(banner);
}
