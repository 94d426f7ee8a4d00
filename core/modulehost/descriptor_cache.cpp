#include "modulehost/descriptor_cache.hpp"

#include "foundation/files.hpp"
#include "modulehost/runner_wire.hpp"

#include <spdlog/spdlog.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>

namespace provisio {

namespace {
// 2: load replies carry custom actions (ABI 1.5); 3: and which payment functions a gateway has (ABI 1.6).
constexpr uint32_t format_version = 3;
constexpr int64_t refusal_kept_s = 600;
int64_t unix_now() { return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count(); }
}  // namespace

DescriptorCache::DescriptorCache(std::filesystem::path file) : file_(std::move(file)) {
    std::ifstream in(file_, std::ios::binary);
    if (!in) return;
    std::stringstream bytes;
    bytes << in.rdbuf();
    const std::string text = bytes.str();
    try {
        wire::Reader r(text);
        if (r.u32() != format_version) return;
        for (uint32_t n = r.u32(); n > 0; --n) {
            std::string path = r.str(), identity = r.str(), reply = r.str();
            const int64_t stored_at = r.i64();
            const bool refused = r.u32() != 0;
            entries_[path] = {std::move(identity), std::move(reply), stored_at, false, refused};
        }
    } catch (const wire::Malformed &) {
        entries_.clear();  // a damaged cache is an empty one
        changed_ = true;
    }
}

std::optional<std::string> DescriptorCache::identity_of(const std::filesystem::path &module) {
    struct stat st{};
    if (::stat(module.c_str(), &st) != 0) return std::nullopt;
    return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
           std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

std::optional<std::string> DescriptorCache::find(const std::filesystem::path &module) {
    const auto identity = identity_of(module);
    std::lock_guard lock(mutex_);
    const auto it = entries_.find(module.string());
    if (!identity || it == entries_.end() || it->second.identity != *identity) return std::nullopt;
    if (it->second.refused && unix_now() - it->second.stored_at > refusal_kept_s) return std::nullopt;
    it->second.used = true;
    return it->second.load_reply;
}

void DescriptorCache::put(const std::filesystem::path &module, std::string load_reply, bool refused) {
    const auto identity = identity_of(module);
    if (!identity) return;
    std::lock_guard lock(mutex_);
    entries_[module.string()] = {*identity, std::move(load_reply), unix_now(), true, refused};
    changed_ = true;
}

void DescriptorCache::save() {
    std::lock_guard lock(mutex_);
    size_t used = 0;
    for (const auto &[path, e] : entries_) used += e.used;
    if (!changed_ && used == entries_.size()) return;  // nothing new, nothing stale
    wire::Writer w;
    w.u32(format_version);
    w.u32(static_cast<uint32_t>(used));
    for (const auto &[path, e] : entries_)
        if (e.used) {
            w.str(path);
            w.str(e.identity);
            w.str(e.load_reply);
            w.i64(e.stored_at);
            w.u32(e.refused ? 1 : 0);
        }
    // Written whole under another name, then renamed: a concurrent reader sees the old or the new.
    const auto temporary = file_.string() + ".tmp" + std::to_string(::getpid());
    try {
        write_private_file(temporary, w.bytes());
        std::filesystem::rename(temporary, file_);
        changed_ = false;
    } catch (const std::exception &e) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        spdlog::debug("module description cache {} not saved: {}", file_.string(), e.what());
    }
}

}  // namespace provisio
