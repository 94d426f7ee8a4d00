// Percent-encoding as HTTP uses it: paths, query strings and HTML form bodies
// (application/x-www-form-urlencoded, the same format), and the Cookie header.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace provisio {

// Percent-decoding; in a query or form (`form`), '+' is a space. A malformed escape is kept as is.
std::string percent_decoded(std::string_view in, bool form);
// "a=1&b=two+words" as {a: 1, b: two words}; a repeated name keeps its last value.
std::map<std::string, std::string> parse_form(std::string_view text);
// The value of cookie `name` in a Cookie header ("a=1; b=2"), or "" when absent.
std::string cookie_value(std::string_view header, std::string_view name);

}  // namespace provisio
