#include "usage/autobill.hpp"

#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "ledger/credit_ledger.hpp"
#include "modulehost/module_host.hpp"
#include "money/currency.hpp"
#include "store/database.hpp"
#include "usage/collection.hpp"
#include "usage/packages.hpp"

#include <set>

namespace provisio::usage {

namespace {

struct Candidate {
    int64_t service_id, client_id;
    std::string server, mode, module;
};

std::string money_text(int64_t micros, int decimals) { return Money::from_micros(micros).to_string(decimals); }

}  // namespace

AutobillReport run_autobill(Database &db, Repository &repo, const ModuleHost &host, const BusinessZone &zone, const std::string &now,
                            bool collect, std::optional<int64_t> only_service) {
    AutobillReport report;
    std::vector<Candidate> candidates;
    {
        auto q = db.prepare("SELECT s.id, s.client_id, COALESCE(sv.name, '(no server)'), vp.billing_mode, p.module FROM services s "
                            "JOIN products p ON p.id = s.product_id JOIN voip_packages vp ON vp.product_id = p.id "
                            "LEFT JOIN servers sv ON sv.id = s.server_id "
                            "WHERE s.status IN ('Active', 'Suspended') AND (?1 IS NULL OR s.id = ?1) ORDER BY s.id");
        q.bind(1, only_service);
        while (q.step()) candidates.push_back({q.int64(0), q.int64(1), q.text(2), q.text(3), q.text(4)});
    }
    std::map<std::string, std::set<int64_t>> billed_clients;
    for (const Candidate &c : candidates) {
        ServerUsage &server = report.servers[c.server];
        const std::string sid = "service " + std::to_string(c.service_id);
        const LoadedModule *module = c.module.empty() ? nullptr : host.find(c.module);
        if (collect && module && module->description.functions.collect_usage) {
            try {
                const CollectionReport r = collect_usage(db, repo, host, zone, now, c.service_id);
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
            if (c.mode != "prepaid") {
                report.errors.push_back(sid + ": billing mode '" + c.mode +
                                        "' is not available yet (prepaid is); its calls are rated and wait unbilled");
                continue;
            }
            Transaction tx(db);
            auto q = db.prepare("SELECT COUNT(*), COALESCE(SUM(cost_micros), 0), MIN(start_at), MAX(start_at), MAX(id) FROM cdrs "
                                "WHERE service_id = ?1 AND charge_ref IS NULL AND status = 'rated' AND cost_micros > 0");
            q.bind(1, c.service_id);
            q.step();
            const int64_t calls = q.int64(0), cost = q.int64(1);
            if (calls == 0) continue;
            const std::string first = q.text(2).substr(0, 10), last = q.text(3).substr(0, 10);
            const int64_t last_id = q.int64(4);
            const Client client = repo.get_client(c.client_id);
            const int decimals = currency_decimals(client.currency);
            const Money amount = Money::from_micros(cost).rounded(decimals, Rounding::half_up);
            if (amount.zero()) continue;  // less than the minor unit so far: it waits for more calls
            CreditLedger ledger(db, now);
            const auto entry = ledger.post({c.client_id, -amount, credit_kind::usage,
                                            "VoIP usage, service " + std::to_string(c.service_id) + ": " + std::to_string(calls) +
                                                " call(s) " + first + (first == last ? "" : " to " + last),
                                            std::nullopt,
                                            "usage:" + std::to_string(c.service_id) + ":" + std::to_string(last_id), true});
            if (!entry) continue;  // posted before with these very calls (cannot happen unless marks were lost)
            db.prepare("UPDATE cdrs SET charge_ref = ?1 WHERE service_id = ?2 AND charge_ref IS NULL AND status = 'rated' "
                       "AND cost_micros > 0 AND id <= ?3")
                .bind(1, "credit:" + std::to_string(*entry)).bind(2, c.service_id).bind(3, last_id).run();
            tx.commit();
            report.services_billed++;
            server.charged_micros[client.currency] += amount.micros();
            billed_clients[c.server].insert(c.client_id);
            report.lines.push_back(sid + " (client " + std::to_string(c.client_id) + "): " + std::to_string(calls) + " call(s), " +
                                   money_text(cost, 4) + " → " + amount.to_string(decimals) + " " + client.currency +
                                   " debited from credit (entry " + std::to_string(*entry) + ")");
        } catch (const std::exception &e) {
            report.errors.push_back(sid + ": billing failed, nothing charged: " + e.what());
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
