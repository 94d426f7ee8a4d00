// A LesNet API simulator, answering in the shapes LesNet's own sample client reads
// (rwyc-devon/simple-dashboard: include/lesnet_api.php builds the request, widgets/lesBalance.php
// reads the answer; see docs/modules/lesnet.md, "Checked against"):
//   POST /v1/<endpoint>/  {"authentication": {"apikey": K, "idkey": I}, "sequence": N, ...}
//     every request must carry both, or it is refused (the sample client always sends them);
//   success: the results at the top level ({"status": "success", "balance": 25.75});
//   error:   {"status": "error", "error": CODE, "error_detail": TEXT}, HTTP 200 (the sample
//            client reads errors from the body alone; LesNet's HTTP status for them is not
//            published, nor are its error codes: ours are made up and say so in the docs).
// Endpoints: account/balance is the sample client's; the peer endpoints are the module's
// assumed defaults (LesNet does not publish them):
//     account/balance                     → {"status": "success", "balance": 25.75}
//     peer/info     {"peer"}              → {"status": "success", "peer", "dids", "max_channels"}
//     peer/enable, peer/disable {"peer"}  → {"status": "success"}
//     peer/update   {"peer", "max_channels"}
//   GET /cdr/<name>  the account's CDR text file (portal.les.net/cdr/ACCOUNT_0000.txt in the
//                    product docs), with ETag and Last-Modified; 304 to a matching
//                    If-None-Match or If-Modified-Since.
#pragma once

#include "sim_server.hpp"

namespace provisio::sims {

struct LesNetPeer {
    std::string status = "enabled";  // enabled | disabled
    std::vector<std::string> dids;
    int max_channels = 2;
};

class LesNetSim : public SimServer {
public:
    LesNetSim(std::string apikey, std::string idkey, std::optional<TlsFiles> tls = std::nullopt, unsigned short port = 0);
    ~LesNetSim() override;

    void add_peer(const std::string &peer, LesNetPeer p);
    std::optional<LesNetPeer> peer(const std::string &peer) const;
    // Replaces a CDR file (a new ETag and Last-Modified): what LesNet does once a day.
    void set_cdr_file(const std::string &name, std::string text, const std::string &last_modified);
    int cdr_downloads() const;  // full downloads (not 304s)
    void set_balance(std::string balance);  // account/balance's, as JSON number text ("25.75")

protected:
    SimResponse handle(const SimRequest &request) override;
    SimResponse wrong_credentials() override;

private:
    struct CdrFile {
        std::string text, etag, last_modified;
    };
    std::string apikey_, idkey_;
    mutable std::mutex state_mutex_;
    std::map<std::string, LesNetPeer> peers_;
    std::map<std::string, CdrFile> files_;
    std::string balance_ = "25.75";
    int versions_ = 0, downloads_ = 0;
};

}  // namespace provisio::sims
