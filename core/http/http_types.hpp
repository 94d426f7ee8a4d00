// A request and a response as the routes see them: plain values, no Boost.Beast (which stays in
// server.cpp), so handlers build quickly and tests make requests without a socket.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace provisio {

struct HttpRequest {
    std::string method;                          // "GET", "POST", …
    std::string path;                            // percent-decoded, without the query
    std::map<std::string, std::string> query;    // decoded; a repeated name keeps its last value
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
    std::string remote_address;                  // the peer's IP address, as text
    bool secure = false;                         // arrived over TLS

    std::string header(const std::string &lower_name) const {
        const auto it = headers.find(lower_name);
        return it == headers.end() ? "" : it->second;
    }
    // A query parameter's value; "" when absent.
    std::string query_value(const std::string &name) const {
        const auto it = query.find(name);
        return it == query.end() ? "" : it->second;
    }
};

struct HttpResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type and Content-Length
};

}  // namespace provisio
