// `provisio serve` started on a free loopback port for a test, stopped (SIGKILL) when the test
// ends; requests to it through provisio's own HTTP client.
#pragma once

#include "net/http_client.hpp"
#include "sim_server.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <functional>
#include <thread>

namespace provisio::test {

struct Served {
    Installation inst;
    std::string base;
    pid_t pid = -1;
    std::filesystem::path ca_file;  // HTTPS: the server's self-signed certificate

    // `before` prepares the installation before serve starts (serve loads its modules once, at
    // start); `https` serves with a self-signed certificate for 127.0.0.1.
    explicit Served(const std::function<void(Installation &)> &before = {}, bool https = false) {
        if (before) before(inst);
        if (https) {
            const sims::TlsFiles tls = sims::make_self_signed_certificate(inst.modules().parent_path() / "tls");
            inst.edit_config("cert = \"\"", "cert = \"" + tls.certificate.string() + "\"");
            inst.edit_config("key = \"\"", "key = \"" + tls.key.string() + "\"");
            ca_file = tls.certificate;
        }
        const int port = sims::free_port();
        base = (https ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port);
        pid = inst.start({"serve", "--listen", "127.0.0.1:" + std::to_string(port)});
        for (int i = 0; i < 100; ++i) {  // up within 5 s
            if (get("/healthz").status == 200) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        FAIL("provisio serve did not answer /healthz within 5 s");
    }
    ~Served() {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
        }
    }
    HttpResult request(const std::string &method, const std::string &path, const std::string &key = "", const std::string &body = "",
                       const std::string &idempotency_key = "", const std::string &content_type = "application/json") const {
        HttpExchange x;
        x.method = method;
        x.url = base + path;
        x.timeout = std::chrono::seconds(10);
        x.body = body;
        x.ca_file = ca_file;
        if (!body.empty()) x.headers.emplace_back("Content-Type", content_type);
        if (!key.empty()) x.headers.emplace_back("Authorization", "Bearer " + key);
        if (!idempotency_key.empty()) x.headers.emplace_back("Idempotency-Key", idempotency_key);
        HttpResult r = http_exchange(x);
        check_no_secrets(r);
        return r;
    }
    // No response of the suite carries a password, card number or API secret it planted: the
    // passwords the tests set, the server password and module secret setting of the lifecycle
    // tests, a card number, and every API key's secret made here.
    void check_no_secrets(const HttpResult &r) const {
        std::vector<std::string> secrets{"correct horse battery", "a new secret 42", "yet another 43", "fresh password 1",
                                         "server-pw-987",         "KEY-123456",      "4111111111111111"};
        secrets.insert(secrets.end(), keys_.begin(), keys_.end());
        for (const std::string &secret : secrets) {
            INFO("a response carries " << secret);
            CHECK(r.body.find(secret) == std::string::npos);
            for (const auto &[name, value] : r.headers) CHECK(value.find(secret) == std::string::npos);
        }
    }
    HttpResult get(const std::string &path, const std::string &key = "") const { return request("GET", path, key); }
    std::string key(const std::string &role, const std::vector<std::string> &allow = {}) const {
        std::vector<std::string> args{"--json", "api-key", "add", "--name", role + " key", "--role", role};
        for (const auto &a : allow) args.insert(args.end(), {"--allow-ip", a});
        const std::string secret = nlohmann::json::parse(inst.run(args).out)["secret"];
        keys_.push_back(secret);
        return secret;
    }

private:
    mutable std::vector<std::string> keys_;  // the secrets key() made
};

inline std::string header(const HttpResult &r, const std::string &name) {
    for (const auto &[k, v] : r.headers)
        if (k == name) return v;
    return "";
}

}  // namespace provisio::test
