// provisio tax rule add|list|remove, tax settings: the tax rules invoices are taxed by, and the
// policy (prices inclusive or exclusive, compound level 2, rounding, late fees, reverse charge).
#include "billing/taxes.hpp"
#include "cli/arguments.hpp"
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "domain/records.hpp"
#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "store/database.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

struct TaxArgs {
    std::string ref, name, country, state, rate;
    int level = 1;
    std::string prices, compound, rounding, late_fees, home_country, eu_reverse_charge;
};

json rule_json(const TaxRule &r) {
    return {{"id", r.id}, {"level", r.level}, {"name", r.name}, {"country", r.country}, {"state", r.state}, {"rate", r.rate.to_string()}};
}

json settings_json(const TaxSettings &s) {
    return {{"prices", s.inclusive ? "inclusive" : "exclusive"}, {"compound", s.compound}, {"rounding", s.per_line ? "per-line" : "per-invoice"},
            {"late_fees", s.late_fees}, {"home_country", s.home_country}, {"eu_reverse_charge", s.eu_reverse_charge}};
}

}  // namespace

void add_tax_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *tax = app.add_subcommand("tax", "Tax rules and how invoices are taxed");
    tax->require_subcommand(1);
    auto args = std::make_shared<TaxArgs>();

    auto *rule = tax->add_subcommand("rule", "Tax rules: a rate per level, country and state");
    rule->require_subcommand(1);
    auto *add = rule->add_subcommand("add", "Add a tax rule");
    add->add_option("--level", args->level, "1, or 2 for a second tax (compound or not: tax settings --compound)")->default_val(1);
    add->add_option("--name", args->name, "The tax's name on invoices: VAT, GST, State tax")->required();
    add->add_option("--rate", args->rate, "Percent, up to 4 decimals: 20, 8.875")->required();
    add->add_option("--country", args->country, "ISO 3166 two-letter code the rule is for (default: every country)");
    add->add_option("--state", args->state, "The state or province, as clients' addresses write it (needs --country)");
    add->callback([&, args] {
        run = [&, args] {
            TaxRule r;
            r.level = args->level;
            r.name = args->name;
            r.country = args->country;
            r.state = args->state;
            r.rate = TaxRate::parse(args->rate, "--rate");
            const int64_t id = add_tax_rule(ctx.db(), ctx.repo().now_text(), r);
            if (ctx.options.json) {
                for (const auto &x : list_tax_rules(ctx.db()))
                    if (x.id == id) print_json(std::cout, rule_json(x));
            } else {
                std::cout << "tax rule " << id << " added\n";
            }
            return exit_ok;
        };
    });

    rule->add_subcommand("list", "List tax rules")->callback([&] {
        run = [&] {
            const auto rules = list_tax_rules(ctx.db());
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &r : rules) out.push_back(rule_json(r));
                print_json(std::cout, out);
                return exit_ok;
            }
            if (rules.empty()) {
                std::cout << "no tax rules: invoices are not taxed\n";
                return exit_ok;
            }
            Table t({"ID", "LEVEL", "NAME", "COUNTRY", "STATE", "RATE %"});
            for (const auto &r : rules)
                t.add({std::to_string(r.id), std::to_string(r.level), r.name, r.country.empty() ? "(all)" : r.country,
                       r.state.empty() ? "(all)" : r.state, r.rate.to_string()});
            t.print(std::cout);
            return exit_ok;
        };
    });

    auto *remove = rule->add_subcommand("remove", "Remove a tax rule (invoices made already keep their tax)");
    remove->add_option("RULE", args->ref, "Rule id")->required();
    remove->callback([&, args] {
        run = [&, args] {
            const int64_t id = parse_id(args->ref, "rule");
            remove_tax_rule(ctx.db(), id);
            std::cout << "tax rule " << id << " removed\n";
            return exit_ok;
        };
    });

    auto *settings = tax->add_subcommand("settings", "Show the tax settings, or change those given");
    settings->add_option("--prices", args->prices, "exclusive: tax is added to prices (default); inclusive: prices include it");
    settings->add_option("--compound", args->compound, "yes: level 2 is charged on the net amount plus level 1's tax");
    settings->add_option("--rounding", args->rounding, "per-invoice: each level's tax on the taxed sum, rounded once (default); per-line");
    settings->add_option("--late-fees", args->late_fees, "yes: late fees are taxed (default)");
    settings->add_option("--home-country", args->home_country, "The operator's country, ISO 3166 two-letter code (reverse charge needs it); none clears it");
    settings->add_option("--eu-reverse-charge", args->eu_reverse_charge,
                         "yes: an EU client with a VAT number outside --home-country is not taxed, and the invoice says why (default)");
    settings->callback([&, args] {
        run = [&, args] {
            TaxSettings s = load_tax_settings(ctx.db());
            bool changed = false;
            if (!args->prices.empty()) {
                if (args->prices != "inclusive" && args->prices != "exclusive")
                    fail(ErrorKind::invalid_input, "--prices '" + args->prices + "' is not inclusive or exclusive");
                s.inclusive = args->prices == "inclusive";
                changed = true;
            }
            if (!args->rounding.empty()) {
                if (args->rounding != "per-line" && args->rounding != "per-invoice")
                    fail(ErrorKind::invalid_input, "--rounding '" + args->rounding + "' is not per-line or per-invoice");
                s.per_line = args->rounding == "per-line";
                changed = true;
            }
            for (const auto &[text, flag, to] : {std::tuple{&args->compound, "--compound", &s.compound},
                                                 {&args->late_fees, "--late-fees", &s.late_fees},
                                                 {&args->eu_reverse_charge, "--eu-reverse-charge", &s.eu_reverse_charge}})
                if (!text->empty()) {
                    *to = parse_yes_no(*text, flag);
                    changed = true;
                }
            if (!args->home_country.empty()) {
                s.home_country = args->home_country == "none" ? "" : checked_country(args->home_country, "--home-country");
                changed = true;
            }
            if (changed) save_tax_settings(ctx.db(), s);
            if (ctx.options.json) {
                print_json(std::cout, settings_json(s));
            } else {
                print_fields(std::cout, {{"prices", s.inclusive ? "inclusive (tax included)" : "exclusive (tax added)"},
                                         {"compound", s.compound ? "yes" : "no"},
                                         {"rounding", s.per_line ? "per line" : "per invoice"},
                                         {"late fees taxed", s.late_fees ? "yes" : "no"},
                                         {"home country", s.home_country.empty() ? "(not set)" : s.home_country},
                                         {"EU reverse charge", s.eu_reverse_charge ? "yes" : "no"},
                                         {"rules", std::to_string(list_tax_rules(ctx.db()).size())}});
            }
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
