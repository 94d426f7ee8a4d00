// One plain-TCP exchange for modules (ABI 1.4): connect, send, read until the peer closes,
// under one deadline. For line protocols such as FreeSWITCH's event socket.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace provisio {

struct TcpExchange {
    std::string host;
    uint16_t port = 0;
    std::string payload;
    std::chrono::milliseconds timeout{15000};
    size_t max_bytes = 16u << 20;
};

struct TcpResult {
    enum class Kind { closed, retryable_failure, failure };
    Kind kind = Kind::failure;
    std::string data;   // what was read, also on failure
    std::string error;  // why, when kind is not `closed`
};

TcpResult tcp_exchange(const TcpExchange &request);

}  // namespace provisio
