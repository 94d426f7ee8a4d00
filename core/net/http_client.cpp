#include "net/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>

namespace provisio {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

struct Url {
    bool tls = false;
    std::string host;
    std::string port;
    std::string target;
};

std::optional<Url> parse_url(const std::string &url, std::string &why) {
    Url u;
    std::string rest;
    if (url.rfind("https://", 0) == 0) {
        u.tls = true;
        rest = url.substr(8);
    } else if (url.rfind("http://", 0) == 0) {
        rest = url.substr(7);
    } else {
        why = "URL must start with http:// or https://";
        return std::nullopt;
    }
    const size_t slash = rest.find_first_of("/?");
    std::string authority = rest.substr(0, slash);
    u.target = slash == std::string::npos ? "/" : rest.substr(slash);
    if (u.target[0] == '?') u.target = "/" + u.target;
    if (authority.find('@') != std::string::npos) {
        why = "credentials in the URL are not allowed; send an Authorization header";
        return std::nullopt;
    }
    if (!authority.empty() && authority[0] == '[') {  // [IPv6]:port
        const size_t close = authority.find(']');
        if (close == std::string::npos) {
            why = "unterminated IPv6 address";
            return std::nullopt;
        }
        u.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':') u.port = authority.substr(close + 2);
    } else {
        const size_t colon = authority.rfind(':');
        u.host = authority.substr(0, colon);
        if (colon != std::string::npos) u.port = authority.substr(colon + 1);
    }
    if (u.host.empty()) {
        why = "URL has no host";
        return std::nullopt;
    }
    if (u.port.empty()) u.port = u.tls ? "443" : "80";
    if (!std::all_of(u.port.begin(), u.port.end(), [](unsigned char c) { return std::isdigit(c); }) ||
        u.port.size() > 5 || std::stoi(u.port) == 0 || std::stoi(u.port) > 65535) {
        why = "URL has an invalid port '" + u.port + "'";
        return std::nullopt;
    }
    return u;
}

// Runs one asynchronous operation to completion on `ioc` and returns its error. The stream's
// expiry turns a stall into beast::error::timeout.
template <class Start>
error_code run(asio::io_context &ioc, Start start) {
    error_code result = asio::error::operation_aborted;
    start([&](error_code ec, auto &&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
}

HttpResult failure(HttpResult::Kind kind, std::string error) {
    HttpResult r;
    r.kind = kind;
    r.error = std::move(error);
    return r;
}

bool is_tls_verification_error(const error_code &ec) {
    if (ec.category() != asio::error::get_ssl_category()) return false;
    const auto reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
    return reason == SSL_R_CERTIFICATE_VERIFY_FAILED;
}

// TLS contexts are built once per process and setting: loading the system's CA store costs far
// more than a request, and a configured SSL_CTX is safe to share between threads.
asio::ssl::context *shared_tls_context(bool tls, bool verify, const std::filesystem::path &ca_file, std::string &why) {
    static std::mutex mutex;
    static std::map<std::tuple<bool, bool, std::string>, std::unique_ptr<asio::ssl::context>> contexts;
    std::lock_guard lock(mutex);
    auto &slot = contexts[{tls, verify, tls && verify ? ca_file.string() : std::string()}];
    if (slot) return slot.get();
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    if (tls) {
        error_code ec;
        if (verify) {
            ctx->set_default_verify_paths(ec);
            if (!ca_file.empty()) {
                ctx->load_verify_file(ca_file.string(), ec);
                if (ec) {
                    why = "cannot read CA file " + ca_file.string() + ": " + ec.message();
                    return nullptr;
                }
            }
            ctx->set_verify_mode(asio::ssl::verify_peer);
        } else {
            ctx->set_verify_mode(asio::ssl::verify_none);
        }
    }
    slot = std::move(ctx);
    return slot.get();
}

}  // namespace

HttpResult http_exchange(const HttpExchange &request) {
    using Kind = HttpResult::Kind;
    std::string why;
    const auto url = parse_url(request.url, why);
    if (!url) return failure(Kind::failure, why);
    const auto method = http::string_to_verb(request.method);
    if (method == http::verb::unknown) return failure(Kind::failure, "unknown HTTP method '" + request.method + "'");

    const auto deadline = std::chrono::steady_clock::now() + request.timeout;
    auto remaining = [&] {
        return std::max(std::chrono::steady_clock::duration::zero(), deadline - std::chrono::steady_clock::now());
    };
    const std::string where = url->host + ":" + url->port;
    const auto timeout_ms = std::to_string(request.timeout.count());

    asio::io_context ioc;
    tcp::resolver::results_type endpoints;
    error_code ec;
    // An address needs no resolver (whose asynchronous form starts a thread per io_context).
    if (const auto address = asio::ip::make_address(url->host, ec); !ec) {
        endpoints = tcp::resolver::results_type::create(tcp::endpoint(address, static_cast<unsigned short>(std::stoi(url->port))),
                                                        url->host, url->port);
    } else {
        tcp::resolver resolver(ioc);
        ec = run(ioc, [&](auto handler) {
            resolver.async_resolve(url->host, url->port, [&, handler](error_code e, tcp::resolver::results_type r) {
                endpoints = std::move(r);
                handler(e);
            });
        });
        if (ec) return failure(Kind::retryable_failure, "cannot resolve " + url->host + ": " + ec.message());
    }

    asio::ssl::context *tls_ctx = shared_tls_context(url->tls, request.verify_tls, request.ca_file, why);
    if (!tls_ctx) return failure(Kind::failure, why);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, *tls_ctx);
    beast::tcp_stream &tcp_layer = beast::get_lowest_layer(stream);

    tcp_layer.expires_after(remaining());
    ec = run(ioc, [&](auto handler) { tcp_layer.async_connect(endpoints, handler); });
    if (ec == beast::error::timeout) return failure(Kind::retryable_failure, "timed out after " + timeout_ms + " ms connecting to " + where);
    if (ec) return failure(Kind::retryable_failure, "cannot connect to " + where + ": " + ec.message());

    if (url->tls) {
        if (!SSL_set_tlsext_host_name(stream.native_handle(), url->host.c_str()))
            return failure(Kind::failure, "cannot set TLS server name " + url->host);
        if (request.verify_tls) stream.set_verify_callback(asio::ssl::host_name_verification(url->host));
        tcp_layer.expires_after(remaining());
        ec = run(ioc, [&](auto handler) { stream.async_handshake(asio::ssl::stream_base::client, handler); });
        if (ec == beast::error::timeout)
            return failure(Kind::retryable_failure, "timed out after " + timeout_ms + " ms in the TLS handshake with " + where);
        if (ec && is_tls_verification_error(ec))
            return failure(Kind::failure, "TLS certificate of " + where +
                                              " failed verification (" + ec.message() +
                                              "); install its CA (http.ca_file) or turn tls_verify off on the server");
        if (ec) return failure(Kind::retryable_failure, "TLS handshake with " + where + " failed: " + ec.message());
    }

    http::request<http::string_body> req{method, url->target, 11};
    const bool default_port = url->port == (url->tls ? "443" : "80");
    req.set(http::field::host, default_port ? url->host : url->host + ":" + url->port);
    req.set(http::field::user_agent, "provisio/0.1");
    for (const auto &[k, v] : request.headers) req.set(k, v);
    req.body() = request.body;
    req.prepare_payload();

    http::response_parser<http::string_body> parser;
    parser.body_limit(request.max_body_bytes);
    beast::flat_buffer buffer;
    tcp_layer.expires_after(remaining());
    if (url->tls) {
        ec = run(ioc, [&](auto handler) { http::async_write(stream, req, handler); });
        if (!ec) ec = run(ioc, [&](auto handler) { http::async_read(stream, buffer, parser, handler); });
    } else {
        ec = run(ioc, [&](auto handler) { http::async_write(tcp_layer, req, handler); });
        if (!ec) ec = run(ioc, [&](auto handler) { http::async_read(tcp_layer, buffer, parser, handler); });
    }
    if (ec == beast::error::timeout)
        return failure(Kind::retryable_failure, "timed out after " + timeout_ms + " ms waiting for " + where);
    if (ec == http::error::body_limit)
        return failure(Kind::failure, "response from " + where + " exceeds " + std::to_string(request.max_body_bytes) + " bytes");
    if (ec && ec.category() == make_error_code(http::error::end_of_stream).category())
        return failure(Kind::retryable_failure, "malformed HTTP response from " + where + ": " + ec.message());
    if (ec) return failure(Kind::retryable_failure, "exchange with " + where + " failed: " + ec.message());

    HttpResult r;
    r.kind = Kind::response;
    auto &res = parser.get();
    r.status = static_cast<int>(res.result_int());
    for (const auto &field : res) {
        std::string name(field.name_string());
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        r.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    r.body = std::move(res.body());

    error_code ignored;
    if (url->tls) {
        tcp_layer.expires_after(std::chrono::milliseconds(200));
        run(ioc, [&](auto handler) { stream.async_shutdown(handler); });
    }
    tcp_layer.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return r;
}

}  // namespace provisio
