#include "usage/collection.hpp"

#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "modulehost/module_host.hpp"
#include "provisioning/call_log.hpp"
#include "provisioning/lifecycle.hpp"
#include "store/database.hpp"

namespace provisio::usage {

CollectionReport collect_usage(Database &db, Repository &repo, const ModuleHost &host, Quarantine &quarantine,
                               const BusinessZone &zone, const std::string &now, int64_t service_id, int max_calls,
                               uint32_t batch) {
    CollectionReport out;
    const Service service = repo.get_service(service_id);
    const Product product = repo.get_product(service.product_id);
    const LoadedModule *module = host.find(product.module);
    if (!module || !module->description.functions.collect_usage)
        fail(ErrorKind::invalid_input, "service " + std::to_string(service_id) + "'s module " +
                                           (product.module.empty() ? std::string("(none)") : "'" + product.module + "'") +
                                           " does not collect usage; import its calls with provisio cdr import");
    Provisioner provisioner(repo, host);
    CallInput input = provisioner.call_input(service, *module, {});
    std::string since = service.created_at;  // the first collection: calls since the service was provisioned
    {
        auto q = db.prepare("SELECT activated_on FROM services WHERE id = ?1 AND activated_on IS NOT NULL");
        q.bind(1, service_id);
        if (q.step()) since = q.text(0) + "T00:00:00Z";
    }
    {
        auto q = db.prepare("SELECT cursor FROM usage_cursors WHERE service_id = ?1");
        q.bind(1, service_id);
        if (q.step()) out.cursor = q.text(0);
    }
    for (int round = 0; round < max_calls; ++round) {
        provisio_usage_request request{};
        request.struct_size = sizeof request;
        request.max_records = batch;
        request.cursor = {out.cursor.data(), out.cursor.size()};
        request.since = {since.data(), since.size()};
        const std::optional<CallOutcome> made =
            quarantine.call(*module, input, [&] { return host.invoke_usage(*module, input, request); });
        if (!made) {
            out.error = quarantine.why_skipped(module->name());
            break;
        }
        const CallOutcome &outcome = *made;
        ++out.module_calls;
        auto refuse = [&](const std::string &why) {
            out.error = why;
            CallOutcome logged = outcome;
            logged.status = PROVISIO_ERROR;
            logged.message = why;
            record_call(db, now, module->name(), service_id, service.server_id, "collect_usage", logged);
        };
        if (outcome.status != PROVISIO_OK) {
            refuse(outcome.message);
            break;
        }
        if (!outcome.usage_cursor) {
            refuse(outcome.usage.empty() ? "the module set no cursor"
                                         : "the module returned " + std::to_string(outcome.usage.size()) +
                                               " record(s) but no cursor; nothing stored");
            break;
        }
        const std::string &next = *outcome.usage_cursor;
        if (next < out.cursor) {
            refuse("the module's cursor '" + next + "' goes back before '" + out.cursor + "'; nothing stored");
            break;
        }
        Transaction tx(db);  // the records and the cursor together
        UsageRecorder recorder(db, repo, zone, now, service_id, module->name());
        for (const CollectedUsage &u : outcome.usage) {
            const std::string where = "call " + (u.id.empty() ? std::string("(no id)") : u.id);
            std::optional<CallDetail> call;
            try {
                const TimePoint start = parse_instant(u.start, "start");
                std::optional<TimePoint> answer;
                if (!u.answer.empty()) answer = parse_instant(u.answer, "answer");
                const TimePoint end = parse_instant(u.end, "end");
                call = checked_call(u.id, u.direction, u.caller, u.destination_number, u.caller_destination, start, answer, end, u.billsec,
                                    u.duration, u.hangup_cause);
            } catch (const Error &e) {
                recorder.reject(where, e.what());
            }
            if (call) recorder.add(std::move(*call), where);  // a storage failure stops the collection: nothing of it is kept
        }
        recorder.flush();
        db.prepare("INSERT INTO usage_cursors (service_id, module, cursor, collected_at) VALUES (?1, ?2, ?3, ?4) "
                   "ON CONFLICT (service_id) DO UPDATE SET module = excluded.module, cursor = excluded.cursor, "
                   "collected_at = excluded.collected_at")
            .bind(1, service_id).bind(2, module->name()).bind(3, next).bind(4, now).run();
        // What the module keeps between collections (a file's ETag, say) moves with the cursor.
        if (outcome.state_changed) {
            repo.save_module_state(service_id, outcome.state);
            input.state = outcome.state;
        }
        tx.commit();
        const UsageReport &r = recorder.report();
        out.usage.records += r.records;
        out.usage.stored += r.stored;
        out.usage.duplicates += r.duplicates;
        out.usage.cost_micros += r.cost_micros;
        for (const auto &[k, v] : r.by_status) out.usage.by_status[k] += v;
        out.usage.errors.insert(out.usage.errors.end(), r.errors.begin(), r.errors.end());
        out.usage.unrated.insert(out.usage.unrated.end(), r.unrated.begin(), r.unrated.end());
        const bool moved = next != out.cursor;
        out.cursor = next;
        if (!moved || outcome.usage.size() < batch) break;  // caught up
    }
    return out;
}

}  // namespace provisio::usage
