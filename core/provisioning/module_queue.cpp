#include "provisioning/module_queue.hpp"

#include "store/database.hpp"

namespace provisio {

int64_t enqueue(Database &db, int64_t service_id, const std::string &action, const std::string &reason,
                const std::string &requested_by, const std::string &error, const std::string &now) {
    auto q = db.prepare(
        "INSERT INTO module_queue (service_id, action, reason, requested_by, attempts, last_error, created_at, last_attempt_at) "
        "VALUES (?1, ?2, ?3, ?6, 1, ?4, ?5, ?5) "
        "ON CONFLICT (service_id, action) WHERE resolved_at IS NULL "
        "DO UPDATE SET attempts = attempts + 1, last_error = excluded.last_error, reason = excluded.reason, "
        "requested_by = excluded.requested_by, "
        "last_attempt_at = excluded.last_attempt_at "
        "RETURNING id");
    q.bind(1, service_id).bind(2, action).bind(3, reason).bind(4, error).bind(5, now).bind(6, requested_by);
    q.step();
    const int64_t id = q.int64(0);
    q.run();
    return id;
}

void resolve_queued(Database &db, int64_t service_id, const std::string &action, const std::string &outcome,
                    const std::string &error, const std::string &now) {
    db.prepare("UPDATE module_queue SET resolved_at = ?3, outcome = ?4, attempts = attempts + 1, last_attempt_at = ?3, "
               "last_error = CASE WHEN ?5 = '' THEN last_error ELSE ?5 END "
               "WHERE service_id = ?1 AND action = ?2 AND resolved_at IS NULL")
        .bind(1, service_id).bind(2, action).bind(3, now).bind(4, outcome).bind(5, error)
        .run();
}

namespace {
QueueItem read_item(Statement &q) {
    QueueItem i;
    i.id = q.int64(0);
    i.service_id = q.int64(1);
    i.action = q.text(2);
    i.reason = q.text(3);
    i.attempts = q.int64(4);
    i.last_error = q.text(5);
    i.created_at = q.text(6);
    i.last_attempt_at = q.text(7);
    i.resolved_at = q.opt_text(8);
    i.outcome = q.opt_text(9);
    i.requested_by = q.text(10);
    return i;
}
constexpr const char *columns =
    "id, service_id, action, reason, attempts, last_error, created_at, last_attempt_at, resolved_at, outcome, requested_by";
}  // namespace

std::vector<QueueItem> list_queue(Database &db, bool include_resolved) {
    auto q = db.prepare(std::string("SELECT ") + columns + " FROM module_queue WHERE ?1 OR resolved_at IS NULL ORDER BY id");
    q.bind(1, int64_t{include_resolved});
    std::vector<QueueItem> out;
    while (q.step()) out.push_back(read_item(q));
    return out;
}

std::optional<QueueItem> get_queue_item(Database &db, int64_t id) {
    auto q = db.prepare(std::string("SELECT ") + columns + " FROM module_queue WHERE id = ?1");
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return read_item(q);
}

}  // namespace provisio
