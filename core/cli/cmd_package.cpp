// provisio package set|show: a product's VoIP package — tariff, number plan, markup, custom
// rates, free minutes, tiers, inbound billing, CDR filters, rounding and billing mode.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "shapes/records_json.hpp"
#include "foundation/error.hpp"
#include "foundation/text.hpp"
#include "money/money.hpp"
#include "usage/packages.hpp"
#include "usage/tariff_store.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <map>

namespace provisio::cli {

namespace {

struct PackageArgs {
    std::string product;
    std::optional<std::string> tariff, country_code, national_prefix, exit_prefixes, markup, tiers, bill_inbound, exclude, suppress,
        billing_mode, invoice_period;
    std::optional<int64_t> free_minutes, decimals;
    std::vector<std::string> custom_rates, remove_custom_rates;
};

bool yes_no(const std::string &v, const char *what) {
    if (v == "yes" || v == "on" || v == "true") return true;
    if (v == "no" || v == "off" || v == "false") return false;
    fail(ErrorKind::invalid_input, std::string(what) + " '" + v + "' is not yes or no");
}

// "PREFIX=RATE[/FEE][:DESCRIPTION]"
usage::Rate parse_custom_rate(const std::string &text) {
    const size_t eq = text.find('=');
    if (eq == std::string::npos) fail(ErrorKind::invalid_input, "--custom-rate '" + text + "' is not PREFIX=RATE[/FEE][:DESCRIPTION]");
    usage::Rate r;
    r.prefix = text.substr(0, eq);
    if (r.prefix.empty() || r.prefix.find_first_not_of("0123456789") != std::string::npos)
        fail(ErrorKind::invalid_input, "--custom-rate '" + text + "': the prefix must be digits");
    std::string rest = text.substr(eq + 1);
    if (const size_t colon = rest.find(':'); colon != std::string::npos) {
        r.description = rest.substr(colon + 1);
        rest.resize(colon);
    }
    std::string fee;
    if (const size_t slash = rest.find('/'); slash != std::string::npos) {
        fee = rest.substr(slash + 1);
        rest.resize(slash);
    }
    r.per_minute_micros = usage::parse_rate(rest, "--custom-rate '" + text + "' rate");
    if (!fee.empty()) r.connect_fee_micros = usage::parse_rate(fee, "--custom-rate '" + text + "' connect fee");
    if (r.description.empty()) r.description = "custom rate " + r.prefix;
    return r;
}

// Whether `package set` with these options gives a new value for `option` (see PackageRecord::damaged).
bool replaces(const PackageArgs &a, const std::string &option) {
    if (option.rfind("--custom-rate ", 0) == 0) {
        const std::string prefix = option.substr(14);
        const auto sets = [&](const std::string &c) { return c.substr(0, c.find('=')) == prefix; };
        return std::any_of(a.custom_rates.begin(), a.custom_rates.end(), sets) ||
               std::find(a.remove_custom_rates.begin(), a.remove_custom_rates.end(), prefix) != a.remove_custom_rates.end();
    }
    const std::map<std::string, bool> given = {{"--markup", a.markup.has_value()},       {"--free-minutes", a.free_minutes.has_value()},
                                               {"--tiers", a.tiers.has_value()},         {"--exclude", a.exclude.has_value()},
                                               {"--suppress", a.suppress.has_value()},   {"--decimals", a.decimals.has_value()},
                                               {"--billing-mode", a.billing_mode.has_value()},
                                               {"--invoice-period", a.invoice_period.has_value()}};
    const auto it = given.find(option);
    return it != given.end() && it->second;
}

}  // namespace

void add_package_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *package = app.add_subcommand("package", "VoIP packages: how a product's calls are rated and billed");
    package->require_subcommand(1);
    auto args = std::make_shared<PackageArgs>();

    auto *set = package->add_subcommand("set", "Create or change a product's VoIP package");
    set->add_option("PRODUCT", args->product, "Product name or id")->required();
    set->add_option("--tariff", args->tariff, "Tariff name");
    set->add_option("--country-code", args->country_code, "The PBX's country code (a new package takes its number plan and filters from it)");
    set->add_option("--national-prefix", args->national_prefix, "Trunk prefix replaced by the country code (0; none in NANP)");
    set->add_option("--exit-prefixes", args->exit_prefixes, "International access codes stripped, comma-separated (011 / 00)");
    set->add_option("--markup", args->markup, "Percent added to tariff rates and connect fees");
    set->add_option("--free-minutes", args->free_minutes, "Free domestic minutes per billing period");
    set->add_option("--tiers", args->tiers, "Domestic per-minute rates by minutes used in the period: '1000:0.015,5000:0.01' ('' for none)");
    set->add_option("--bill-inbound", args->bill_inbound, "yes|no: rate inbound calls on the number called");
    set->add_option("--exclude", args->exclude, "Numbers billed nothing but listed: patterns, x = any digit ('' for none)");
    set->add_option("--suppress", args->suppress, "Numbers billed nothing and not listed ('' for none)");
    set->add_option("--decimals", args->decimals, "Decimals each call's cost is rounded to, half-up (0-6; default 4)");
    set->add_option("--billing-mode", args->billing_mode, "prepaid (credit debits) | invoice (per service) | consolidated (per client)");
    set->add_option("--invoice-period", args->invoice_period,
                    "day | month: invoice and consolidated modes invoice each ended business day's or month's calls (default month)");
    set->add_option("--custom-rate", args->custom_rates, "PREFIX=RATE[/FEE][:DESCRIPTION]: the package's own rate, before the tariff, no markup");
    set->add_option("--remove-custom-rate", args->remove_custom_rates, "PREFIX");
    set->callback([&, args] {
        run = [&, args] {
            const Product product = ctx.repo().find_product(args->product);
            auto existing = usage::load_package(ctx.db(), product.id, usage::LoadMode::repairable);
            usage::PackageRecord p = existing ? *existing : usage::new_package(product.id, args->country_code.value_or("1"));
            if (args->country_code) {
                if (args->country_code->empty() || args->country_code->find_first_not_of("0123456789") != std::string::npos)
                    fail(ErrorKind::invalid_input, "--country-code '" + *args->country_code + "' must be digits");
                // A new country brings its usual number plan (the options below may change it).
                if (existing && p.rating.plan.country_code != *args->country_code)
                    p.rating.plan = usage::NumberPlan::for_country(*args->country_code);
            }
            if (args->national_prefix) p.rating.plan.national_prefix = *args->national_prefix;
            if (args->exit_prefixes) {
                p.rating.plan.exit_prefixes = split_list(*args->exit_prefixes);
                for (const auto &e : p.rating.plan.exit_prefixes)
                    if (e.find_first_not_of("0123456789") != std::string::npos)
                        fail(ErrorKind::invalid_input, "--exit-prefixes: '" + e + "' must be digits");
            }
            if (args->tariff) p.tariff_id = usage::TariffStore(ctx.db(), ctx.repo().now_text()).find(*args->tariff).id;
            if (args->markup) {
                p.rating.markup_micro_percent = usage::parse_markup(*args->markup, "--markup");
                p.markup = Money::from_micros(p.rating.markup_micro_percent).to_string(0);
            }
            if (args->free_minutes) {
                if (*args->free_minutes < 0 || *args->free_minutes > usage::max_period_minutes)
                    fail(ErrorKind::invalid_input, "--free-minutes " + std::to_string(*args->free_minutes) + " is outside 0 to 100000000");
                p.rating.free_seconds = *args->free_minutes * 60;
            }
            if (args->tiers) p.rating.tiers = usage::parse_tiers(*args->tiers, "--tiers");
            if (args->bill_inbound) p.rating.bill_inbound = yes_no(*args->bill_inbound, "--bill-inbound");
            if (args->exclude) p.rating.exclude = usage::NumberPatterns::parse(*args->exclude, "--exclude");
            if (args->suppress) p.rating.suppress = usage::NumberPatterns::parse(*args->suppress, "--suppress");
            if (args->decimals) {
                if (*args->decimals < 0 || *args->decimals > 6) fail(ErrorKind::invalid_input, "--decimals must be 0 to 6");
                p.rating.decimals = static_cast<int>(*args->decimals);
            }
            if (args->billing_mode) p.billing_mode = usage::check_billing_mode(*args->billing_mode);
            if (args->invoice_period) p.invoice_period = usage::check_invoice_period(*args->invoice_period);
            for (const auto &prefix : args->remove_custom_rates) {
                const auto before = p.custom_rates.size();
                std::erase_if(p.custom_rates, [&](const usage::Rate &r) { return r.prefix == prefix; });
                const bool was_damaged = std::any_of(p.damaged.begin(), p.damaged.end(), [&](const auto &d) { return d.first == "--custom-rate " + prefix; });
                if (p.custom_rates.size() == before && !was_damaged) fail(ErrorKind::not_found, "no custom rate for prefix " + prefix);
            }
            for (const auto &text : args->custom_rates) {
                usage::Rate r = parse_custom_rate(text);
                std::erase_if(p.custom_rates, [&](const usage::Rate &c) { return c.prefix == r.prefix; });
                p.custom_rates.push_back(std::move(r));
            }
            // A stored value that no longer reads must be replaced in this call, not saved back as a default.
            for (const auto &[option, why] : p.damaged)
                if (!replaces(*args, option))
                    fail(ErrorKind::invalid_input, "product " + product.name + ": " + why + "; give " + option + " in this command to replace it");
            usage::save_package(ctx.db(), p, ctx.repo().now_text());
            std::cout << "product " << product.name << ": VoIP package " << (existing ? "updated" : "created")
                      << (p.tariff_id ? "" : " (no tariff yet: calls cannot be rated until --tariff is set)") << '\n';
            return exit_ok;
        };
    });

    auto *show = package->add_subcommand("show", "Show a product's VoIP package");
    show->add_option("PRODUCT", args->product, "Product name or id")->required();
    show->callback([&, args] {
        run = [&, args] {
            const Product product = ctx.repo().find_product(args->product);
            const auto p = usage::load_package(ctx.db(), product.id);
            if (!p) fail(ErrorKind::not_found, "product " + product.name + " has no VoIP package (provisio package set " + product.name + ")");
            const std::string tariff = p->tariff_id ? usage::TariffStore(ctx.db(), "").get(*p->tariff_id).name : "";
            const json j = package_json(*p, tariff);
            if (ctx.options.json) {
                print_json(std::cout, j);
                return exit_ok;
            }
            std::vector<std::pair<std::string, std::string>> fields;
            for (const auto &[k, v] : j.items()) {
                if (k == "custom_rates" || k == "product") continue;
                fields.emplace_back(k, v.is_string() ? v.get<std::string>() : dump_json(v));
            }
            std::cout << "product: " << product.name << '\n';
            print_fields(std::cout, fields);
            if (!p->custom_rates.empty()) {
                Table table({"PREFIX", "RATE/MIN", "CONNECT FEE", "DESCRIPTION"});
                for (const auto &r : p->custom_rates)
                    table.add({r.prefix, Money::from_micros(r.per_minute_micros).to_string(2),
                               Money::from_micros(r.connect_fee_micros).to_string(2), r.description});
                table.print(std::cout);
            }
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
