#include "provisioning/call_log.hpp"

#include "store/database.hpp"

#include <algorithm>

namespace provisio {

const char *status_name(provisio_status s) {
    switch (s) {
    case PROVISIO_OK: return "ok";
    case PROVISIO_ERROR: return "error";
    case PROVISIO_RETRYABLE: return "retryable";
    }
    return "error";
}

void record_call(Database &db, const std::string &at, const std::string &module, std::optional<int64_t> service_id,
                 std::optional<int64_t> server_id, const std::string &action, const CallOutcome &outcome) {
    auto ins = db.prepare("INSERT INTO module_calls (at, module, service_id, server_id, action, request, response, status, "
                          "message, duration_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    for (const auto &x : outcome.exchanges)
        ins.reset().bind(1, at).bind(2, module).bind(3, service_id).bind(4, server_id)
            .bind(5, action + ":" + x.action).bind(6, x.request).bind(7, x.response)
            .bind(8, "exchange").bind(9, "").bind(10, int64_t{0}).run();
    ins.reset().bind(1, at).bind(2, module).bind(3, service_id).bind(4, server_id).bind(5, action)
        .bind(6, "").bind(7, "").bind(8, status_name(outcome.status)).bind(9, outcome.message)
        .bind(10, static_cast<int64_t>(outcome.duration.count())).run();
}

std::vector<CallLogEntry> list_calls(Database &db, const CallLogFilter &f) {
    auto q = db.prepare("SELECT id, at, module, service_id, server_id, action, request, response, status, message, duration_us "
                        "FROM module_calls WHERE (?1 IS NULL OR service_id = ?1) AND (?2 IS NULL OR module = ?2) "
                        "ORDER BY id DESC LIMIT ?3");
    q.bind(1, f.service_id).bind(2, f.module).bind(3, int64_t{f.limit});
    std::vector<CallLogEntry> out;
    while (q.step()) {
        CallLogEntry e;
        e.id = q.int64(0);
        e.at = q.text(1);
        e.module = q.text(2);
        e.service_id = q.opt_int64(3);
        e.server_id = q.opt_int64(4);
        e.action = q.text(5);
        e.request = q.text(6);
        e.response = q.text(7);
        e.status = q.text(8);
        e.message = q.text(9);
        e.duration_us = q.int64(10);
        out.push_back(std::move(e));
    }
    std::reverse(out.begin(), out.end());  // oldest first, like a log
    return out;
}

}  // namespace provisio
