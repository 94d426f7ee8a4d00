// Loading a module runs its code with the host's privileges, so the host refuses module files
// and directories that another user could have written.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace provisio {

// nullopt when `path` (a file or directory) and every directory above it are safe: owned by
// root or the current user and not writable by group or others. A world-writable directory
// with the sticky bit (like /tmp) is accepted as a parent, since others cannot replace entries
// in it. Otherwise, the reason and the command that fixes it.
std::optional<std::string> unsafe_permissions(const std::filesystem::path &path);

}  // namespace provisio
