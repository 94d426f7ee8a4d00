// Repository: servers. Passwords, access hashes and PASSWORD-type options are sealed at rest.
#include "domain/repository.hpp"

#include "foundation/error.hpp"
#include "secrets/secret_box.hpp"
#include "store/database.hpp"

namespace provisio {

namespace {
constexpr const char *columns =
    "id, name, module, hostname, ip, port, username, password, access_hash, secure, tls_verify, max_concurrent, created_at";
}  // namespace

int64_t Repository::add_server(const Server &s) {
    ensure_unique("servers", "name", s.name, 0, "server name");
    Transaction tx(db_);
    db_.prepare("INSERT INTO servers (name, module, hostname, ip, port, username, password, access_hash, secure, "
                "tls_verify, max_concurrent, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")
        .bind(1, s.name).bind(2, s.module).bind(3, s.hostname).bind(4, s.ip).bind(5, s.port).bind(6, s.username)
        .bind(7, s.password.empty() ? std::string() : secrets_.seal(s.password))
        .bind(8, s.access_hash.empty() ? std::string() : secrets_.seal(s.access_hash))
        .bind(9, int64_t{s.secure}).bind(10, int64_t{s.tls_verify}).bind(11, s.max_concurrent).bind(12, now_text())
        .run();
    const int64_t id = db_.last_insert_id();
    replace_sealed_settings("server_options", "server_id", id, s.options);
    tx.commit();
    return id;
}

void Repository::update_server(const Server &s) {
    ensure_unique("servers", "name", s.name, s.id, "server name");
    Transaction tx(db_);
    db_.prepare("UPDATE servers SET name = ?2, hostname = ?3, ip = ?4, port = ?5, username = ?6, password = ?7, "
                "access_hash = ?8, secure = ?9, tls_verify = ?10, max_concurrent = ?11 WHERE id = ?1")
        .bind(1, s.id).bind(2, s.name).bind(3, s.hostname).bind(4, s.ip).bind(5, s.port).bind(6, s.username)
        .bind(7, s.password.empty() ? std::string() : secrets_.seal(s.password))
        .bind(8, s.access_hash.empty() ? std::string() : secrets_.seal(s.access_hash))
        .bind(9, int64_t{s.secure}).bind(10, int64_t{s.tls_verify}).bind(11, s.max_concurrent)
        .run();
    replace_sealed_settings("server_options", "server_id", s.id, s.options);
    tx.commit();
}

namespace {
Server read_server(Statement &q, const SecretBox &secrets) {
    Server s;
    s.id = q.int64(0);
    s.name = q.text(1);
    s.module = q.text(2);
    s.hostname = q.text(3);
    s.ip = q.text(4);
    s.port = q.opt_int64(5);
    s.username = q.text(6);
    const std::string what = "password of server " + std::to_string(s.id);
    if (!q.text(7).empty()) s.password = secrets.open(q.text(7), what);
    if (!q.text(8).empty()) s.access_hash = secrets.open(q.text(8), "access hash of server " + std::to_string(s.id));
    s.secure = q.int64(9) != 0;
    s.tls_verify = q.int64(10) != 0;
    s.max_concurrent = q.int64(11);
    s.created_at = q.text(12);
    return s;
}
}  // namespace

Server Repository::get_server(int64_t id) {
    auto q = db_.prepare(std::string("SELECT ") + columns + " FROM servers WHERE id = ?1");
    q.bind(1, id);
    if (!q.step()) fail(ErrorKind::not_found, "server " + std::to_string(id) + " does not exist");
    Server s = read_server(q, secrets_);
    s.options = load_sealed_settings("server_options", "server_id", id, "server " + std::to_string(id));
    return s;
}

Server Repository::find_server(std::string_view ref) { return get_server(id_by_name_or_id("servers", "server", ref)); }

std::vector<Server> Repository::list_servers() {
    std::vector<Server> out;
    auto q = db_.prepare("SELECT id FROM servers ORDER BY id");
    while (q.step()) out.push_back(get_server(q.int64(0)));
    return out;
}

}  // namespace provisio
