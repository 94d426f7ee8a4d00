// provisio client password set|reminder|reset-request|reset-confirm|check: client-area
// passwords (Argon2id) and single-use, two-hour reset codes, mailed through templates.
#include "cli/arguments.hpp"
#include "cli/context.hpp"
#include "domain/audit_log.hpp"
#include "domain/client_passwords.hpp"
#include "domain/password_reset.hpp"
#include "foundation/error.hpp"
#include "notify/outbox.hpp"
#include "store/database.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

struct PasswordArgs {
    std::string client, email, token;
};

int64_t client_by_email(Database &db, const std::string &email) {
    auto q = db.prepare("SELECT id FROM clients WHERE email = ?1");
    q.bind(1, email);
    if (!q.step()) fail(ErrorKind::not_found, "no client has the e-mail address " + email);
    return q.int64(0);
}

}  // namespace

void add_client_password_commands(CLI::App &client, Context &ctx, Runner &run) {
    auto *password = client.add_subcommand("password", "Client-area passwords and resets");
    password->require_subcommand(1);
    auto args = std::make_shared<PasswordArgs>();

    auto *set = password->add_subcommand("set", "Set a specific password, read from standard input");
    set->add_option("CLIENT", args->client, "Client id")->required();
    set->callback([&, args] {
        run = [&, args] {
            const int64_t id = parse_id(args->client, "client");
            const std::string password = read_secret_line("the new password");
            Transaction tx(ctx.db());
            ClientPasswords(ctx.db()).set(id, password);
            audit(ctx.db(), ctx.repo().now_text(), "password.set", id);
            tx.commit();
            std::cout << "password of client " << id << " set\n";
            return exit_ok;
        };
    });

    auto *reminder = password->add_subcommand("reminder", "Set a new random password and mail it (\"Client Area Details Reminder\")");
    reminder->add_option("CLIENT", args->client, "Client id")->required();
    reminder->callback([&, args] {
        run = [&, args] {
            const int64_t id = parse_id(args->client, "client");
            Transaction tx(ctx.db());  // the new password and the mail that carries it, together
            const std::string password = ClientPasswords(ctx.db()).set_random(id);
            const int64_t message =
                queue_secret_mail(ctx.db(), ctx.secrets(), ctx.repo().now_text(), "Client Area Details Reminder", id, {{"client_password", password}});
            audit(ctx.db(), ctx.repo().now_text(), "password.reminder", id);
            tx.commit();
            std::cout << "client " << id << ": new password set and mailed (message " << message << ")\n";
            return exit_ok;
        };
    });

    auto *request = password->add_subcommand("reset-request", "Mail a single-use reset code, valid for two hours");
    request->add_option("CLIENT", args->client, "Client id (or --email)");
    request->add_option("--email", args->email, "The client's e-mail address");
    request->callback([&, args] {
        run = [&, args] {
            if (args->client.empty() == args->email.empty()) fail(ErrorKind::invalid_input, "give the client id or --email, one of them");
            const int64_t id = args->email.empty() ? parse_id(args->client, "client") : client_by_email(ctx.db(), args->email);
            const ResetRequested reset = request_password_reset(ctx.db(), ctx.secrets(), ctx.repo().now_text(), id);
            const int64_t message = reset.message_id;
            std::cout << "client " << id << ": reset code mailed (message " << message << "), valid until " << reset.expires_at << "\n";
            return exit_ok;
        };
    });

    auto *confirm = password->add_subcommand("reset-confirm", "Use a reset code: a new random password is set and mailed");
    confirm->add_option("CODE", args->token, "The code from the e-mail")->required();
    confirm->callback([&, args] {
        run = [&, args] {
            const ResetDone done = reset_to_random_password(ctx.db(), ctx.secrets(), ctx.repo().now_text(), args->token);
            const int64_t id = done.client_id, message = done.message_id;
            std::cout << "client " << id << ": password reset; the new one is mailed (message " << message << ")\n";
            return exit_ok;
        };
    });

    auto *check = password->add_subcommand("check", "Check a login: the password is read from standard input (exit 4 when wrong)");
    check->add_option("EMAIL", args->email, "The client's e-mail address")->required();
    check->callback([&, args] {
        run = [&, args] {
            const int64_t id = ClientPasswords(ctx.db()).check(args->email, read_secret_line("the password"));
            std::cout << "ok: client " << id << "\n";
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
