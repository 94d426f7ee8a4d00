// provisio cdr import|collect|list|explain|rerate: call detail records and their ratings.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "foundation/error.hpp"
#include "money/money.hpp"
#include "shapes/records_json.hpp"
#include "store/database.hpp"
#include "usage/cdr_import.hpp"
#include "usage/cdr_explain.hpp"
#include "usage/collection.hpp"
#include "usage/rerate.hpp"
#include "usage/cdrs.hpp"
#include "usage/tariff_store.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>

namespace provisio::cli {

namespace {

struct CdrArgs {
    std::string service, client, month, format = "fusionpbx-csv", file, from, to, id, number;
    bool all = false, dry_run = false;
    int64_t limit = 0, after = 0;
};

std::string money(int64_t micros, int places = 4) { return Money::from_micros(micros).to_string(places); }

// What an import or a collection did; exit 1 when anything needs a look.
int print_report(Context &ctx, const usage::UsageReport &r, const std::string &error_prefix, json extra, const std::string &failure,
                 const std::string &header = "") {
    if (ctx.options.json) {
        json statuses = json::object();
        for (const auto &[k, v] : r.by_status) statuses[k] = v;
        extra["records"] = r.records;
        extra["stored"] = r.stored;
        extra["duplicates"] = r.duplicates;
        extra["b_legs"] = r.b_legs;
        extra["errors"] = r.errors;
        extra["unrated"] = r.unrated;
        extra["by_status"] = statuses;
        extra["cost"] = money(r.cost_micros);
        print_json(std::cout, extra);
    } else {
        std::cout << r.records << " record(s)" << (header.empty() ? "" : " " + header) << ": " << r.stored << " stored, "
                  << r.duplicates << " duplicate(s) skipped, " << r.errors.size() << " rejected\n";
        if (r.b_legs) std::cout << "  b-legs left out: " << r.b_legs << " (a call is billed once, on its a-leg)\n";
        for (const auto &[k, v] : r.by_status) std::cout << "  " << k << ": " << v << '\n';
        std::cout << "  cost of the calls stored: " << money(r.cost_micros) << '\n';
        for (const auto &u : r.unrated) std::cout << "unrated: " << u << '\n';
    }
    for (const auto &e : r.errors) std::cerr << "provisio: " << error_prefix << e << '\n';
    if (!failure.empty()) std::cerr << "provisio: " << failure << '\n';
    return failure.empty() && r.errors.empty() && r.unrated.empty() ? exit_ok : exit_failed;
}

std::optional<std::string> instant_option(const BusinessZone &zone, const std::string &text, const char *what) {
    if (text.empty()) return std::nullopt;
    return format_utc(zone.date_or_instant(text, what));
}

}  // namespace

void add_cdr_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *cdr = app.add_subcommand("cdr", "Call detail records: import, list, explain a rating");
    cdr->require_subcommand(1);
    auto args = std::make_shared<CdrArgs>();

    auto *import = cdr->add_subcommand("import", "Rate and store a PBX's CDR export for one service");
    import->add_option("--service", args->service, "Service id")->required();
    import->add_option("--format", args->format, "fusionpbx-csv (FusionPBX's CDR CSV export)")->capture_default_str();
    import->add_option("FILE", args->file, "The export")->required();
    import->callback([&, args] {
        run = [&, args] {
            if (args->format != "fusionpbx-csv") fail(ErrorKind::invalid_input, "--format '" + args->format + "' is not fusionpbx-csv");
            const BusinessZone zone(ctx.config().timezone);
            usage::UsageRecorder recorder(ctx.db(), ctx.repo(), zone, ctx.repo().now_text(), parse_id(args->service, "--service"),
                                          "fusionpbx");
            usage::read_fusionpbx_csv(args->file, zone, recorder);
            return print_report(ctx, recorder.report(), args->file + " ", {}, "");
        };
    });

    auto *collect = cdr->add_subcommand("collect", "Collect a service's calls from its module (the usage hook), rate and store them");
    collect->add_option("--service", args->service, "Service id")->required();
    collect->callback([&, args] {
        run = [&, args] {
            const BusinessZone zone(ctx.config().timezone);
            const usage::CollectionReport c = usage::collect_usage(ctx.db(), ctx.repo(), ctx.modules(), ctx.quarantine(), zone,
                                                                   ctx.repo().now_text(), parse_id(args->service, "--service"));
            const std::string header = "in " + std::to_string(c.module_calls) + " module call(s), cursor " +
                                       (c.cursor.empty() ? std::string("(none)") : c.cursor);
            return print_report(ctx, c.usage, "", {{"module_calls", c.module_calls}, {"cursor", c.cursor}, {"error", c.error}},
                                c.error.empty() ? "" : "the module's usage collection failed: " + c.error, header);
        };
    });

    auto *list = cdr->add_subcommand("list", "List a service's calls with their rating");
    list->add_option("--service", args->service, "Service id")->required();
    list->add_option("--from", args->from, "From this date (business time zone) or time (ISO 8601 with zone), inclusive");
    list->add_option("--to", args->to, "Up to this date or time, exclusive");
    list->add_flag("--all", args->all, "Include suppressed calls");
    list->add_option("--number", args->number, "Only calls whose dialled, normalized or calling number contains these digits");
    list->add_option("--limit", args->limit, "At most this many calls")->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
    list->add_option("--after", args->after, "Only the calls after this CDR id in the listing (the next page)")
        ->check(CLI::Range(int64_t{1}, INT64_MAX));
    list->callback([&, args] {
        run = [&, args] {
            usage::CdrFilter f;
            f.service_id = parse_id(args->service, "--service");
            const BusinessZone zone(ctx.config().timezone);
            f.from = instant_option(zone, args->from, "--from");
            f.to = instant_option(zone, args->to, "--to");
            f.with_suppressed = args->all;
            f.number = args->number;
            f.limit = args->limit;
            f.after = args->after;
            // Streamed: each call is printed as it is read, so any number of them fits in memory.
            if (ctx.options.json) {
                JsonArrayWriter out(std::cout);
                usage::for_each_cdr(ctx.db(), f, [&](const usage::StoredCdr &c) { out.add(cdr_json(c)); });
                out.finish();
                return exit_ok;
            }
            StreamingTable table(std::cout, {"ID", "START", "DIR", "NUMBER", "BILLSEC", "BILLED", "STATUS", "COST"});
            int64_t total = 0, last = 0;
            usage::for_each_cdr(ctx.db(), f, [&](const usage::StoredCdr &c) {
                table.add({std::to_string(c.id), c.start_at, c.direction, c.number, std::to_string(c.billsec),
                           std::to_string(c.billed_seconds), c.status, money(c.cost_micros)});
                total += c.cost_micros;
                last = c.id;
            });
            const size_t count = table.finish();
            if (count == 0) {
                std::cout << "no calls\n";
                return exit_ok;
            }
            std::cout << count << " call(s), total " << money(total);
            if (args->limit > 0 && count == static_cast<size_t>(args->limit)) std::cout << "; next page: --after " << last;
            std::cout << '\n';
            return exit_ok;
        };
    });

    auto *summary = cdr->add_subcommand("summary", "Calls, billed minutes and cost per business day, of a service or a client");
    auto *of = summary->add_option_group("of", "whose usage");
    of->add_option("--service", args->service, "Service id");
    of->add_option("--client", args->client, "Client id: all its services");
    of->require_option(1);
    summary->add_option("--month", args->month, "The month YYYY-MM (default: this month in the business time zone)");
    summary->add_option("--from", args->from, "From this date (YYYY-MM-DD), inclusive; with --to instead of --month");
    summary->add_option("--to", args->to, "Up to this date, exclusive");
    summary->callback([&, args] {
        run = [&, args] {
            std::vector<int64_t> services;
            if (!args->service.empty()) services.push_back(ctx.repo().get_service(parse_id(args->service, "--service")).id);
            else services = usage::client_service_ids(ctx.db(), ctx.repo().get_client(parse_id(args->client, "--client")).id);
            Date from, to;
            if (!args->from.empty() || !args->to.empty()) {
                if (args->from.empty() || args->to.empty() || !args->month.empty())
                    fail(ErrorKind::invalid_input, "give --from and --to together, or --month");
                from = parse_date(args->from, "--from");
                to = parse_date(args->to, "--to");
            } else {
                const Date first = args->month.empty() ? ctx.today() : parse_date(args->month + "-01", "--month (YYYY-MM)");
                from = first_of_month(first);
                to = from + std::chrono::months(1);
            }
            const usage::UsageSummary summary = usage::summarize_usage(ctx.db(), BusinessZone(ctx.config().timezone), services, from, to);
            if (ctx.options.json) {
                print_json(std::cout, usage_summary_json(summary));
                return exit_ok;
            }
            Table table({"DAY", "CALLS", "MINUTES", "COST"});
            for (const auto &d : summary.days)
                table.add({d.day, std::to_string(d.calls), usage::minutes_text(d.billed_seconds), money(d.cost_micros)});
            const usage::UsageDay &total = summary.total;
            table.add({"total", std::to_string(total.calls), usage::minutes_text(total.billed_seconds), money(total.cost_micros)});
            table.print(std::cout);
            return exit_ok;
        };
    });

    auto *explain = cdr->add_subcommand("explain", "How a call's cost was worked out");
    explain->add_option("ID", args->id, "CDR id")->required();
    explain->callback([&, args] {
        run = [&, args] {
            const usage::StoredCdr c = usage::get_cdr(ctx.db(), parse_id(args->id, "CDR"));
            if (ctx.options.json) {
                print_json(std::cout, cdr_json(c));
                return exit_ok;
            }
            std::cout << "CDR " << c.id << " of service " << c.service_id << '\n';
            print_fields(std::cout, usage::explain_cdr(ctx.db(), c));
            return exit_ok;
        };
    });

    auto *rerate = cdr->add_subcommand("rerate", "Rate a service's calls again under its package and tariff as they are now; "
                                                 "post the difference on billed calls to the client's credit");
    rerate->add_option("--service", args->service, "Service id")->required();
    rerate->add_option("--from", args->from, "From this date (business time zone) or time (ISO 8601 with zone), inclusive")->required();
    rerate->add_option("--to", args->to, "Up to this date or time, exclusive")->required();
    rerate->add_flag("--dry-run", args->dry_run, "Show what would change; change nothing");
    rerate->callback([&, args] {
        run = [&, args] {
            const BusinessZone zone(ctx.config().timezone);
            const usage::RerateReport r =
                usage::rerate_calls(ctx.db(), ctx.repo(), zone, ctx.repo().now_text(), parse_id(args->service, "--service"),
                                    zone.date_or_instant(args->from, "--from"), zone.date_or_instant(args->to, "--to"), args->dry_run);
            const std::string posted = r.posted_micros == 0 ? "" : Money::from_micros(r.posted_micros).to_string(2) + " " + r.currency;
            if (ctx.options.json) {
                print_json(std::cout, {{"rerate", r.rerate_id ? json(*r.rerate_id) : json(nullptr)},
                                       {"dry_run", args->dry_run},
                                       {"from", r.from},
                                       {"to", r.to},
                                       {"widened_to_billing_periods", r.widened},
                                       {"tariff_version", r.tariff_version_id},
                                       {"calls", r.calls},
                                       {"changed", r.changed},
                                       {"billed_difference", money(r.billed_difference_micros)},
                                       {"unbilled_difference", money(r.unbilled_difference_micros)},
                                       {"credit_entry", r.credit_entry ? json(*r.credit_entry) : json(nullptr)},
                                       {"posted", posted},
                                       {"changes", r.lines}});
                return exit_ok;
            }
            if (r.widened)
                std::cout << "range widened to whole billing periods (the package has free minutes or tiers): " << r.from << " to " << r.to
                          << '\n';
            for (const auto &line : r.lines) std::cout << line << '\n';
            std::cout << (args->dry_run ? "dry run: " : "") << r.calls << " call(s) re-rated, " << r.changed << " changed";
            if (r.rerate_id) std::cout << " (re-rate " << *r.rerate_id << ")";
            std::cout << "; billed calls " << money(r.billed_difference_micros) << ", calls not billed yet "
                      << money(r.unbilled_difference_micros) << '\n';
            if (!posted.empty())
                std::cout << (args->dry_run ? "would post " : "posted ") << posted << " to the client's credit"
                          << (r.credit_entry ? " (entry " + std::to_string(*r.credit_entry) + ")" : std::string()) << '\n';
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
