#include "domain/client_passwords.hpp"

#include "domain/records.hpp"
#include "foundation/clock.hpp"
#include "foundation/error.hpp"
#include "store/database.hpp"

#include "secrets/sodium_init.hpp"

#include <sodium.h>

namespace provisio {

void ClientPasswords::set(int64_t client_id, const std::string &password) {
    ensure_sodium();
    require_client(db_, client_id);
    if (password.size() < 8) fail(ErrorKind::invalid_input, "a client password must be at least 8 characters");
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        fail(ErrorKind::internal, "not enough memory to hash the password");
    db_.prepare("UPDATE clients SET password_hash = ?2 WHERE id = ?1").bind(1, client_id).bind(2, std::string(hash)).run();
    // Whoever was logged in with the old password is logged out with it.
    db_.prepare("DELETE FROM web_sessions WHERE client_id = ?1").bind(1, client_id).run();
}

std::string ClientPasswords::set_random(int64_t client_id) {
    ensure_sodium();
    static constexpr char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";  // no 0/O, 1/l/I
    std::string password;
    for (int i = 0; i < 16; ++i) password += alphabet[randombytes_uniform(sizeof alphabet - 1)];
    set(client_id, password);
    return password;
}

int64_t ClientPasswords::check(const std::string &email, const std::string &password) {
    ensure_sodium();
    auto q = db_.prepare("SELECT id, password_hash, status FROM clients WHERE email = ?1");
    q.bind(1, email);
    const bool found = q.step();
    const std::string hash = found ? q.text(1) : "";
    // Verify even when there is nothing to match, so a wrong address takes as long as a wrong password.
    static const std::string decoy = [] {
        char h[crypto_pwhash_STRBYTES];
        if (crypto_pwhash_str(h, "decoy", 5, crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
            fail(ErrorKind::internal, "not enough memory to hash a password");
        return std::string(h);
    }();
    const bool match = crypto_pwhash_str_verify((hash.empty() ? decoy : hash).c_str(), password.data(), password.size()) == 0;
    if (!found || hash.empty() || !match) fail(ErrorKind::refused, "wrong e-mail address or password");
    if (q.text(2) == "Closed") fail(ErrorKind::refused, "client " + std::to_string(q.int64(0)) + " is closed and cannot log in");
    return q.int64(0);
}

ClientPasswords::Reset ClientPasswords::request_reset(int64_t client_id, const std::string &now) {
    ensure_sodium();
    require_client(db_, client_id);
    // Hex, not base64: a code starting with '-' would read as an option on a command line.
    unsigned char bytes[20];
    randombytes_buf(bytes, sizeof bytes);
    char token[2 * sizeof bytes + 1];
    sodium_bin2hex(token, sizeof token, bytes, sizeof bytes);
    const std::string expires = format_utc(parse_instant(now, "now") + reset_token_lifetime);
    db_.prepare("INSERT INTO password_resets (client_id, token_hash, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, client_id).bind(2, secret_hash(token)).bind(3, now).bind(4, expires)
        .run();
    return {token, expires};
}

int64_t ClientPasswords::confirm_reset(const std::string &token, const std::string &now) {
    ensure_sodium();
    auto q = db_.prepare("SELECT id, client_id, expires_at, used_at FROM password_resets WHERE token_hash = ?1");
    q.bind(1, secret_hash(token));
    if (!q.step()) fail(ErrorKind::refused, "unknown password reset code (mistyped, or not one we issued)");
    if (!q.is_null(3)) fail(ErrorKind::refused, "this password reset code was used already, at " + q.text(3));
    if (q.text(2) <= now) fail(ErrorKind::refused, "this password reset code expired at " + q.text(2) + "; ask for a new one");
    db_.prepare("UPDATE password_resets SET used_at = ?2 WHERE id = ?1").bind(1, q.int64(0)).bind(2, now).run();
    return q.int64(1);
}

}  // namespace provisio
