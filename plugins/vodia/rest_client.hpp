// The Vodia PBX's REST API as the module speaks it: session login (PUT /rest/system/session
// with the MD5 of the password) or HTTP Basic, every request and answer in the call log with
// the secrets scrubbed, and every answer sorted into success, failure or retryable failure.
// Sessions are kept per server and shared by the calls of one process; safe to use from the
// host's worker threads.
#pragma once

#include <provisio/module.hpp>

#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace vodia {

struct Reply {
    int status = 0;
    nlohmann::json body;  // null when the answer had no body, or (to a write) one that is not JSON
    std::string text;     // the answer as it came
    std::optional<provisio::Outcome> failed;
};

// The first `n` characters of `text`, for quoting an answer in a message.
std::string excerpt(const std::string &text, size_t n = 200);

class RestClient {
public:
    // One request to PATH under the server's base URL. GET answers must be JSON (else a
    // retryable failure quoting them); a write succeeds on any 2xx, whatever its body.
    Reply call(provisio::Call &c, bool basic, const std::string &method, const std::string &path,
               const std::optional<nlohmann::json> &body = std::nullopt);

private:
    Reply log_in(provisio::Call &c);
    std::string session_key(const provisio::Call &c) const;
    std::string cached_session(const provisio::Call &c);
    void forget_session(const provisio::Call &c, const std::string &session);
    static Reply sorted(const provisio::HttpResponse &r, const std::string &what, bool write);

    std::mutex mutex_;
    std::map<std::string, std::string> sessions_;  // "base URL user" → session id
};

}  // namespace vodia
