// The loopback HTTP(S) server the protocol simulators share: binds 127.0.0.1 on a free port (or
// the one asked for), serves each connection on its own thread, records every request, and
// injects faults on demand. A simulator subclass answers requests from the state it keeps.
//
// Control endpoints (never recorded, never faulted):
//   GET    /_sim/requests    the requests so far, as JSON
//   POST   /_sim/fault       {"kind": "...", "count": N, "ms": M} for the next N requests
//                            (count -1: until cleared); kinds below
//   DELETE /_sim/fault       clear it
// Faults: latency (delay by ms, then answer), http500, timeout (say nothing for ms, then close),
// reset (close without answering), malformed (a body that is not JSON), wrong_credentials
// (answer as the protocol does to a bad login).
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace provisio::sims {

struct SimRequest {
    std::string method, target, body;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string path() const { return target.substr(0, target.find('?')); }
    std::string query(const std::string &name) const;  // one query parameter, percent-decoded; "" when absent
    std::string header(const std::string &name) const;
};

struct SimResponse {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
};

struct Fault {
    std::string kind;  // "" for none
    int count = 0;     // requests left; -1: until cleared
    int ms = 0;
};

// "KIND[:MS[:COUNT]]" (COUNT default -1: every request) → a Fault; for the commands' --fault.
Fault parse_fault(const std::string &spec);

struct TlsFiles {
    std::filesystem::path certificate, key;
};
// A self-signed certificate for 127.0.0.1 / localhost under `dir`, made with the openssl command.
TlsFiles make_self_signed_certificate(const std::filesystem::path &dir);

// For a simulator's command: prints `banner` (where to reach it), serves until SIGINT or
// SIGTERM, returns 0.
int serve_until_interrupted(const std::string &banner);

// A loopback port nothing listens on now (the kernel's pick for port 0); another process may take
// it before the caller binds it, so callers that can should retry.
unsigned short free_port();

class SimServer {
public:
    // `port` 0: a free one.
    explicit SimServer(std::optional<TlsFiles> tls = std::nullopt, unsigned short port = 0);
    virtual ~SimServer();
    SimServer(const SimServer &) = delete;
    SimServer &operator=(const SimServer &) = delete;

    // Starts serving; a subclass calls it at the end of its constructor.
    void start();
    // Stops accepting and waits for the connections in progress; the destructor calls it.
    void stop();

    unsigned short port() const { return port_; }
    std::string url(const std::string &path = "/") const;

    void inject(Fault fault);
    std::vector<SimRequest> requests() const;
    size_t in_flight_peak() const { return peak_; }

protected:
    // The protocol's answer; called with no lock held, any thread.
    virtual SimResponse handle(const SimRequest &request) = 0;
    // What the protocol answers to a request with bad credentials.
    virtual SimResponse wrong_credentials() { return {401, R"({"error":"authentication failed"})"}; }

private:
    void accept_loop();
    void serve(int fd);
    std::optional<Fault> take_fault();
    struct Impl;
    std::unique_ptr<Impl> impl_;
    unsigned short port_ = 0;
    std::thread acceptor_;
    mutable std::mutex mutex_;
    std::vector<SimRequest> requests_;
    Fault fault_;
    std::atomic<size_t> in_flight_{0}, peak_{0};
};

}  // namespace provisio::sims
