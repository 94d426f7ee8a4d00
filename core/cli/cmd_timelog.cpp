// provisio timelog add|show|generate: the time log and the "Service Credits" view.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "foundation/error.hpp"
#include "ledger/time_ledger.hpp"
#include "provisioning/credit_generation.hpp"
#include "provisioning/time_entries.hpp"
#include "shapes/records_json.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {
struct TimelogArgs {
    std::string service, client, note, at;
    int64_t minutes = 0;
};
}  // namespace

void add_timelog_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *timelog = app.add_subcommand("timelog", "Time credits: log work, show the Service Credits view, run credit cycles");
    timelog->require_subcommand(1);
    auto args = std::make_shared<TimelogArgs>();

    auto *add = timelog->add_subcommand("add", "Log work against a service (debits its time credit; it may go negative)");
    add->add_option("SERVICE", args->service, "Service id")->required();
    add->add_option("--minutes", args->minutes, "Minutes worked")->required();
    add->add_option("--note", args->note, "What was done")->required();
    add->add_option("--at", args->at, "When it was done (ISO time; default now)");
    add->callback([&, args] {
        run = [&, args] {
            const LoggedTime t = log_time(ctx.repo(), ctx.modules(), BusinessZone(ctx.config().timezone), ctx.today(),
                                          {parse_id(args->service, "service"), args->minutes, args->note, args->at}, FieldSpelling::flag);
            if (ctx.options.json)
                print_json(std::cout, logged_time_json(t));
            else
                std::cout << "time entry " << t.entry_id << ": " << args->minutes << " min (" << t.hours.to_string(2) << " h) on service "
                          << t.service_id << "; balance " << t.balance.to_string(2) << " h" << (t.balance.negative() ? " (owed)" : "") << '\n';
            return exit_ok;
        };
    });

    auto *show = timelog->add_subcommand("show", "Service Credits: credits, expiry debits and time entries with running balances");
    show->add_option("--client", args->client, "All of a client's services");
    show->add_option("--service", args->service, "One service");
    show->callback([&, args] {
        run = [&, args] {
            if (args->client.empty() == args->service.empty())
                fail(ErrorKind::invalid_input, "give exactly one of --client or --service");
            std::optional<int64_t> client, service;
            if (!args->client.empty()) client = ctx.repo().get_client(parse_id(args->client, "--client")).id;
            if (!args->service.empty()) service = ctx.repo().get_service(parse_id(args->service, "--service")).id;
            TimeLedger ledger(ctx.db(), ctx.repo().now_text());
            const CreditsView view = service_credits_view(ledger, client, service);
            if (ctx.options.json) {
                print_json(std::cout, credits_view_json(view));
                return exit_ok;
            }
            for (const ServiceCredits &credits : view.services) {
                Table t({"DATE", "KIND", "HOURS", "BALANCE", "DESCRIPTION"});
                for (const auto &[e, balance] : credits.entries) {
                    std::string what = e.description;
                    if (e.minutes) what += " (" + std::to_string(*e.minutes) + " min)";
                    t.add({e.entry_date, e.kind, e.hours.to_string(2), balance.to_string(2), what});
                }
                std::string label = credits.service_id ? "service " + std::to_string(*credits.service_id) : "deleted service";
                if (credits.service_id) {
                    const Service s = ctx.repo().get_service(*credits.service_id);
                    label += " — " + ctx.repo().get_product(s.product_id).name + (s.domain.empty() ? "" : " (" + s.domain + ")");
                }
                std::cout << label << '\n';
                t.print(std::cout);
                std::cout << "balance: " << credits.balance.to_string(2) << " h" << (credits.balance.negative() ? " (owed)" : "") << "\n\n";
            }
            if (view.services.empty()) std::cout << "no time credits or entries\n";
            else std::cout << "total: " << view.total.to_string(2) << " h" << (view.total.negative() ? " (owed)" : "") << '\n';
            return exit_ok;
        };
    });

    auto *generate = timelog->add_subcommand("generate", "Run the calendar credit cycles due now (what the time-credits task does)");
    generate->add_option("--service", args->service, "Only this service");
    generate->callback([&, args] {
        run = [&, args] {
            std::optional<int64_t> only;
            if (!args->service.empty()) only = parse_id(args->service, "--service");
            const CreditReport r = CreditGenerator(ctx.repo(), ctx.modules(), ctx.quarantine(), ctx.today())
                                       .run_calendar(ctx.config().timelog_max_catch_up, only);
            for (const auto &l : r.lines) std::cout << l << '\n';
            for (const auto &n : r.notes) std::cout << "note: " << n << '\n';
            for (const auto &e : r.errors) std::cerr << "provisio: " << e << '\n';
            std::cout << r.cycles << " cycle(s), " << r.entries << " entr" << (r.entries == 1 ? "y" : "ies") << " posted\n";
            return r.errors.empty() ? exit_ok : exit_failed;
        };
    });
}

}  // namespace provisio::cli
