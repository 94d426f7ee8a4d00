// provisio client merge|delete|login-link: joining two accounts into one, removing a client, and
// logging in to the client area as a client.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "domain/audit_log.hpp"
#include "domain/client_admin.hpp"
#include "foundation/error.hpp"
#include "money/money.hpp"
#include "store/database.hpp"
#include "web/sessions.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

struct AdminArgs {
    std::string a, b, keep;
    bool force = false;
};

}  // namespace

void add_client_admin_commands(CLI::App &client, Context &ctx, Runner &run) {
    auto args = std::make_shared<AdminArgs>();

    auto *merge = client.add_subcommand("merge", "Merge two clients into one (everything moves to the one kept)");
    merge->add_option("A", args->a, "Client id")->required();
    merge->add_option("B", args->b, "The other client id")->required();
    merge->add_option("--keep", args->keep, "Whose profile is kept: A's or B's id")->required();
    merge->callback([&, args] {
        run = [&, args] {
            const MergeReport r = merge_clients(ctx.db(), parse_id(args->a, "client A"), parse_id(args->b, "client B"),
                                                parse_id(args->keep, "--keep"), ctx.repo().now_text());
            if (ctx.options.json) {
                print_json(std::cout, {{"kept", r.kept}, {"discarded", r.discarded}, {"moved", r.moved},
                                       {"credit", Money::from_micros(r.credit_micros).to_string()}});
                return exit_ok;
            }
            std::cout << "client " << r.discarded << " merged into client " << r.kept << "; its profile is removed\n";
            for (const auto &[table, n] : r.moved) std::cout << "  " << table << ": " << n << " moved\n";
            std::cout << "  credit balance now " << Money::from_micros(r.credit_micros).to_string() << "\n";
            return exit_ok;
        };
    });

    auto *link = client.add_subcommand("login-link", "Print a single-use link, valid for 60 seconds, that logs in to the client area as the client");
    link->add_option("CLIENT", args->a, "Client id")->required();
    link->callback([&, args] {
        run = [&, args] {
            const int64_t id = parse_id(args->a, "client");
            const Config &cfg = ctx.config();
            std::string base = cfg.client_area.url.empty() ? "http://" + cfg.serve_listen + "/" : cfg.client_area.url;
            if (base.back() != '/') base += '/';
            const std::string now = ctx.repo().now_text();
            Transaction tx(ctx.db());
            const auto made = LoginLinks(ctx.db(), now).make(id);
            audit(ctx.db(), now, "client.login_link", id, "valid until " + made.expires_at);
            tx.commit();
            const std::string url = base + "login/link?token=" + made.token;
            if (ctx.options.json) print_json(std::cout, {{"client", id}, {"url", url}, {"expires_at", made.expires_at}});
            else std::cout << url << "\n(once, until " << made.expires_at << ")\n";
            return exit_ok;
        };
    });

    auto *del = client.add_subcommand("delete", "Delete a client and everything of it but its transactions");
    del->add_option("CLIENT", args->a, "Client id")->required();
    del->add_flag("--force", args->force, "Delete even with active or suspended services (nothing is terminated on servers)");
    del->callback([&, args] {
        run = [&, args] {
            const int64_t id = parse_id(args->a, "client");
            const DeleteReport r = delete_client(ctx.db(), id, args->force, ctx.config().files.dir, ctx.repo().now_text());
            std::cout << "client " << id << " deleted: " << r.services << " service(s), " << r.invoices << " invoice(s), " << r.files
                      << " file(s) removed; " << r.transactions_kept << " transaction(s) kept without a client for income reports\n";
            if (args->force) std::cout << "(the services' accounts on servers were not terminated)\n";
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
