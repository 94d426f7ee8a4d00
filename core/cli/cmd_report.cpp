// provisio report transactions|income|outstanding|taxes: money over a period of business days,
// as a table, --json or --csv.
#include "billing/reports.hpp"
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "foundation/error.hpp"

#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

namespace provisio::cli {

namespace {

struct ReportArgs {
    std::string from, to, basis = "invoiced";
    bool csv = false;
};

std::string id_text(const std::optional<int64_t> &id) { return id ? std::to_string(*id) : ""; }

// Prints `rows` as the caller asked: JSON ({"from", "to", rows, total}), CSV (the rows), or a
// table and a total line.
int print_report(Context &ctx, const ReportArgs &a, const Table &table, json rows, const json &summary, const std::string &total_line) {
    if (ctx.options.json) {
        json out{{"from", a.from}, {"to", a.to}, {"rows", std::move(rows)}};
        for (const auto &[k, v] : summary.items()) out[k] = v;
        print_json(std::cout, out);
    } else if (a.csv) {
        table.print_csv(std::cout);
    } else {
        if (table.empty()) std::cout << "nothing from " << a.from << " to " << a.to << '\n';
        else table.print(std::cout);
        std::cout << total_line << '\n';
    }
    return exit_ok;
}

}  // namespace

void add_report_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *report = app.add_subcommand("report", "Money reports over business days: payments, income per day, unpaid invoices, taxes");
    report->require_subcommand(1);
    auto args = std::make_shared<ReportArgs>();
    auto period = [&](CLI::App *cmd) {
        cmd->add_option("--from", args->from, "First business day, YYYY-MM-DD")->required();
        cmd->add_option("--to", args->to, "The day after the last, YYYY-MM-DD (exclusive)")->required();
        cmd->add_flag("--csv", args->csv, "CSV (RFC 4180) instead of a table");
    };
    auto dates = [args] {
        const Date from = parse_date(args->from, "--from"), to = parse_date(args->to, "--to");
        if (!(from < to)) fail(ErrorKind::invalid_input, "--to " + args->to + " must be after --from " + args->from);
        return std::pair{from, to};
    };

    auto *transactions = report->add_subcommand("transactions", "Every payment recorded in the period, in the order received");
    period(transactions);
    transactions->callback([&, args, dates] {
        run = [&, args, dates] {
            const auto [from, to] = dates();
            Table t({"ID", "RECEIVED", "DAY", "CLIENT", "INVOICE", "METHOD", "TRANSACTION", "AMOUNT"});
            json rows = json::array();
            Money total;
            for (const auto &p : payments_between(ctx.db(), BusinessZone(ctx.config().timezone), from, to)) {
                t.add({std::to_string(p.id), p.at, format_date(p.day), id_text(p.client_id), id_text(p.invoice_id), p.method, p.gateway_id,
                       p.amount.to_string()});
                rows.push_back({{"id", p.id}, {"at", p.at}, {"day", format_date(p.day)}, {"client", p.client_id ? json(*p.client_id) : json()},
                                {"invoice", p.invoice_id ? json(*p.invoice_id) : json()}, {"method", p.method}, {"transaction", p.gateway_id},
                                {"description", p.description}, {"amount", p.amount.to_string()}});
                total += p.amount;
            }
            const size_t n = rows.size();
            return print_report(ctx, *args, t, std::move(rows), {{"payments", n}, {"total", total.to_string()}},
                                std::to_string(n) + " payment(s), " + total.to_string() + " in all");
        };
    });

    auto *income = report->add_subcommand("income", "Payments received per business day of the period");
    period(income);
    income->callback([&, args, dates] {
        run = [&, args, dates] {
            const auto [from, to] = dates();
            Table t({"DAY", "PAYMENTS", "AMOUNT"});
            json rows = json::array();
            Money total;
            for (const auto &d : income_by_day(payments_between(ctx.db(), BusinessZone(ctx.config().timezone), from, to))) {
                t.add({format_date(d.day), std::to_string(d.payments), d.amount.to_string()});
                rows.push_back({{"day", format_date(d.day)}, {"payments", d.payments}, {"amount", d.amount.to_string()}});
                total += d.amount;
            }
            return print_report(ctx, *args, t, std::move(rows), {{"total", total.to_string()}}, "income " + total.to_string());
        };
    });

    auto *outstanding = report->add_subcommand("outstanding", "Invoices dated in the period that are Unpaid now, oldest due first");
    period(outstanding);
    outstanding->callback([&, args, dates] {
        run = [&, args, dates] {
            const auto [from, to] = dates();
            Table t({"INVOICE", "CLIENT", "DATE", "DUE", "TOTAL", "BALANCE", "DAYS OVERDUE"});
            json rows = json::array();
            Money total;
            for (const auto &i : outstanding_invoices(ctx.db(), from, to, ctx.today())) {
                t.add({std::to_string(i.id), std::to_string(i.client_id), i.invoice_date, i.due_date, i.total.to_string(),
                       i.balance_due.to_string(), std::to_string(i.days_overdue)});
                rows.push_back({{"invoice", i.id}, {"client", i.client_id}, {"invoice_date", i.invoice_date}, {"due_date", i.due_date},
                                {"total", i.total.to_string()}, {"balance_due", i.balance_due.to_string()}, {"days_overdue", i.days_overdue}});
                total += i.balance_due;
            }
            const size_t n = rows.size();
            return print_report(ctx, *args, t, std::move(rows), {{"invoices", n}, {"outstanding", total.to_string()}},
                                std::to_string(n) + " unpaid invoice(s), " + total.to_string() + " due");
        };
    });

    auto *taxes = report->add_subcommand("taxes", "Tax charged in the period, by level, name, rate and currency; reverse-charged sales apart");
    period(taxes);
    taxes->add_option("--basis", args->basis, "invoiced: invoices dated in the period (default); paid: invoices paid in it");
    taxes->callback([&, args, dates] {
        run = [&, args, dates] {
            const auto [from, to] = dates();
            if (args->basis != "invoiced" && args->basis != "paid")
                fail(ErrorKind::invalid_input, "--basis '" + args->basis + "' is not invoiced or paid");
            Table t({"LEVEL", "TAX", "RATE %", "CURRENCY", "INVOICES", "TAXABLE", "TAX"});
            json rows = json::array();
            std::map<std::string, Money> totals;
            for (const auto &r : taxes_between(ctx.db(), BusinessZone(ctx.config().timezone), from, to, args->basis == "paid")) {
                t.add({r.level ? std::to_string(r.level) : "-", r.name, r.rate.to_string(), r.currency, std::to_string(r.invoices),
                       r.taxable.to_string(), r.tax.to_string()});
                rows.push_back({{"level", r.level}, {"name", r.name}, {"rate", r.rate.to_string()}, {"currency", r.currency},
                                {"invoices", r.invoices}, {"taxable", r.taxable.to_string()}, {"tax", r.tax.to_string()}});
                totals[r.currency] += r.tax;
            }
            json by_currency = json::object();
            std::string line = "tax";
            for (const auto &[currency, amount] : totals) {
                by_currency[currency] = amount.to_string();
                line += " " + amount.to_string() + " " + currency;
            }
            if (totals.empty()) line += " 0.00";
            return print_report(ctx, *args, t, std::move(rows), {{"basis", args->basis}, {"tax", by_currency}}, line);
        };
    });
}

}  // namespace provisio::cli
