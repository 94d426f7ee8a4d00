#include "usage/low_balance.hpp"

#include "domain/client_fields.hpp"
#include "foundation/error.hpp"
#include "money/money.hpp"
#include "notify/outbox.hpp"
#include "store/database.hpp"

#include <optional>

namespace provisio::usage {

std::optional<Money> parse_low_balance_threshold(std::string_view text) {
    if (text.empty()) return std::nullopt;
    const bool negative = text[0] == '-';
    const Money m = Money::parse(negative ? text.substr(1) : text, "threshold");
    return negative ? -m : m;
}

std::optional<Money> low_balance_threshold(Database &db, int64_t client_id) {
    const auto field = ClientFields(db).find(voip_field::low_balance_threshold);
    if (!field) return std::nullopt;
    auto q = db.prepare("SELECT COALESCE((SELECT value FROM client_field_values WHERE client_id = ?1 AND field_id = ?2), ?3)");
    q.bind(1, client_id).bind(2, field->id).bind(3, field->default_value);
    q.step();
    return parse_low_balance_threshold(q.text(0));
}

LowBalanceReport send_low_balance_alerts(Database &db, const std::string &now, Date today, bool once_per_crossing, bool dry_run) {
    LowBalanceReport report;
    const auto field = ClientFields(db).find(voip_field::low_balance_threshold);
    if (!field) {
        report.lines.push_back(std::string("no client field '") + voip_field::low_balance_threshold +
                               "': no alerts (provisio field add-voip)");
        return report;
    }
    struct Client {
        int64_t id;
        Money credit, threshold;
        std::optional<std::string> low_since;
    };
    std::vector<Client> clients;
    std::vector<int64_t> recovered;  // were low, are not now
    {
        auto q = db.prepare("SELECT c.id, c.credit_micros, COALESCE(v.value, ?2), l.low_since FROM clients c "
                            "LEFT JOIN client_field_values v ON v.client_id = c.id AND v.field_id = ?1 "
                            "LEFT JOIN low_balance_state l ON l.client_id = c.id "
                            "WHERE c.status <> 'Closed' AND (COALESCE(v.value, ?2) <> '' OR l.client_id IS NOT NULL) ORDER BY c.id");
        q.bind(1, field->id).bind(2, field->default_value);
        while (q.step()) {
            const int64_t id = q.int64(0);
            const Money credit = Money::from_micros(q.int64(1));
            const std::string text = q.text(2);
            std::optional<Money> threshold;
            try {
                threshold = parse_low_balance_threshold(text);
            } catch (const Error &e) {
                report.errors.push_back("client " + std::to_string(id) + ": Low Balance Threshold '" + text + "': " + e.what());
                continue;
            }
            if (threshold && credit <= *threshold) clients.push_back({id, credit, *threshold, q.opt_text(3)});
            else if (!q.is_null(3)) recovered.push_back(id);
        }
    }
    report.low = static_cast<int64_t>(clients.size());
    const std::string day = format_date(today);
    for (const Client &c : clients) {
        const std::string who = "client " + std::to_string(c.id) + ": credit " + c.credit.to_string() + " ≤ threshold " + c.threshold.to_string();
        if (once_per_crossing && c.low_since) {
            report.lines.push_back(who + " — alerted already since " + *c.low_since);
            continue;
        }
        if (dry_run) {
            report.lines.push_back(who + " — would send \"" + low_balance_template + "\"");
            continue;
        }
        Transaction tx(db);
        const std::string key = once_per_crossing ? "low-balance:" + std::to_string(c.id) + ":" + now
                                                  : "low-balance:" + std::to_string(c.id) + ":" + day;
        const Queued q = queue_mail(db, now, low_balance_template, c.id, {}, key);
        const bool already = q.why_not.rfind("already queued", 0) == 0;
        if (!c.low_since && (q.id || already))
            db.prepare("INSERT INTO low_balance_state (client_id, low_since) VALUES (?1, ?2)").bind(1, c.id).bind(2, now).run();
        tx.commit();
        if (q.id) {
            report.sent++;
            report.lines.push_back(who + " — \"" + low_balance_template + "\" queued as message " + std::to_string(*q.id));
        } else if (already) {
            report.lines.push_back(who + " — " + q.why_not);
        } else {
            report.errors.push_back(who + " — no alert: " + q.why_not);
        }
    }
    if (!dry_run && !recovered.empty()) {
        Transaction tx(db);
        for (const int64_t id : recovered) db.prepare("DELETE FROM low_balance_state WHERE client_id = ?1").bind(1, id).run();
        tx.commit();
    }
    return report;
}

}  // namespace provisio::usage
