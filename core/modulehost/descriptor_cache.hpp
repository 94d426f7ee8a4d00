// What runners reported when they loaded modules, kept by file identity (path, device, inode,
// size, modification time), so a command that finds a module file unchanged knows its
// description without starting a runner, and starts one only when it calls the module. Replacing
// a module (write, then rename) changes its identity, so the next command loads it afresh.
// A refusal is kept too, for ten minutes: a file that hangs or crashes while loading does not
// cost every command its load timeout, and one refused for a passing reason is tried again.
// The cache is one private file beside the database; a missing or unreadable one is empty.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace provisio {

class DescriptorCache {
public:
    explicit DescriptorCache(std::filesystem::path file);
    // The runner's load reply (runner_wire LoadReply bytes) for `module` as it is now.
    std::optional<std::string> find(const std::filesystem::path &module);
    // `refused`: the reply is a refusal, kept for a while only.
    void put(const std::filesystem::path &module, std::string load_reply, bool refused = false);
    // Writes the entries found or put since it was read, when anything changed; a failure is
    // logged (the cache only saves time).
    void save();

private:
    struct Entry {
        std::string identity, load_reply;
        int64_t stored_at = 0;  // Unix seconds
        bool used = false;
        bool refused = false;
    };
    static std::optional<std::string> identity_of(const std::filesystem::path &module);
    std::filesystem::path file_;
    std::map<std::string, Entry> entries_;  // by path
    bool changed_ = false;
    std::mutex mutex_;
};

}  // namespace provisio
