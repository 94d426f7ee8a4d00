#include "ledger/verify.hpp"

#include "foundation/clock.hpp"
#include "money/money.hpp"
#include "store/database.hpp"
#include "store/id_sequences.hpp"
#include "usage/service_rating.hpp"

namespace provisio {

namespace {

// Runs `sql`, whose rows are (id, detail...), and adds `describe(row)` for each.
template <class Describe>
void collect(Database &db, const char *sql, std::vector<std::string> &out, Describe describe) {
    auto q = db.prepare(sql);
    while (q.step()) out.push_back(describe(q));
}

std::string money(int64_t micros) { return Money::from_micros(micros).to_string(); }

}  // namespace

std::vector<std::string> verify_database(Database &db) {
    std::vector<std::string> problems;
    collect(db,
            "SELECT c.id, c.credit_micros, COALESCE((SELECT SUM(amount_micros) FROM credit_ledger l WHERE l.client_id = c.id), 0) AS s "
            "FROM clients c WHERE c.credit_micros <> COALESCE((SELECT SUM(amount_micros) FROM credit_ledger l WHERE l.client_id = c.id), 0)",
            problems, [](Statement &q) {
                return "client " + std::to_string(q.int64(0)) + ": credit balance " + money(q.int64(1)) +
                       " but its ledger sums to " + money(q.int64(2));
            });
    collect(db,
            "SELECT r.id, r.amount_micros, e.id, e.amount_micros FROM credit_ledger r JOIN credit_ledger e ON e.id = r.reverses_id "
            "WHERE r.amount_micros <> -e.amount_micros OR r.client_id <> e.client_id",
            problems, [](Statement &q) {
                return "credit entry " + std::to_string(q.int64(0)) + " (" + money(q.int64(1)) + ") does not undo entry " +
                       std::to_string(q.int64(2)) + " (" + money(q.int64(3)) + ")";
            });
    struct Orphan {
        const char *table, *column, *target;
    };
    for (const Orphan &o : {Orphan{"credit_ledger", "client_id", "clients"}, Orphan{"invoices", "client_id", "clients"},
                            Orphan{"invoice_items", "invoice_id", "invoices"}, Orphan{"services", "client_id", "clients"},
                            Orphan{"services", "product_id", "products"}, Orphan{"services", "server_id", "servers"},
                            Orphan{"service_settings", "service_id", "services"},
                            Orphan{"service_custom_fields", "service_id", "services"},
                            Orphan{"service_module_state", "service_id", "services"},
                            Orphan{"product_settings", "product_id", "products"},
                            Orphan{"server_options", "server_id", "servers"},
                            Orphan{"service_addons", "service_id", "services"},
                            Orphan{"module_queue", "service_id", "services"}}) {
        const std::string sql = std::string("SELECT rowid, ") + o.column + " FROM " + o.table + " t WHERE " + o.column +
                                " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + o.target + " x WHERE x.id = t." + o.column + ")";
        collect(db, sql.c_str(), problems, [&](Statement &q) {
            return std::string(o.table) + " row " + std::to_string(q.int64(0)) + " points at " + o.target + " " +
                   std::to_string(q.int64(1)) + ", which does not exist";
        });
    }
    collect(db,
            "SELECT i.id, i.subtotal_micros, COALESCE((SELECT SUM(amount_micros) FROM invoice_items t WHERE t.invoice_id = i.id), 0) "
            "FROM invoices i WHERE i.subtotal_micros <> COALESCE((SELECT SUM(amount_micros) FROM invoice_items t WHERE t.invoice_id = i.id), 0)",
            problems, [](Statement &q) {
                return "invoice #" + std::to_string(q.int64(0)) + ": subtotal " + money(q.int64(1)) +
                       " but its lines sum to " + money(q.int64(2));
            });
    collect(db,
            "SELECT id, total_micros, subtotal_micros, tax1_micros + tax2_micros FROM invoices "
            "WHERE total_micros <> subtotal_micros + CASE WHEN tax_inclusive <> 0 THEN 0 ELSE tax1_micros + tax2_micros END",
            problems, [](Statement &q) {
                return "invoice #" + std::to_string(q.int64(0)) + ": total " + money(q.int64(1)) + " is not its lines' " + money(q.int64(2)) +
                       " with its tax " + money(q.int64(3));
            });
    collect(db,
            "SELECT id, total_micros, credit_micros + paid_micros FROM invoices "
            "WHERE status = 'Paid' AND credit_micros + paid_micros < total_micros",
            problems, [](Statement &q) {
                return "invoice #" + std::to_string(q.int64(0)) + " is Paid but only " + money(q.int64(2)) + " of " +
                       money(q.int64(1)) + " was applied to it";
            });
    collect(db,
            "SELECT id, billing_cycle FROM services WHERE status NOT IN ('Terminated', 'Cancelled') AND billing_cycle <> 'free' "
            "AND (next_due_date IS NULL OR (next_invoice_date IS NULL AND billing_cycle <> 'onetime'))",
            problems, [](Statement &q) {
                return "service " + std::to_string(q.int64(0)) + " is billed " + q.text(1) +
                       " but has no next due date, so it is never invoiced (provisio service set " + std::to_string(q.int64(0)) +
                       " --next-due YYYY-MM-DD)";
            });
    {
        auto kept = db.prepare("SELECT service_id, from_at, to_at, country_code, seconds FROM usage_period_seconds");
        while (kept.step()) {
            const int64_t summed = usage::stored_domestic_seconds(db, kept.int64(0), kept.text(1), kept.text(2), kept.text(3));
            if (summed == kept.int64(4)) continue;
            problems.push_back("service " + std::to_string(kept.int64(0)) + ": the billing period " + kept.text(1) + " to " +
                               kept.text(2) + " keeps " + std::to_string(kept.int64(4)) +
                               " domestic billed seconds, but its calls add up to " + std::to_string(summed) +
                               " (free minutes and tiers are priced from the kept figure; deleting its row in "
                               "usage_period_seconds has the next import add the calls up again)");
        }
    }
    collect(db,
            "SELECT id, start_at FROM cdrs WHERE id / 1000000 IS NOT unixepoch(start_at) LIMIT 20", problems, [](Statement &q) {
                return "call " + std::to_string(q.int64(0)) + " starts at " + q.text(1) +
                       ", but a call's id must be its start second × 1,000,000 + its place in that second (was it written "
                       "by hand?)";
            });
    collect(db,
            "WITH summed AS (SELECT service_id, id / 1000000 / 900 * 900 AS quarter_at, count(*) AS calls, "
            "sum(billed_seconds) AS billed_seconds, sum(cost_micros) AS cost_micros FROM cdrs WHERE status <> 'suppressed' GROUP BY 1, 2) "
            "SELECT COALESCE(k.service_id, s.service_id), COALESCE(k.quarter_at, s.quarter_at), "
            "COALESCE(k.calls, 0), COALESCE(k.billed_seconds, 0), COALESCE(k.cost_micros, 0), "
            "COALESCE(s.calls, 0), COALESCE(s.billed_seconds, 0), COALESCE(s.cost_micros, 0) "
            "FROM cdr_quarters k FULL JOIN summed s ON s.service_id = k.service_id AND s.quarter_at = k.quarter_at "
            "WHERE COALESCE(k.calls, 0) <> COALESCE(s.calls, 0) OR COALESCE(k.billed_seconds, 0) <> COALESCE(s.billed_seconds, 0) "
            "OR COALESCE(k.cost_micros, 0) <> COALESCE(s.cost_micros, 0) LIMIT 20",
            problems, [](Statement &q) {
                auto totals = [&](int first) {
                    return std::to_string(q.int64(first)) + " call(s), " + std::to_string(q.int64(first + 1)) + " billed seconds, cost " + money(q.int64(first + 2));
                };
                return "service " + std::to_string(q.int64(0)) + ": the usage totals kept for the quarter hour from " +
                       format_utc(TimePoint(std::chrono::seconds(q.int64(1)))) + " say " + totals(2) + ", but its calls add up to " +
                       totals(5) + " (usage summaries read the kept totals)";
            });
    for (std::string &p : check_kept_references(db)) problems.push_back(std::move(p));
    return problems;
}

}  // namespace provisio
