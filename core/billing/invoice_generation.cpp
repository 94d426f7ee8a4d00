#include "billing/invoice_generation.hpp"

#include "billing/cycles.hpp"
#include "billing/invoices.hpp"
#include "store/database.hpp"
#include "store/wal_checkpointer.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <unordered_set>

namespace provisio {

namespace {

struct Billable {
    std::string type;  // service or addon
    int64_t id = 0;
    int64_t client_id = 0;
    std::string next_invoice_date;
    unsigned anchor_day = 1;
    std::string cycle;
    Money amount;
    std::string label;
    bool separate = false;
};

// One client's work: its lines grouped by due date, and where each item's next invoice date
// ends up.
struct ClientBatch {
    int64_t client_id = 0;
    bool separate = false;
    std::map<std::string, std::vector<InvoiceLine>> by_due_date;
    std::vector<std::pair<const Billable *, std::optional<std::string>>> advances;
};

constexpr const char *service_query =
    "SELECT 'service', s.id, s.client_id, s.next_invoice_date, s.anchor_day, s.billing_cycle, s.recurring_micros, "
    "p.name || CASE WHEN s.domain <> '' THEN ' - ' || s.domain ELSE '' END, c.separate_invoices "
    "FROM services s JOIN products p ON p.id = s.product_id JOIN clients c ON c.id = s.client_id "
    "WHERE (s.status IN ('Active', 'Suspended') OR (?3 AND s.status = 'Pending')) AND s.billing_cycle <> 'free' AND s.next_invoice_date IS NOT NULL "
    "AND s.next_invoice_date <= ?1 AND (?2 IS NULL OR s.id = ?2) AND ?4 IS NULL AND s.client_id >= ?5 AND s.client_id < ?6 "
    "AND NOT EXISTS (SELECT 1 FROM cancellation_requests r WHERE r.service_id = s.id AND r.applied_at IS NULL) "
    "UNION ALL "
    "SELECT 'addon', a.id, s.client_id, a.next_invoice_date, a.anchor_day, a.billing_cycle, a.price_micros, "
    "a.name || ' (addon to ' || p.name || CASE WHEN s.domain <> '' THEN ' - ' || s.domain ELSE '' END || ')', c.separate_invoices "
    "FROM service_addons a JOIN services s ON s.id = a.service_id JOIN products p ON p.id = s.product_id "
    "JOIN clients c ON c.id = s.client_id "
    "WHERE a.status = 'Active' AND a.billing_cycle <> 'free' AND a.next_invoice_date IS NOT NULL "
    "AND a.next_invoice_date <= ?1 AND ?2 IS NULL AND (?4 IS NULL OR a.id = ?4) AND s.client_id >= ?5 AND s.client_id < ?6 "
    "AND NOT EXISTS (SELECT 1 FROM cancellation_requests r WHERE r.service_id = s.id AND r.applied_at IS NULL) "
    "ORDER BY 3, 4, 1 DESC, 2";  // per client and date: services first, then addons

void plan_item(ClientBatch &batch, const Billable &item, const GenerationOptions &o, const std::string &horizon,
               GenerationReport &report) {
    std::optional<std::string> next = item.next_invoice_date;
    int periods = 0;
    while (next && *next <= horizon) {
        if (periods == o.max_periods_per_item) {
            report.notes.push_back(item.type + " " + std::to_string(item.id) + ": stopped after " + std::to_string(periods) +
                                   " periods; the rest are invoiced on the next run");
            break;
        }
        const Date due = parse_date(*next, "next invoice date");
        InvoiceLine line;
        line.item_type = item.type;
        line.item_id = item.id;
        line.amount = item.amount;
        line.due_date = *next;
        line.natural_key = item.type + ":" + std::to_string(item.id) + ":" + *next;
        if (cycle_recurs(item.cycle)) {
            const Date following = next_due_date(due, item.cycle, item.anchor_day);
            line.period_end = format_date(add_days(following, -1));
            line.description = item.label + " (" + *next + " - " + *line.period_end + ")";
            next = format_date(following);
        } else {
            line.description = item.label;
            next.reset();  // one-time: invoiced once
        }
        batch.by_due_date[*line.due_date].push_back(std::move(line));
        ++periods;
        if (o.early) break;  // early invoicing covers exactly the next due date
    }
    if (periods > 0) batch.advances.emplace_back(&item, next);
}


void write_due(Database &db, Invoicing &invoicing, const std::vector<Billable> &due, const GenerationOptions &o,
               const std::string &horizon, GenerationReport &report);

}  // namespace

GenerationReport generate_invoices(Database &db, const std::string &now, const GenerationOptions &o) {
    GenerationReport report;
    const std::string horizon = format_date(add_days(o.today, o.early ? 36600 : o.days_before));
    Invoicing invoicing(db, now, o.today);

    // The due items are read a range of client ids at a time, then written: memory holds one
    // range's items however many are due (it grew by about 0.36 KiB per due service when all
    // were read first), and SQLite is not written while a read cursor over the same tables is
    // open. One item asked for by id is one range.
    int64_t last_client = INT64_MAX - 1;
    int64_t span = INT64_MAX;
    // A whole run commits a range at a time; the log those commits grow is copied into the
    // database on the other core (it was a third of the run's time on the writing thread).
    std::optional<WalCheckpointer> checkpointer;
    if (!o.service_id && !o.addon_id) {
        auto q = db.prepare("SELECT COALESCE(max(id), 0) FROM clients");
        last_client = q.step() ? q.int64(0) : 0;
        span = std::max(1, o.clients_per_transaction);
        checkpointer.emplace(db);
    }
    std::vector<Billable> due;
    for (int64_t first = 0; first <= last_client;) {
        const int64_t end = last_client - first < span ? last_client + 1 : first + span;
        due.clear();
        {
            auto q = db.prepare(service_query);
            q.bind(1, horizon).bind(2, o.service_id).bind(3, int64_t{o.early}).bind(4, o.addon_id).bind(5, first).bind(6, end);
            while (q.step()) {
                Billable b;
                b.type = q.text(0);
                b.id = q.int64(1);
                b.client_id = q.int64(2);
                b.next_invoice_date = q.text(3);
                b.anchor_day = q.is_null(4) ? static_cast<unsigned>(parse_date(b.next_invoice_date, "date").day())
                                            : static_cast<unsigned>(q.int64(4));
                b.cycle = q.text(5);
                b.amount = Money::from_micros(q.int64(6));
                b.label = q.text(7);
                b.separate = q.int64(8) != 0;
                due.push_back(std::move(b));
            }
        }
        write_due(db, invoicing, due, o, horizon, report);
        first = end;
    }
    return report;
}

namespace {

// A JSON array of strings for json_each(). The strings are natural keys and dates provisio
// made (letters, digits, ':' and '-'), so nothing needs escaping.
std::string json_strings(const std::vector<std::string> &values) {
    std::string out = "[";
    for (const auto &v : values) {
        if (out.size() > 1) out += ',';
        out += '"' + v + '"';
    }
    return out + ']';
}

// Each item's next invoice date, one statement per table: statements per line, not rows, were
// most of a renewal run's cost.
void advance(Database &db, const std::vector<ClientBatch> &batches) {
    for (const char *type : {"service", "addon"}) {
        std::string pairs = "[";
        for (const auto &batch : batches)
            for (const auto &[item, next] : batch.advances) {
                if (item->type != type) continue;
                if (pairs.size() > 1) pairs += ',';
                pairs += '[' + std::to_string(item->id) + ',' + (next ? '"' + *next + '"' : std::string("null")) + ']';
            }
        if (pairs.size() == 1) continue;
        const std::string table = std::string(type) == "service" ? "services" : "service_addons";
        db.prepare("UPDATE " + table + " SET next_invoice_date = j.value ->> 1 FROM json_each(?1) j WHERE " + table +
                   ".id = j.value ->> 0")
            .bind(1, pairs + ']')
            .run();
    }
}

void write_due(Database &db, Invoicing &invoicing, const std::vector<Billable> &due, const GenerationOptions &o,
               const std::string &horizon, GenerationReport &report) {
    size_t i = 0;
    std::vector<ClientBatch> batches;
    while (i < due.size()) {
        batches.clear();
        for (int clients = 0; clients < o.clients_per_transaction && i < due.size(); ++clients) {
            ClientBatch &batch = batches.emplace_back();
            batch.client_id = due[i].client_id;
            batch.separate = due[i].separate;
            size_t j = i;
            while (j < due.size() && due[j].client_id == batch.client_id) ++j;
            for (size_t k = i; k < j; ++k) plan_item(batch, due[k], o, horizon, report);
            i = j;
        }
        if (o.dry_run) {
            for (const auto &batch : batches)
                for (const auto &[date, lines] : batch.by_due_date) {
                    report.invoices += batch.separate ? static_cast<int>(lines.size()) : 1;
                    report.lines += static_cast<int>(lines.size());
                }
            continue;
        }
        Transaction tx(db);
        // Lines already invoiced (a half-finished earlier run cannot leave any, but an operator's
        // edit of a next invoice date can) are skipped, not duplicated.
        std::vector<std::string> keys;
        for (const auto &batch : batches)
            for (const auto &[date, lines] : batch.by_due_date)
                for (const auto &l : lines) keys.push_back(*l.natural_key);
        std::unordered_set<std::string> invoiced;
        {
            auto q = db.prepare("SELECT j.value FROM json_each(?1) j WHERE EXISTS "
                                "(SELECT 1 FROM invoice_items t WHERE t.natural_key = j.value)");
            q.bind(1, json_strings(keys));
            while (q.step()) invoiced.insert(q.text(0));
        }
        for (auto &batch : batches)
            for (auto &[date, lines] : batch.by_due_date) {
                std::vector<InvoiceLine> fresh;
                for (auto &l : lines)
                    if (!invoiced.count(*l.natural_key)) fresh.push_back(std::move(l));
                std::vector<std::vector<InvoiceLine>> invoices;
                if (batch.separate)
                    for (auto &l : fresh) invoices.push_back({std::move(l)});
                else if (!fresh.empty())
                    invoices.push_back(std::move(fresh));
                for (const auto &inv_lines : invoices) {
                    const Invoice made = invoicing.create(batch.client_id, "renewal", date, inv_lines);
                    report.invoices++;
                    report.lines += static_cast<int>(inv_lines.size());
                    report.invoice_ids.push_back(made.id);
                    if (made.status == invoice_status::paid) report.paid_by_credit++;
                }
            }
        advance(db, batches);
        tx.commit();
    }
}

}  // namespace

}  // namespace provisio
