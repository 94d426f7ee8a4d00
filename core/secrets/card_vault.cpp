#include "secrets/card_vault.hpp"

#include "foundation/error.hpp"

#include "secrets/sodium_init.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <sstream>
#include <unistd.h>
#include <vector>

namespace provisio {

namespace {

constexpr std::string_view prefix = "cbx1:";


std::string hex_of(const unsigned char *data, size_t size) {
    std::string out(size * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), data, size);
    out.pop_back();
    return out;
}

std::vector<unsigned char> bin_of(const std::string &hex, const std::string &what, const std::filesystem::path &file) {
    std::vector<unsigned char> out(hex.size() / 2);
    size_t len = 0;
    if (hex.size() % 2 || sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, nullptr) != 0 ||
        len != out.size())
        fail(ErrorKind::storage, "card key file " + file.string() + ": '" + what + "' is not hex");
    return out;
}

// The 32-byte key Argon2id derives from the passphrase.
std::array<unsigned char, crypto_secretbox_KEYBYTES> derive(std::string_view passphrase, const unsigned char *salt,
                                                            unsigned long long opslimit, size_t memlimit) {
    std::array<unsigned char, crypto_secretbox_KEYBYTES> key{};
    if (crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), salt, opslimit, memlimit,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        fail(ErrorKind::internal, "not enough memory to derive the card key from the passphrase");
    return key;
}

}  // namespace

bool luhn_valid(std::string_view digits) {
    if (digits.size() < 12 || digits.size() > 19) return false;
    int sum = 0;
    bool twice = false;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        if (*it < '0' || *it > '9') return false;
        int d = *it - '0';
        if (twice && (d *= 2) > 9) d -= 9;
        sum += d;
        twice = !twice;
    }
    return sum % 10 == 0;
}

CardVault::~CardVault() { sodium_memzero(secret_.data(), secret_.size()); }

CardVault CardVault::generate() {
    ensure_sodium();
    CardVault v;
    crypto_box_keypair(v.public_.data(), v.secret_.data());
    v.unlocked_ = true;
    v.opslimit_ = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    v.memlimit_ = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    return v;
}

void CardVault::create_key_file(const std::filesystem::path &path, std::string_view passphrase) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec))
        fail(ErrorKind::conflict, "card key file " + path.string() + " exists already (to change it: provisio card key rotate)");
    generate().save(path, passphrase);
}

void CardVault::save(const std::filesystem::path &path, std::string_view passphrase) const {
    ensure_sodium();
    if (!unlocked_) fail(ErrorKind::internal, "the card key must be unlocked to be saved");
    if (passphrase.size() < 12) fail(ErrorKind::invalid_input, "the card passphrase must be at least 12 characters");
    unsigned char salt[crypto_pwhash_SALTBYTES];
    randombytes_buf(salt, sizeof salt);
    auto key = derive(passphrase, salt, opslimit_, memlimit_);
    std::vector<unsigned char> box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + secret_.size());
    randombytes_buf(box.data(), crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box.data() + crypto_secretbox_NONCEBYTES, secret_.data(), secret_.size(), box.data(), key.data());
    sodium_memzero(key.data(), key.size());
    std::ostringstream text;
    text << "provisio-card-key 1\npublic " << hex_of(public_.data(), public_.size()) << "\nsalt " << hex_of(salt, sizeof salt)
         << "\nopslimit " << opslimit_ << "\nmemlimit " << memlimit_ << "\nsecret " << hex_of(box.data(), box.size()) << "\n";
    const auto temp = path.string() + ".new";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail(ErrorKind::storage, "cannot write card key file " + temp + ": " + std::strerror(errno));
    const std::string s = text.str();
    const ssize_t n = ::write(fd, s.data(), s.size());
    int error = n < 0 ? errno : 0;
    if (!error && static_cast<size_t>(n) != s.size()) error = ENOSPC;
    if (!error && ::fsync(fd) != 0) error = errno;
    ::close(fd);
    if (!error && std::rename(temp.c_str(), path.c_str()) != 0) error = errno;
    if (error) {
        ::unlink(temp.c_str());  // the old key file, if any, stays as it was
        fail(ErrorKind::storage, "cannot write card key file " + path.string() + ": " + std::strerror(error));
    }
}

CardVault CardVault::load(const std::filesystem::path &path) {
    ensure_sodium();
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        fail(ErrorKind::storage, "cannot read card key file " + path.string() + ": " + std::strerror(errno) +
                                     " (create it with: provisio card key create)");
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        fail(ErrorKind::storage, "card key file " + path.string() + " is accessible by group or others; fix with: chmod 600 " + path.string());
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    if (line != "provisio-card-key 1") fail(ErrorKind::storage, "card key file " + path.string() + " is not a provisio card key file");
    std::map<std::string, std::string> fields;
    while (std::getline(in, line)) {
        const size_t space = line.find(' ');
        if (space != std::string::npos) fields[line.substr(0, space)] = line.substr(space + 1);
    }
    for (const char *k : {"public", "salt", "opslimit", "memlimit", "secret"})
        if (!fields.count(k)) fail(ErrorKind::storage, "card key file " + path.string() + " lacks '" + k + "'");
    CardVault v;
    const auto pub = bin_of(fields["public"], "public", path);
    const auto salt = bin_of(fields["salt"], "salt", path);
    if (pub.size() != v.public_.size() || salt.size() != crypto_pwhash_SALTBYTES)
        fail(ErrorKind::storage, "card key file " + path.string() + " has keys of the wrong size");
    std::copy(pub.begin(), pub.end(), v.public_.begin());
    std::copy(salt.begin(), salt.end(), v.salt16_.begin());
    v.sealed_secret_ = fields["secret"];
    try {
        v.opslimit_ = std::stoull(fields["opslimit"]);
        v.memlimit_ = std::stoull(fields["memlimit"]);
    } catch (const std::exception &) {
        fail(ErrorKind::storage, "card key file " + path.string() + ": opslimit and memlimit must be numbers");
    }
    return v;
}

void CardVault::unlock(std::string_view passphrase) {
    const auto box = bin_of(sealed_secret_, "secret", "card key file");
    if (box.size() != crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + secret_.size())
        fail(ErrorKind::storage, "the card key file's secret has the wrong size");
    auto key = derive(passphrase, salt16_.data(), opslimit_, memlimit_);
    const int rc = crypto_secretbox_open_easy(secret_.data(), box.data() + crypto_secretbox_NONCEBYTES,
                                              box.size() - crypto_secretbox_NONCEBYTES, box.data(), key.data());
    sodium_memzero(key.data(), key.size());
    if (rc != 0) fail(ErrorKind::refused, "the card passphrase is wrong");
    unlocked_ = true;
}

std::string CardVault::seal(std::string_view number) const {
    std::vector<unsigned char> box(crypto_box_SEALBYTES + number.size());
    crypto_box_seal(box.data(), reinterpret_cast<const unsigned char *>(number.data()), number.size(), public_.data());
    std::string b64(sodium_base64_ENCODED_LEN(box.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(b64.data(), b64.size(), box.data(), box.size(), sodium_base64_VARIANT_ORIGINAL);
    b64.resize(std::strlen(b64.c_str()));
    return std::string(prefix) + b64;
}

std::string CardVault::open(std::string_view sealed) const {
    if (!unlocked_) fail(ErrorKind::internal, "the card key is locked");
    if (sealed.substr(0, prefix.size()) != prefix) fail(ErrorKind::storage, "a stored card number is not a sealed value");
    const std::string b64(sealed.substr(prefix.size()));
    std::vector<unsigned char> box(b64.size());
    size_t len = 0;
    if (sodium_base642bin(box.data(), box.size(), b64.data(), b64.size(), nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        len < crypto_box_SEALBYTES)
        fail(ErrorKind::storage, "a stored card number is damaged");
    std::string out(len - crypto_box_SEALBYTES, '\0');
    if (crypto_box_seal_open(reinterpret_cast<unsigned char *>(out.data()), box.data(), len, public_.data(), secret_.data()) != 0)
        fail(ErrorKind::storage, "a stored card number was sealed to another card key (was the key file replaced?)");
    return out;
}

}  // namespace provisio
