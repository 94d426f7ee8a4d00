#include "http/idempotency.hpp"

#include "foundation/clock.hpp"
#include "foundation/error.hpp"
#include "http/router.hpp"
#include "secrets/sodium_init.hpp"
#include "store/database.hpp"

namespace provisio {

namespace {

std::string request_hash(const HttpRequest &r) {
    ensure_sodium();
    crypto_generichash_state state;
    crypto_generichash_init(&state, nullptr, 0, 32);
    for (const std::string *part : {&r.method, &r.path, &r.body}) {
        const uint64_t size = part->size();  // lengths first, so "ab"+"c" and "a"+"bc" differ
        crypto_generichash_update(&state, reinterpret_cast<const unsigned char *>(&size), sizeof size);
        crypto_generichash_update(&state, reinterpret_cast<const unsigned char *>(part->data()), part->size());
    }
    unsigned char hash[32];
    crypto_generichash_final(&state, hash, sizeof hash);
    char hex[65];
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    return hex;
}

}  // namespace

std::optional<HttpResponse> Idempotency::claim(int64_t api_key_id, const std::string &key, const HttpRequest &request,
                                               const std::string &now) {
    if (key.empty() || key.size() > 255)
        fail(ErrorKind::invalid_input, "the Idempotency-Key header must be 1 to 255 characters (a UUID, say)");
    const std::string hash = request_hash(request);
    Transaction tx(db_);
    // Keys are kept 24 hours; a claim still in progress after 5 minutes was abandoned (the server
    // stopped mid-request): both go, as new keys come.
    const TimePoint at = parse_instant(now, "now");
    db_.prepare("DELETE FROM idempotency_keys WHERE created_at < ?1 OR (status = 0 AND created_at < ?2)")
        .bind(1, format_utc(at - std::chrono::hours(24)))
        .bind(2, format_utc(at - std::chrono::minutes(5)))
        .run();
    auto q = db_.prepare("SELECT request_hash, status, content_type, body FROM idempotency_keys WHERE api_key_id = ?1 AND key = ?2");
    q.bind(1, api_key_id).bind(2, key);
    if (q.step()) {
        if (q.text(0) != hash)
            return problem_response(422, "idempotency-key-reused", "Idempotency-Key already used",
                                    "this Idempotency-Key was used with another request in the last 24 hours; use a new key for a new request");
        if (q.int64(1) == 0)
            return problem_response(409, "idempotency-key-in-progress", "A request with this Idempotency-Key is in progress",
                                    "retry when it has finished");
        HttpResponse kept;
        kept.status = static_cast<int>(q.int64(1));
        kept.content_type = q.text(2);
        kept.body = q.text(3);
        kept.headers.emplace_back("Idempotent-Replayed", "true");
        return kept;
    }
    db_.prepare("INSERT INTO idempotency_keys (api_key_id, key, request_hash, status, created_at) VALUES (?1, ?2, ?3, 0, ?4)")
        .bind(1, api_key_id).bind(2, key).bind(3, hash).bind(4, now).run();
    tx.commit();
    return std::nullopt;
}

void Idempotency::keep(int64_t api_key_id, const std::string &key, const HttpResponse &response) {
    if (response.status >= 500) return release(api_key_id, key);
    db_.prepare("UPDATE idempotency_keys SET status = ?3, content_type = ?4, body = ?5 WHERE api_key_id = ?1 AND key = ?2")
        .bind(1, api_key_id).bind(2, key).bind(3, int64_t{response.status}).bind(4, response.content_type).bind(5, response.body).run();
}

void Idempotency::release(int64_t api_key_id, const std::string &key) {
    db_.prepare("DELETE FROM idempotency_keys WHERE api_key_id = ?1 AND key = ?2").bind(1, api_key_id).bind(2, key).run();
}

}  // namespace provisio
