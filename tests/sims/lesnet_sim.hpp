// A LesNet API simulator. The real API's suspend/unsuspend endpoint names are not published;
// this one answers the defaults the lesnet module assumes (docs/modules/lesnet.md):
//   POST /v1/<endpoint>/  {"authentication": {"apikey": K, "idkey": I}, ...}
//     account/info                        → {"status": "success", "data": {"account": ...}}
//     peer/info     {"peer"}              → {"status": "success", "data": {"peer", "status", "dids", "max_channels"}}
//     peer/enable, peer/disable {"peer"}  → {"status": "success"}
//     peer/update   {"peer", "max_channels"}
//   errors: {"status": "error", "message": ...} with 401 (credentials), 404 (no such peer), 400.
//   GET /cdr/<name>  the account's CDR text file, with ETag and Last-Modified; 304 to a matching
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
    int versions_ = 0, downloads_ = 0;
};

}  // namespace provisio::sims
