#include "usage/autosuspend.hpp"

#include "domain/client_fields.hpp"
#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "money/money.hpp"
#include "notify/outbox.hpp"
#include "provisioning/parallel_calls.hpp"
#include "store/database.hpp"

#include <optional>
#include <set>
#include <sstream>

namespace provisio::usage {

namespace {

struct Candidate {
    int64_t client_id = 0;
    std::string name;
    Money credit, due;
    std::string manual, forced;                   // forced: the operator's "VoIP Suspended" (None when autosuspend set it)
    bool state_shown = false;                     // "VoIP Suspended" = Yes was set by autosuspend to show its state
    std::vector<int64_t> active, auto_suspended;  // VoIP services
};

std::vector<int64_t> ids(const std::string &list) {
    std::vector<int64_t> out;
    std::istringstream in(list);
    for (std::string id; std::getline(in, id, ',');) out.push_back(std::stoll(id));
    return out;
}

std::string id_list(const std::vector<int64_t> &v) {
    std::string out;
    for (const int64_t id : v) out += (out.empty() ? "" : ", ") + std::to_string(id);
    return out;
}

// Which clients a sweep looks at: every one on a business day's first run (invoices fall due
// and auto-suspend overrides run out by the date alone), after a change that can move any
// client, and after a sweep that did not finish; otherwise the clients marked as changed since
// the last sweep (the triggers of schema migration 21 mark them). The marks are taken when the
// sweep starts: a change made while it runs is marked again for the next one.
struct SweepScope {
    bool full = true;
    int64_t full_asked = 0;
    std::string only;  // the changed clients as a JSON array, when not full
};

SweepScope take_scope(Database &db, const std::string &today, bool dry_run) {
    SweepScope scope;
    if (dry_run) return scope;  // a dry run shows everything that would change, and takes nothing
    Transaction tx(db);
    auto state = db.prepare("SELECT full_on, full_asked, full_done, running FROM autosuspend_sweeps WHERE singleton = 1");
    if (!state.step()) fail(ErrorKind::storage, "the autosuspend sweep state (table autosuspend_sweeps) is missing its row");
    scope.full_asked = state.int64(1);
    scope.full = state.text(0) != today || state.int64(1) > state.int64(2) || state.int64(3) != 0;
    if (!scope.full) {
        auto changed = db.prepare("SELECT json_group_array(client_id) FROM autosuspend_changes");
        scope.only = changed.step() ? changed.text(0) : "[]";
    }
    db.exec("DELETE FROM autosuspend_changes");
    db.exec("UPDATE autosuspend_sweeps SET running = 1 WHERE singleton = 1");
    tx.commit();
    return scope;
}

// Closes the sweep; `again` are clients whose calls failed, looked at again next run as every
// run once did.
void finish_scope(Database &db, const SweepScope &scope, const std::string &today, const std::set<int64_t> &again) {
    Transaction tx(db);
    for (const int64_t client : again)
        db.prepare("INSERT OR IGNORE INTO autosuspend_changes (client_id) VALUES (?1)").bind(1, client).run();
    if (scope.full)
        db.prepare("UPDATE autosuspend_sweeps SET running = 0, full_on = ?1, full_done = ?2 WHERE singleton = 1")
            .bind(1, today).bind(2, scope.full_asked).run();
    else
        db.exec("UPDATE autosuspend_sweeps SET running = 0 WHERE singleton = 1");
    tx.commit();
}

// The VoIP clients (all, or those in `only`) and what autosuspend needs of each, in one pass.
std::vector<Candidate> candidates(Database &db, const ClientField &has, const std::optional<ClientField> &manual,
                                  const std::optional<ClientField> &forced, const std::string &today, const SweepScope &scope) {
    auto q = db.prepare(std::string(
        "SELECT c.id, c.first_name || CASE WHEN c.last_name = '' THEN '' ELSE ' ' || c.last_name END, c.credit_micros, "
        " (SELECT COALESCE(SUM(i.total_micros - i.credit_micros - i.paid_micros), 0) FROM invoices i "
        "  WHERE i.client_id = c.id AND i.status = 'Unpaid' AND i.due_date <= ?1), "
        " COALESCE(m.value, ?5), CASE WHEN f.set_by = ?7 THEN ?6 ELSE COALESCE(f.value, ?6) END, "
        " COALESCE(f.set_by = ?7, 0), "
        " (SELECT group_concat(s.id) FROM services s JOIN voip_packages p ON p.product_id = s.product_id "
        "  WHERE s.client_id = c.id AND s.status = 'Active' "
        "  AND (s.autosuspend_override IS NULL OR (s.autosuspend_override <> 'never' AND s.autosuspend_override <= ?1))), "
        " (SELECT group_concat(s.id) FROM services s JOIN voip_packages p ON p.product_id = s.product_id "
        "  WHERE s.client_id = c.id AND s.status = 'Suspended' AND s.suspended_by = ?7) "
        "FROM clients c "
        "LEFT JOIN client_field_values h ON h.client_id = c.id AND h.field_id = ?2 "
        "LEFT JOIN client_field_values m ON m.client_id = c.id AND m.field_id = ?3 "
        "LEFT JOIN client_field_values f ON f.client_id = c.id AND f.field_id = ?4 "
        "WHERE COALESCE(h.value, ?8) = 'Yes' ") + (scope.full ? "" : "AND c.id IN (SELECT value FROM json_each(?9)) ") + "ORDER BY c.id");
    q.bind(1, today).bind(2, has.id).bind(3, manual ? manual->id : 0).bind(4, forced ? forced->id : 0)
        .bind(5, manual ? manual->default_value : "No").bind(6, forced ? forced->default_value : "None")
        .bind(7, autosuspend_task).bind(8, has.default_value);
    if (!scope.full) q.bind(9, scope.only);
    std::vector<Candidate> out;
    while (q.step()) {
        Candidate c;
        c.client_id = q.int64(0);
        c.name = q.text(1);
        c.credit = Money::from_micros(q.int64(2));
        c.due = Money::from_micros(q.int64(3));
        c.manual = q.text(4);
        c.forced = q.text(5);
        c.state_shown = q.int64(6) != 0;
        c.active = ids(q.text(7));
        c.auto_suspended = ids(q.text(8));
        out.push_back(std::move(c));
    }
    return out;
}

// Whether the client is out of credit: at or below zero, or owing more than it holds.
bool out_of_credit(const Candidate &c) { return c.credit <= Money() || c.due > c.credit; }

// Whether the client's VoIP services should be suspended, and why.
std::pair<bool, std::string> decide(const Candidate &c) {
    if (c.forced == "No") return {false, "VoIP Suspended = No (exempt)"};
    if (c.forced == "Yes") return {true, "VoIP Suspended = Yes"};
    if (c.manual == "Yes") return {true, "Manual VoIP Suspend = Yes"};
    if (c.credit <= Money()) return {true, "credit " + c.credit.to_string() + " is not above zero"};
    if (c.due > c.credit)
        return {true, "invoices due " + c.due.to_string() + " exceed the credit " + c.credit.to_string()};
    return {false, "credit " + c.credit.to_string() + ", nothing owing beyond it"};
}

// "VoIP Suspended" shows the autosuspension state: Yes (set by autosuspend, so not an
// override) while autosuspend holds any of the client's services suspended, back to None
// (no value) when it holds none. An operator's own value is never touched.
class SuspendedState {
public:
    SuspendedState(Database &db, const std::optional<ClientField> &field) : db_(db), field_(field) {}
    void show_suspended(int64_t client) {
        if (!field_) return;
        db_.prepare("INSERT INTO client_field_values (client_id, field_id, value, set_by) VALUES (?1, ?2, 'Yes', ?3) "
                    "ON CONFLICT (client_id, field_id) DO UPDATE SET value = 'Yes', set_by = ?3 "
                    "WHERE client_field_values.value = 'None'")
            .bind(1, client).bind(2, field_->id).bind(3, autosuspend_task)
            .run();
    }
    // Clears the shown state once autosuspend holds none of the client's services.
    void show_released(int64_t client) {
        if (!field_) return;
        auto held = db_.prepare("SELECT 1 FROM services WHERE client_id = ?1 AND status = 'Suspended' AND suspended_by = ?2");
        held.bind(1, client).bind(2, autosuspend_task);
        if (held.step()) return;
        db_.prepare("DELETE FROM client_field_values WHERE client_id = ?1 AND field_id = ?2 AND set_by = ?3")
            .bind(1, client).bind(2, field_->id).bind(3, autosuspend_task)
            .run();
    }

private:
    Database &db_;
    const std::optional<ClientField> &field_;
};

void sweep(Repository &repo, const ModuleHost &host, Quarantine &quarantine, Date today, bool dry_run, int workers,
           const AutoTopUp &top_up, const SweepScope &scope, AutosuspendReport &report, std::set<int64_t> &again);

}  // namespace

AutosuspendReport run_autosuspend(Repository &repo, const ModuleHost &host, Quarantine &quarantine, Date today, bool dry_run,
                                  int workers, const AutoTopUp &top_up) {
    AutosuspendReport report;
    Database &db = repo.database();
    const std::string day = format_date(today);
    const SweepScope scope = take_scope(db, day, dry_run);
    report.full_sweep = scope.full;
    std::set<int64_t> again;
    sweep(repo, host, quarantine, today, dry_run, workers, top_up, scope, report, again);
    if (!dry_run) finish_scope(db, scope, day, again);
    return report;
}

namespace {

void sweep(Repository &repo, const ModuleHost &host, Quarantine &quarantine, Date today, bool dry_run, int workers,
           const AutoTopUp &top_up, const SweepScope &scope, AutosuspendReport &report, std::set<int64_t> &again) {
    Database &db = repo.database();
    ClientFields fields(db);
    const auto has = fields.find(voip_field::has_voip);
    if (!has) {
        report.lines.push_back(std::string("no client field '") + voip_field::has_voip +
                               "': no client has VoIP autosuspend (provisio field add-voip)");
        return;
    }
    const std::string now = repo.now_text();
    const auto suspended_field = fields.find(voip_field::suspended);
    auto all = candidates(db, *has, fields.find(voip_field::manual_suspend), suspended_field, format_date(today), scope);
    report.clients_checked = static_cast<int64_t>(all.size());
    SuspendedState state(db, suspended_field);
    if (!dry_run && suspended_field) {
        // Bring the shown state in line first: services an operator released or suspended by
        // hand since the last run, a database from before the state was kept.
        Transaction tx(db);
        for (const Candidate &c : all) {
            if (!c.auto_suspended.empty() && !c.state_shown) state.show_suspended(c.client_id);
            if (c.auto_suspended.empty() && c.state_shown) state.show_released(c.client_id);
        }
        tx.commit();
    }

    struct Planned {
        size_t client;   // index into all
        std::string why;
    };
    Provisioner provisioner(repo, host, today);
    provisioner.contain(quarantine);
    std::vector<PreparedCall> calls;
    std::vector<Planned> plan;  // parallel to calls
    for (size_t i = 0; i < all.size(); ++i) {
        Candidate &c = all[i];
        if (top_up && !dry_run && c.forced != "Yes" && c.forced != "No" && c.manual != "Yes") {
            TopUpResult t = top_up(c.client_id, c.credit, c.due);
            if (!t.line.empty()) report.lines.push_back(std::move(t.line));
            if (!t.error.empty()) report.errors.push_back(std::move(t.error));
            if (t.credit) c.credit = *t.credit;
        }
        const auto [suspend, why] = decide(c);
        const auto &services = suspend ? c.active : c.auto_suspended;
        if (services.empty()) continue;
        const std::string who = "client " + std::to_string(c.client_id) + " (" + c.name + ")";
        if (dry_run) {
            report.lines.push_back(std::string("would ") + (suspend ? "suspend" : "unsuspend") + " service" +
                                   (services.size() == 1 ? " " : "s ") + id_list(services) + " of " + who + ": " + why);
            continue;
        }
        for (const int64_t service : services) {
            try {
                calls.push_back(provisioner.prepare(service, suspend ? Action::suspend : Action::unsuspend,
                                                    {suspend ? "VoIP autosuspend: " + why : "", std::nullopt, autosuspend_task}));
                plan.push_back({i, why});
            } catch (const Error &e) {
                report.errors.push_back("service " + std::to_string(service) + " of " + who + ": " + e.what());
                again.insert(c.client_id);
            }
        }
    }
    if (calls.empty()) return;

    std::map<int64_t, int> limits;
    for (const auto &call : calls)
        if (call.service.server_id && !limits.count(*call.service.server_id))
            limits[*call.service.server_id] = static_cast<int>(repo.get_server(*call.service.server_id).max_concurrent);

    std::map<size_t, bool> mailed;  // client index → its "VoIP Zero Balance" is queued
    // Outcomes that finish while the previous ones are being written are written together: one
    // transaction per burst instead of one per call (a 2,000-call sweep spent most of its time in
    // commits). A status change and its client's e-mail still commit together.
    run_in_parallel(provisioner, calls, workers, limits, [&](FinishedCalls &finished) {
        Transaction tx(db);
        for (auto &[index, outcome] : finished) {
            const PreparedCall &call = calls[index];
            const Candidate &c = all[plan[index].client];
            const bool suspend = call.action == Action::suspend;
            const std::string what = "service " + std::to_string(call.service.id) + " of client " + std::to_string(c.client_id) + " (" +
                                     c.name + ") " + (suspend ? "suspended" : "unsuspended") + ": " + plan[index].why;
            const LifecycleResult r = provisioner.complete(call, outcome);
            if (r.status != PROVISIO_OK) {
                report.errors.push_back(what + " — failed" + (r.parked ? " (parked)" : r.queue_id ? " (queued for retry)" : "") +
                                        ": " + r.message);
                again.insert(c.client_id);
                continue;
            }
            (suspend ? report.suspended : report.unsuspended)++;
            report.lines.push_back(what);
            if (suspend) state.show_suspended(c.client_id);
            else state.show_released(c.client_id);
            // "VoIP Zero Balance" tells a client it ran out of credit: not for a suspension an
            // operator asked for (Manual VoIP Suspend, VoIP Suspended = Yes) while in credit.
            if (suspend && out_of_credit(c) && !mailed[plan[index].client]) {
                mailed[plan[index].client] = true;
                const Queued q = queue_mail(db, now, zero_balance_template, c.client_id, {},
                                            "voip-zero-balance:" + std::to_string(c.client_id) + ":" + now);
                if (q.id) report.emails++;
                else report.errors.push_back("client " + std::to_string(c.client_id) + ": no \"" + zero_balance_template + "\" e-mail: " + q.why_not);
            }
        }
        tx.commit();
    });
}

}  // namespace

}  // namespace provisio::usage
