// Idempotency-Key on the API's POSTs, with Stripe's semantics. The first request under a key (per
// API key) runs, and its response is kept for 24 hours. A retry with the same key and the same
// request (method, path and body) gets that response again, marked `Idempotent-Replayed: true`,
// and does nothing. A retry with another request is refused (422). One that comes while the
// first is still running is refused (409), to be retried. A response that is a server fault (5xx)
// is not kept, so the retry runs again; nor is a claim the server never finished (after 5 minutes).
#pragma once

#include "http/http_types.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace provisio {

class Database;

class Idempotency {
public:
    explicit Idempotency(Database &db) : db_(db) {}

    // nullopt: the key is now claimed for this request; run it and keep() or release() its
    // response. Otherwise the response to give instead: the kept one, or a 409/422 problem.
    std::optional<HttpResponse> claim(int64_t api_key_id, const std::string &key, const HttpRequest &request, const std::string &now);
    void keep(int64_t api_key_id, const std::string &key, const HttpResponse &response);
    void release(int64_t api_key_id, const std::string &key);

private:
    Database &db_;
};

}  // namespace provisio
