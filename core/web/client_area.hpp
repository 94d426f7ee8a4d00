// The client area of `provisio serve` (every path outside /api/, /healthz and /metrics): the
// operator's customers log in with their e-mail address and password and see their own
// dashboard, services and invoices — never another client's: every record is looked up with
// the session's client, and one that is not theirs is "not found".
//
// Pages are rendered on the server (web/page_renderer), work without JavaScript, and every form
// carries its session's CSRF token (the login form a token of its own, in a cookie of its own).
// Every response forbids framing, sniffing and referrers, and sets a Content-Security-Policy
// that allows only provisio's own stylesheet and scripts.
#pragma once

#include "http/http_types.hpp"
#include "web/sessions.hpp"

#include <string>

namespace provisio {

class Metrics;
class ServeContext;

// The client-area settings ([client_area] in the configuration).
struct ClientAreaOptions {
    std::string company = "Client area";
    SessionLimits limits;
    std::string chart_js;  // Chart.js itself, served as /assets/chart.js; "" when not installed (no chart, same page)
};

class ClientArea {
public:
    ClientArea(ClientAreaOptions options, Metrics &metrics) : options_(std::move(options)), metrics_(metrics) {}
    // Never throws: a failure is an error page.
    HttpResponse handle(const HttpRequest &request, ServeContext &context) const;

private:
    ClientAreaOptions options_;
    Metrics &metrics_;
};

// Whether `path` belongs to the client area rather than the API.
bool is_client_area_path(const std::string &path);

}  // namespace provisio
