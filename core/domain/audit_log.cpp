#include "domain/audit_log.hpp"

#include "store/database.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

namespace provisio {

std::string current_actor() {
    if (const char *sudo = std::getenv("SUDO_USER"); sudo && *sudo) return std::string(sudo) + " (sudo)";
    if (const passwd *pw = ::getpwuid(::geteuid())) return pw->pw_name;
    return "uid " + std::to_string(::geteuid());
}

void audit(Database &db, const std::string &now, const std::string &action, std::optional<int64_t> client_id, const std::string &detail,
           const std::string &actor) {
    db.prepare("INSERT INTO audit_log (at, actor, action, client_id, detail) VALUES (?1, ?2, ?3, ?4, ?5)")
        .bind(1, now).bind(2, actor.empty() ? current_actor() : actor).bind(3, action).bind(4, client_id).bind(5, detail)
        .run();
}

std::vector<AuditEntry> audit_entries(Database &db, std::optional<int64_t> client_id, int limit) {
    auto q = db.prepare("SELECT id, at, actor, action, client_id, detail FROM (SELECT * FROM audit_log WHERE ?1 IS NULL OR client_id = ?1 "
                        "ORDER BY id DESC LIMIT ?2) ORDER BY id");
    q.bind(1, client_id).bind(2, int64_t{limit});
    std::vector<AuditEntry> out;
    while (q.step()) out.push_back({q.int64(0), q.text(1), q.text(2), q.text(3), q.opt_int64(4), q.text(5)});
    return out;
}

}  // namespace provisio
