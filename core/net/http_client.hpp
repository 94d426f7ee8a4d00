// HTTP(S) client for module requests: one exchange per call, a deadline over the whole of it,
// TLS with certificate and host-name verification on by default. Boost.Beast stays inside
// http_client.cpp; this header is light on purpose.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace provisio {

struct HttpExchange {
    std::string method = "GET";
    std::string url;                                          // http:// or https://
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::chrono::milliseconds timeout{15000};
    bool verify_tls = true;                                   // off only by the operator's choice
    std::filesystem::path ca_file;                            // extra trusted CAs (PEM), optional
    size_t max_body_bytes = 64u << 20;
};

struct HttpResult {
    enum class Kind { response, retryable_failure, failure };
    Kind kind = Kind::failure;
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
    std::string body;
    std::string error;  // what went wrong when kind is not `response`
};

HttpResult http_exchange(const HttpExchange &request);

}  // namespace provisio
