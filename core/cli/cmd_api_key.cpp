// provisio api-key add|list|revoke: the credentials of the HTTP API (http/api_keys.hpp).
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "domain/audit_log.hpp"
#include "foundation/error.hpp"
#include "foundation/text.hpp"
#include "http/api_keys.hpp"
#include "shapes/records_json.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

struct ApiKeyArgs {
    std::string name, role, id;
    std::vector<std::string> allow_ips;
};



}  // namespace

void add_api_key_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *keys = app.add_subcommand("api-key", "Credentials for the HTTP API (provisio serve)");
    keys->require_subcommand(1);
    auto args = std::make_shared<ApiKeyArgs>();

    auto *add = keys->add_subcommand("add", "Make a key; its secret is printed once and never again");
    add->add_option("--name", args->name, "What the key is for (shown in lists and the audit log)")->required();
    add->add_option("--role", args->role, "read-only, billing, provisioning or admin (docs/api.md has the permission table)")->required();
    add->add_option("--allow-ip", args->allow_ips, "An address or network the key may be used from (repeatable; default: any)");
    add->callback([&, args] {
        run = [&, args] {
            const std::string now = ctx.repo().now_text();
            Transaction tx(ctx.db());
            const auto [key, secret] = ApiKeys(ctx.db()).add(args->name, args->role, args->allow_ips, now);
            audit(ctx.db(), now, "api key added", std::nullopt, "key " + std::to_string(key.id) + " (" + key.name + "), role " + key.role);
            tx.commit();
            if (ctx.options.json) {
                json out = api_key_json(key);
                out["secret"] = secret;
                print_json(std::cout, out);
            } else {
                std::cout << "API key " << key.id << " (" << key.name << ", role " << key.role << ")\n"
                          << "secret: " << secret << "\n"
                          << "Keep it now: only its hash is stored. Send it as: Authorization: Bearer " << secret << '\n';
            }
            return exit_ok;
        };
    });

    auto *list = keys->add_subcommand("list", "Every key, revoked ones too (never their secrets)");
    list->callback([&] {
        run = [&] {
            const auto all = ApiKeys(ctx.db()).list();
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &k : all) out.push_back(api_key_json(k));
                print_json(std::cout, out);
                return exit_ok;
            }
            Table t({"ID", "NAME", "ROLE", "ALLOWED FROM", "CREATED", "LAST USED", "REVOKED"});
            for (const auto &k : all)
                t.add({std::to_string(k.id), k.name, k.role, k.allow_ips.empty() ? "any address" : join(k.allow_ips, ", "), k.created_at,
                       k.last_used_at.value_or("never"), k.revoked_at.value_or("")});
            if (t.empty()) std::cout << "no API keys (make one: provisio api-key add --name NAME --role ROLE)\n";
            else t.print(std::cout);
            return exit_ok;
        };
    });

    auto *revoke = keys->add_subcommand("revoke", "Stop a key working, at once");
    revoke->add_option("ID", args->id, "The key's id")->required();
    revoke->callback([&, args] {
        run = [&, args] {
            const std::string now = ctx.repo().now_text();
            Transaction tx(ctx.db());
            const ApiKey key = ApiKeys(ctx.db()).revoke(parse_id(args->id, "ID"), now);
            audit(ctx.db(), now, "api key revoked", std::nullopt, "key " + std::to_string(key.id) + " (" + key.name + ")");
            tx.commit();
            if (ctx.options.json) print_json(std::cout, api_key_json(key));
            else std::cout << "API key " << key.id << " (" << key.name << ") revoked\n";
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
