// The HTTP(S) server under `provisio serve`: Boost.Beast on Asio, a few threads, bounded in every
// way a client could hold it (header and body deadlines, body size, connections), and a clean
// stop: on SIGTERM or SIGINT it stops accepting, lets the requests in progress finish (up to
// `grace`), then returns. What each request gets is up to `handle`, called on a server thread;
// it must not throw (dispatch.hpp turns every error into a response).
#pragma once

#include "http/http_types.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace provisio {

struct HttpServerOptions {
    std::string address = "127.0.0.1";
    uint16_t port = 8080;                      // 0: any free port (see HttpServer::port)
    int threads = 4;
    size_t max_connections = 512;              // more are answered 503 and closed
    size_t max_body_bytes = 8u << 20;
    size_t max_header_bytes = 16u << 10;
    std::chrono::seconds header_timeout{10};   // from connection (or the previous response) to a whole header
    std::chrono::seconds body_timeout{60};     // to the whole body, once the header is in
    std::chrono::seconds grace{10};            // how long a stop waits for requests in progress
    std::filesystem::path tls_certificate, tls_key;  // both set: HTTPS (PEM: the chain, then the key)
};

class HttpServer {
public:
    using Handler = std::function<HttpResponse(const HttpRequest &)>;
    // Binds at once: Error(invalid_input) when the address cannot be listened on.
    HttpServer(HttpServerOptions options, Handler handle);
    ~HttpServer();
    HttpServer(const HttpServer &) = delete;
    HttpServer &operator=(const HttpServer &) = delete;

    uint16_t port() const;  // the port bound (useful with port 0)
    bool tls() const;
    // Serves until SIGTERM or SIGINT (or stop()), then drains and returns.
    void run();
    void stop();  // from any thread

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace provisio
