#include "support/smtp_server.hpp"

#include "support/sandbox.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace provisio::test {

namespace {

std::string base64_decode(const std::string &in) {
    static const std::string chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    int val = 0, bits = -8;
    for (unsigned char c : in) {
        const size_t p = chars.find(static_cast<char>(c));
        if (p == std::string::npos) break;
        val = (val << 6) + static_cast<int>(p);
        bits += 6;
        if (bits >= 0) {
            out.push_back(static_cast<char>((val >> bits) & 0xFF));
            bits -= 8;
        }
    }
    return out;
}

class Connection {
public:
    explicit Connection(int fd) : fd_(fd) {}
    bool send(const std::string &line) {
        const std::string s = line + "\r\n";
        return ::write(fd_, s.data(), s.size()) == static_cast<ssize_t>(s.size());
    }
    // One line without CRLF; false on EOF, error or a 10 s silence.
    bool line(std::string &out) {
        for (;;) {
            const size_t eol = buffer_.find("\r\n");
            if (eol != std::string::npos) {
                out = buffer_.substr(0, eol);
                buffer_.erase(0, eol + 2);
                return true;
            }
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 10000) <= 0) return false;
            char buf[4096];
            const ssize_t n = ::read(fd_, buf, sizeof buf);
            if (n <= 0) return false;
            buffer_.append(buf, static_cast<size_t>(n));
        }
    }

private:
    int fd_;
    std::string buffer_;
};

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

}  // namespace

SmtpServer::SmtpServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listener_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 || ::listen(listener_, 8) != 0)
        throw std::runtime_error("smtp test server cannot listen");
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr *>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
}

SmtpServer::~SmtpServer() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
}

std::vector<ReceivedMail> SmtpServer::received() {
    std::lock_guard lock(mutex_);
    return received_;
}

void SmtpServer::serve() {
    for (int sessions = 0; sessions < 1000 && !stopping_; ++sessions) {
        pollfd p{listener_, POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) continue;
        const int fd = ::accept(listener_, nullptr, nullptr);
        if (fd < 0) break;
        session(fd);
        ::close(fd);
    }
}

void SmtpServer::session(int fd) {
    Connection c(fd);
    ReceivedMail mail;
    std::string line;
    c.send("220 127.0.0.1 provisio test SMTP");
    while (c.line(line)) {
        const std::string cmd = upper(line.substr(0, line.find(' ')));
        if (cmd == "EHLO" || cmd == "HELO") {
            c.send("250-127.0.0.1 hello");
            c.send("250-AUTH PLAIN LOGIN");
            c.send("250 8BITMIME");
        } else if (cmd == "AUTH") {
            const std::string rest = line.size() > 5 ? line.substr(5) : "";
            if (upper(rest).rfind("PLAIN", 0) == 0) {
                std::string b64 = rest.size() > 6 ? rest.substr(6) : "";
                if (b64.empty()) {
                    c.send("334 ");
                    if (!c.line(b64)) return;
                }
                const std::string plain = base64_decode(b64);  // \0user\0password
                const size_t a = plain.find('\0'), b = plain.find('\0', a + 1);
                mail.auth = plain.substr(a + 1, b - a - 1) + ":" + plain.substr(b + 1);
            } else {  // LOGIN
                std::string user, pass;
                c.send("334 VXNlcm5hbWU6");
                if (!c.line(user)) return;
                c.send("334 UGFzc3dvcmQ6");
                if (!c.line(pass)) return;
                mail.auth = base64_decode(user) + ":" + base64_decode(pass);
            }
            c.send("235 2.7.0 authenticated");
        } else if (cmd == "MAIL") {
            mail.from = line.substr(line.find(':') + 1);
            mail.recipients.clear();
            c.send("250 2.1.0 ok");
        } else if (cmd == "RCPT") {
            if (mode == Mode::reject_recipients) {
                c.send("550 5.1.1 mailbox unavailable");
                continue;
            }
            mail.recipients.push_back(line.substr(line.find(':') + 1));
            c.send("250 2.1.5 ok");
        } else if (cmd == "DATA") {
            c.send("354 end with <CRLF>.<CRLF>");
            if (mode == Mode::drop_during_data) {
                c.line(line);  // read a little, then vanish
                return;
            }
            mail.data.clear();
            while (c.line(line) && line != ".") mail.data += (line.rfind("..", 0) == 0 ? line.substr(1) : line) + "\r\n";
            {
                std::lock_guard lock(mutex_);
                received_.push_back(mail);
            }
            c.send("250 2.0.0 queued");
        } else if (cmd == "RSET" || cmd == "NOOP") {
            c.send("250 ok");
        } else if (cmd == "QUIT") {
            c.send("221 bye");
            return;
        } else {
            c.send("502 5.5.2 command not recognised");
        }
    }
}

void use_smtp(const Installation &inst, const SmtpServer &server) {
    inst.edit_config("transport = \"file\"", "transport = \"smtp\"");
    inst.edit_config("smtp_url = \"\"", "smtp_url = \"" + server.url() + "\"");
    inst.edit_config("smtp_username = \"\"", "smtp_username = \"billing\"");
    inst.edit_config("smtp_password = \"\"", "smtp_password = \"s3cret\"");
    inst.edit_config("from = \"provisio@localhost\"", "from = \"Billing <billing@example.net>\"");
    inst.edit_config("timeout_ms = 30000", "timeout_ms = 3000");
}

}  // namespace provisio::test
