#include "web/sessions.hpp"

#include "foundation/clock.hpp"
#include "foundation/error.hpp"
#include "secrets/sodium_init.hpp"
#include "store/database.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>

namespace provisio {

namespace {

std::string lowered(std::string s) {
    for (auto &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string minus(const std::string &now, std::chrono::seconds d) { return format_utc(parse_instant(now, "now") - d); }

}  // namespace

bool same_token(const std::string &a, const std::string &b) {
    return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

WebSessions::Started WebSessions::start(int64_t client_id, const std::string &address) {
    Started s{random_token(), {client_id, random_token()}};
    Transaction tx(db_);
    // Expired sessions of anyone go now: the table holds live sessions and a day's leftovers at most.
    db_.prepare("DELETE FROM web_sessions WHERE created_at < ?1 OR seen_at < ?2")
        .bind(1, minus(now_, limits_.absolute)).bind(2, minus(now_, limits_.idle)).run();
    db_.prepare("INSERT INTO web_sessions (token_hash, client_id, csrf, created_at, seen_at, address) VALUES (?1, ?2, ?3, ?4, ?4, ?5)")
        .bind(1, secret_hash(s.cookie)).bind(2, client_id).bind(3, s.session.csrf).bind(4, now_).bind(5, address)
        .run();
    tx.commit();
    return s;
}

std::optional<WebSession> WebSessions::find(const std::string &cookie) {
    if (cookie.empty() || cookie.size() > 100) return std::nullopt;
    const std::string hash = secret_hash(cookie);
    auto q = db_.prepare("SELECT s.client_id, s.csrf, s.created_at, s.seen_at, c.status FROM web_sessions s "
                         "JOIN clients c ON c.id = s.client_id WHERE s.token_hash = ?1");
    q.bind(1, hash);
    if (!q.step()) return std::nullopt;
    WebSession found{q.int64(0), q.text(1)};
    const std::string seen_at = q.text(3);
    const bool expired = q.text(2) < minus(now_, limits_.absolute) || seen_at < minus(now_, limits_.idle) || q.text(4) == "Closed";
    q.reset();
    if (expired) {
        end(cookie);
        return std::nullopt;
    }
    // Last seen to the minute (the idle limit is in minutes), and only when nothing else is
    // writing: a write per page would make every reader wait for the writer — an import's
    // transactions last seconds. A touch skipped now is made by a later page.
    if (seen_at < minus(now_, std::chrono::minutes(1))) {
        auto touch = db_.prepare("UPDATE web_sessions SET seen_at = ?2 WHERE token_hash = ?1 AND seen_at < ?2");
        touch.bind(1, hash).bind(2, now_);
        db_.write_unless_busy(touch);
    }
    return found;
}

void WebSessions::end(const std::string &cookie) {
    if (cookie.empty()) return;
    db_.prepare("DELETE FROM web_sessions WHERE token_hash = ?1").bind(1, secret_hash(cookie)).run();
}

LoginLinks::Made LoginLinks::make(int64_t client_id, std::chrono::seconds lifetime) {
    auto q = db_.prepare("SELECT status FROM clients WHERE id = ?1");
    q.bind(1, client_id);
    if (!q.step()) fail(ErrorKind::not_found, "client " + std::to_string(client_id) + " does not exist");
    if (q.text(0) == "Closed") fail(ErrorKind::refused, "client " + std::to_string(client_id) + " is closed and cannot log in");
    q.reset();
    Made m{random_token(), format_utc(parse_instant(now_, "now") + lifetime)};
    db_.prepare("DELETE FROM login_links WHERE expires_at < ?1").bind(1, now_).run();
    db_.prepare("INSERT INTO login_links (token_hash, client_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, secret_hash(m.token)).bind(2, client_id).bind(3, now_).bind(4, m.expires_at)
        .run();
    return m;
}

std::optional<int64_t> LoginLinks::use(const std::string &token) {
    if (token.empty() || token.size() > 100) return std::nullopt;
    // One statement marks it used and says whose it was: two tabs following it at once get one session.
    auto q = db_.prepare("UPDATE login_links SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL AND expires_at >= ?2 "
                         "RETURNING client_id");
    q.bind(1, secret_hash(token)).bind(2, now_);
    if (!q.step()) return std::nullopt;
    const int64_t client = q.int64(0);
    q.reset();
    return client;
}

void LoginThrottle::check(const std::string &email, const std::string &address) {
    const std::string since = minus(now_, limits_.window);
    for (const std::string &scope : {"email:" + lowered(email), "address:" + address}) {
        auto q = db_.prepare("SELECT count(*), min(at) FROM login_failures WHERE scope = ?1 AND at >= ?2");
        q.bind(1, scope).bind(2, since);
        q.step();
        if (q.int64(0) < (scope[0] == 'e' ? limits_.max_failures : limits_.max_address_failures)) continue;
        const std::string until = format_utc(parse_instant(q.text(1), "failure time") + limits_.window);
        fail(ErrorKind::refused, std::string("too many failed logins ") + (scope[0] == 'e' ? "for this account" : "from this address") +
                                     "; try again after " + until.substr(11, 5) + " UTC");
    }
}

void LoginThrottle::failed(const std::string &email, const std::string &address) {
    Transaction tx(db_);
    db_.prepare("DELETE FROM login_failures WHERE at < ?1").bind(1, minus(now_, limits_.window)).run();
    auto ins = db_.prepare("INSERT INTO login_failures (scope, at) VALUES (?1, ?2)");
    ins.bind(1, "email:" + lowered(email)).bind(2, now_).run();
    ins.reset().bind(1, "address:" + address).bind(2, now_).run();
    tx.commit();
}

void LoginThrottle::succeeded(const std::string &email) {
    db_.prepare("DELETE FROM login_failures WHERE scope = ?1").bind(1, "email:" + lowered(email)).run();
}

}  // namespace provisio
