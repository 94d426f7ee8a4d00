#include "net/tcp_exchange.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>

namespace provisio {

namespace {

using Clock = std::chrono::steady_clock;

class Socket {
public:
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket() {
        if (fd_ >= 0) ::close(fd_);
    }
    Socket(const Socket &) = delete;
    Socket &operator=(const Socket &) = delete;
    int fd() const { return fd_; }

private:
    int fd_;
};

// Milliseconds left before `deadline`, at least 0.
int left(Clock::time_point deadline) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return ms > 0 ? static_cast<int>(ms) : 0;
}

// Waits for `events` on fd; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
    pollfd p{fd, events, 0};
    while (true) {
        const int n = ::poll(&p, 1, left(deadline));
        if (n > 0) return true;
        if (n == 0) return false;
        if (errno != EINTR) return true;  // let the following call report the error
    }
}

}  // namespace

TcpResult tcp_exchange(const TcpExchange &x) {
    TcpResult r;
    const std::string where = x.host + ":" + std::to_string(x.port);
    const auto deadline = Clock::now() + x.timeout;
    auto fail = [&](TcpResult::Kind kind, std::string why) {
        r.kind = kind;
        r.error = std::move(why);
        return r;
    };
    if (x.host.empty() || x.port == 0) return fail(TcpResult::Kind::failure, "no host or port to connect to");

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    if (const int rc = ::getaddrinfo(x.host.c_str(), std::to_string(x.port).c_str(), &hints, &found); rc != 0)
        return fail(TcpResult::Kind::retryable_failure, "cannot resolve " + x.host + ": " + ::gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, &::freeaddrinfo);

    std::string last_error = "no address";
    for (const addrinfo *a = found; a; a = a->ai_next) {
        Socket s(::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
        if (s.fd() < 0) continue;
        if (::connect(s.fd(), a->ai_addr, a->ai_addrlen) != 0) {
            if (errno != EINPROGRESS) {
                last_error = std::strerror(errno);
                continue;
            }
            if (!wait_for(s.fd(), POLLOUT, deadline))
                return fail(TcpResult::Kind::retryable_failure, "connecting to " + where + " timed out after " + std::to_string(x.timeout.count()) + " ms");
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(s.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
            if (err != 0) {
                last_error = std::strerror(err);
                continue;
            }
        }
        for (size_t sent = 0; sent < x.payload.size();) {
            if (!wait_for(s.fd(), POLLOUT, deadline))
                return fail(TcpResult::Kind::retryable_failure, "sending to " + where + " timed out after " + std::to_string(x.timeout.count()) + " ms");
            const ssize_t n = ::send(s.fd(), x.payload.data() + sent, x.payload.size() - sent, MSG_NOSIGNAL);
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (n < 0) return fail(TcpResult::Kind::retryable_failure, "sending to " + where + ": " + std::strerror(errno));
            sent += static_cast<size_t>(n);
        }
        char buffer[16384];
        while (true) {
            if (!wait_for(s.fd(), POLLIN, deadline))
                return fail(TcpResult::Kind::retryable_failure, where + " did not close the connection within " + std::to_string(x.timeout.count()) + " ms");
            const ssize_t n = ::recv(s.fd(), buffer, sizeof buffer, 0);
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
            if (n < 0) return fail(TcpResult::Kind::retryable_failure, "reading from " + where + ": " + std::strerror(errno));
            if (n == 0) break;
            if (r.data.size() + static_cast<size_t>(n) > x.max_bytes)
                return fail(TcpResult::Kind::failure, where + " sent more than " + std::to_string(x.max_bytes) + " bytes");
            r.data.append(buffer, static_cast<size_t>(n));
        }
        r.kind = TcpResult::Kind::closed;
        return r;
    }
    return fail(TcpResult::Kind::retryable_failure, "cannot connect to " + where + ": " + last_error);
}

}  // namespace provisio
