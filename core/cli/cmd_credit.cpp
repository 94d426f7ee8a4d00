// provisio credit add|remove|set|list|delete, and provisio verify.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "domain/manual_credit.hpp"
#include "shapes/records_json.hpp"
#include "foundation/error.hpp"
#include "ledger/credit_ledger.hpp"
#include "ledger/verify.hpp"
#include "money/currency.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

struct CreditArgs {
    std::string client, amount, description, entry;
};

// A positive amount in the client's currency.
Money client_amount(Context &ctx, int64_t client_id, const std::string &text, bool allow_zero) {
    const Client c = ctx.repo().get_client(client_id);
    const Money m = Money::parse(text, "amount", currency_decimals(c.currency));
    if (m.negative() || (!allow_zero && m.zero()))
        fail(ErrorKind::invalid_input, "amount '" + text + "' must be " + (allow_zero ? "zero or more" : "more than zero"));
    return m;
}


int post(Context &ctx, const CreditArgs &a, bool adding) {
    const int64_t client = parse_id(a.client, "client");
    const ManualCredit m = post_manual_credit(ctx.db(), ctx.repo().now_text(), client, a.amount, a.description, adding, FieldSpelling::flag);
    if (ctx.options.json) print_json(std::cout, {{"entry", m.entry_id}, {"client", client}, {"balance", m.balance.to_string()}});
    else std::cout << "credit entry " << m.entry_id << ": " << (adding ? "+" : "") << m.amount.to_string() << "; client " << client
                   << " balance " << m.balance.to_string() << '\n';
    return exit_ok;
}

}  // namespace

void add_credit_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *credit = app.add_subcommand("credit", "A client's credit balance and its log");
    credit->require_subcommand(1);
    auto args = std::make_shared<CreditArgs>();

    auto *add = credit->add_subcommand("add", "Add credit to a client");
    add->add_option("CLIENT", args->client, "Client id")->required();
    add->add_option("AMOUNT", args->amount, "Amount, e.g. 25.00")->required();
    add->add_option("--description", args->description, "Why (shown in the credit log)")->required();
    add->callback([&, args] { run = [&, args] { return post(ctx, *args, true); }; });

    auto *remove = credit->add_subcommand("remove", "Take credit from a client (never below zero)");
    remove->add_option("CLIENT", args->client, "Client id")->required();
    remove->add_option("AMOUNT", args->amount, "Amount")->required();
    remove->add_option("--description", args->description, "Why (shown in the credit log)")->required();
    remove->callback([&, args] { run = [&, args] { return post(ctx, *args, false); }; });

    auto *set = credit->add_subcommand("set", "Set a client's balance directly (logged as an adjustment)");
    set->add_option("CLIENT", args->client, "Client id")->required();
    set->add_option("AMOUNT", args->amount, "The new balance")->required();
    set->add_option("--description", args->description, "Why (default: Manual adjustment)");
    set->callback([&, args] {
        run = [&, args] {
            const int64_t client = parse_id(args->client, "client");
            const Money target = client_amount(ctx, client, args->amount, true);
            CreditLedger ledger(ctx.db(), ctx.repo().now_text());
            const auto id = ledger.set_balance(client, target, args->description.empty() ? "Manual adjustment" : args->description);
            if (ctx.options.json)
                print_json(std::cout, {{"entry", id ? json(*id) : json()}, {"client", client}, {"balance", target.to_string()}});
            else if (id) std::cout << "credit entry " << *id << ": client " << client << " balance set to " << target.to_string() << '\n';
            else std::cout << "client " << client << " balance is already " << target.to_string() << '\n';
            return exit_ok;
        };
    });

    auto *list = credit->add_subcommand("list", "The credit log, with the running balance");
    list->add_option("CLIENT", args->client, "Client id")->required();
    list->callback([&, args] {
        run = [&, args] {
            const int64_t client = parse_id(args->client, "client");
            ctx.repo().get_client(client);
            CreditLedger ledger(ctx.db(), ctx.repo().now_text());
            const auto entries = ledger.entries(client);
            if (ctx.options.json) {
                print_json(std::cout, credit_log_json(client, ledger.balance(client), entries));
                return exit_ok;
            }
            Table t({"ENTRY", "AT", "KIND", "AMOUNT", "BALANCE", "DESCRIPTION"});
            Money running;
            for (const auto &e : entries) {
                running += e.amount;
                std::string desc = e.description;
                if (e.reversed_by) desc += " (reversed by " + std::to_string(*e.reversed_by) + ")";
                t.add({std::to_string(e.id), e.at, e.kind, e.amount.to_string(), running.to_string(), desc});
            }
            if (t.empty()) std::cout << "no credit entries\n";
            else t.print(std::cout);
            std::cout << "balance: " << ledger.balance(client).to_string() << '\n';
            return exit_ok;
        };
    });

    auto *del = credit->add_subcommand("delete", "Delete a credit log entry: posts its reversal (the history stays)");
    del->add_option("ENTRY", args->entry, "Credit entry id")->required();
    del->callback([&, args] {
        run = [&, args] {
            CreditLedger ledger(ctx.db(), ctx.repo().now_text());
            const int64_t rid = ledger.reverse(parse_id(args->entry, "credit entry"));
            if (ctx.options.json) print_json(std::cout, {{"reversal", rid}});
            else std::cout << "credit entry " << args->entry << " reversed by entry " << rid << '\n';
            return exit_ok;
        };
    });

    app.add_subcommand("verify", "Check the database's invariants (balances equal ledgers, no orphan rows)")->callback([&] {
        run = [&] {
            const auto problems = verify_database(ctx.db());
            if (ctx.options.json) print_json(std::cout, {{"ok", problems.empty()}, {"problems", problems}});
            else if (problems.empty()) std::cout << "ok: balances match their ledgers, no orphan rows\n";
            else
                for (const auto &p : problems) std::cout << "problem: " << p << '\n';
            return problems.empty() ? exit_ok : exit_failed;
        };
    });
}

}  // namespace provisio::cli
