#include "http/server.hpp"

#include "foundation/error.hpp"
#include "http/router.hpp"
#include "http/url_encoding.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

namespace provisio {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

HttpRequest to_request(const http::request<http::string_body> &in, const std::string &remote) {
    HttpRequest r;
    r.method = std::string(in.method_string());
    const std::string_view target(in.target().data(), in.target().size());
    const size_t q = target.find('?');
    r.path = percent_decoded(target.substr(0, q), false);
    if (q != std::string_view::npos) r.query = parse_form(target.substr(q + 1));
    for (const auto &field : in) {
        std::string name(field.name_string());
        for (auto &c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(field.value());
    }
    r.body = in.body();
    r.remote_address = remote;
    return r;
}

http::response<http::string_body> to_response(const HttpResponse &out, unsigned version, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(out.status), version};
    res.set(http::field::server, "provisio");
    res.set(http::field::content_type, out.content_type);
    for (const auto &[name, value] : out.headers) res.insert(name, value);  // insert: Set-Cookie may repeat
    res.body() = out.body;
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return res;
}


}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
    class Session;

    HttpServerOptions options;
    Handler handle;
    asio::io_context io;
    asio::strand<asio::io_context::executor_type> control{io.get_executor()};  // accepting and stopping run here
    tcp::acceptor acceptor{control};
    asio::signal_set signals{control, SIGTERM, SIGINT};
    asio::steady_timer grace_timer{control};
    std::optional<asio::ssl::context> tls;  // set when serving HTTPS
    std::atomic<bool> stopping{false};
    std::mutex sessions_mutex;
    std::set<std::shared_ptr<Session>> sessions;

    void accept();
    void begin_stop();
};

// One connection: read a request (header, then body, each with its deadline), answer it, and
// again while the client keeps the connection and the server is not stopping.
class HttpServer::Impl::Session : public std::enable_shared_from_this<Session> {
public:
    Session(Impl &server, tcp::socket socket) : server_(server) {
        if (server.tls) tls_.emplace(std::move(socket), *server.tls);
        else plain_.emplace(std::move(socket));
        beast::error_code ec;
        const auto peer = tcp().socket().remote_endpoint(ec);
        remote_ = ec ? "" : peer.address().to_string();
    }

    void start() {
        if (!tls_) return read_header();
        // The TLS handshake counts against the header's deadline.
        tcp().expires_after(server_.options.header_timeout);
        tls_->async_handshake(asio::ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
            if (ec) return self->close_now();
            self->read_header();
        });
    }

    // When stopping: a connection waiting for its next request is closed now; one in the middle
    // of a request finishes it (the response says Connection: close).
    void stop_if_idle() {
        asio::post(tcp().get_executor(), [self = shared_from_this()] {
            if (self->idle_) self->close();
        });
    }

private:
    void read_header() {
        idle_ = true;
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(server_.options.max_header_bytes));
        parser_->body_limit(server_.options.max_body_bytes);
        tcp().expires_after(server_.options.header_timeout);
        with_stream([&](auto &stream) {
            http::async_read_header(stream, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
                self->idle_ = false;
                if (ec) return self->failed(ec);
                self->read_body();
            });
        });
    }

    void read_body() {
        tcp().expires_after(server_.options.body_timeout);
        with_stream([&](auto &stream) {
            http::async_read(stream, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
                if (ec) return self->failed(ec);
                self->respond();
            });
        });
    }

    void respond() {
        const auto &req = parser_->get();
        HttpRequest request = to_request(req, remote_);
        request.secure = tls_.has_value();
        HttpResponse out = server_.handle(request);
        if (tls_) out.headers.emplace_back("Strict-Transport-Security", "max-age=31536000");
        const bool keep = req.keep_alive() && !server_.stopping;
        write(std::make_shared<http::response<http::string_body>>(to_response(out, req.version(), keep)));
    }

    void write(std::shared_ptr<http::response<http::string_body>> res) {
        tcp().expires_after(server_.options.body_timeout);
        with_stream([&](auto &stream) {
            http::async_write(stream, *res, [self = shared_from_this(), res](beast::error_code ec, size_t) {
                if (ec) return self->close_now();
                if (!res->keep_alive()) return self->close();
                self->read_header();
            });
        });
    }

    // A read that failed: a client that went away or was too slow is closed; one that sent too
    // much or something that is not HTTP is told so first.
    void failed(beast::error_code ec) {
        if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) return close();
        if (ec == beast::error::timeout || ec == asio::error::operation_aborted || ec == asio::error::connection_reset) return close_now();
        const HttpResponse problem =
            ec == http::error::body_limit
                ? problem_response(413, "body-too-large", "Request body too large",
                                   "the body is larger than this server accepts ([http_server] max_body_kb)")
            : ec == http::error::header_limit
                ? problem_response(431, "header-too-large", "Request header too large", "the header is larger than this server accepts")
                : problem_response(400, "malformed-request", "Malformed HTTP request", ec.message());
        write(std::make_shared<http::response<http::string_body>>(to_response(problem, 11, false)));
    }

    // A TLS connection says goodbye first (close_notify), within a short deadline.
    void close() {
        if (!tls_ || closing_) return close_now();
        closing_ = true;
        tcp().expires_after(std::chrono::seconds(2));
        tls_->async_shutdown([self = shared_from_this()](beast::error_code) { self->close_now(); });
    }

    void close_now() {
        beast::error_code ec;
        tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
        tcp().close();
        std::lock_guard lock(server_.sessions_mutex);
        server_.sessions.erase(shared_from_this());
        // The last connection of a stopping server: nothing is left to wait for.
        if (server_.stopping && server_.sessions.empty())
            asio::post(server_.control, [&server = server_] { server.grace_timer.cancel(); });
    }

    beast::tcp_stream &tcp() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }
    template <class F>
    void with_stream(F &&f) {
        if (tls_) f(*tls_);
        else f(*plain_);
    }

    Impl &server_;
    std::optional<beast::tcp_stream> plain_;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
    bool closing_ = false;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::string remote_;
    bool idle_ = true;
};

void HttpServer::Impl::accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
        if (ec) {
            if (!stopping) spdlog::warn("serve: could not accept a connection: {}", ec.message());
            if (stopping || ec == asio::error::operation_aborted) return;
            return accept();
        }
        std::shared_ptr<Session> session;
        {
            std::lock_guard lock(sessions_mutex);
            if (sessions.size() < options.max_connections && !stopping) {
                session = std::make_shared<Session>(*this, std::move(socket));
                sessions.insert(session);
            }
        }
        if (session) session->start();
        else {
            // Over the limit: say so in one short response rather than leave the client waiting.
            const std::string busy =
                "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\nRetry-After: 1\r\n\r\n";
            beast::error_code ignored;
            asio::write(socket, asio::buffer(busy), ignored);
            socket.close(ignored);
        }
        accept();
    });
}

void HttpServer::Impl::begin_stop() {
    if (stopping.exchange(true)) return;
    signals.cancel();
    beast::error_code ec;
    acceptor.close(ec);
    std::vector<std::shared_ptr<Session>> open;
    {
        std::lock_guard lock(sessions_mutex);
        open.assign(sessions.begin(), sessions.end());
    }
    if (open.empty()) return;
    for (auto &s : open) s->stop_if_idle();
    // Requests still in progress when the grace period ends are cut off.
    grace_timer.expires_after(options.grace);
    grace_timer.async_wait([this](beast::error_code e) {
        if (!e) io.stop();
    });
}

HttpServer::HttpServer(HttpServerOptions options, Handler handle) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->handle = std::move(handle);
    beast::error_code ec;
    const auto address = asio::ip::make_address(impl_->options.address, ec);
    if (ec) fail(ErrorKind::invalid_input, "[http_server] listen: '" + impl_->options.address + "' is not an IP address");
    const tcp::endpoint at{address, impl_->options.port};
    auto &acceptor = impl_->acceptor;
    acceptor.open(at.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(at, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        fail(ErrorKind::invalid_input, "cannot listen on " + impl_->options.address + ":" + std::to_string(impl_->options.port) + ": " +
                                           ec.message());
    const auto &o = impl_->options;
    if (!o.tls_certificate.empty()) {
        auto &tls = impl_->tls.emplace(asio::ssl::context::tls_server);
        tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                        asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
        tls.use_certificate_chain_file(o.tls_certificate.string(), ec);
        if (ec) fail(ErrorKind::invalid_input, "[http_server] cert: cannot use " + o.tls_certificate.string() + ": " + ec.message());
        tls.use_private_key_file(o.tls_key.string(), asio::ssl::context::pem, ec);
        if (ec) fail(ErrorKind::invalid_input, "[http_server] key: cannot use " + o.tls_key.string() + ": " + ec.message());
    }
}

bool HttpServer::tls() const { return impl_->tls.has_value(); }

HttpServer::~HttpServer() = default;

uint16_t HttpServer::port() const {
    beast::error_code ec;
    return impl_->acceptor.local_endpoint(ec).port();
}

void HttpServer::run() {
    Impl &s = *impl_;
    s.signals.async_wait([&s](beast::error_code ec, int signal) {
        if (ec) return;
        spdlog::info("serve: {} received; finishing the requests in progress", signal == SIGTERM ? "SIGTERM" : "SIGINT");
        s.begin_stop();
    });
    s.accept();
    std::vector<std::thread> threads;
    for (int i = 1; i < std::max(1, s.options.threads); ++i) threads.emplace_back([&s] { s.io.run(); });
    s.io.run();
    for (auto &t : threads) t.join();
}

void HttpServer::stop() {
    asio::post(impl_->control, [this] { impl_->begin_stop(); });
}

}  // namespace provisio
