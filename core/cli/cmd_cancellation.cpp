// provisio cancellation list: the cancellation requests clients made in the client area (or the
// operator with `service cancel-request`), which the cancellations cron task applies.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "shapes/records_json.hpp"
#include "domain/repository.hpp"
#include "provisioning/cancellation_requests.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

void add_cancellation_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *cancellation = app.add_subcommand("cancellation", "Cancellation requests (see service cancel-request)");
    cancellation->require_subcommand(1);
    auto all = std::make_shared<bool>(false);
    auto *list = cancellation->add_subcommand("list", "The open requests, oldest first");
    list->add_flag("--all", *all, "Applied ones too");
    list->callback([&, all] {
        run = [&, all] {
            const auto requests = list_cancellations(ctx.repo(), *all);
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &r : requests) out.push_back(cancellation_json(r));
                print_json(std::cout, out);
                return exit_ok;
            }
            Table t({"ID", "SERVICE", "CLIENT", "WHEN", "REQUESTED", "APPLIED", "REASON"});
            for (const auto &r : requests) {
                const Service s = ctx.repo().get_service(r.service_id);
                t.add({std::to_string(r.id), std::to_string(r.service_id), std::to_string(s.client_id), r.type, r.requested_at,
                       r.applied_at.value_or("-"), r.reason});
            }
            if (t.empty()) std::cout << (*all ? "no cancellation requests\n" : "no open cancellation requests\n");
            else t.print(std::cout);
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
