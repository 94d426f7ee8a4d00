#include "sim_server.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <iostream>
#include <condition_variable>
#include <cstdlib>
#include <stdexcept>

namespace provisio::sims {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using nlohmann::json;

namespace {

std::string percent_decoded(const std::string &s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            out += static_cast<char>(std::strtol(s.substr(i + 1, 2).c_str(), nullptr, 16));
            i += 2;
        } else out += s[i] == '+' ? ' ' : s[i];
    }
    return out;
}

}  // namespace

std::string SimRequest::query(const std::string &name) const {
    const size_t q = target.find('?');
    if (q == std::string::npos) return "";
    const std::string qs = target.substr(q + 1);
    size_t at = 0;
    while (at <= qs.size()) {
        const size_t amp = std::min(qs.find('&', at), qs.size());
        const std::string part = qs.substr(at, amp - at);
        const size_t eq = part.find('=');
        if (part.substr(0, eq) == name) return eq == std::string::npos ? "" : percent_decoded(part.substr(eq + 1));
        at = amp + 1;
    }
    return "";
}

std::string SimRequest::header(const std::string &name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
}

Fault parse_fault(const std::string &spec) {
    Fault f;
    f.count = -1;
    const size_t a = spec.find(':');
    f.kind = spec.substr(0, a);
    try {
        if (a != std::string::npos) {
            const size_t b = spec.find(':', a + 1);
            f.ms = std::stoi(spec.substr(a + 1, b == std::string::npos ? std::string::npos : b - a - 1));
            if (b != std::string::npos) f.count = std::stoi(spec.substr(b + 1));
        }
    } catch (const std::exception &) {
        throw std::invalid_argument("--fault '" + spec + "' is not KIND[:MS[:COUNT]]");
    }
    static const char *kinds[] = {"latency", "http500", "timeout", "reset", "malformed", "wrong_credentials"};
    if (std::find(std::begin(kinds), std::end(kinds), f.kind) == std::end(kinds))
        throw std::invalid_argument("--fault kind '" + f.kind + "' is not one of latency, http500, timeout, reset, malformed, wrong_credentials");
    return f;
}

TlsFiles make_self_signed_certificate(const std::filesystem::path &dir) {
    std::filesystem::create_directories(dir);
    TlsFiles f{dir / "sim-cert.pem", dir / "sim-key.pem"};
    const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -keyout '" + f.key.string() + "' -out '" +
                                f.certificate.string() +
                                "' -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl could not make a certificate in " + dir.string());
    return f;
}

struct SimServer::Impl {
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::optional<asio::ssl::context> tls;
    std::atomic<bool> stopping{false};
    std::mutex done_mutex;
    std::condition_variable done;
    size_t connections = 0;  // serving threads alive
};

SimServer::SimServer(std::optional<TlsFiles> tls, unsigned short port) : impl_(std::make_unique<Impl>()) {
    if (tls) {
        impl_->tls.emplace(asio::ssl::context::tls_server);
        impl_->tls->use_certificate_chain_file(tls->certificate.string());
        impl_->tls->use_private_key_file(tls->key.string(), asio::ssl::context::pem);
    }
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
    impl_->acceptor.open(ep.protocol());
    impl_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl_->acceptor.bind(ep);
    impl_->acceptor.listen(256);
    port_ = impl_->acceptor.local_endpoint().port();
}

SimServer::~SimServer() { stop(); }

void SimServer::start() {
    acceptor_ = std::thread([this] { accept_loop(); });
}

void SimServer::stop() {
    if (impl_->stopping.exchange(true)) return;
    try {  // wake the blocking accept with a connection of our own
        asio::io_context ioc;
        tcp::socket s(ioc);
        s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    } catch (...) {
    }
    if (acceptor_.joinable()) acceptor_.join();
    std::unique_lock lock(impl_->done_mutex);
    impl_->done.wait_for(lock, std::chrono::seconds(30), [&] { return impl_->connections == 0; });
}

std::string SimServer::url(const std::string &path) const {
    return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

void SimServer::inject(Fault fault) {
    std::lock_guard lock(mutex_);
    fault_ = std::move(fault);
}

std::vector<SimRequest> SimServer::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::optional<Fault> SimServer::take_fault() {
    std::lock_guard lock(mutex_);
    if (fault_.kind.empty() || fault_.count == 0) return std::nullopt;
    Fault f = fault_;
    if (fault_.count > 0 && --fault_.count == 0) fault_ = {};
    return f;
}

void SimServer::accept_loop() {
    while (!impl_->stopping) {
        boost::system::error_code ec;
        tcp::socket socket(impl_->ioc);
        impl_->acceptor.accept(socket, ec);
        if (ec || impl_->stopping) break;
        {
            std::lock_guard lock(impl_->done_mutex);
            ++impl_->connections;
        }
        std::thread([this, fd = socket.release()] {
            serve(fd);
            std::lock_guard lock(impl_->done_mutex);
            if (--impl_->connections == 0) impl_->done.notify_all();
        }).detach();
    }
}

void SimServer::serve(int fd) {
    asio::io_context ioc;
    tcp::socket socket(ioc, tcp::v4(), fd);
    boost::system::error_code ec;
    const size_t now_in = ++in_flight_;
    for (size_t p = peak_; now_in > p && !peak_.compare_exchange_weak(p, now_in);) {
    }
    auto exchange = [&](auto &stream) {
        beast::flat_buffer buffer;
        http::request<http::string_body> req;
        http::read(stream, buffer, req, ec);
        if (ec) return;
        SimRequest r{std::string(req.method_string()), std::string(req.target()), req.body(), {}};
        for (const auto &f : req) {
            std::string name(f.name_string());
            for (auto &ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            r.headers[name] = std::string(f.value());
        }
        SimResponse out;
        const bool control = r.path().rfind("/_sim/", 0) == 0;
        if (control) {
            if (r.path() == "/_sim/requests") {
                json list = json::array();
                for (const auto &q : requests()) list.push_back({{"method", q.method}, {"target", q.target}, {"body", q.body}});
                out.body = list.dump();
            } else if (r.path() == "/_sim/fault" && r.method == "DELETE") {
                inject({});
                out.body = "{}";
            } else if (r.path() == "/_sim/fault") {
                try {
                    const json j = json::parse(r.body);
                    inject({j.at("kind").get<std::string>(), j.value("count", 1), j.value("ms", 0)});
                    out.body = "{}";
                } catch (const std::exception &e) {
                    out = {400, json{{"error", e.what()}}.dump()};
                }
            } else out = {404, R"({"error":"no such control endpoint"})"};
        } else {
            {
                std::lock_guard lock(mutex_);
                requests_.push_back(r);
            }
            const std::optional<Fault> fault = take_fault();
            if (fault && (fault->kind == "reset" || fault->kind == "timeout")) {
                if (fault->kind == "timeout") std::this_thread::sleep_for(std::chrono::milliseconds(fault->ms ? fault->ms : 5000));
                return;  // closed without a word
            }
            if (fault && fault->kind == "latency") std::this_thread::sleep_for(std::chrono::milliseconds(fault->ms));
            if (fault && fault->kind == "http500") out = {500, R"({"error":"internal server error"})"};
            else if (fault && fault->kind == "malformed") out = {200, R"({"status": "success", "data": [unterminated)"};
            else if (fault && fault->kind == "wrong_credentials") out = wrong_credentials();
            else {
                try {
                    out = handle(r);
                } catch (const std::exception &e) {
                    out = {500, json{{"error", std::string("simulator: ") + e.what()}}.dump()};
                }
            }
        }
        http::response<http::string_body> res{static_cast<http::status>(out.status), 11};
        res.set(http::field::content_type, out.content_type);
        for (const auto &[k, v] : out.headers) res.set(k, v);
        res.body() = std::move(out.body);
        res.keep_alive(false);
        res.prepare_payload();
        http::write(stream, res, ec);
    };
    if (impl_->tls) {
        beast::ssl_stream<tcp::socket &> stream(socket, *impl_->tls);
        stream.handshake(asio::ssl::stream_base::server, ec);
        if (!ec) exchange(stream);
        stream.shutdown(ec);
    } else {
        exchange(socket);
    }
    socket.shutdown(tcp::socket::shutdown_both, ec);
    --in_flight_;
}

namespace {
volatile std::sig_atomic_t stop_requested = 0;
}

int serve_until_interrupted(const std::string &banner) {
    std::signal(SIGINT, [](int) { stop_requested = 1; });
    std::signal(SIGTERM, [](int) { stop_requested = 1; });
    std::cout << banner << std::endl;
    while (!stop_requested) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return 0;
}

unsigned short free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

}  // namespace provisio::sims
