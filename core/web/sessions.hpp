// The client area's sessions and its failed-login throttle.
//
// A session is a 256-bit random id in an HttpOnly cookie; the database keeps only its BLAKE2b
// hash, so a copy of the database opens no session. Ids are only ever made here, at login (a
// client cannot choose one: no fixation), and every form of a session carries its own CSRF
// token. A session ends at logout, after `idle` without a request, `absolute` after login, when
// the client is closed, or when its password changes (ClientPasswords::set).
//
// Failed logins are counted per account (the e-mail address given) and per address (the peer's
// IP); `max_failures` for the account, or `max_address_failures` from the address, within
// `window` refuse further attempts until the oldest leaves the window, whatever the password.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace provisio {

class Database;

struct SessionLimits {
    std::chrono::minutes idle{30};
    std::chrono::hours absolute{12};
    int max_failures = 5;             // per account
    int max_address_failures = 25;    // per address: higher, as many clients may share one (NAT)
    std::chrono::minutes window{15};
};

struct WebSession {
    int64_t client_id = 0;
    std::string csrf;
};

class WebSessions {
public:
    // `now`: UTC (ISO text), the request's time.
    WebSessions(Database &db, std::string now, SessionLimits limits = {}) : db_(db), now_(std::move(now)), limits_(limits) {}

    struct Started {
        std::string cookie;  // the session id: only ever in the Set-Cookie header
        WebSession session;
    };
    Started start(int64_t client_id, const std::string &address);
    // The live session `cookie` names, its idle clock restarted; nullopt for an unknown, idle or
    // expired one (an expired one is deleted).
    std::optional<WebSession> find(const std::string &cookie);
    void end(const std::string &cookie);

private:
    Database &db_;
    std::string now_;
    SessionLimits limits_;
};

class LoginThrottle {
public:
    LoginThrottle(Database &db, std::string now, SessionLimits limits = {}) : db_(db), now_(std::move(now)), limits_(limits) {}
    // Error(refused) saying until when, when the account or the address has had too many failures.
    void check(const std::string &email, const std::string &address);
    void failed(const std::string &email, const std::string &address);
    // A good login forgets the account's failures (not the address's).
    void succeeded(const std::string &email);

private:
    Database &db_;
    std::string now_;
    SessionLimits limits_;
};

// `provisio client login-link`: a single-use link, valid for `lifetime`, that opens a session of
// the client for whoever follows it (WHMCS's "Login as Client").
class LoginLinks {
public:
    LoginLinks(Database &db, std::string now) : db_(db), now_(std::move(now)) {}
    struct Made {
        std::string token;  // only ever in the link
        std::string expires_at;
    };
    // Error(not_found) for an unknown client, Error(refused) for a closed one.
    Made make(int64_t client_id, std::chrono::seconds lifetime = std::chrono::seconds(60));
    // The client the token opens, once: nullopt for an unknown, used or expired one.
    std::optional<int64_t> use(const std::string &token);

private:
    Database &db_;
    std::string now_;
};

// Constant-time comparison of two tokens.
bool same_token(const std::string &a, const std::string &b);

}  // namespace provisio
