#include "usage/rerate.hpp"

#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "ledger/credit_ledger.hpp"
#include "money/currency.hpp"
#include "store/database.hpp"
#include "usage/cdrs.hpp"
#include "usage/service_rating.hpp"

namespace provisio::usage {

namespace {

std::string cost_text(int64_t micros) { return Money::from_micros(micros).to_string(4); }

}  // namespace

RerateReport rerate_calls(Database &db, Repository &repo, const BusinessZone &zone, const std::string &now, int64_t service_id,
                          TimePoint from, TimePoint to, bool dry_run) {
    if (!(from < to)) fail(ErrorKind::invalid_input, "--from must be before --to");
    ServiceRating rating(db, repo, zone, service_id);
    const Package &package = rating.package().rating;
    RerateReport report;
    report.tariff_version_id = rating.tariff_version_id();
    if (package.free_seconds > 0 || !package.tiers.empty()) {
        // Whole periods, each counted from zero: every call in them is rated again in order.
        const Date first = rating.period_start(zone.date_at(from));
        const Date last = rating.period_start(zone.date_at(to - std::chrono::seconds(1)));
        const TimePoint wide_from = zone.start_of(first), wide_to = zone.start_of(rating.period_end(last));
        report.widened = wide_from != from || wide_to != to;
        from = wide_from;
        to = wide_to;
        for (Date p = first; !(last < p); p = rating.period_end(p)) rating.running_seconds()[format_date(p)] = 0;
    }
    report.from = format_utc(from);
    report.to = format_utc(to);

    CdrFilter filter;
    filter.service_id = service_id;
    filter.from = report.from;
    filter.to = report.to;
    filter.with_suppressed = true;
    const std::vector<StoredCdr> calls = list_cdrs(db, filter);  // in start order
    report.calls = static_cast<int64_t>(calls.size());

    Transaction tx(db);
    const std::string &markup = rating.package().markup;
    std::optional<int64_t> rerate_id;
    auto update = db.prepare("UPDATE cdrs SET status = ?2, number = ?3, prefix = ?4, tariff_version_id = ?5, custom_rate = ?6, "
                             "per_minute_micros = ?7, connect_fee_micros = ?8, markup = ?9, billed_seconds = ?10, free_seconds = ?11, "
                             "tier_seconds = ?12, cost_micros = ?13, note = ?14 WHERE id = ?1");
    for (const StoredCdr &old : calls) {
        const TimePoint start = parse_instant(old.start_at, "call start");
        const Rating r = rating.rater().rate({old.direction, old.destination, old.caller_destination, old.billsec, !old.answer_at.empty()},
                                             rating.seconds_in(rating.period_of(start)));
        // A call the new rates price exactly as before keeps its rating and the tariff version
        // that gave it: that derivation still holds.
        const bool same = old.status == status_name(r.status) && old.number == r.number && old.prefix == r.prefix &&
                          old.custom_rate == r.custom_rate && old.per_minute_micros == r.per_minute_micros &&
                          old.connect_fee_micros == r.connect_fee_micros && old.markup == markup && old.billed_seconds == r.billed_seconds &&
                          old.free_seconds == r.free_seconds && old.tier_seconds == r.tier_seconds && old.cost_micros == r.cost_micros &&
                          old.note == r.note;
        if (same) continue;
        ++report.changed;
        const int64_t difference = r.cost_micros - old.cost_micros;
        (old.charge_ref ? report.billed_difference_micros : report.unbilled_difference_micros) += difference;
        if (!rerate_id) {
            db.prepare("INSERT INTO cdr_rerates (service_id, from_at, to_at, tariff_version_id, calls, changed, billed_difference_micros, at) "
                       "VALUES (?1, ?2, ?3, ?4, 0, 0, 0, ?5)")
                .bind(1, service_id).bind(2, report.from).bind(3, report.to).bind(4, rating.tariff_version_id()).bind(5, now).run();
            rerate_id = db.last_insert_id();
        }
        db.prepare("INSERT INTO cdr_rerate_changes (rerate_id, cdr_id, old_status, old_prefix, old_tariff_version_id, old_billed_seconds, "
                   "old_cost_micros, new_cost_micros) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
            .bind(1, *rerate_id).bind(2, old.id).bind(3, old.status)
            .bind(4, old.prefix.empty() ? std::nullopt : std::optional<std::string>(old.prefix)).bind(5, old.tariff_version_id)
            .bind(6, old.billed_seconds).bind(7, old.cost_micros).bind(8, r.cost_micros)
            .run();
        update.reset().bind(1, old.id);
        bind_rating(update, 2, r, rating.tariff_version_id(), markup);
        update.run();
        std::string line = "CDR " + std::to_string(old.id) + " " + old.start_at + ": " + old.status;
        if (!old.prefix.empty()) line += " (prefix " + old.prefix + ")";
        line += " " + cost_text(old.cost_micros) + " → " + status_name(r.status);
        if (!r.prefix.empty()) line += " (prefix " + r.prefix + ")";
        line += " " + cost_text(r.cost_micros) + (old.charge_ref ? ", billed" : ", not billed yet");
        report.lines.push_back(std::move(line));
    }
    const Client client = repo.get_client(rating.service().client_id);
    report.currency = client.currency;
    if (rerate_id) {
        const Money difference = Money::from_micros(report.billed_difference_micros).rounded(currency_decimals(client.currency),
                                                                                             Rounding::half_up);
        if (!difference.zero()) {
            CreditLedger ledger(db, now);
            const std::string what = "VoIP re-rating " + std::to_string(*rerate_id) + ", service " + std::to_string(service_id) + ", calls " +
                                     report.from.substr(0, 10) + " to " + report.to.substr(0, 10) + ": ";
            report.credit_entry = ledger.post({client.id, -difference, credit_kind::rerate,
                                               what + (difference.negative() ? "refund of overcharged calls" : "undercharged calls"),
                                               std::nullopt, "rerate:" + std::to_string(*rerate_id), true});
            report.posted_micros = (-difference).micros();
        }
        db.prepare("UPDATE cdr_rerates SET calls = ?2, changed = ?3, billed_difference_micros = ?4, credit_entry_id = ?5 WHERE id = ?1")
            .bind(1, *rerate_id).bind(2, report.calls).bind(3, report.changed).bind(4, report.billed_difference_micros)
            .bind(5, report.credit_entry)
            .run();
    }
    if (dry_run) report.credit_entry.reset();  // rolled back with the rest
    else {
        tx.commit();
        report.rerate_id = rerate_id;
    }
    return report;
}

}  // namespace provisio::usage
