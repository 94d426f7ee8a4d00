// Writing a small file whole or not at all: the key files and the configuration `init` makes.
#pragma once

#include <filesystem>
#include <string_view>

#include <sys/types.h>

namespace provisio {

// Creates `path` (which must not exist) holding `content` with permissions `mode` (less the
// umask), synced to disk. Written under a temporary name and linked into place, so a failure (a
// full disk, a read-only directory) leaves nothing behind and an existing file is never
// replaced. Error(storage) naming the file and the cause; Error(conflict) when it exists.
void create_file_whole(const std::filesystem::path &path, std::string_view content, mode_t mode);

}  // namespace provisio
