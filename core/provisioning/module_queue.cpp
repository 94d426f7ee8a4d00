#include "provisioning/module_queue.hpp"

#include "foundation/error.hpp"
#include "store/database.hpp"

namespace provisio {

Enqueued enqueue(Database &db, int64_t service_id, const std::string &action, const std::string &reason,
                 const std::string &requested_by, const std::string &error, const std::string &now, Attempt attempt) {
    // A call not made leaves an open item's attempts, last error and time as they were.
    auto q = db.prepare(
        "INSERT INTO module_queue (service_id, action, reason, requested_by, attempts, aborts, last_error, created_at, "
        "last_attempt_at) VALUES (?1, ?2, ?3, ?6, ?7, ?8, ?4, ?5, ?5) "
        "ON CONFLICT (service_id, action) WHERE resolved_at IS NULL "
        "DO UPDATE SET attempts = attempts + excluded.attempts, aborts = aborts + excluded.aborts, "
        "last_error = CASE WHEN excluded.attempts = 0 THEN last_error ELSE excluded.last_error END, "
        "reason = excluded.reason, requested_by = excluded.requested_by, "
        "last_attempt_at = CASE WHEN excluded.attempts = 0 THEN last_attempt_at ELSE excluded.last_attempt_at END "
        "RETURNING id, aborts, parked_at IS NOT NULL");
    q.bind(1, service_id).bind(2, action).bind(3, reason).bind(4, error).bind(5, now).bind(6, requested_by)
        .bind(7, int64_t{attempt != Attempt::not_made}).bind(8, int64_t{attempt == Attempt::aborted});
    q.step();
    // The upsert never changes parked_at: an item parked now was parked before this attempt.
    const Enqueued e{q.int64(0), q.int64(1), q.int64(2) != 0};
    q.run();
    return e;
}

void resolve_queued(Database &db, int64_t service_id, const std::string &action, const std::string &outcome,
                    const std::string &error, const std::string &now) {
    db.prepare("UPDATE module_queue SET resolved_at = ?3, outcome = ?4, attempts = attempts + 1, last_attempt_at = ?3, "
               "last_error = CASE WHEN ?5 = '' THEN last_error ELSE ?5 END "
               "WHERE service_id = ?1 AND action = ?2 AND resolved_at IS NULL")
        .bind(1, service_id).bind(2, action).bind(3, now).bind(4, outcome).bind(5, error)
        .run();
}

void park_queued(Database &db, int64_t id, const std::string &reason, const std::string &now) {
    db.prepare("UPDATE module_queue SET parked_at = ?2, parked_reason = ?3 WHERE id = ?1 AND resolved_at IS NULL")
        .bind(1, id).bind(2, now).bind(3, reason).run();
}

void release_queued(Database &db, int64_t id) {
    db.prepare("UPDATE module_queue SET parked_at = NULL, parked_reason = '', aborts = 0 WHERE id = ?1 AND resolved_at IS NULL")
        .bind(1, id).run();
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
    i.aborts = q.int64(11);
    i.parked_at = q.opt_text(12);
    i.parked_reason = q.text(13);
    return i;
}
constexpr const char *columns = "id, service_id, action, reason, attempts, last_error, created_at, last_attempt_at, resolved_at, "
                                "outcome, requested_by, aborts, parked_at, parked_reason";
}  // namespace

std::optional<QueueItem> parked_item(Database &db, int64_t service_id, const std::string &action) {
    auto q = db.prepare(std::string("SELECT ") + columns +
                        " FROM module_queue WHERE service_id = ?1 AND action = ?2 AND resolved_at IS NULL AND parked_at IS NOT NULL");
    q.bind(1, service_id).bind(2, action);
    if (!q.step()) return std::nullopt;
    return read_item(q);
}

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

namespace provisio {

QueueItem release_parked(Database &db, int64_t id) {
    const auto item = get_queue_item(db, id);
    if (!item) fail(ErrorKind::not_found, "queue item " + std::to_string(id) + " does not exist");
    if (item->resolved_at)
        fail(ErrorKind::refused, "queue item " + std::to_string(id) + " was already resolved (" + item->outcome.value_or("") + ")");
    if (!item->parked_at)
        fail(ErrorKind::refused, "queue item " + std::to_string(id) + " is not parked; provisio queue retry " + std::to_string(id) + " runs it now");
    release_queued(db, id);
    return *item;
}

}  // namespace provisio
