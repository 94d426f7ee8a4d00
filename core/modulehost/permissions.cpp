#include "modulehost/permissions.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace provisio {

namespace {

std::string octal(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

std::optional<std::string> check_one(const std::filesystem::path &p, bool is_parent) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return p.string() + ": " + std::strerror(errno);
    const uid_t me = ::geteuid();
    if (st.st_uid != 0 && st.st_uid != me)
        return p.string() + " is owned by another user (uid " + std::to_string(st.st_uid) +
               "); modules are code the host runs, so only root or the user running provisio may own them";
    const bool sticky_parent = is_parent && S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !sticky_parent)
        return p.string() + " is writable by " + ((st.st_mode & S_IWOTH) ? "others" : "its group") + " (mode " +
               octal(st.st_mode) + "); modules are code the host runs. Fix with: chmod go-w " + p.string();
    return std::nullopt;
}

}  // namespace

std::optional<std::string> unsafe_permissions(const std::filesystem::path &path) {
    std::error_code ec;
    const std::filesystem::path abs = std::filesystem::weakly_canonical(std::filesystem::absolute(path), ec);
    const std::filesystem::path &target = ec ? path : abs;
    if (auto r = check_one(target, false)) return r;
    for (auto p = target.parent_path(); !p.empty(); p = p.parent_path()) {
        if (auto r = check_one(p, true)) return r;
        if (p == p.root_path()) break;
    }
    return std::nullopt;
}

}  // namespace provisio
