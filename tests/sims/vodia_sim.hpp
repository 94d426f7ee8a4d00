// A Vodia PBX REST simulator: tenants (domains) with trunks, accounts and CDRs, answering as
// Vodia's published API pages and sample clients show the real PBX answering (sources in
// docs/modules/vodia.md, "Checked against"):
//   PUT  /rest/system/session  {"name":"auth","value":"USER MD5HEX(PASSWORD)"}
//                              → 200, the session id as a JSON string of 20 characters
//   GET  /rest/system/domains  the tenants, an object keyed by tenant id: {"1": {"name", "display", …}}
//   GET  /rest/domain/D/domain_trunks[/]   [{"id": "1", "name", "type", "disabled": "true|false|", …}]
//   GET|PUT /rest/domain/D/edit_trunk/ID   {"dis": "true|false", …}
//   GET|PUT /rest/domain/D/user_settings/EXT   the account's settings; 404: no such account
//   GET  /rest/domain/D/settings, PUT /rest/domain/D/settings[/]   the tenant's settings
//   GET  /rest/domain/D/cdrs?page=N&size=S   one page of CDRs, newest first:
//        {"id": 20753, "call_id", "from", "to", "start": "1595572559.444", "connect": "…",
//         "end": "…", "rating": "", "pcap": false, "extensions": [], "trunks": []}
// Writes are PUT, as Vodia's sample client makes them; POST to these resources is refused
// (405), so a module that writes any other way fails against the simulator. Every call but the
// login needs the session cookie or HTTP Basic credentials; else 401.
// What no public source shows is marked "assumption" where it is answered.
#pragma once

#include "sim_server.hpp"

#include <cstdint>
#include <set>

namespace provisio::sims {

struct VodiaTrunk {
    std::string id, name;
    bool disabled = false;
    std::string status1, status2;  // a registering trunk's last answer and interval ("200 OK", "60 s"); empty otherwise
};
struct VodiaAccount {
    std::string first_name;
    bool disabled = false;
    std::string password;  // set through user_settings' "password"; never sent back (assumption)
};
struct VodiaCdr {
    uint64_t id = 0;                        // Vodia numbers its CDRs
    std::string from, to;                   // SIP addresses: "Name" <sip:number@domain>
    int64_t start_ms = 0, connect_ms = 0, end_ms = 0;  // ms since 1970; connect 0: not answered
    std::string start_text;                 // when set, sent instead of start_ms: an answer to refuse
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
    // Vodia's published user_settings example has no flag that disables an account; a PBX
    // version with one ("dis") is what suspend_mode=accounts needs. Off: the documented shape.
    void account_flag(bool on);

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
    bool account_flag_ = false;
};

}  // namespace provisio::sims
