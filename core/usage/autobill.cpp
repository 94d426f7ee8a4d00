#include "usage/autobill.hpp"

#include "billing/invoices.hpp"
#include "domain/repository.hpp"
#include "foundation/clock.hpp"
#include "foundation/error.hpp"
#include "ledger/credit_ledger.hpp"
#include "modulehost/module_host.hpp"
#include "money/currency.hpp"
#include "store/database.hpp"
#include "usage/cdrs.hpp"
#include "usage/collection.hpp"

#include <set>

namespace provisio::usage {

namespace {

struct Candidate {
    int64_t service_id, client_id;
    std::string server, mode, module, invoice_period, product;
    bool live;  // Active or Suspended: its module is asked for usage; a terminated one only has its stored calls billed
};

std::string money_text(int64_t micros, int decimals) { return Money::from_micros(micros).to_string(decimals); }

// A service's rated calls with a cost that nothing has billed yet, started in [from, before)
// (UTC text; empty: no bound).
struct Unbilled {
    int64_t calls = 0, cost_micros = 0, last_id = 0;
    std::string first, last;  // start_at of the first and last
};

const std::string unbilled_where =
    "service_id = ?1 AND charge_ref IS NULL AND status = 'rated' AND cost_micros > 0 AND " + cdr_starts_within(2, 3);

Unbilled unbilled(Database &db, int64_t service_id, const std::string &from, const std::string &before) {
    auto q = db.prepare(std::string("SELECT COUNT(*), COALESCE(SUM(cost_micros), 0), COALESCE(MAX(id), 0), COALESCE(MIN(start_at), ''), "
                                    "COALESCE(MAX(start_at), '') FROM cdrs WHERE ") + unbilled_where);
    q.bind(1, service_id).bind(2, from).bind(3, before);
    q.step();
    return {q.int64(0), q.int64(1), q.int64(2), q.text(3), q.text(4)};
}

// Marks the calls `u` counted (none newer than it saw) as billed by `ref`.
void mark_billed(Database &db, int64_t service_id, const std::string &from, const std::string &before, const Unbilled &u,
                 const std::string &ref) {
    db.prepare(std::string("UPDATE cdrs SET charge_ref = ?4 WHERE ") + unbilled_where + " AND id <= ?5")
        .bind(1, service_id).bind(2, from).bind(3, before).bind(4, ref).bind(5, u.last_id).run();
}

// Usage invoice periods: a business day, or a calendar month.
Date period_start(Date day, const std::string &period) {
    return period == "day" ? day : first_of_month(day);
}
Date next_period(Date start, const std::string &period) {
    return period == "day" ? add_days(start, 1) : add_months_anchored(start, 1, 1);
}

// One service's calls for one usage invoice line.
struct UsageCharge {
    const Candidate *service;
    Date period_from, period_to;  // the business days the line covers, inclusive
    std::string from, before;     // the calls' UTC bounds
    Unbilled calls;
    Money amount;
};

std::string period_text(const UsageCharge &c) {
    const std::string a = format_date(c.period_from), b = format_date(c.period_to);
    return a == b ? a : a + " to " + b;
}

// The ended periods' unbilled calls of one service in an invoice mode, oldest first. A period
// whose calls come to less than the minor unit rolls into the next; calls that arrive after
// their period was invoiced get a line of their own.
std::vector<UsageCharge> ended_periods(Database &db, const BusinessZone &zone, const Candidate &c, Date today, int decimals) {
    std::vector<UsageCharge> out;
    const Date current = period_start(today, c.invoice_period);
    const std::string cutoff = format_utc(zone.start_of(current));
    std::string from;  // calls before this are on an earlier line of this run
    for (int guard = 0; guard < 10'000; ++guard) {
        const Unbilled waiting = unbilled(db, c.service_id, from, cutoff);
        if (waiting.calls == 0) break;
        const Date first_period = period_start(zone.date_at(parse_instant(waiting.first, "call start")), c.invoice_period);
        Date end = next_period(first_period, c.invoice_period);
        for (;;) {
            const std::string before = format_utc(zone.start_of(end));
            UsageCharge charge{&c, first_period, add_days(end, -1), from, before, unbilled(db, c.service_id, from, before), {}};
            charge.amount = Money::from_micros(charge.calls.cost_micros).rounded(decimals, Rounding::half_up);
            if (!charge.amount.zero()) {
                out.push_back(std::move(charge));
                from = before;
                break;
            }
            if (!(end < current)) return out;  // what is left waits for more calls
            end = next_period(end, c.invoice_period);
        }
    }
    return out;
}

}  // namespace

AutobillReport run_autobill(Database &db, Repository &repo, const ModuleHost &host, Quarantine &quarantine, const BusinessZone &zone,
                            const std::string &now, const AutobillOptions &options) {
    AutobillReport report;
    std::vector<Candidate> candidates;
    {
        auto q = db.prepare("SELECT s.id, s.client_id, COALESCE(sv.name, '(no server)'), vp.billing_mode, p.module, vp.invoice_period, "
                            "p.name, s.status IN ('Active', 'Suspended') FROM services s "
                            "JOIN products p ON p.id = s.product_id JOIN voip_packages vp ON vp.product_id = p.id "
                            "LEFT JOIN servers sv ON sv.id = s.server_id "
                            "WHERE (s.status IN ('Active', 'Suspended') OR "
                            // A terminated service's last calls are its final bill.
                            "      (s.status IN ('Terminated', 'Cancelled') AND EXISTS (SELECT 1 FROM cdrs c WHERE c.service_id = s.id "
                            "       AND c.charge_ref IS NULL AND c.status = 'rated' AND c.cost_micros > 0))) "
                            "AND (?1 IS NULL OR s.id = ?1) ORDER BY s.id");
        q.bind(1, options.only_service);
        while (q.step()) candidates.push_back({q.int64(0), q.int64(1), q.text(2), q.text(3), q.text(4), q.text(5), q.text(6), q.int64(7) != 0});
    }
    const Date today = zone.date_at(parse_instant(now, "now"));
    std::map<std::string, std::set<int64_t>> billed_clients;
    auto billed = [&](const Candidate &c, const std::string &currency, Money amount) {
        report.services_billed++;
        report.servers[c.server].charged_micros[currency] += amount.micros();
        billed_clients[c.server].insert(c.client_id);
    };
    // Invoice-mode lines, grouped into invoices after every service is collected.
    std::map<std::pair<int64_t, std::string>, std::vector<UsageCharge>> invoices;  // (client, key) → lines

    for (const Candidate &c : candidates) {
        ServerUsage &server = report.servers[c.server];
        const std::string sid = "service " + std::to_string(c.service_id);
        const LoadedModule *module = c.module.empty() ? nullptr : host.find(c.module);
        if (options.collect && module && module->description.functions.collect_usage && c.live) {
            try {
                const CollectionReport r = collect_usage(db, repo, host, quarantine, zone, now, c.service_id);
                server.found += r.usage.records;
                auto count = [&](const char *status) {
                    auto it = r.usage.by_status.find(status);
                    return it == r.usage.by_status.end() ? int64_t{0} : it->second;
                };
                server.rated += count("rated");
                server.unrated += count("unrated");
                server.excluded += count("excluded");
                for (const auto &e : r.usage.errors) report.errors.push_back(sid + ": " + e);
                for (const auto &u : r.usage.unrated) report.errors.push_back(sid + ": unrated " + u);
                if (!r.error.empty()) report.errors.push_back(sid + ": usage collection failed: " + r.error);
            } catch (const std::exception &e) {
                report.errors.push_back(sid + ": usage collection failed: " + e.what());
            }
        }
        try {
            const Client client = repo.get_client(c.client_id);
            const int decimals = currency_decimals(client.currency);
            if (c.mode != "prepaid") {
                for (UsageCharge &charge : ended_periods(db, zone, c, today, decimals)) {
                    // A service's own invoice per period, or the client's for the periods ending that day
                    // (a line may reach back over days that came to less than the minor unit).
                    const std::string key = c.mode == "invoice" ? "service " + std::to_string(c.service_id) + ", " + period_text(charge)
                                                                : "usage through " + format_date(charge.period_to);
                    invoices[{c.client_id, key}].push_back(std::move(charge));
                }
                continue;
            }
            Transaction tx(db);
            const Unbilled u = unbilled(db, c.service_id, "", "");
            if (u.calls == 0) continue;
            const std::string first = u.first.substr(0, 10), last = u.last.substr(0, 10);
            const Money amount = Money::from_micros(u.cost_micros).rounded(decimals, Rounding::half_up);
            if (amount.zero()) continue;  // less than the minor unit so far: it waits for more calls
            CreditLedger ledger(db, now);
            const auto entry = ledger.post({c.client_id, -amount, credit_kind::usage,
                                            "VoIP usage, service " + std::to_string(c.service_id) + ": " + std::to_string(u.calls) +
                                                " call(s) " + first + (first == last ? "" : " to " + last),
                                            std::nullopt,
                                            "usage:" + std::to_string(c.service_id) + ":" + std::to_string(u.last_id), true});
            if (!entry) continue;  // posted before with these very calls (cannot happen unless marks were lost)
            mark_billed(db, c.service_id, "", "", u, "credit:" + std::to_string(*entry));
            tx.commit();
            billed(c, client.currency, amount);
            report.lines.push_back(sid + " (client " + std::to_string(c.client_id) + "): " + std::to_string(u.calls) + " call(s), " +
                                   money_text(u.cost_micros, 4) + " → " + amount.to_string(decimals) + " " + client.currency +
                                   " debited from credit (entry " + std::to_string(*entry) + ")");
        } catch (const std::exception &e) {
            report.errors.push_back(sid + ": billing failed, nothing charged: " + e.what());
        }
    }

    Invoicing invoicing(db, now, today);
    const std::string due = format_date(add_days(today, options.invoice_due_days));
    for (auto &[group, charges] : invoices) {
        const int64_t client_id = group.first;
        try {
            const Client client = repo.get_client(client_id);
            std::vector<InvoiceLine> lines;
            for (const UsageCharge &ch : charges) {
                InvoiceLine line;
                line.item_type = "usage";
                line.item_id = ch.service->service_id;
                line.description = "VoIP usage, service " + std::to_string(ch.service->service_id) + " (" + ch.service->product + "), " +
                                   period_text(ch) + ": " + std::to_string(ch.calls.calls) + " call(s)";
                line.amount = ch.amount;
                line.period_end = format_date(ch.period_to);
                line.natural_key = "usage:" + std::to_string(ch.service->service_id) + ":" + std::to_string(ch.calls.last_id);
                lines.push_back(std::move(line));
            }
            Transaction tx(db);
            const int64_t invoice = invoicing.create(client_id, "usage", due, lines).id;
            for (const UsageCharge &ch : charges)
                mark_billed(db, ch.service->service_id, ch.from, ch.before, ch.calls, "invoice:" + std::to_string(invoice));
            tx.commit();
            report.invoices++;
            Money total;
            for (const UsageCharge &ch : charges) {
                billed(*ch.service, client.currency, ch.amount);
                total += ch.amount;
            }
            report.lines.push_back(group.second + " (client " + std::to_string(client_id) + "): usage invoice #" + std::to_string(invoice) +
                                   ", " + std::to_string(charges.size()) + " line(s), " + total.to_string(currency_decimals(client.currency)) +
                                   " " + client.currency + ", due " + due);
        } catch (const std::exception &e) {
            report.errors.push_back(group.second + " (client " + std::to_string(client_id) + "): usage invoice failed, nothing charged: " +
                                    e.what());
        }
    }
    for (auto &[name, clients] : billed_clients) report.servers[name].clients_billed = static_cast<int64_t>(clients.size());
    return report;
}

std::vector<std::string> server_summary(const AutobillReport &report) {
    std::vector<std::string> out;
    for (const auto &[name, s] : report.servers) {
        std::string totals;
        for (const auto &[currency, micros] : s.charged_micros)
            totals += (totals.empty() ? "" : ", ") + Money::from_micros(micros).to_string(2) + " " + currency;
        out.push_back("server " + name + ": " + std::to_string(s.found) + " CDR(s) found, " + std::to_string(s.rated) + " rated, " +
                      std::to_string(s.unrated) + " unrated, " + std::to_string(s.excluded) + " excluded; " +
                      std::to_string(s.clients_billed) + " client(s) billed" + (totals.empty() ? "" : ", " + totals));
    }
    return out;
}

}  // namespace provisio::usage
