// Encryption at rest for secrets the database holds (server passwords, PASSWORD options,
// service passwords), under a key kept in a file outside the database.
//
// The key file holds 32 random bytes, hex-encoded, and must be mode 0600. A sealed value is
// text: "sbx1:" + base64(nonce || XSalsa20-Poly1305 ciphertext), so it survives any SQL dump
// and a wrong key is detected rather than yielding garbage.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

namespace provisio {

class SecretBox {
public:
    // Creates a new key file (refusing to overwrite one) with mode 0600.
    static void create_key_file(const std::filesystem::path &path);
    // Loads a key file; refuses one readable by group or others, or malformed.
    static SecretBox from_key_file(const std::filesystem::path &path);

    std::string seal(std::string_view plaintext) const;
    // Throws Error(storage) when the value was sealed under another key or is damaged;
    // `what` names the value in that message.
    std::string open(std::string_view sealed, std::string_view what) const;
    static bool is_sealed(std::string_view value);

private:
    std::array<unsigned char, 32> key_{};
};

}  // namespace provisio
