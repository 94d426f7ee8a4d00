// Runs a provisio command that must succeed, showing its stderr when it does not.
#pragma once

#include "support/sandbox.hpp"

#include <catch2/catch.hpp>

namespace provisio::test {

inline void ok(const Installation &inst, const std::vector<std::string> &args) {
    const RunResult r = inst.run(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
}

}  // namespace provisio::test
