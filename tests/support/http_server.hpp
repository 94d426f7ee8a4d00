// A loopback HTTP(S) server for tests: binds 127.0.0.1 on a free port, answers every request
// with the configured reply (after an optional delay), records what it received, and stops
// when destroyed. TLS uses a self-signed certificate made for the test.
#pragma once

#include "sim_server.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace provisio::test {

// A self-signed certificate for 127.0.0.1 (the simulators' own).
using TlsFiles = provisio::sims::TlsFiles;
inline TlsFiles make_self_signed(const std::filesystem::path &dir) { return provisio::sims::make_self_signed_certificate(dir); }

class HttpServer {
public:
    explicit HttpServer(std::optional<TlsFiles> tls = std::nullopt);
    ~HttpServer();
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;

    unsigned short port() const { return port_; }
    std::string url(const std::string &path = "/") const;

    std::atomic<int> status{200};
    std::atomic<int> delay_ms{0};
    void set_body(std::string body);
    std::vector<std::string> requests();  // "METHOD target" of each request so far

private:
    void serve();
    struct Impl;
    std::unique_ptr<Impl> impl_;
    unsigned short port_ = 0;
    std::thread thread_;
    std::mutex mutex_;
    std::string body_ = "ok";
    std::vector<std::string> requests_;
};

}  // namespace provisio::test
