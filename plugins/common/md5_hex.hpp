// MD5 as lower-case hex, for protocols that log in with a password hash (Vodia's session login).
// Not for anything security-bearing of our own.
#pragma once

#include <openssl/evp.h>

#include <string>
#include <string_view>

namespace provisio::plugin {

inline std::string md5_hex(std::string_view text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(text.data(), text.size(), digest, &size, EVP_md5(), nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

}  // namespace provisio::plugin
