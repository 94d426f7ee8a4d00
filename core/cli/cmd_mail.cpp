// provisio mail template add|list|show, mail variables, mail outbox, mail send.
#include "cli/context.hpp"
#include "cli/output.hpp"
#include "documents/invoice_pdf.hpp"
#include "foundation/error.hpp"
#include "foundation/text.hpp"
#include "notify/outbox.hpp"
#include "notify/templates.hpp"

#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <sstream>

namespace provisio::cli {

namespace {
struct MailArgs {
    std::string name, subject, body, body_file, category, client;
    bool all = false;
    int limit = 100;
};
}  // namespace

void add_mail_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *mail = app.add_subcommand("mail", "E-mail templates and the outbox");
    mail->require_subcommand(1);
    auto args = std::make_shared<MailArgs>();

    auto *templ = mail->add_subcommand("template", "E-mail templates");
    templ->require_subcommand(1);
    auto *add = templ->add_subcommand("add", "Add a template, or replace the one with that name");
    add->add_option("NAME", args->name, "Template name, e.g. \"Overdue Notice\"")->required();
    add->add_option("--subject", args->subject, "Subject line ({$variables} allowed)")->required();
    add->add_option("--body", args->body, "Body text");
    add->add_option("--body-file", args->body_file, "Read the body from this file");
    add->add_option("--category", args->category,
                    "general, invoice, support, product or domain: contacts subscribed to it get a copy (default: the template's "
                    "current category, else general)");
    add->callback([&, args] {
        run = [&, args] {
            std::string body = args->body;
            if (!args->body_file.empty()) {
                std::ifstream in(args->body_file);
                if (!in) fail(ErrorKind::invalid_input, "--body-file: cannot read " + args->body_file);
                std::stringstream ss;
                ss << in.rdbuf();
                body = ss.str();
                check_template_text(body, args->body_file);  // a fault in it named by the file's name and line
                require_utf8_file(body, args->body_file);
            }
            if (body.empty()) fail(ErrorKind::invalid_input, "a template needs a body (--body or --body-file)");
            std::string category = args->category;
            if (category.empty()) {
                const auto existing = find_template(ctx.db(), args->name);
                category = existing ? existing->category : "general";
            }
            save_template(ctx.db(), {args->name, args->subject, body, ctx.repo().now_text(), category});
            std::cout << "template '" << args->name << "' saved\n";
            return exit_ok;
        };
    });
    templ->add_subcommand("list", "List templates")->callback([&] {
        run = [&] {
            const auto all = list_templates(ctx.db());
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &t : all)
                    out.push_back({{"name", t.name}, {"subject", t.subject}, {"category", t.category}, {"updated_at", t.updated_at}});
                print_json(std::cout, out);
                return exit_ok;
            }
            Table t({"NAME", "CATEGORY", "SUBJECT"});
            for (const auto &m : all) t.add({m.name, m.category, m.subject});
            t.print(std::cout);
            return exit_ok;
        };
    });
    auto *show = templ->add_subcommand("show", "Show a template");
    show->add_option("NAME", args->name, "Template name")->required();
    show->callback([&, args] {
        run = [&, args] {
            const auto t = find_template(ctx.db(), args->name);
            if (!t) fail(ErrorKind::not_found, "no template named '" + args->name + "'");
            if (ctx.options.json) print_json(std::cout, {{"name", t->name}, {"subject", t->subject}, {"category", t->category}, {"body", t->body}});
            else std::cout << "Category: " << t->category << "\nSubject: " << t->subject << "\n\n" << t->body;
            return exit_ok;
        };
    });

    mail->add_subcommand("variables", "The {$variables} templates may use")->callback([&] {
        run = [&] {
            Table t({"VARIABLE", "HOLDS"});
            for (const auto &[v, what] : template_variables()) t.add({"{$" + v + "}", what});
            t.add({"{$client_custom_field_NAME}", "a client custom field"});
            t.print(std::cout);
            return exit_ok;
        };
    });

    auto *outbox = mail->add_subcommand("outbox", "Messages waiting to be sent (with --all, sent ones too)");
    outbox->add_flag("--all", args->all, "Include sent messages");
    outbox->add_option("--limit", args->limit, "At most this many")->check(CLI::Range(1, 100000));
    outbox->add_option("--client", args->client, "Only this client's messages");
    outbox->callback([&, args] {
        run = [&, args] {
            std::optional<int64_t> client;
            if (!args->client.empty()) client = ctx.repo().get_client(parse_id(args->client, "--client")).id;
            const auto messages = list_outbox(ctx.db(), args->all, args->limit, client, &ctx.secrets());
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &m : messages)
                    out.push_back({{"id", m.id}, {"to", m.recipients}, {"subject", m.subject}, {"body", m.body},
                                   {"template", m.template_name}, {"status", m.status}, {"attempts", m.attempts},
                                   {"last_error", m.last_error}, {"created_at", m.created_at},
                                   {"sent_at", m.sent_at ? json(*m.sent_at) : json()}});
                print_json(std::cout, out);
                return exit_ok;
            }
            Table t({"ID", "CREATED", "TO", "SUBJECT", "STATUS", "TRIES", "LAST ERROR"});
            for (const auto &m : messages)
                t.add({std::to_string(m.id), m.created_at, m.recipients, m.subject, m.status, std::to_string(m.attempts), m.last_error});
            if (t.empty()) std::cout << "the outbox is empty\n";
            else t.print(std::cout);
            return exit_ok;
        };
    });

    mail->add_subcommand("send", "Deliver the outbox now (failed messages stay queued)")->callback([&] {
        run = [&] {
            const Delivery d = deliver_outbox(ctx.db(), mail_transport_with_invoices(ctx.db(), ctx.config()), ctx.secrets(), ctx.repo().now_text());
            const bool to_files = ctx.config().mail.transport == "file";
            if (ctx.options.json) {
                json out = {{"transport", ctx.config().mail.transport}, {"sent", d.sent}, {"errors", d.errors}};
                if (to_files) out["note"] = mail_transport_note(ctx.config());
                print_json(std::cout, out);
            } else {
                if (to_files) std::cout << "note: " << mail_transport_note(ctx.config()) << '\n';
                for (const auto &l : d.lines) std::cout << l << '\n';
                std::cout << d.sent << (to_files ? " written (not sent), " : " sent, ") << d.errors.size() << " failed (still queued)\n";
                for (const auto &e : d.errors) std::cerr << "provisio: " << e << '\n';
            }
            return d.errors.empty() ? exit_ok : exit_failed;
        };
    });
}

}  // namespace provisio::cli
