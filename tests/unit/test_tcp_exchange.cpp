// The host's plain-TCP exchange (ABI 1.4): a whole exchange with a peer that closes, a refused
// connection, and a peer that never closes, each ending as the module is told; and the response
// struct written only as far as the module's struct_size.
#include "modulehost/host_services.hpp"
#include "net/tcp_exchange.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <thread>

using provisio::TcpExchange;
using provisio::TcpResult;

namespace {

// A loopback listener on a free port that serves one connection with `serve`.
struct OneShotServer {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    uint16_t port = 0;
    std::thread thread;
    template <class Serve>
    explicit OneShotServer(Serve serve) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0);
        socklen_t len = sizeof a;
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
        port = ntohs(a.sin_port);
        ::listen(fd, 1);
        thread = std::thread([this, serve] {
            const int c = ::accept(fd, nullptr, nullptr);
            if (c >= 0) {
                serve(c);
                ::close(c);
            }
        });
    }
    ~OneShotServer() {
        thread.join();
        ::close(fd);
    }
};

}  // namespace

TEST_CASE("tcp exchange: send, then read until the peer closes") {
    OneShotServer server([](int c) {
        char buf[64];
        const ssize_t n = ::recv(c, buf, sizeof buf, 0);
        const std::string reply = "got " + std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
        ::send(c, reply.data(), reply.size(), 0);
    });
    const TcpResult r = provisio::tcp_exchange({"127.0.0.1", server.port, "ping", std::chrono::milliseconds(2000)});
    CHECK(r.kind == TcpResult::Kind::closed);
    CHECK(r.data == "got ping");
}

TEST_CASE("tcp exchange: a refused connection and a peer that never closes are retryable") {
    uint16_t closed_port = 0;
    {
        OneShotServer server([](int) {});
        closed_port = server.port;
        provisio::tcp_exchange({"127.0.0.1", server.port, "", std::chrono::milliseconds(500)});
    }
    TcpResult r = provisio::tcp_exchange({"127.0.0.1", closed_port, "x", std::chrono::milliseconds(500)});
    CHECK(r.kind == TcpResult::Kind::retryable_failure);
    CHECK_THAT(r.error, Catch::Contains("cannot connect to 127.0.0.1:"));

    OneShotServer silent([](int c) {
        ::send(c, "partial", 7, 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(600));
    });
    r = provisio::tcp_exchange({"127.0.0.1", silent.port, "x", std::chrono::milliseconds(200)});
    CHECK(r.kind == TcpResult::Kind::retryable_failure);
    CHECK_THAT(r.error, Catch::Contains("did not close the connection within 200 ms"));
    CHECK(r.data == "partial");
}

// abi.h: a host writes a response struct only as far as the module's struct_size says, so a
// module built against an older, smaller struct keeps the memory after it.
TEST_CASE("tcp_exchange writes the response only up to the module's struct_size") {
    provisio::HostServices services{provisio::HostConfig{}};
    provisio::CallContext ctx;
    ctx.module = "old";
    provisio_call call{};
    call.struct_size = sizeof call;
    call.host_context = &ctx;
    struct OlderResponse {
        uint32_t struct_size;
        provisio_str data;          // this module's struct ends here
        unsigned char after[sizeof(provisio_str)];
    } older{};
    older.struct_size = static_cast<uint32_t>(offsetof(provisio_tcp_response, error));
    std::memset(older.after, 0xA5, sizeof older.after);
    provisio_tcp_request req{};
    req.struct_size = sizeof req;
    req.host = {"127.0.0.1", 9};
    req.port = 1;  // nothing listens: the exchange fails, and the host sets its error
    req.timeout_ms = 500;
    services.vtable()->tcp_exchange(&call, &req, reinterpret_cast<provisio_tcp_response *>(&older));
    for (unsigned char b : older.after) CHECK(b == 0xA5);
    CHECK(older.struct_size == offsetof(provisio_tcp_response, error));
}
