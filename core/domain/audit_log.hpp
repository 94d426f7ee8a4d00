// The audit log: who looked at or changed something sensitive (a full card number, a card, a
// password), when, and for which client. Rows are only ever added.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

class Database;

struct AuditEntry {
    int64_t id = 0;
    std::string at, actor, action;
    std::optional<int64_t> client_id;
    std::string detail;
};

// `actor`: who did it; empty for the system user running this command (current_actor()).
void audit(Database &db, const std::string &now, const std::string &action, std::optional<int64_t> client_id,
           const std::string &detail = {}, const std::string &actor = {});
std::vector<AuditEntry> audit_entries(Database &db, std::optional<int64_t> client_id, int limit);

// The system user running this command ($SUDO_USER when under sudo), for the log.
std::string current_actor();

}  // namespace provisio
