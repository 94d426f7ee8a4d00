#include "payments/auto_topup.hpp"

#include "config/config.hpp"
#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "ledger/credit_ledger.hpp"
#include "money/currency.hpp"
#include "payments/charges.hpp"
#include "payments/payment_store.hpp"
#include "store/database.hpp"

namespace provisio {

std::optional<AutoTopupSetting> auto_topup_setting(Database &db, int64_t client_id) {
    auto q = db.prepare("SELECT threshold_micros, amount_micros, enabled, updated_at FROM auto_topups WHERE client_id = ?1");
    q.bind(1, client_id);
    if (!q.step()) return std::nullopt;
    return AutoTopupSetting{client_id, Money::from_micros(q.int64(0)), Money::from_micros(q.int64(1)), q.int64(2) != 0, q.text(3)};
}

AutoTopupSetting set_auto_topup(TaskContext &ctx, int64_t client_id, const std::optional<std::string> &below,
                                const std::optional<std::string> &amount, bool enabled, FieldSpelling spelling) {
    const Client client = ctx.repo.get_client(client_id);
    const int places = currency_decimals(client.currency);
    const std::string below_name = field_name("below", spelling), amount_name = field_name("amount", spelling);
    AutoTopupSetting s = auto_topup_setting(ctx.db, client_id).value_or(AutoTopupSetting{client_id, {}, {}, false, ""});
    const bool first = s.updated_at.empty();
    if (first && (!below || !amount))
        fail(ErrorKind::invalid_input, "the first auto top-up setting needs both " + below_name + " and " + amount_name);
    if (below) {
        s.threshold = Money::parse(*below, below_name, places);
        if (s.threshold.negative()) fail(ErrorKind::invalid_input, below_name + " must be zero or more");
    }
    if (amount) {
        s.amount = Money::parse(*amount, amount_name, places);
        const Money low = Money::parse(ctx.config.payments.topup_min, "payments.topup_min"),
                    high = Money::parse(ctx.config.payments.topup_max, "payments.topup_max");
        if (s.amount < low || s.amount > high)
            fail(ErrorKind::invalid_input, amount_name + " " + s.amount.to_string(places) + " is outside the top-up limits " + low.to_string(places) +
                                               " to " + high.to_string(places) + " ([payments] topup_min, topup_max)");
    }
    s.enabled = enabled;
    s.updated_at = ctx.now;
    ctx.db.prepare("INSERT INTO auto_topups (client_id, threshold_micros, amount_micros, enabled, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) "
                   "ON CONFLICT (client_id) DO UPDATE SET threshold_micros = excluded.threshold_micros, amount_micros = excluded.amount_micros, "
                   "enabled = excluded.enabled, updated_at = excluded.updated_at")
        .bind(1, client_id).bind(2, s.threshold.micros()).bind(3, s.amount.micros()).bind(4, static_cast<int64_t>(enabled)).bind(5, ctx.now)
        .run();
    return s;
}

AutoTopupOutcome run_auto_topup(TaskContext &ctx, int64_t client_id, Money credit, Money due) {
    AutoTopupOutcome out;
    const auto s = auto_topup_setting(ctx.db, client_id);
    if (!s || !s->enabled || credit - due >= s->threshold) return out;
    const std::string who = "client " + std::to_string(client_id) + " auto top-up";
    try {
        // An auto top-up whose answer never came is asked again before any new one; one left
        // unresolved stops auto top-up until the operator has looked at the gateway.
        for (const auto &t : list_topups(ctx.db, client_id, 50)) {
            if (t.source != "auto" || t.state != "open") continue;
            for (const auto &a : topup_attempts(ctx.db, t.id)) {
                if (a.state == attempt_state::unresolved) {
                    out.error = who + ": not charged; top-up " + std::to_string(t.id) + " is unresolved: " + a.message;
                    return out;
                }
                if (a.state == attempt_state::sent) {
                    const TopupReport r = retry_topup(ctx, t.id);
                    out.line = who + ": " + r.line;
                    if (r.paid) out.credit = CreditLedger(ctx.db, ctx.now).balance(client_id);
                    return out;
                }
            }
        }
        const int today = count_topups(ctx.db, client_id, format_date(ctx.today), "auto");
        if (today >= ctx.config.payments.auto_topups_per_day) {
            out.line = who + ": not charged, " + std::to_string(today) + " today already ([payments] auto_topups_per_day)";
            return out;
        }
        const auto method = default_payment_method(ctx.db, client_id);
        if (ctx.config.payments.gateway.empty() || !method || method->gateway != ctx.config.payments.gateway) {
            out.error = who + ": on, but " +
                        (ctx.config.payments.gateway.empty() ? std::string("[payments] gateway is not set")
                                                             : "the client has no saved payment method at " + ctx.config.payments.gateway);
            return out;
        }
        const Client client = ctx.repo.get_client(client_id);
        TopupRequest r;
        r.client_id = client_id;
        r.amount = s->amount.to_string(currency_decimals(client.currency));
        r.source = "auto";
        const TopupReport report = start_topup(ctx, r);
        if (report.paid) {
            out.credit = CreditLedger(ctx.db, ctx.now).balance(client_id);
            out.line = who + ": " + report.line;
        } else {
            out.error = who + ": " + report.line;
        }
    } catch (const Error &e) {
        out.error = who + ": " + e.what();
    }
    return out;
}

}  // namespace provisio
