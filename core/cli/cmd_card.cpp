// provisio card key create|rotate, card set|show|clear, and audit list: the card stored for a
// client, its number sealed to the card key, shown in full only against the key's passphrase.
#include "cli/arguments.hpp"
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "shapes/records_json.hpp"
#include "domain/audit_log.hpp"
#include "domain/cards.hpp"
#include "foundation/error.hpp"
#include "secrets/card_vault.hpp"
#include "store/database.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

namespace provisio::cli {

namespace {

struct CardArgs {
    std::string client, type, number, expiry, issue_number, start_date;
    bool full = false;
    int limit = 50;
};

// "YYYY-MM" → "MM/YYYY" for display.
std::string shown_month(const std::string &ym) { return ym.size() == 7 ? ym.substr(5) + "/" + ym.substr(0, 4) : ym; }

json card_json(const StoredCard &c) {
    return {{"client_id", c.client_id}, {"type", c.type}, {"last_four", c.last_four}, {"expiry", shown_month(c.expiry)},
            {"issue_number", c.issue_number}, {"start_date", c.start_date.empty() ? "" : shown_month(c.start_date)},
            {"updated_at", c.updated_at}};
}

}  // namespace

void add_card_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *card = app.add_subcommand("card", "The card stored for a client");
    card->require_subcommand(1);
    auto args = std::make_shared<CardArgs>();

    auto *key = card->add_subcommand("key", "The card key: numbers are sealed to it, its passphrase unlocks them");
    key->require_subcommand(1);
    key->add_subcommand("create", "Make the card key file; the passphrase is read from standard input")->callback([&] {
        run = [&] {
            CardVault::create_key_file(ctx.config().card_key_file, read_secret_line("the card key passphrase"));
            audit(ctx.db(), ctx.repo().now_text(), "card.key_create", std::nullopt, ctx.config().card_key_file.string());
            std::cout << "card key written to " << ctx.config().card_key_file.string()
                      << " (keep the passphrase apart from it; without the passphrase no full number can be read)\n";
            return exit_ok;
        };
    });
    key->add_subcommand("rotate", "A new card key and passphrase: the current passphrase, then the new one, on standard input")
        ->callback([&] {
            run = [&] {
                const auto path = ctx.config().card_key_file;
                CardVault old_key = CardVault::load(path);
                const std::string current = read_secret_line("the current card key passphrase");
                const std::string next = read_secret_line("the new card key passphrase");
                try {
                    old_key.unlock(current);
                } catch (const Error &e) {
                    audit(ctx.db(), ctx.repo().now_text(), "card.key_rotate_refused", std::nullopt, e.what());
                    throw;
                }
                CardVault new_key = CardVault::generate();
                const std::filesystem::path staged = path.string() + ".next";
                new_key.save(staged, next);  // the new key exists before any number is sealed to it
                Transaction tx(ctx.db());
                const int n = Cards(ctx.db()).reseal_all(old_key, new_key);
                audit(ctx.db(), ctx.repo().now_text(), "card.key_rotate", std::nullopt, std::to_string(n) + " card(s) resealed");
                tx.commit();
                std::filesystem::rename(staged, path);
                std::cout << "card key rotated: " << n << " stored card(s) sealed to the new key; the old passphrase no longer opens them\n";
                return exit_ok;
            };
        });

    auto *set = card->add_subcommand("set", "Store a client's card (replacing any); the number is read from standard input");
    set->add_option("CLIENT", args->client, "Client id")->required();
    set->add_option("--type", args->type, "Visa, MasterCard, American Express, ...")->required();
    set->add_option("--expiry", args->expiry, "MM/YY or MM/YYYY")->required();
    set->add_option("--number", args->number, "The number (prefer standard input: a flag shows in the process list)");
    set->add_option("--issue-number", args->issue_number, "Issue number, when the card has one");
    set->add_option("--start-date", args->start_date, "Start date MM/YY, when the card has one");
    set->callback([&, args] {
        run = [&, args] {
            const int64_t client = parse_id(args->client, "client");
            CardDetails d{args->type, args->number, args->expiry, args->issue_number, args->start_date};
            if (d.number.empty()) d.number = read_secret_line("the card number");
            const CardVault vault = CardVault::load(ctx.config().card_key_file);
            const std::string now = ctx.repo().now_text();
            Transaction tx(ctx.db());
            Cards(ctx.db()).set(client, d, vault, ctx.today(), now);
            audit(ctx.db(), now, "card.set", client, d.type);
            tx.commit();
            const StoredCard c = *Cards(ctx.db()).get(client);
            if (ctx.options.json) print_json(std::cout, card_json(c));
            else std::cout << "card stored for client " << client << ": " << c.type << " ending " << c.last_four << ", expires "
                           << shown_month(c.expiry) << "\n";
            return exit_ok;
        };
    });

    auto *show = card->add_subcommand("show", "Show a client's card: type, last four, expiry (--full: the number)");
    show->add_option("CLIENT", args->client, "Client id")->required();
    show->add_flag("--full", args->full, "The full number: reads the card key passphrase from standard input; the access is logged");
    show->callback([&, args] {
        run = [&, args] {
            const int64_t client = parse_id(args->client, "client");
            ctx.repo().get_client(client);
            const auto c = Cards(ctx.db()).get(client);
            if (!c) fail(ErrorKind::not_found, "client " + std::to_string(client) + " has no card stored");
            json out = card_json(*c);
            if (args->full) {
                CardVault vault = CardVault::load(ctx.config().card_key_file);
                try {
                    vault.unlock(read_secret_line("the card key passphrase"));
                } catch (const Error &e) {
                    audit(ctx.db(), ctx.repo().now_text(), "card.show_full_refused", client, e.what());
                    throw;
                }
                out["number"] = Cards(ctx.db()).full_number(client, vault);
                audit(ctx.db(), ctx.repo().now_text(), "card.show_full", client, c->type + " ending " + c->last_four);
            }
            if (ctx.options.json) print_json(std::cout, out);
            else
                print_fields(std::cout, {{"type", c->type},
                                         {"number", args->full ? out["number"].get<std::string>() : "**** **** **** " + c->last_four},
                                         {"expiry", shown_month(c->expiry)}, {"issue number", c->issue_number},
                                         {"start date", c->start_date.empty() ? "" : shown_month(c->start_date)},
                                         {"stored", c->updated_at}});
            return exit_ok;
        };
    });

    auto *clear = card->add_subcommand("clear", "Delete a client's stored card");
    clear->add_option("CLIENT", args->client, "Client id")->required();
    clear->callback([&, args] {
        run = [&, args] {
            const int64_t client = parse_id(args->client, "client");
            Transaction tx(ctx.db());
            const bool had = Cards(ctx.db()).clear(client, ctx.repo().now_text());
            if (had) audit(ctx.db(), ctx.repo().now_text(), "card.clear", client);
            tx.commit();
            std::cout << (had ? "card of client " + std::to_string(client) + " deleted\n" : "client " + std::to_string(client) + " had no card\n");
            return exit_ok;
        };
    });

    auto *audit_cmd = app.add_subcommand("audit", "The audit log of sensitive access");
    audit_cmd->require_subcommand(1);
    auto *list = audit_cmd->add_subcommand("list", "Entries, oldest first (the latest N)");
    list->add_option("--client", args->client, "Only this client's");
    list->add_option("--limit", args->limit, "At most this many")->check(CLI::Range(1, 100000));
    list->callback([&, args] {
        run = [&, args] {
            std::optional<int64_t> client;
            if (!args->client.empty()) client = parse_id(args->client, "--client");
            const auto entries = audit_entries(ctx.db(), client, args->limit);
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &e : entries)
                    out.push_back(audit_json(e));
                print_json(std::cout, out);
                return exit_ok;
            }
            Table t({"ID", "AT", "ACTOR", "ACTION", "CLIENT", "DETAIL"});
            for (const auto &e : entries)
                t.add({std::to_string(e.id), e.at, e.actor, e.action, e.client_id ? std::to_string(*e.client_id) : "", e.detail});
            if (t.empty()) std::cout << "the audit log is empty\n";
            else t.print(std::cout);
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
