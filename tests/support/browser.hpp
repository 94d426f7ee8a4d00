// A minimal browser for client-area tests: keeps cookies, follows nothing, posts forms, and reads
// a form's hidden fields back out of a page.
#pragma once

#include "net/http_client.hpp"
#include "support/encodings.hpp"
#include "support/served.hpp"

#include <map>
#include <string>

namespace provisio::test {

class Browser {
public:
    explicit Browser(const Served &served) : served_(served) {}

    HttpResult go(const std::string &method, const std::string &path, const std::map<std::string, std::string> &form = {}) {
        HttpExchange x;
        x.method = method;
        x.url = served_.base + path;
        x.timeout = std::chrono::seconds(10);
        x.ca_file = served_.ca_file;
        std::string cookies;
        for (const auto &[name, value] : jar)
            cookies += (cookies.empty() ? "" : "; ") + name + "=" + value;
        if (!cookies.empty()) x.headers.emplace_back("Cookie", cookies);
        if (method == "POST") {
            x.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
            for (const auto &[name, value] : form) x.body += (x.body.empty() ? "" : "&") + url_encoded(name) + "=" + url_encoded(value);
        }
        HttpResult r = http_exchange(x);
        served_.check_no_secrets(r);
        for (const auto &[name, value] : r.headers) {
            if (name != "set-cookie") continue;
            const size_t eq = value.find('='), semi = value.find(';');
            const std::string cookie = value.substr(0, eq), content = value.substr(eq + 1, semi - eq - 1);
            if (value.find("Max-Age=0") != std::string::npos) jar.erase(cookie);
            else jar[cookie] = content;
        }
        return r;
    }
    HttpResult get(const std::string &path) { return go("GET", path); }

    // The value of the first <input name="NAME" value="..."> in a page ("" when absent).
    static std::string field(const std::string &page, const std::string &name) {
        const size_t at = page.find("name=\"" + name + "\" value=\"");
        if (at == std::string::npos) return "";
        const size_t from = at + name.size() + 15;
        return page.substr(from, page.find('"', from) - from);
    }

    // Logs in through the form; the response to the POST.
    HttpResult log_in(const std::string &email, const std::string &password) {
        const HttpResult form = get("/login");
        return go("POST", "/login", {{"csrf", field(form.body, "csrf")}, {"email", email}, {"password", password}});
    }
    // A POST of a page's form, with the session's CSRF token from `page`.
    HttpResult post_from(const HttpResult &page, const std::string &path, std::map<std::string, std::string> form = {}) {
        form["csrf"] = field(page.body, "csrf");
        return go("POST", path, form);
    }

    std::map<std::string, std::string> jar;  // cookie name to value

private:
    const Served &served_;
};

}  // namespace provisio::test
