// libsodium must be initialised once before use; every user calls this first. And the one way
// provisio stores a secret it only needs to recognise (API keys, session ids, reset codes).
#pragma once

#include "foundation/error.hpp"

#include <sodium.h>

#include <string>
#include <string_view>

namespace provisio {

inline void ensure_sodium() {
    static const bool ok = sodium_init() >= 0;
    if (!ok) fail(ErrorKind::internal, "libsodium failed to initialise");
}

// 32 random bytes as URL-safe base64 (43 characters): API key secrets, session ids, CSRF tokens.
inline std::string random_token() {
    ensure_sodium();
    unsigned char bytes[32];
    randombytes_buf(bytes, sizeof bytes);
    char encoded[sodium_base64_ENCODED_LEN(sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    sodium_bin2base64(encoded, sizeof encoded, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return encoded;
}

// A secret's BLAKE2b-256 hash as 64 hex digits: what is stored instead of the secret.
inline std::string secret_hash(std::string_view secret) {
    unsigned char hash[32];
    crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char *>(secret.data()), secret.size(), nullptr, 0);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    return hex;
}

}  // namespace provisio
