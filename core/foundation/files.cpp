#include "foundation/files.hpp"

#include "foundation/error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace provisio {

void create_file_whole(const std::filesystem::path &path, std::string_view content, mode_t mode) {
    const std::string temp = path.string() + ".partial-" + std::to_string(::getpid());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) fail(ErrorKind::storage, "cannot create " + path.string() + ": " + std::strerror(errno));
    size_t written = 0;
    int error = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            error = n < 0 ? errno : ENOSPC;
            break;
        }
        written += static_cast<size_t>(n);
    }
    if (!error && ::fsync(fd) != 0) error = errno;
    if (::close(fd) != 0 && !error) error = errno;
    // link(2) refuses to replace an existing file, where rename(2) would.
    if (!error && ::link(temp.c_str(), path.c_str()) != 0) error = errno;
    ::unlink(temp.c_str());
    if (error == EEXIST) fail(ErrorKind::conflict, path.string() + " already exists; it is kept as it is");
    if (error) fail(ErrorKind::storage, "cannot write " + path.string() + ": " + std::strerror(error));
}

void write_private_file(const std::filesystem::path &path, std::string_view content) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) fail(ErrorKind::storage, "cannot write " + path.string() + ": " + std::strerror(errno));
    bool ok = ::fchmod(fd, 0600) == 0;  // an existing file keeps its mode through O_TRUNC
    for (size_t done = 0; ok && done < content.size();) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) ok = false;
        else done += static_cast<size_t>(n);
    }
    const int saved = errno;
    ::close(fd);
    if (!ok) fail(ErrorKind::storage, "cannot write " + path.string() + ": " + std::strerror(saved));
}

void create_private_directories(const std::filesystem::path &dir) {
    if (dir.empty()) return;
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) return;
    if (dir.has_parent_path() && dir.parent_path() != dir) create_private_directories(dir.parent_path());
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        fail(ErrorKind::storage, "cannot create directory " + dir.string() + ": " + std::strerror(errno));
}

std::string restrict_to_owner(const std::filesystem::path &path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !(st.st_mode & (S_IRWXG | S_IRWXO))) return {};
    if (::chmod(path.c_str(), st.st_mode & S_IRWXU) != 0)
        return "cannot make " + path.string() + " private to its owner (chmod go-rwx): " + std::strerror(errno);
    return {};
}

}  // namespace provisio
