#include "provisioning/cancellation_requests.hpp"

#include "domain/audit_log.hpp"
#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "provisioning/state_machine.hpp"
#include "store/database.hpp"

namespace provisio {

namespace {

constexpr const char *columns = "SELECT id, service_id, type, reason, requested_at, applied_at FROM cancellation_requests ";

CancellationRequest read(Statement &q) { return {q.int64(0), q.int64(1), q.text(2), q.text(3), q.text(4), q.opt_text(5)}; }

}  // namespace

std::optional<CancellationRequest> open_cancellation(Repository &repo, int64_t service_id) {
    auto q = repo.database().prepare(std::string(columns) + "WHERE service_id = ?1 AND applied_at IS NULL");
    q.bind(1, service_id);
    if (!q.step()) return std::nullopt;
    return read(q);
}

std::vector<CancellationRequest> list_cancellations(Repository &repo, bool applied_too) {
    auto q = repo.database().prepare(std::string(columns) + "WHERE ?1 OR applied_at IS NULL ORDER BY id");
    q.bind(1, int64_t{applied_too});
    std::vector<CancellationRequest> out;
    while (q.step()) out.push_back(read(q));
    return out;
}

CancellationRequest request_cancellation(Repository &repo, int64_t service_id, const std::string &when, const std::string &reason,
                                         const std::string &actor) {
    if (when != "immediate" && when != "end-of-period")
        fail(ErrorKind::invalid_input, "when '" + when + "' must be immediate or end-of-period");
    Database &db = repo.database();
    Transaction tx(db);
    const Service s = repo.get_service(service_id);
    if (s.status == status::cancelled || s.status == status::terminated)
        fail(ErrorKind::refused, "service " + std::to_string(s.id) + " is already " + s.status);
    if (const auto existing = open_cancellation(repo, s.id))
        fail(ErrorKind::conflict, "service " + std::to_string(s.id) + " already has cancellation request " + std::to_string(existing->id) +
                                      " (withdraw it first)");
    CancellationRequest r{0, s.id, when == "immediate" ? "immediate" : "end_of_period", reason, repo.now_text(), std::nullopt};
    db.prepare("INSERT INTO cancellation_requests (service_id, type, reason, requested_at) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, r.service_id).bind(2, r.type).bind(3, r.reason).bind(4, r.requested_at).run();
    r.id = db.last_insert_id();
    audit(db, r.requested_at, "service.cancel_request", s.client_id, "service " + std::to_string(s.id) + ", " + r.type, actor);
    tx.commit();
    return r;
}

void withdraw_cancellation(Repository &repo, int64_t service_id, const std::string &actor) {
    Database &db = repo.database();
    Transaction tx(db);
    const Service s = repo.get_service(service_id);
    db.prepare("DELETE FROM cancellation_requests WHERE service_id = ?1 AND applied_at IS NULL").bind(1, s.id).run();
    if (db.changes() == 0) fail(ErrorKind::not_found, "service " + std::to_string(s.id) + " has no open cancellation request");
    audit(db, repo.now_text(), "service.cancel_withdraw", s.client_id, "service " + std::to_string(s.id), actor);
    tx.commit();
}

}  // namespace provisio
