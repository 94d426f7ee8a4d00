// scrub_secrets masks a secret in every form an encoder may have given it on its way to the
// wire: as is, JSON-escaped, URL-encoded, XML-escaped and inside base64 (HTTP Basic).
#include "modulehost/host_services.hpp"
#include "support/encodings.hpp"

#include <catch2/catch.hpp>

#include <string>

using provisio::scrub_secrets;
using provisio::test::base64;

namespace {

const std::string secret = "Les\"Api\\Key";

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("a secret is masked as is, and overlapping secrets are masked as one") {
    CHECK(scrub_secrets("pw=" + secret + ";", {secret}) == "pw=********;");
    CHECK(scrub_secrets("abcdef", {"abcd", "cdef"}) == "********");
    CHECK(scrub_secrets("nothing here", {secret, ""}) == "nothing here");
    CHECK(scrub_secrets("x", {}) == "x");
}

TEST_CASE("a secret is masked JSON-escaped, whichever escapes the encoder chose") {
    CHECK(scrub_secrets(R"({"key":"Les\"Api\\Key"})", {secret}) == R"({"key":"********"})");
    // \u escapes (PHP's json_encode), and an escaped slash.
    CHECK(scrub_secrets(R"({"key":"Les\u0022Api\u005cKey"})", {secret}) == R"({"key":"********"})");
    CHECK(scrub_secrets(R"({"p":"a\/b\u00e9"})", {"a/b\xc3\xa9"}) == R"({"p":"********"})");
    CHECK(scrub_secrets(R"({"p":"x\ud83d\ude00y"})", {"x\xf0\x9f\x98\x80y"}) == R"({"p":"********"})");
}

TEST_CASE("a secret is masked URL-encoded, in either hex case, with + or %20 for a space") {
    CHECK(scrub_secrets("GET /api?key=Les%22Api%5CKey&x=1", {secret}) == "GET /api?key=********&x=1");
    CHECK(scrub_secrets("key=Les%22Api%5cKey", {secret}) == "key=********");
    CHECK(scrub_secrets("key=Les%22Api%5CK%65y", {secret}) == "key=********");  // over-encoded
    CHECK(scrub_secrets("pass=two+words%21", {"two words!"}) == "pass=********");
    CHECK(scrub_secrets("pass=two%20words%21", {"two words!"}) == "pass=********");
    CHECK(scrub_secrets("pass=a+b", {"a+b"}) == "pass=********");  // a literal + left as is
}

TEST_CASE("a secret is masked XML-escaped") {
    CHECK(scrub_secrets("<key>Les&quot;Api\\Key</key>", {secret}) == "<key>********</key>");
    CHECK(scrub_secrets("<key>Les&#34;Api&#x5C;Key</key>", {secret}) == "<key>********</key>");
}

TEST_CASE("a secret is masked inside base64, as in HTTP Basic credentials, at any byte offset") {
    for (const std::string user : {"admin", "ad", "adm", "a"}) {  // the secret at byte offset 0, 0, 1 and 2 of a group
        INFO(user);
        const std::string header = "Authorization: Basic " + base64(user + ":" + secret);
        const std::string scrubbed = scrub_secrets(header, {secret});
        CHECK(scrubbed == "Authorization: Basic ********");
    }
    // base64url, as JWTs and some APIs use it, and the secret alone.
    std::string url = base64("token:" + secret);
    for (char &c : url) c = c == '+' ? '-' : c == '/' ? '_' : c;
    CHECK(scrub_secrets("t=" + url, {secret}) == "t=********");
    CHECK(scrub_secrets(base64(secret), {secret}) == "********");
    // Base64 that does not hold the secret is left alone.
    const std::string other = "Authorization: Basic " + base64("admin:something-else");
    CHECK(scrub_secrets(other, {secret}) == other);
}

TEST_CASE("text around the masks is kept as it was") {
    const std::string text = "a=" + secret + " b=Les%22Api%5CKey c={\"k\":\"Les\\\"Api\\\\Key\"} d=plain";
    const std::string out = scrub_secrets(text, {secret});
    CHECK(out == "a=******** b=******** c={\"k\":\"********\"} d=plain");
    CHECK_FALSE(contains(out, "Api"));
}
