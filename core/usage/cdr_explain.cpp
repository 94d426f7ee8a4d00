#include "usage/cdr_explain.hpp"

#include "money/money.hpp"
#include "store/database.hpp"

namespace provisio::usage {

namespace {

std::string money(int64_t micros, int places = 4) { return Money::from_micros(micros).to_string(places); }

}  // namespace

Explanation explain_cdr(Database &db, const StoredCdr &c) {
    const bool inbound = c.direction == "inbound";
    Explanation f;
    f.emplace_back("call", c.source + " " + c.source_id + ", " + c.direction + ", started " + c.start_at + ", " +
                               std::to_string(c.billsec) + " s answered of " + std::to_string(c.duration) + " s" +
                               (c.hangup_cause.empty() ? "" : ", " + c.hangup_cause));
    if (c.answer_inferred)
        f.emplace_back("answered", c.answer_at + ", inferred as end − billsec (the record gave no answer time, and billsec " +
                                       std::to_string(c.billsec) + " s counts answered seconds)");
    f.emplace_back("number", std::string(inbound ? "called in on " : "dialled ") + (inbound ? c.caller_destination : c.destination) +
                                 " → " + c.number);
    f.emplace_back("status", c.status + (c.note.empty() ? "" : " (" + c.note + ")"));
    if (!c.prefix.empty()) {
        std::string source = "custom rate of the package";
        std::string increment;
        if (c.tariff_version_id) {
            auto q = db.prepare("SELECT t.name, v.version, r.initial_seconds, r.step_seconds, r.grace_seconds FROM tariff_rates r "
                                      "JOIN tariff_versions v ON v.id = r.version_id JOIN tariffs t ON t.id = v.tariff_id "
                                      "WHERE r.version_id = ?1 AND r.prefix = ?2");
            q.bind(1, *c.tariff_version_id).bind(2, c.prefix);
            if (q.step()) {
                source = "tariff " + q.text(0) + " version " + std::to_string(q.int64(1));
                increment = ", increment " + (q.int64(2) == q.int64(3) ? std::to_string(q.int64(3))
                                                                       : std::to_string(q.int64(2)) + "/" + std::to_string(q.int64(3))) +
                            ", grace " + std::to_string(q.int64(4)) + " s";
            }
        }
        f.emplace_back("rate", "prefix " + c.prefix + " in the " + source + ": " + money(c.per_minute_micros) + "/min, connect fee " +
                                   money(c.connect_fee_micros) + increment);
        f.emplace_back("billed", std::to_string(c.billsec) + " s → " + std::to_string(c.billed_seconds) + " s");
        if (c.free_seconds) f.emplace_back("free", std::to_string(c.free_seconds) + " s from the period's free minutes");
        if (c.tier_seconds) f.emplace_back("tiers", std::to_string(c.tier_seconds) + " s at the package's tier rates");
        if (!c.custom_rate && c.markup != "0") f.emplace_back("markup", c.markup + "% on the tariff's rate and connect fee");
        const int64_t charged = c.billed_seconds - c.free_seconds - c.tier_seconds;
        if (c.tier_seconds == 0 && charged > 0) {
            // The exact sum before rounding, as the rater worked it out.
            const Money markup = c.custom_rate ? Money{} : Money::parse(c.markup, "markup");
            const __int128 raw = (static_cast<__int128>(c.connect_fee_micros) * 60 + static_cast<__int128>(charged) * c.per_minute_micros) *
                                 (100'000'000 + markup.micros());
            const __int128 per_micro = static_cast<__int128>(60) * 100'000'000;
            const std::string exact = Money::from_micros(static_cast<int64_t>(raw / per_micro)).to_string(6) +
                                      (raw % per_micro ? "…" : "");
            f.emplace_back("cost", "(" + money(c.connect_fee_micros) + " + " + std::to_string(charged) + " s × " +
                                       money(c.per_minute_micros) + " / 60)" +
                                       (markup.zero() ? "" : " × (100% + " + c.markup + "%)") + " = " + exact + " → " +
                                       money(c.cost_micros));
        } else {
            f.emplace_back("cost", money(c.cost_micros));
        }
    }
    f.emplace_back("billed by", c.charge_ref.value_or("not billed yet"));
    {
        auto q = db.prepare("SELECT r.id, r.at, c.old_status, COALESCE(c.old_prefix, ''), c.old_cost_micros, c.new_cost_micros "
                                  "FROM cdr_rerate_changes c JOIN cdr_rerates r ON r.id = c.rerate_id WHERE c.cdr_id = ?1 "
                                  "ORDER BY r.id");
        q.bind(1, c.id);
        while (q.step())
            f.emplace_back("re-rated", "by re-rate " + std::to_string(q.int64(0)) + " at " + q.text(1) + ": was " + q.text(2) +
                                           (q.text(3).empty() ? "" : " (prefix " + q.text(3) + ")") + " " + money(q.int64(4)) +
                                           ", now " + money(q.int64(5)));
    }
    return f;
}

}  // namespace provisio::usage
