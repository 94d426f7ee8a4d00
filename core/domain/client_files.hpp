// Files attached to a client (contracts, signed forms): a title, the name it is fetched as, and
// an admin-only flag. The bytes live under the configured files directory with a generated
// name — never a name or path the user gave — so nothing a user types can reach outside it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace provisio {

class Database;

struct ClientFile {
    int64_t id = 0;
    int64_t client_id = 0;
    std::string title;
    std::string filename;     // what it is fetched as: a bare name
    std::string stored_name;  // under the files directory
    uint64_t size = 0;
    bool admin_only = false;
    std::string created_at;
};

class ClientFiles {
public:
    ClientFiles(Database &db, std::filesystem::path dir, uint64_t max_bytes) : db_(db), dir_(std::move(dir)), max_bytes_(max_bytes) {}

    // Copies `source` in. `filename` empty: the source's own name. Error(invalid_input) for a
    // missing title, a name with a path or control characters in it, an unreadable source or
    // one over the size limit; Error(not_found) for an unknown client. Nothing is kept on error.
    int64_t attach(int64_t client_id, const std::filesystem::path &source, const std::string &title, std::string filename,
                   bool admin_only, const std::string &now);
    std::vector<ClientFile> of_client(int64_t client_id);
    ClientFile get(int64_t id);  // Error(not_found)
    // The file's bytes (at most `max_bytes` were let in); Error(storage) when they cannot be read.
    std::string contents(const ClientFile &file) const;
    // Copies the file out to `to`; refuses to overwrite an existing file unless `replace`.
    void fetch(int64_t id, const std::filesystem::path &to, bool replace);
    void remove(int64_t id);
    std::filesystem::path stored_path(const ClientFile &f) const { return dir_ / f.stored_name; }

private:
    Database &db_;
    std::filesystem::path dir_;
    uint64_t max_bytes_;
};

// A name to fetch a file as: no directory parts, no "." or "..", no control characters, at
// most 255 bytes. Error(invalid_input) saying which rule it broke.
void check_bare_filename(const std::string &name);

}  // namespace provisio
