// Client-area passwords and password resets. Passwords are stored as Argon2id hashes
// (libsodium's crypto_pwhash_str); a reset issues a random single-use token, valid for two
// hours, of which only a BLAKE2b hash is stored, so the database never holds a usable secret.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace provisio {

class Database;

inline constexpr std::chrono::hours reset_token_lifetime{2};

class ClientPasswords {
public:
    explicit ClientPasswords(Database &db) : db_(db) {}

    // At least 8 characters; Error(invalid_input) otherwise. Ends the client's client-area sessions.
    void set(int64_t client_id, const std::string &password);
    // A new random password, set and returned (for the reminder and reset mails).
    std::string set_random(int64_t client_id);
    // The client whose login this is: Error(refused) "wrong e-mail address or password" for an
    // unknown address, no password set or a wrong one; "cannot log in" for a closed client.
    int64_t check(const std::string &email, const std::string &password);

    struct Reset {
        std::string token;       // only ever in the e-mail
        std::string expires_at;  // UTC
    };
    Reset request_reset(int64_t client_id, const std::string &now);
    // Confirms a token: the client it was for. Error(refused) for an unknown (forged), used or
    // expired token, saying which.
    int64_t confirm_reset(const std::string &token, const std::string &now);

private:
    Database &db_;
};

}  // namespace provisio
