#include "esl_sim.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace provisio::sims {

namespace {

void send_all(int fd, const std::string &text) {
    for (size_t sent = 0; sent < text.size();) {
        const ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;
        sent += static_cast<size_t>(n);
    }
}

std::string reply(const std::string &text) { return "Content-Type: command/reply\nReply-Text: " + text + "\n\n"; }
std::string api_response(const std::string &body) {
    return "Content-Type: api/response\nContent-Length: " + std::to_string(body.size()) + "\n\n" + body;
}
const std::string goodbye_text = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n";
const std::string goodbye = "Content-Type: text/disconnect-notice\nContent-Length: " + std::to_string(goodbye_text.size()) + "\n\n" + goodbye_text;

}  // namespace

EslSim::EslSim(std::string password, unsigned short port) : password_(std::move(password)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 || ::listen(listen_fd_, 64) != 0)
        throw std::runtime_error("event-socket simulator: cannot listen on 127.0.0.1:" + std::to_string(port));
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr *>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

EslSim::~EslSim() {
    stopping_ = true;
    acceptor_.join();
    ::close(listen_fd_);
    std::vector<std::thread> workers;
    {
        std::lock_guard lock(mutex_);
        workers.swap(workers_);
    }
    for (auto &t : workers) t.join();
}

void EslSim::inject(Fault fault) {
    std::lock_guard lock(mutex_);
    fault_ = std::move(fault);
}

std::optional<Fault> EslSim::take_fault() {
    std::lock_guard lock(mutex_);
    if (fault_.kind.empty() || fault_.count == 0) return std::nullopt;
    if (fault_.count > 0) --fault_.count;
    return fault_;
}

std::vector<std::string> EslSim::commands() const {
    std::lock_guard lock(mutex_);
    return commands_;
}

void EslSim::clear_commands() {
    std::lock_guard lock(mutex_);
    commands_.clear();
}

void EslSim::accept_loop() {
    while (!stopping_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        std::lock_guard lock(mutex_);
        workers_.emplace_back([this, fd] {
            serve(fd);
            ::close(fd);
        });
    }
}

std::string EslSim::answer(const std::string &command) {
    auto starts = [&](const char *p) { return command.rfind(p, 0) == 0; };
    if (starts("sim_fault ")) {
        char kind[32] = {};
        int count = 1, ms = 0;
        std::sscanf(command.c_str() + 10, "%31s %d %d", kind, &count, &ms);
        inject({kind, count, ms});
        return "+OK\n";
    }
    if (starts("sofia profile ")) {
        if (command.find(" killgw ") != std::string::npos) return "+OK killing: " + command.substr(command.rfind(' ') + 1) + "\n";
        if (command.ends_with(" rescan")) return "+OK scanning\n";
        return "-ERR unknown sofia command\n";
    }
    if (starts("memcache delete ")) return "+OK\n";
    if (command == "reloadxml") return "+OK [Success]\n";
    if (command == "status") return "UP 0 years, 0 days, 1 hour, 2 minutes\nFreeSWITCH (simulated) is ready\n";
    return "-ERR " + command.substr(0, command.find(' ')) + " Command not found!\n";
}

void EslSim::serve(int fd) {
    const std::optional<Fault> fault = take_fault();
    if (fault && fault->kind == "reset") return;
    if (fault && fault->kind == "timeout") {
        std::this_thread::sleep_for(std::chrono::milliseconds(fault->ms ? fault->ms : 3000));
        return;
    }
    if (fault && fault->kind == "latency") std::this_thread::sleep_for(std::chrono::milliseconds(fault->ms));
    if (fault && fault->kind == "malformed") {
        // Read what the client sends first, so closing is an orderly end and not a reset.
        std::string seen;
        char drain[4096];
        for (int i = 0; i < 20 && seen.find("exit\n\n") == std::string::npos; ++i) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const ssize_t n = ::recv(fd, drain, sizeof drain, 0);
            if (n <= 0) break;
            seen.append(drain, static_cast<size_t>(n));
        }
        send_all(fd, "this is not the event socket\r\n\r\n");
        return;
    }
    send_all(fd, "Content-Type: auth/request\n\n");
    std::string buffer;
    bool authed = false;
    char chunk[4096];
    while (!stopping_) {
        size_t end;
        while ((end = buffer.find("\n\n")) == std::string::npos) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) {
                if (stopping_) return;
                continue;
            }
            const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0) return;
            buffer.append(chunk, static_cast<size_t>(n));
        }
        std::string command = buffer.substr(0, end);
        buffer.erase(0, end + 2);
        if (!command.empty() && command.back() == '\r') command.pop_back();
        if (!authed) {
            if (command.rfind("auth ", 0) != 0 || command.substr(5) != password_ || (fault && fault->kind == "wrong_credentials")) {
                send_all(fd, reply("-ERR invalid") + goodbye);
                return;
            }
            authed = true;
            send_all(fd, reply("+OK accepted"));
            continue;
        }
        if (command == "exit") {
            send_all(fd, reply("+OK bye") + goodbye);
            return;
        }
        if (command.rfind("api ", 0) != 0) {
            send_all(fd, reply("-ERR command not found"));
            continue;
        }
        {
            std::lock_guard lock(mutex_);
            commands_.push_back(command);
        }
        send_all(fd, api_response(answer(command.substr(4))));
    }
}

}  // namespace provisio::sims
