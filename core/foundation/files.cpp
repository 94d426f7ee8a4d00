#include "foundation/files.hpp"

#include "foundation/error.hpp"

#include <fcntl.h>
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

}  // namespace provisio
