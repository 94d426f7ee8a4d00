// Percent-encoding as HTTP uses it: paths, query strings and HTML form bodies
// (application/x-www-form-urlencoded, the same format), and the Cookie header; and the parts of
// a path the API's routes and the client area's pages are matched on.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace provisio {

// Percent-decoding; in a query or form (`form`), '+' is a space. A malformed escape is kept as is.
std::string percent_decoded(std::string_view in, bool form);
// Every byte but letters, digits and "-._~" as %XX (RFC 3986 unreserved characters kept).
std::string percent_encoded(std::string_view in);
// "a=1&b=two+words" as {a: 1, b: two words}; a repeated name keeps its last value.
std::map<std::string, std::string> parse_form(std::string_view text);
// The value of cookie `name` in a Cookie header ("a=1; b=2"), or "" when absent.
std::string cookie_value(std::string_view header, std::string_view name);

// A path's segments after the leading '/': "/invoices/12" is {"invoices", "12"}, "/a/" is {"a", ""}.
std::vector<std::string> path_segments(const std::string &path);
// A path segment that names a record by id; Error(not_found) when it is not a number (no such record).
int64_t id_in_path(const std::string &segment);

}  // namespace provisio
