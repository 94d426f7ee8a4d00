#include "domain/client_files.hpp"

#include "domain/records.hpp"

#include "foundation/error.hpp"
#include "foundation/files.hpp"
#include "store/database.hpp"

#include <sodium.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

namespace provisio {

namespace {

std::string random_name() {
    unsigned char bytes[16];
    randombytes_buf(bytes, sizeof bytes);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes) {
        out += hex[b >> 4];
        out += hex[b & 15];
    }
    return out;
}

ClientFile read(Statement &q) {
    return {q.int64(0), q.int64(1), q.text(2), q.text(3), q.text(4), static_cast<uint64_t>(q.int64(5)), q.int64(6) != 0, q.text(7)};
}

constexpr const char *columns = "id, client_id, title, filename, stored_name, size_bytes, admin_only, created_at";

}  // namespace

void check_bare_filename(const std::string &name) {
    if (name.empty()) fail(ErrorKind::invalid_input, "the file name is empty");
    if (name.size() > 255) fail(ErrorKind::invalid_input, "the file name is longer than 255 bytes");
    if (name == "." || name == "..") fail(ErrorKind::invalid_input, "'" + name + "' is not a file name");
    for (unsigned char ch : name) {
        if (ch == '/' || ch == '\\')
            fail(ErrorKind::invalid_input, "the file name '" + name + "' has a path in it: give a bare name such as contract.pdf");
        if (ch < 0x20 || ch == 0x7f) fail(ErrorKind::invalid_input, "the file name has a control character in it");
    }
}

int64_t ClientFiles::attach(int64_t client_id, const std::filesystem::path &source, const std::string &title, std::string filename,
                            bool admin_only, const std::string &now) {
    if (title.empty()) fail(ErrorKind::invalid_input, "a client file needs a title (--title)");
    if (filename.empty()) filename = source.filename().string();
    check_bare_filename(filename);
    require_client(db_, client_id);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(source, ec)) fail(ErrorKind::invalid_input, "cannot read " + source.string() + ": not a regular file");
    const uint64_t size = std::filesystem::file_size(source, ec);
    if (ec) fail(ErrorKind::invalid_input, "cannot read " + source.string() + ": " + ec.message());
    if (size > max_bytes_)
        fail(ErrorKind::invalid_input, source.string() + " is " + std::to_string(size) + " bytes, over the limit of " +
                                           std::to_string(max_bytes_) + " ([files] max_bytes)");

    create_private_directories(dir_);
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all, ec);  // one an older provisio made 0755
    const std::string stored = random_name();
    const auto target = dir_ / stored, partial = dir_ / ("." + stored + ".part");
    {
        std::ifstream in(source, std::ios::binary);
        if (!in) fail(ErrorKind::invalid_input, "cannot read " + source.string());
        write_private_file(partial, {});  // mode 0600 before any byte of the document is in it
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        if (!out) fail(ErrorKind::storage, "cannot write into the files directory " + dir_.string() + ": " + std::strerror(errno));
        out << in.rdbuf();
        out.flush();
        if (!out || std::filesystem::file_size(partial, ec) != size) {
            const int error = errno;  // what stopped the write: a full disk, a read-only directory
            std::filesystem::remove(partial, ec);
            fail(ErrorKind::storage, "copying " + source.string() + " into " + dir_.string() + " failed" +
                                         (error ? std::string(": ") + std::strerror(error) : std::string()));
        }
    }
    std::filesystem::rename(partial, target, ec);
    if (ec) {
        std::filesystem::remove(partial, ec);
        fail(ErrorKind::storage, "cannot store the file in " + dir_.string() + ": " + ec.message());
    }
    try {
        db_.prepare("INSERT INTO client_files (client_id, title, filename, stored_name, size_bytes, admin_only, created_at) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
            .bind(1, client_id).bind(2, title).bind(3, filename).bind(4, stored).bind(5, static_cast<int64_t>(size))
            .bind(6, int64_t{admin_only}).bind(7, now)
            .run();
    } catch (...) {
        std::filesystem::remove(target, ec);  // no row, no file
        throw;
    }
    return db_.last_insert_id();
}

std::vector<ClientFile> ClientFiles::of_client(int64_t client_id) {
    auto q = db_.prepare(std::string("SELECT ") + columns + " FROM client_files WHERE client_id = ?1 ORDER BY id");
    q.bind(1, client_id);
    std::vector<ClientFile> out;
    while (q.step()) out.push_back(read(q));
    return out;
}

ClientFile ClientFiles::get(int64_t id) {
    auto q = db_.prepare(std::string("SELECT ") + columns + " FROM client_files WHERE id = ?1");
    q.bind(1, id);
    if (!q.step()) fail(ErrorKind::not_found, "client file " + std::to_string(id) + " does not exist");
    return read(q);
}

void ClientFiles::fetch(int64_t id, const std::filesystem::path &to, bool replace) {
    const ClientFile f = get(id);
    std::error_code ec;
    if (!replace && std::filesystem::exists(to, ec))
        fail(ErrorKind::conflict, to.string() + " exists already (--force replaces it)");
    const auto options = replace ? std::filesystem::copy_options::overwrite_existing : std::filesystem::copy_options::none;
    if (!std::filesystem::copy_file(stored_path(f), to, options, ec) || ec)
        fail(ErrorKind::storage, "cannot copy client file " + std::to_string(id) + " to " + to.string() + ": " +
                                     (ec ? ec.message() : "not copied"));
}

std::string ClientFiles::contents(const ClientFile &f) const {
    std::ifstream in(stored_path(f), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) fail(ErrorKind::storage, "cannot read client file " + std::to_string(f.id) + " (" + stored_path(f).string() + ")");
    if (!in.is_open() || bytes.size() != f.size)
        fail(ErrorKind::storage, "client file " + std::to_string(f.id) + " is missing or changed under " + stored_path(f).string());
    return bytes;
}

void ClientFiles::remove(int64_t id) {
    const ClientFile f = get(id);
    db_.prepare("DELETE FROM client_files WHERE id = ?1").bind(1, id).run();
    std::error_code ec;
    std::filesystem::remove(stored_path(f), ec);  // a file left behind is harmless; a row without its file is not
}

}  // namespace provisio
