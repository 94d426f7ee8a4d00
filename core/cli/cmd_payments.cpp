// Getting paid through gateways: provisio paymethod add|list|remove|default, credit topup,
// credit topup-retry, credit topups, credit auto-topup, invoice charge, invoice refund, invoice attempts.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "foundation/error.hpp"
#include "money/currency.hpp"
#include "payments/auto_topup.hpp"
#include "payments/charges.hpp"
#include "payments/gateways.hpp"
#include "payments/payment_store.hpp"
#include "payments/refunds.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

struct PaymentArgs {
    std::string client, ref, gateway, customer, token, label, amount, below, to = "credit";
    bool make_default = false, hosted = false, no_save = false, on = false, off = false, new_attempt = false;
};

json method_json(const PaymentMethod &m) {
    return {{"id", m.id},         {"client", m.client_id}, {"gateway", m.gateway},       {"customer", m.customer},
            {"token", m.token},   {"label", m.label},      {"default", m.is_default},    {"created_at", m.created_at}};
}

json attempt_json(const PaymentAttempt &a) {
    return {{"id", a.id},
            {"kind", a.kind},
            {"invoice", a.invoice_id ? json(*a.invoice_id) : json()},
            {"topup", a.topup_id ? json(*a.topup_id) : json()},
            {"gateway", a.gateway},
            {"idempotency_key", a.idempotency_key},
            {"amount", a.amount.to_string(currency_decimals(a.currency))},
            {"currency", a.currency},
            {"state", a.state},
            {"gateway_ref", a.gateway_ref},
            {"payment_ref", a.payment_ref},
            {"url", a.url},
            {"message", a.message},
            {"transaction", a.transaction_id ? json(*a.transaction_id) : json()},
            {"created_at", a.created_at},
            {"updated_at", a.updated_at}};
}

void print_attempts(const std::vector<PaymentAttempt> &attempts) {
    Table t({"ATTEMPT", "KIND", "WHEN", "AMOUNT", "STATE", "GATEWAY", "REF", "MESSAGE"});
    for (const auto &a : attempts)
        t.add({std::to_string(a.id), a.kind, a.created_at, a.amount.to_string(currency_decimals(a.currency)) + " " + a.currency, a.state,
               a.gateway, a.payment_ref.empty() ? a.gateway_ref : a.payment_ref, a.url.empty() ? a.message : a.url});
    if (t.empty()) std::cout << "no payment attempts\n";
    else t.print(std::cout);
}

int print_topup(Context &ctx, const TopupReport &r) {
    if (ctx.options.json) {
        print_json(std::cout, {{"topup", r.topup.id}, {"client", r.topup.client_id}, {"state", r.topup.state}, {"paid", r.paid},
                               {"url", r.url}, {"attempt", attempt_json(r.attempt)}, {"message", r.line}});
    } else {
        std::cout << r.line << '\n';
    }
    if (r.paid || r.topup.state == "open") return r.attempt.state == attempt_state::sent ? exit_queued : exit_ok;
    return exit_failed;
}

}  // namespace

void add_payment_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto args = std::make_shared<PaymentArgs>();

    auto *pm = app.add_subcommand("paymethod", "Clients' payment methods saved at a gateway (tokens, never card numbers)");
    pm->require_subcommand(1);
    auto *add = pm->add_subcommand("add", "Record a payment method the client saved at a gateway");
    add->add_option("CLIENT", args->client, "Client id")->required();
    add->add_option("--gateway", args->gateway, "The gateway account (server record); default: [payments] gateway");
    add->add_option("--customer", args->customer, "The client's customer id at the gateway (Stripe: cus_...)");
    add->add_option("--token", args->token, "The payment method's id at the gateway (Stripe: pm_...)")->required();
    add->add_option("--label", args->label, "How the client knows it, e.g. \"Visa ending 4242\"");
    add->add_flag("--default", args->make_default, "Make it the method charged (a client's first method is anyway)");
    add->callback([&, args] {
        run = [&, args] {
            const int64_t client = parse_id(args->client, "client");
            ctx.repo().get_client(client);
            const std::string gateway = gateway_name(ctx.config(), args->gateway.empty() ? std::nullopt : std::optional(args->gateway));
            gateway_account(ctx.repo(), ctx.modules(), gateway);
            const PaymentMethod m =
                save_payment_method(ctx.db(), ctx.repo().now_text(), client, gateway, args->customer, args->token, args->label, args->make_default);
            if (ctx.options.json) print_json(std::cout, method_json(m));
            else std::cout << "payment method " << m.id << " saved for client " << client << (m.is_default ? " (default)" : "") << '\n';
            return exit_ok;
        };
    });
    auto *list = pm->add_subcommand("list", "A client's saved payment methods, the default first");
    list->add_option("CLIENT", args->client, "Client id")->required();
    list->callback([&, args] {
        run = [&, args] {
            const int64_t client = parse_id(args->client, "client");
            ctx.repo().get_client(client);
            const auto methods = list_payment_methods(ctx.db(), client);
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &m : methods) out.push_back(method_json(m));
                print_json(std::cout, out);
                return exit_ok;
            }
            Table t({"ID", "GATEWAY", "LABEL", "CUSTOMER", "TOKEN", "DEFAULT"});
            for (const auto &m : methods) t.add({std::to_string(m.id), m.gateway, m.label, m.customer, m.token, m.is_default ? "yes" : ""});
            if (t.empty()) std::cout << "no payment methods\n";
            else t.print(std::cout);
            return exit_ok;
        };
    });
    auto *remove = pm->add_subcommand("remove", "Forget a saved payment method (the gateway keeps its own record)");
    remove->add_option("CLIENT", args->client, "Client id")->required();
    remove->add_option("METHOD", args->ref, "Payment method id")->required();
    remove->callback([&, args] {
        run = [&, args] {
            remove_payment_method(ctx.db(), ctx.repo().now_text(), parse_id(args->client, "client"), parse_id(args->ref, "payment method"));
            if (!ctx.options.json) std::cout << "payment method " << args->ref << " removed\n";
            else print_json(std::cout, {{"removed", parse_id(args->ref, "payment method")}});
            return exit_ok;
        };
    });
    auto *def = pm->add_subcommand("default", "Make a saved payment method the one charged");
    def->add_option("CLIENT", args->client, "Client id")->required();
    def->add_option("METHOD", args->ref, "Payment method id")->required();
    def->callback([&, args] {
        run = [&, args] {
            set_default_payment_method(ctx.db(), parse_id(args->client, "client"), parse_id(args->ref, "payment method"));
            if (!ctx.options.json) std::cout << "payment method " << args->ref << " is the default\n";
            else print_json(std::cout, {{"default", parse_id(args->ref, "payment method")}});
            return exit_ok;
        };
    });

    CLI::App *credit = app.get_subcommand("credit");
    auto *topup = credit->add_subcommand("topup", "Add funds: charge the client's saved method, or open the gateway's hosted payment");
    topup->add_option("CLIENT", args->client, "Client id")->required();
    topup->add_option("AMOUNT", args->amount, "Amount in the client's currency, within [payments] topup_min and topup_max")->required();
    topup->add_option("--gateway", args->gateway, "The gateway account (server record); default: [payments] gateway");
    topup->add_flag("--hosted", args->hosted, "Use the hosted payment page even when a method is saved (prints its URL)");
    topup->add_flag("--no-save", args->no_save, "Hosted: do not offer to keep the card for later charges");
    topup->callback([&, args] {
        run = [&, args] {
            TopupRequest r;
            r.client_id = parse_id(args->client, "client");
            r.amount = args->amount;
            if (!args->gateway.empty()) r.gateway = args->gateway;
            r.hosted = args->hosted;
            r.save_method = !args->no_save;
            TaskContext tctx = ctx.task_context();
            return print_topup(ctx, start_topup(tctx, r));
        };
    });
    auto *retry = credit->add_subcommand("topup-retry", "Ask the gateway again about a top-up whose outcome is unknown (same key)");
    retry->add_option("TOPUP", args->ref, "Top-up id")->required();
    retry->callback([&, args] {
        run = [&, args] {
            TaskContext tctx = ctx.task_context();
            return print_topup(ctx, retry_topup(tctx, parse_id(args->ref, "top-up")));
        };
    });
    auto *autot = credit->add_subcommand("auto-topup", "Show or set a client's auto top-up: when credit falls below X, charge Y");
    autot->add_option("CLIENT", args->client, "Client id")->required();
    autot->add_option("--below", args->below, "Top up when credit less what is due falls below this");
    autot->add_option("--amount", args->amount, "How much to charge each time (within [payments] topup_min and topup_max)");
    autot->add_flag("--on", args->on, "Switch it on (the default when --below or --amount is given)");
    autot->add_flag("--off", args->off, "Switch it off (the amounts are kept)");
    autot->callback([&, args] {
        run = [&, args] {
            const int64_t client = parse_id(args->client, "client");
            const Client c = ctx.repo().get_client(client);
            std::optional<AutoTopupSetting> s = auto_topup_setting(ctx.db(), client);
            if (args->on && args->off) fail(ErrorKind::invalid_input, "--on and --off contradict each other");
            if (args->on || args->off || !args->below.empty() || !args->amount.empty()) {
                TaskContext tctx = ctx.task_context();
                s = set_auto_topup(tctx, client, args->below.empty() ? std::nullopt : std::optional(args->below),
                                   args->amount.empty() ? std::nullopt : std::optional(args->amount), !args->off, FieldSpelling::flag);
            }
            const int places = currency_decimals(c.currency);
            if (ctx.options.json) {
                print_json(std::cout, s ? json{{"client", client}, {"enabled", s->enabled}, {"below", s->threshold.to_string(places)},
                                               {"amount", s->amount.to_string(places)}, {"updated_at", s->updated_at}}
                                        : json{{"client", client}, {"enabled", false}});
            } else if (!s) {
                std::cout << "client " << client << ": no auto top-up\n";
            } else {
                std::cout << "client " << client << ": auto top-up " << (s->enabled ? "on" : "off") << ": below " << s->threshold.to_string(places)
                          << " charge " << s->amount.to_string(places) << " " << c.currency << '\n';
            }
            return exit_ok;
        };
    });

    auto *topups = credit->add_subcommand("topups", "A client's top-ups, newest first");
    topups->add_option("CLIENT", args->client, "Client id")->required();
    topups->callback([&, args] {
        run = [&, args] {
            const int64_t client = parse_id(args->client, "client");
            const Client c = ctx.repo().get_client(client);
            const auto list = list_topups(ctx.db(), client);
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &t : list)
                    out.push_back({{"id", t.id}, {"amount", t.amount.to_string(currency_decimals(c.currency))}, {"gateway", t.gateway},
                                   {"source", t.source}, {"state", t.state}, {"created_at", t.created_at},
                                   {"paid_at", t.paid_at ? json(*t.paid_at) : json()}});
                print_json(std::cout, out);
                return exit_ok;
            }
            Table t({"TOPUP", "AMOUNT", "GATEWAY", "SOURCE", "STATE", "CREATED", "PAID"});
            for (const auto &x : list)
                t.add({std::to_string(x.id), x.amount.to_string(currency_decimals(c.currency)), x.gateway, x.source, x.state, x.created_at,
                       x.paid_at.value_or("")});
            if (t.empty()) std::cout << "no top-ups\n";
            else t.print(std::cout);
            return exit_ok;
        };
    });

    CLI::App *invoice = app.get_subcommand("invoice");
    auto *charge = invoice->add_subcommand("charge", "Charge an Unpaid invoice to the client's saved payment method now");
    charge->add_option("INVOICE", args->ref, "Invoice number")->required();
    charge->add_flag("--new-attempt", args->new_attempt,
                     "After an unresolved attempt (no answer for 23 h), charge under a new key: check the gateway first");
    charge->callback([&, args] {
        run = [&, args] {
            TaskContext tctx = ctx.task_context();
            const ChargeReport r = charge_invoice(tctx, parse_id(args->ref, "invoice"), args->new_attempt);
            if (ctx.options.json) {
                print_json(std::cout, {{"paid", r.paid}, {"attempt", attempt_json(r.attempt)}, {"message", r.line}, {"after", r.after.lines}});
            } else {
                std::cout << r.line << '\n';
                for (const auto &l : r.after.lines) std::cout << l << '\n';
            }
            for (const auto &e : r.after.errors) std::cerr << "provisio: " << e << '\n';
            if (r.paid) return exit_ok;
            return r.attempt.state == attempt_state::sent ? exit_queued : r.failed ? exit_failed : exit_ok;
        };
    });
    auto *refund = invoice->add_subcommand("refund", "Refund a Paid invoice to the client's credit or through the gateway");
    refund->add_option("INVOICE", args->ref, "Invoice number")->required();
    refund->add_option("--amount", args->amount, "How much (default: all that is left to refund)");
    refund->add_option("--to", args->to, "credit (the client's credit balance) or gateway (back to the card)")
        ->check(CLI::IsMember({"credit", "gateway"}));
    refund->callback([&, args] {
        run = [&, args] {
            RefundRequest r;
            r.invoice_id = parse_id(args->ref, "invoice");
            if (!args->amount.empty()) r.amount = args->amount;
            r.to_gateway = args->to == "gateway";
            TaskContext tctx = ctx.task_context();
            const RefundReport report = refund_invoice(tctx, r);
            if (ctx.options.json)
                print_json(std::cout, {{"invoice", r.invoice_id}, {"refunded", report.refunded.to_string(report.places)}, {"transactions", report.transactions},
                                       {"unknown", report.unknown}, {"lines", report.lines}});
            else
                for (const auto &l : report.lines) std::cout << l << '\n';
            return report.unknown ? exit_queued : exit_ok;
        };
    });
    auto *attempts = invoice->add_subcommand("attempts", "Every charge, hosted payment and refund asked of a gateway for an invoice");
    attempts->add_option("INVOICE", args->ref, "Invoice number")->required();
    attempts->callback([&, args] {
        run = [&, args] {
            const int64_t invoice = parse_id(args->ref, "invoice");
            {
                auto q = ctx.db().prepare("SELECT 1 FROM invoices WHERE id = ?1");
                q.bind(1, invoice);
                if (!q.step()) fail(ErrorKind::not_found, "invoice " + std::to_string(invoice) + " does not exist");
            }
            const auto list = invoice_attempts(ctx.db(), invoice);
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &a : list) out.push_back(attempt_json(a));
                print_json(std::cout, out);
            } else {
                print_attempts(list);
            }
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
