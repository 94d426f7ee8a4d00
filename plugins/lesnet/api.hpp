// One call to LesNet's JSON API, made and read the way LesNet's own sample client does
// (include/lesnet_api.php and widgets/lesBalance.php in rwyc-devon/simple-dashboard, cited in
// docs/modules/lesnet.md): POST https://HOST/v1/ENDPOINT/ with a JSON body that carries the
// call's parameters, an "authentication" object {apikey, idkey} and a "sequence" (the sample
// uses the Unix time in seconds); results come back at the top level of the answer, errors as
// {"status": "error", "error": ..., "error_detail": ...}.
//
// Anything else is not guessed at: an answer that is neither a known error nor the shape the
// caller expects becomes an error outcome that quotes it, so an operator can see what LesNet
// said and which of our assumptions (docs/modules/lesnet.md, "Assumptions") did not hold.
#pragma once

#include <provisio/module.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace lesnet {

// What one call brought back: the parsed answer and its text, or the outcome to return.
struct Answer {
    std::string endpoint;
    nlohmann::json body;  // the parsed answer (any JSON value) when `failed` is empty
    std::string raw;      // the answer's text as it came
    std::optional<provisio::Outcome> failed;

    // {"status": "success", ...}: what a write (enable, disable, update) must answer.
    bool confirmed() const;
    // An object whose status is "success" or absent (the sample client's account/balance answer
    // shows only that it is not "error"): where a read's results may be looked for.
    bool has_results() const;
    // A top-level member, or — the shape this module assumed before LesNet's sample client was
    // found, still read for the endpoints LesNet does not document — the same member inside a
    // "data" object. `from_data` says which one was used. Null when neither has it.
    const nlohmann::json *member(const std::string &name, bool *from_data = nullptr) const;
};

// POSTs `params` (plus authentication and sequence) to {base_url}{api_path}{endpoint}/, logs
// the exchange in the module-call log with the apikey scrubbed, and sorts out transport
// failures, HTTP 5xx (retryable), bodies that are not JSON (retryable), and LesNet's documented
// error answer (a failure quoting "error" and "error_detail").
Answer call_api(const provisio::Call &c, const std::string &api_path, const std::string &endpoint, nlohmann::json params);

// The failure for an answer of a shape we do not know: names the endpoint and what was
// expected, and quotes the answer.
provisio::Outcome unknown_shape(const provisio::Call &c, const Answer &a, std::string_view expected);

// `text` for a message: at most 300 bytes (cut before a partial UTF-8 character, "…" added),
// `secret` masked.
std::string quoted(std::string_view text, std::string_view secret);

}  // namespace lesnet
