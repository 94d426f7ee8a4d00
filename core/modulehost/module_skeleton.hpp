// `provisio module new NAME [--http]`: writes a new module's starting point outside this tree —
// its source, a unit test on the SDK's fake host and a CMakeLists.txt that builds both against
// the installed SDK. What it writes builds, passes its tests and passes `provisio module check`
// as it is (tests/sdk_module_new.cmake proves it), so an author starts from something working.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace provisio {

struct SkeletonRequest {
    std::string name;            // the module's name: [a-z][a-z0-9_]*, at most 64 bytes
    bool http = false;           // a module that drives a JSON-over-HTTP API through the host
    std::filesystem::path dir;   // where to write; must not exist, or be empty
};

// Writes the skeleton and returns the files written, in the order an author reads them.
// Error(invalid_input) for a bad name; Error(conflict) when `dir` holds anything; Error(storage)
// when a file cannot be written.
std::vector<std::filesystem::path> write_module_skeleton(const SkeletonRequest &request);

}  // namespace provisio
