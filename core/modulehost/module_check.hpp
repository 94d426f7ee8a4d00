// `provisio module check FILE`: validates a module file without installing it. The file is
// loaded in a child process, so a module that crashes or hangs while loading is reported, not
// fatal to the caller.
#pragma once

#include "modulehost/host_services.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace provisio {

struct ModuleCheckReport {
    bool accepted = false;
    std::string name;
    std::string version;
    std::string abi;           // "1.0"
    std::string functions;     // "create, suspend, ..."
    int option_count = 0;
    std::string custom_actions;  // "reload, registrations (client)"
    std::string reason;        // why it was refused or what killed the child
    std::vector<std::string> warnings;
};

ModuleCheckReport check_module_file(const std::filesystem::path &file, HostServices &services,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace provisio
