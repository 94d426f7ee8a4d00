// A loopback SMTP server for tests: speaks enough of RFC 5321 (EHLO, AUTH PLAIN/LOGIN, MAIL,
// RCPT, DATA, RSET, NOOP, QUIT) for a real client, records every accepted message, and can
// misbehave on demand: refuse recipients, or drop the connection in the middle of DATA.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace provisio::test {

struct ReceivedMail {
    std::string from;
    std::vector<std::string> recipients;
    std::string data;  // headers and body as received, dot-unstuffed
    std::string auth;  // "user:password" when the client authenticated
};

class SmtpServer {
public:
    enum class Mode { accept, reject_recipients, drop_during_data };
    SmtpServer();
    ~SmtpServer();
    SmtpServer(const SmtpServer &) = delete;
    SmtpServer &operator=(const SmtpServer &) = delete;

    unsigned short port() const { return port_; }
    std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
    std::atomic<Mode> mode{Mode::accept};
    std::vector<ReceivedMail> received();

private:
    void serve();
    void session(int fd);
    int listener_ = -1;
    unsigned short port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
    std::mutex mutex_;
    std::vector<ReceivedMail> received_;
};

class Installation;
// Points the installation's [mail] at `server`: transport smtp, AUTH billing/s3cret, a From
// address, and a 3 s timeout.
void use_smtp(const Installation &inst, const SmtpServer &server);

}  // namespace provisio::test
