// A FreeSWITCH event-socket simulator (inbound mode, text protocol) on 127.0.0.1:
//   server: Content-Type: auth/request
//   client: auth PASSWORD            → Content-Type: command/reply, Reply-Text: +OK accepted | -ERR invalid
//   client: api COMMAND              → Content-Type: api/response, Content-Length: N, then the body
//   client: exit                     → Content-Type: command/reply, Reply-Text: +OK bye; then it closes
// Every command after auth is recorded. Answers: "sofia profile P killgw G", "sofia profile P
// rescan", "memcache delete KEY", "reloadxml", "status"; anything else is "-ERR … Command not
// found!". Faults as in sim_server.hpp: latency, timeout (says nothing), reset (closes at once),
// malformed (a frame that is not the protocol), wrong_credentials (refuses any password); also
// in-band: "api sim_fault KIND COUNT [MS]".
#pragma once

#include "sim_server.hpp"

namespace provisio::sims {

class EslSim {
public:
    explicit EslSim(std::string password, unsigned short port = 0);
    ~EslSim();
    EslSim(const EslSim &) = delete;
    EslSim &operator=(const EslSim &) = delete;

    unsigned short port() const { return port_; }
    void inject(Fault fault);
    std::vector<std::string> commands() const;  // "api …" lines after a successful auth
    void clear_commands();

private:
    void accept_loop();
    void serve(int fd);
    std::string answer(const std::string &command);
    std::optional<Fault> take_fault();
    std::string password_;
    int listen_fd_ = -1;
    unsigned short port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread acceptor_;
    mutable std::mutex mutex_;
    std::vector<std::string> commands_;
    Fault fault_;
    std::vector<std::thread> workers_;
};

}  // namespace provisio::sims
