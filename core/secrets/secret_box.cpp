#include "secrets/secret_box.hpp"

#include "foundation/error.hpp"
#include "foundation/files.hpp"

#include "secrets/sodium_init.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <unistd.h>
#include <vector>

namespace provisio {

namespace {
constexpr std::string_view prefix = "sbx1:";

}  // namespace

void SecretBox::create_key_file(const std::filesystem::path &path) {
    ensure_sodium();
    std::array<unsigned char, 32> key;
    randombytes_buf(key.data(), key.size());
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, key.data(), key.size());
    std::string line = std::string(hex) + "\n";
    sodium_memzero(hex, sizeof hex);
    try {
        create_file_whole(path, line, 0600);  // a full disk leaves no half-written key behind
    } catch (...) {
        sodium_memzero(line.data(), line.size());
        throw;
    }
    sodium_memzero(line.data(), line.size());
}

SecretBox SecretBox::from_key_file(const std::filesystem::path &path) {
    ensure_sodium();
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        fail(ErrorKind::storage, "cannot read key file " + path.string() + ": " + std::strerror(errno) +
                                     " (provisio init creates it)");
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        fail(ErrorKind::storage, "key file " + path.string() + " is accessible by group or others; fix with: chmod 600 " +
                                     path.string());
    std::ifstream in(path);
    std::string hex;
    in >> hex;
    SecretBox box;
    size_t len = 0;
    if (hex.size() != 64 ||
        sodium_hex2bin(box.key_.data(), box.key_.size(), hex.data(), hex.size(), nullptr, &len, nullptr) != 0 ||
        len != box.key_.size())
        fail(ErrorKind::storage, "key file " + path.string() + " is malformed (expected 64 hex digits)");
    sodium_memzero(hex.data(), hex.size());
    return box;
}

bool SecretBox::is_sealed(std::string_view value) { return value.substr(0, prefix.size()) == prefix; }

std::string SecretBox::seal(std::string_view plaintext) const {
    std::vector<unsigned char> buf(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size());
    randombytes_buf(buf.data(), crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(buf.data() + crypto_secretbox_NONCEBYTES,
                          reinterpret_cast<const unsigned char *>(plaintext.data()), plaintext.size(), buf.data(),
                          key_.data());
    std::string b64(sodium_base64_ENCODED_LEN(buf.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(b64.data(), b64.size(), buf.data(), buf.size(), sodium_base64_VARIANT_ORIGINAL);
    b64.resize(std::strlen(b64.c_str()));
    return std::string(prefix) + b64;
}

std::string SecretBox::open(std::string_view sealed, std::string_view what) const {
    if (!is_sealed(sealed)) fail(ErrorKind::storage, std::string(what) + " is not an encrypted value");
    const std::string_view b64 = sealed.substr(prefix.size());
    std::vector<unsigned char> buf(b64.size());
    size_t len = 0;
    if (sodium_base642bin(buf.data(), buf.size(), b64.data(), b64.size(), nullptr, &len, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        fail(ErrorKind::storage, std::string(what) + " is damaged");
    std::string plain(len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
    if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char *>(plain.data()), buf.data() + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, buf.data(), key_.data()) != 0)
        fail(ErrorKind::storage, std::string(what) + " cannot be decrypted: was the key file replaced?");
    return plain;
}

}  // namespace provisio
