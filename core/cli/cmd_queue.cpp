// provisio queue list|retry|release: lifecycle calls that failed with a retryable error, and the
// parked ones (provisioning/quarantine.hpp) an operator puts back.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "shapes/records_json.hpp"
#include "foundation/error.hpp"
#include "provisioning/call_log.hpp"
#include "provisioning/lifecycle.hpp"
#include "provisioning/module_queue.hpp"
#include "store/database.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {
struct QueueArgs {
    bool all = false;
    std::string id;
};
}  // namespace

void add_queue_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *queue = app.add_subcommand("queue", "The module queue: calls waiting for a retry");
    queue->require_subcommand(1);
    auto args = std::make_shared<QueueArgs>();

    auto *list = queue->add_subcommand("list", "Open items, parked ones among them (with --all, resolved ones too)");
    list->add_flag("--all", args->all, "Include resolved items");
    list->callback([&, args] {
        run = [&, args] {
            const auto items = list_queue(ctx.db(), args->all);
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &i : items) out.push_back(queue_item_json(i));
                print_json(std::cout, out);
                return exit_ok;
            }
            Table t({"ID", "SERVICE", "ACTION", "ATTEMPTS", "LAST ATTEMPT", "STATE", "LAST ERROR"});
            for (const auto &i : items)
                // A parked item shows why it is parked: what the operator must judge before releasing it.
                t.add({std::to_string(i.id), std::to_string(i.service_id), i.action, std::to_string(i.attempts),
                       i.last_attempt_at, i.state(), i.parked_at ? i.parked_reason : i.last_error});
            if (t.empty()) std::cout << "the module queue is empty\n";
            else t.print(std::cout);
            return exit_ok;
        };
    });

    auto *retry = queue->add_subcommand("retry", "Retry one open item, or all of them");
    retry->add_option("ID", args->id, "Queue item id (default: every open item)");
    retry->callback([&, args] {
        run = [&, args] {
            std::optional<int64_t> id;
            if (!args->id.empty()) id = parse_id(args->id, "queue item");
            Provisioner p = ctx.provisioner();
            const auto results = p.retry_queue(id);
            int code = exit_ok;
            json out = json::array();
            for (const auto &r : results) {
                if (r.result && r.result->status != PROVISIO_OK) code = r.result->status == PROVISIO_RETRYABLE ? exit_queued : exit_failed;
                if (r.parked && code == exit_ok) code = exit_refused;
                if (!r.result && !r.obsolete && code == exit_ok) code = exit_failed;
                const json j = queue_retry_json(r);
                if (ctx.options.json) out.push_back(j);
                else
                    std::cout << "queue item " << r.queue_id << ": " << j["result"].get<std::string>()
                              << (j["message"].get<std::string>().empty() ? "" : " — " + j["message"].get<std::string>()) << '\n';
            }
            if (ctx.options.json) print_json(std::cout, out);
            else if (results.empty()) std::cout << "nothing to retry\n";
            return code;
        };
    });

    auto *release = queue->add_subcommand(
        "release", "Put a parked item back on the queue with a fresh count of aborted attempts (cron retries it again)");
    release->add_option("ID", args->id, "Queue item id")->required();
    release->callback([&, args] {
        run = [&, args] {
            const int64_t id = parse_id(args->id, "queue item");
            Database &db = ctx.db();
            Transaction tx(db);
            const std::optional<QueueItem> item = release_parked(db, id);
            tx.commit();
            if (ctx.options.json) {
                print_json(std::cout, {{"queue_id", id}, {"state", "open"}, {"was_parked_because", item->parked_reason}});
            } else {
                std::cout << "queue item " << id << " released: " << item->action << " of service " << item->service_id
                          << " is back on the queue with a fresh count (parked since " << *item->parked_at << ": "
                          << item->parked_reason << ")\nthe next cron run retries it; provisio queue retry " << id
                          << " runs it now\n";
            }
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
