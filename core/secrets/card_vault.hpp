// Card numbers at rest. A number is sealed to a public key (libsodium's sealed box,
// X25519 + XSalsa20-Poly1305), so storing a card needs no secret at all; the matching secret key
// sits in the card key file encrypted under a passphrase (Argon2id), so reading a full number
// back needs the passphrase — the seed's "CC Encryption Hash" — and a copy of the database, even
// with the file, yields nothing without it.
//
// Key file (mode 0600, outside the database, `[cards] key_file`):
//   provisio-card-key 1
//   public <hex>          the sealing key
//   salt <hex>            Argon2id salt
//   opslimit <n>
//   memlimit <n>
//   secret <hex>          nonce || secretbox(secret key) under Argon2id(passphrase)
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

namespace provisio {

class CardVault {
public:
    // Makes a new key pair and writes the key file (refusing to overwrite one). The passphrase
    // must be at least 12 characters.
    static void create_key_file(const std::filesystem::path &path, std::string_view passphrase);
    // Reads a key file; refuses one readable by others or malformed (Error(storage)).
    static CardVault load(const std::filesystem::path &path);
    // Writes this vault's keys to `path` (mode 0600, via a temporary name), the secret key under
    // `passphrase` — for a passphrase change or after a rotation.
    void save(const std::filesystem::path &path, std::string_view passphrase) const;
    // A fresh key pair, unlocked (for rotation).
    static CardVault generate();

    // "cbx1:" + base64(sealed box).
    std::string seal(std::string_view number) const;

    // Opens the secret key with the passphrase; Error(refused) "the card passphrase is wrong".
    void unlock(std::string_view passphrase);
    bool unlocked() const { return unlocked_; }
    // Needs unlock(); Error(storage) for a value sealed to another key.
    std::string open(std::string_view sealed) const;

    ~CardVault();

private:
    std::array<unsigned char, 32> public_{}, secret_{}, salt16_{};
    std::string sealed_secret_;  // hex, as in the file
    unsigned long long opslimit_ = 0;
    size_t memlimit_ = 0;
    bool unlocked_ = false;
};

// The Luhn check digit test.
bool luhn_valid(std::string_view digits);

}  // namespace provisio
