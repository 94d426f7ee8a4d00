// The fault drill every HTTP server module goes through: for each fault the simulator can
// inject, one lifecycle command must fail clearly (retryable where a retry can help), leave the
// service's status and the remote side as they were, and never show the credential.
#pragma once

#include "sim_server.hpp"
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>

#include <functional>

namespace provisio::test {

struct FaultCase {
    sims::Fault fault;
    int exit_code;        // 6: queued for retry; 1: failed
    std::string message;  // expected in the call log or stderr ("" for transport faults)
};

// The usual cases; `credentials_message` is what the module says to a refused login.
inline std::vector<FaultCase> http_fault_cases(const std::string &credentials_message, int credential_requests = 1) {
    return {
        {{"http500", 1, 0}, 6, "answered HTTP 500"},
        {{"malformed", 1, 0}, 6, "not JSON"},
        {{"reset", 1, 0}, 6, ""},
        {{"timeout", 1, 3000}, 6, ""},
        {{"wrong_credentials", credential_requests, 0}, 1, credentials_message},
    };
}

// Runs `command` once per case; `unchanged` checks the service and the remote side.
inline void drill_faults(const Installation &inst, sims::SimServer &sim, const std::vector<FaultCase> &cases,
                         const std::vector<std::string> &command, const std::function<void()> &unchanged, const std::string &secret) {
    for (const FaultCase &c : cases) {
        INFO(c.fault.kind);
        sim.inject(c.fault);
        const RunResult r = inst.run(command);
        INFO(r.out << r.err);
        CHECK(r.exit_code == c.exit_code);
        unchanged();
        const RunResult log = inst.run({"module", "log"});
        CHECK_THAT(log.out + r.err, Catch::Contains(c.message));
        CHECK((log.out + r.out + r.err).find(secret) == std::string::npos);
    }
    sim.inject({});
}

}  // namespace provisio::test
