#include "support/http_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <stdexcept>

namespace provisio::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct HttpServer::Impl {
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::optional<asio::ssl::context> tls;
    std::atomic<bool> stopping{false};
};

HttpServer::HttpServer(std::optional<TlsFiles> tls) : impl_(std::make_unique<Impl>()) {
    if (tls) {
        impl_->tls.emplace(asio::ssl::context::tls_server);
        impl_->tls->use_certificate_chain_file(tls->certificate.string());
        impl_->tls->use_private_key_file(tls->key.string(), asio::ssl::context::pem);
    }
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen();
    port_ = impl_->acceptor.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
}

HttpServer::~HttpServer() {
    impl_->stopping = true;
    // Wake the blocking accept with a connection of our own.
    try {
        asio::io_context ioc;
        tcp::socket s(ioc);
        s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    } catch (...) {
    }
    thread_.join();
}

std::string HttpServer::url(const std::string &path) const {
    return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

void HttpServer::set_body(std::string body) {
    std::lock_guard lock(mutex_);
    body_ = std::move(body);
}

std::vector<std::string> HttpServer::requests() {
    std::lock_guard lock(mutex_);
    return requests_;
}

void HttpServer::serve() {
    // Bounded: a test never needs more than this many connections.
    for (int served = 0; served < 1000 && !impl_->stopping; ++served) {
        tcp::socket socket(impl_->ioc);
        boost::system::error_code ec;
        impl_->acceptor.accept(socket, ec);
        if (ec || impl_->stopping) break;
        auto handle = [&](auto &stream) {
            beast::flat_buffer buffer;
            http::request<http::string_body> req;
            http::read(stream, buffer, req, ec);
            if (ec) return;
            {
                std::lock_guard lock(mutex_);
                requests_.push_back(std::string(req.method_string()) + " " + std::string(req.target()));
            }
            if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms.load()));
            http::response<http::string_body> res{static_cast<http::status>(status.load()), 11};
            {
                std::lock_guard lock(mutex_);
                res.body() = body_;
            }
            res.set(http::field::content_type, "text/plain");
            res.prepare_payload();
            http::write(stream, res, ec);
        };
        if (impl_->tls) {
            beast::ssl_stream<tcp::socket &> stream(socket, *impl_->tls);
            stream.handshake(asio::ssl::stream_base::server, ec);
            if (!ec) handle(stream);
            stream.shutdown(ec);
        } else {
            handle(socket);
        }
        socket.shutdown(tcp::socket::shutdown_both, ec);
    }
}

}  // namespace provisio::test
