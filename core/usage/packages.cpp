#include "usage/packages.hpp"

#include "foundation/error.hpp"
#include "foundation/text.hpp"
#include "money/money.hpp"
#include "store/database.hpp"

namespace provisio::usage {

std::string default_exclude_patterns(const std::string &country_code) {
    if (country_code == "1")
        return "1800xxxxxxx,1833xxxxxxx,1844xxxxxxx,1855xxxxxxx,1866xxxxxxx,1877xxxxxxx,1888xxxxxxx,911,933";
    return "112,999";
}

PackageRecord new_package(int64_t product_id, const std::string &country_code) {
    PackageRecord p;
    p.product_id = product_id;
    p.rating.plan = NumberPlan::for_country(country_code);
    p.rating.exclude = NumberPatterns::parse(default_exclude_patterns(country_code), "exclude");
    p.rating.suppress = NumberPatterns::parse(default_suppress_patterns, "suppress");
    return p;
}

const std::string &check_billing_mode(const std::string &mode) {
    if (mode != "prepaid" && mode != "invoice" && mode != "consolidated")
        fail(ErrorKind::invalid_input, "billing mode '" + mode + "' is not one of prepaid, invoice, consolidated");
    return mode;
}

const std::string &check_invoice_period(const std::string &period) {
    if (period != "day" && period != "month")
        fail(ErrorKind::invalid_input, "invoice period '" + period + "' is not day or month");
    return period;
}

std::optional<PackageRecord> load_package(Database &db, int64_t product_id, LoadMode mode) {
    auto q = db.prepare("SELECT tariff_id, country_code, national_prefix, exit_prefixes, markup, free_minutes, tiers, bill_inbound, "
                        "exclude_patterns, suppress_patterns, decimals, billing_mode, updated_at, invoice_period FROM voip_packages WHERE product_id = ?1");
    q.bind(1, product_id);
    if (!q.step()) return std::nullopt;
    PackageRecord p;
    // Each field is read on its own, so one that no longer reads names itself and the rest load.
    auto read = [&](const char *option, auto &&parse) {
        try {
            parse();
        } catch (const Error &e) {
            p.damaged.emplace_back(option, e.what());
        }
    };
    p.product_id = product_id;
    p.tariff_id = q.opt_int64(0);
    p.rating.plan.country_code = q.text(1);
    p.rating.plan.national_prefix = q.text(2);
    p.rating.plan.exit_prefixes = split_list(q.text(3));
    read("--markup", [&] {
        p.rating.markup_micro_percent = parse_markup(q.text(4), "markup");
        p.markup = q.text(4);
    });
    read("--free-minutes", [&] {
        const int64_t minutes = q.int64(5);
        if (minutes < 0 || minutes > max_period_minutes)
            fail(ErrorKind::invalid_input, "free minutes " + std::to_string(minutes) + " are outside 0 to 100000000");
        p.rating.free_seconds = minutes * 60;
    });
    read("--tiers", [&] { p.rating.tiers = parse_tiers(q.text(6), "tiers"); });
    p.rating.bill_inbound = q.int64(7) != 0;
    read("--exclude", [&] { p.rating.exclude = NumberPatterns::parse(q.text(8), "exclude"); });
    read("--suppress", [&] { p.rating.suppress = NumberPatterns::parse(q.text(9), "suppress"); });
    read("--decimals", [&] {
        const int64_t decimals = q.int64(10);
        if (decimals < 0 || decimals > Money::max_decimals)
            fail(ErrorKind::invalid_input, "decimals " + std::to_string(decimals) + " are outside 0 to 6");
        p.rating.decimals = static_cast<int>(decimals);
    });
    read("--billing-mode", [&] { p.billing_mode = check_billing_mode(q.text(11)); });
    p.updated_at = q.text(12);
    read("--invoice-period", [&] { p.invoice_period = check_invoice_period(q.text(13)); });
    auto c = db.prepare("SELECT prefix, description, per_minute_micros, connect_fee_micros FROM voip_custom_rates "
                        "WHERE product_id = ?1 ORDER BY prefix");
    c.bind(1, product_id);
    while (c.step()) {
        Rate r{c.text(0), c.text(1), c.int64(2), c.int64(3), 1, 1, 0};
        const auto in_range = [](int64_t micros) { return micros >= 0 && micros <= max_rate_micros; };
        if (in_range(r.per_minute_micros) && in_range(r.connect_fee_micros)) p.custom_rates.push_back(std::move(r));
        else p.damaged.emplace_back("--custom-rate " + r.prefix, "the custom rate for " + r.prefix + " is outside 0 to 1000000");
    }
    if (mode == LoadMode::strict && !p.damaged.empty()) {
        std::string fields;
        for (const auto &[option, why] : p.damaged) fields += (fields.empty() ? "" : "; ") + why + " (replace it with " + option + ")";
        fail(ErrorKind::invalid_input, "the VoIP package of product #" + std::to_string(product_id) +
                                           " holds a value that no longer reads: " + fields + " — use provisio package set");
    }
    return p;
}

void save_package(Database &db, const PackageRecord &p, const std::string &now) {
    Transaction tx(db);
    db.prepare("INSERT INTO voip_packages (product_id, tariff_id, country_code, national_prefix, exit_prefixes, markup, free_minutes, "
               "tiers, bill_inbound, exclude_patterns, suppress_patterns, decimals, billing_mode, updated_at, invoice_period) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) ON CONFLICT (product_id) DO UPDATE SET "
               "tariff_id = excluded.tariff_id, country_code = excluded.country_code, national_prefix = excluded.national_prefix, "
               "exit_prefixes = excluded.exit_prefixes, markup = excluded.markup, free_minutes = excluded.free_minutes, "
               "tiers = excluded.tiers, bill_inbound = excluded.bill_inbound, exclude_patterns = excluded.exclude_patterns, "
               "suppress_patterns = excluded.suppress_patterns, decimals = excluded.decimals, billing_mode = excluded.billing_mode, "
               "updated_at = excluded.updated_at, invoice_period = excluded.invoice_period")
        .bind(1, p.product_id).bind(2, p.tariff_id).bind(3, p.rating.plan.country_code).bind(4, p.rating.plan.national_prefix)
        .bind(5, join(p.rating.plan.exit_prefixes, ",")).bind(6, p.markup).bind(7, p.rating.free_seconds / 60)
        .bind(8, tiers_text(p.rating.tiers)).bind(9, int64_t{p.rating.bill_inbound}).bind(10, p.rating.exclude.text())
        .bind(11, p.rating.suppress.text()).bind(12, int64_t{p.rating.decimals}).bind(13, check_billing_mode(p.billing_mode))
        .bind(14, now).bind(15, check_invoice_period(p.invoice_period)).run();
    db.prepare("DELETE FROM voip_custom_rates WHERE product_id = ?1").bind(1, p.product_id).run();
    for (const Rate &r : p.custom_rates)
        db.prepare("INSERT INTO voip_custom_rates (product_id, prefix, per_minute_micros, connect_fee_micros, description) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)")
            .bind(1, p.product_id).bind(2, r.prefix).bind(3, r.per_minute_micros).bind(4, r.connect_fee_micros).bind(5, r.description)
            .run();
    tx.commit();
}

}  // namespace provisio::usage
