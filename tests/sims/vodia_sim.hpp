// A Vodia PBX REST simulator: tenants (domains) with trunks, accounts and CDRs. It answers the
// calls the vodia module makes (docs/modules/vodia.md):
//   PUT  /rest/system/session      {"name":"auth","value":"USER MD5HEX(PASSWORD)"} → Set-Cookie session=…
//   GET  /rest/system/domains      the tenants (test connection)
//   GET  /rest/domain/D/domain_trunks                 [{"id","name","disabled":"true|false"}]
//   GET|POST /rest/domain/D/edit_trunk/ID             {"dis":"true|false"}
//   GET|POST /rest/domain/D/user_settings/EXT         {"alias","first_name","dis"}; 404: no such account
//   GET|POST /rest/domain/D/settings                  {"max_calls"}
//   GET  /rest/domain/D/cdrs?start=EPOCH&count=N      CDRs from that second on, oldest first
// Every call but the login needs the session cookie or HTTP Basic credentials; else 401.
#pragma once

#include "sim_server.hpp"

#include <cstdint>
#include <set>

namespace provisio::sims {

struct VodiaTrunk {
    std::string id, name;
    bool disabled = false;
};
struct VodiaAccount {
    std::string first_name;
    bool disabled = false;
};
struct VodiaCdr {
    std::string id, from, to;      // from/to as SIP addresses: "Name" <sip:number@domain>
    int64_t start = 0, connect = 0, end = 0;  // epoch seconds; connect 0: not answered
};
struct VodiaTenant {
    std::vector<VodiaTrunk> trunks;
    std::map<std::string, VodiaAccount> accounts;  // by extension
    std::string max_calls;
    std::vector<VodiaCdr> cdrs;
};

class VodiaSim : public SimServer {
public:
    VodiaSim(std::string user, std::string password, std::optional<TlsFiles> tls = std::nullopt, unsigned short port = 0);
    ~VodiaSim() override;

    void add_tenant(const std::string &domain, VodiaTenant tenant);
    std::optional<VodiaTenant> tenant(const std::string &domain) const;
    void add_cdr(const std::string &domain, VodiaCdr cdr);
    void expire_sessions();  // as the PBX does after its idle timeout
    int logins() const;

protected:
    SimResponse handle(const SimRequest &request) override;
    SimResponse wrong_credentials() override;

private:
    bool authenticated(const SimRequest &r) const;
    SimResponse domain_call(const SimRequest &r, VodiaTenant &t, const std::string &what, const std::string &arg);
    std::string user_, password_;
    mutable std::mutex state_mutex_;
    std::map<std::string, VodiaTenant> tenants_;
    std::set<std::string> sessions_;
    int logins_ = 0;
};

}  // namespace provisio::sims
