// Runs a provisio command that must succeed, showing its stderr when it does not; run_json
// does the same with --json and parses what it printed.
#pragma once

#include "support/sandbox.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace provisio::test {

inline void ok(const Installation &inst, const std::vector<std::string> &args) {
    const RunResult r = inst.run(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
}

// The same, answering what the command printed.
inline RunResult ok_output(const Installation &inst, const std::vector<std::string> &args) {
    RunResult r = inst.run(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r;
}

inline nlohmann::json run_json(const Installation &inst, std::vector<std::string> args) {
    args.insert(args.begin(), "--json");
    const RunResult r = inst.run(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.out);
}

}  // namespace provisio::test
