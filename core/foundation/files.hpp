// Files provisio creates. They are its user's alone: files mode 0600, directories 0700 (they
// hold a database, secrets, client documents); main() also sets umask 077, and these say so
// explicitly for code that runs without it and tighten what an older provisio left readable.
// Small files that must not be half-written (keys, the configuration) are written whole or not
// at all.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace provisio {

// Creates `path` (which must not exist) holding `content` with permissions `mode` (less the
// umask), synced to disk. Written under a temporary name and linked into place, so a failure (a
// full disk, a read-only directory) leaves nothing behind and an existing file is never
// replaced. Error(storage) naming the file and the cause; Error(conflict) when it exists.
void create_file_whole(const std::filesystem::path &path, std::string_view content, mode_t mode);

// Writes `content` to `path`, creating it with mode 0600 or truncating it and setting 0600.
// Throws Error(storage) naming the path.
void write_private_file(const std::filesystem::path &path, std::string_view content);
// Creates `dir` and its missing parents with mode 0700 (existing ones are left as they are).
// Throws Error(storage) naming the directory.
void create_private_directories(const std::filesystem::path &dir);
// Removes group and other access from `path` if it exists and has any. Returns an error message
// when that failed (the file belongs to someone else), empty otherwise.
std::string restrict_to_owner(const std::filesystem::path &path);

}  // namespace provisio
