// provisio invoice list|show|pdf|pay|cancel|early|generate.
#include "billing/invoice_generation.hpp"
#include "billing/invoices.hpp"
#include "cli/context.hpp"
#include "automation/invoice_payment.hpp"
#include "cli/output.hpp"
#include "documents/invoice_document.hpp"
#include "documents/invoice_pdf.hpp"
#include "payments/payment_store.hpp"
#include "shapes/records_json.hpp"
#include "domain/contacts.hpp"
#include "foundation/error.hpp"
#include "provisioning/state_machine.hpp"


#include <CLI/CLI.hpp>

#include <iostream>

namespace provisio::cli {

namespace {

struct InvoiceArgs {
    std::string ref, client, status, amount, method, transaction_id, output;
    int limit = 100;
};


Invoicing invoicing(Context &ctx) { return Invoicing(ctx.db(), ctx.repo().now_text(), ctx.today()); }

}  // namespace

void add_invoice_commands(CLI::App &app, Context &ctx, Runner &run) {
    auto *invoice = app.add_subcommand("invoice", "Invoices and payments");
    invoice->require_subcommand(1);
    auto args = std::make_shared<InvoiceArgs>();

    auto *list = invoice->add_subcommand("list", "List invoices, oldest first");
    list->add_option("--client", args->client, "Only this client's");
    list->add_option("--status", args->status, "Unpaid, Paid or Cancelled");
    list->add_option("--limit", args->limit, "The latest N")->check(CLI::Range(1, 100000));
    list->callback([&, args] {
        run = [&, args] {
            InvoiceFilter f;
            if (!args->client.empty()) f.client_id = parse_id(args->client, "--client");
            if (!args->status.empty()) {
                check_invoice_status(args->status, "--status");
                f.status = args->status;
            }
            f.limit = args->limit;
            const auto invoices = invoicing(ctx).list(f);
            if (ctx.options.json) {
                json out = json::array();
                for (const auto &i : invoices) out.push_back(invoice_json(i));
                print_json(std::cout, out);
                return exit_ok;
            }
            Table t({"INVOICE", "CLIENT", "DATE", "DUE", "TOTAL", "BALANCE", "STATUS"});
            for (const auto &i : invoices)
                t.add({"#" + std::to_string(i.id), std::to_string(i.client_id), i.invoice_date, i.due_date,
                       i.total.to_string(), i.balance_due().to_string(), i.status});
            if (t.empty()) std::cout << "no invoices\n";
            else t.print(std::cout);
            return exit_ok;
        };
    });

    auto *show = invoice->add_subcommand("show", "An invoice with its lines");
    show->add_option("INVOICE", args->ref, "Invoice number")->required();
    show->callback([&, args] {
        run = [&, args] {
            const Invoice i = invoicing(ctx).get(parse_id(args->ref, "invoice"));
            const std::string to = bill_to(ctx.db(), i.client_id);
            if (ctx.options.json) {
                json out = invoice_json(i);
                out["bill_to"] = to;
                print_json(std::cout, out);
                return exit_ok;
            }
            print_fields(std::cout, {{"invoice", "#" + std::to_string(i.id)}, {"client", std::to_string(i.client_id)},
                                     {"status", i.status}, {"kind", i.kind}, {"date", i.invoice_date}, {"due", i.due_date}});
            std::cout << "\nBill to:\n";
            for (size_t at = 0; at < to.size();) {  // indented, a line each
                const size_t nl = to.find('\n', at);
                std::cout << "  " << to.substr(at, nl - at) << '\n';
                at = nl == std::string::npos ? to.size() : nl + 1;
            }
            std::cout << '\n';
            Table t({"DESCRIPTION", "AMOUNT"});
            for (const auto &l : i.lines) t.add({l.description, l.amount.to_string()});
            t.print(std::cout);
            std::cout << '\n';
            std::vector<std::pair<std::string, std::string>> totals{{"subtotal", i.net().to_string()}};
            for (const auto &[label, amount] : tax_lines(i)) totals.push_back({label, amount.to_string()});
            if (!i.tax1.zero() || !i.tax2.zero() || i.tax.inclusive) totals.push_back({"total", i.total.to_string()});
            totals.push_back({"credit applied", i.credit.to_string()});
            totals.push_back({"paid", i.paid.to_string()});
            if (!i.refunded.zero()) totals.push_back({"refunded", i.refunded.to_string() + " (returned since; the invoice stays paid)"});
            totals.push_back({"balance due", i.balance_due().to_string()});
            print_fields(std::cout, totals);
            if (!i.tax.note.empty()) std::cout << '\n' << i.tax.note << '\n';
            if (const auto attempts = invoice_attempts(ctx.db(), i.id); !attempts.empty())
                std::cout << "\n" << attempts.size() << " gateway attempt(s): provisio invoice attempts " << i.id << '\n';
            return exit_ok;
        };
    });

    auto *pay = invoice->add_subcommand("pay", "Record a payment against an invoice");
    pay->add_option("INVOICE", args->ref, "Invoice number")->required();
    pay->add_option("--amount", args->amount, "Amount paid (default: the balance due)");
    pay->add_option("--method", args->method, "Payment method: banktransfer, card, cash, check, mailin, paypal, stripe, or other:TEXT")->required();
    pay->add_option("--transaction-id", args->transaction_id, "The payment processor's id (recorded once per method)");
    pay->callback([&, args] {
        run = [&, args] {
            PaymentRequest request;
            request.invoice_id = parse_id(args->ref, "invoice");
            if (!args->amount.empty()) request.amount = args->amount;
            request.method = args->method;
            request.transaction_id = args->transaction_id;
            TaskContext tctx = ctx.task_context();
            const RecordedPayment recorded = record_invoice_payment(tctx, request);
            const Payment &p = recorded.payment;
            const TaskResult &released = recorded.after;
            const int64_t invoice_id = request.invoice_id;
            if (ctx.options.json) {
                print_json(std::cout, payment_json(invoice_id, recorded));
            } else {
                std::cout << "invoice #" << invoice_id << ": payment of " << recorded.amount.to_string() << " recorded (transaction "
                          << p.transaction_id << ")";
                if (!p.overpayment.zero()) std::cout << "; " << p.overpayment.to_string() << " overpaid, added to credit";
                std::cout << (p.settled ? "; invoice paid" : "; balance due " + recorded.balance_due.to_string()) << '\n';
                for (const auto &l : released.lines) std::cout << l << '\n';
            }
            for (const auto &e : released.errors) std::cerr << "provisio: " << e << '\n';
            return exit_ok;
        };
    });

    auto *pdf = invoice->add_subcommand("pdf", "Write an invoice as a PDF (A4): lines, totals, payments, in the client's number and date format");
    pdf->add_option("INVOICE", args->ref, "Invoice number")->required();
    pdf->add_option("-o,--output", args->output, "Where to write it (default: invoice-N.pdf in the current directory); - for standard output");
    pdf->callback([&, args] {
        run = [&, args] {
            const int64_t id = parse_id(args->ref, "invoice");
            const InvoiceDocument doc = invoice_document(ctx.db(), ctx.config(), id);
            if (args->output == "-") {
                const std::string bytes = invoice_pdf(doc);
                std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
                return exit_ok;
            }
            const std::filesystem::path file = args->output.empty() ? "invoice-" + std::to_string(id) + ".pdf" : args->output;
            write_invoice_pdf(doc, file);
            const std::string path = std::filesystem::absolute(file).lexically_normal().string();
            if (ctx.options.json) print_json(std::cout, {{"invoice", id}, {"file", path}, {"bytes", std::filesystem::file_size(file)}});
            else std::cout << "invoice #" << id << ": " << path << '\n';
            return exit_ok;
        };
    });

    auto *apply = invoice->add_subcommand("apply-credit", "Apply the client's credit to an Unpaid invoice, up to its balance due");
    apply->add_option("INVOICE", args->ref, "Invoice number")->required();
    apply->callback([&, args] {
        run = [&, args] {
            const int64_t id = parse_id(args->ref, "invoice");
            TaskContext tctx = ctx.task_context();
            const AppliedCredit a = apply_invoice_credit(tctx, id);
            if (ctx.options.json) {
                print_json(std::cout, applied_credit_json(id, a));
            } else {
                std::cout << "invoice #" << id << ": "
                          << (a.applied.zero() ? std::string("no credit to apply") : a.applied.to_string() + " of credit applied")
                          << (a.paid ? "; invoice paid" : "; balance due " + a.balance_due.to_string()) << '\n';
                for (const auto &l : a.after.lines) std::cout << l << '\n';
            }
            for (const auto &e : a.after.errors) std::cerr << "provisio: " << e << '\n';
            return exit_ok;
        };
    });

    auto *cancel = invoice->add_subcommand("cancel", "Cancel an unpaid invoice (anything applied to it returns to credit)");
    cancel->add_option("INVOICE", args->ref, "Invoice number")->required();
    cancel->callback([&, args] {
        run = [&, args] {
            const int64_t id = parse_id(args->ref, "invoice");
            invoicing(ctx).cancel(id);
            std::cout << "invoice #" << id << " cancelled\n";
            return exit_ok;
        };
    });

    auto *early = invoice->add_subcommand("early", "Invoice a service's next due date now");
    early->add_option("SERVICE", args->ref, "Service id")->required();
    early->callback([&, args] {
        run = [&, args] {
            const Service s = ctx.repo().get_service(parse_id(args->ref, "service"));
            const std::string id = std::to_string(s.id);
            if (s.status != status::pending && s.status != status::active && s.status != status::suspended)
                fail(ErrorKind::refused, "service " + id + " is " + s.status + "; only Pending, Active or Suspended services are invoiced");
            if (!s.next_due_date || !s.next_invoice_date)
                fail(ErrorKind::refused, "service " + id + " has no next due date to invoice");
            if (*s.next_invoice_date != *s.next_due_date) {
                auto q = ctx.db().prepare("SELECT invoice_id FROM invoice_items WHERE natural_key = ?1");
                q.bind(1, "service:" + id + ":" + *s.next_due_date);
                const std::string which = q.step() ? " (#" + std::to_string(q.int64(0)) + ")" : "";
                fail(ErrorKind::refused, "service " + id + " already has an invoice for its next due date " + *s.next_due_date + which);
            }
            GenerationOptions o;
            o.today = ctx.today();
            o.service_id = s.id;
            o.early = true;
            // Early invoicing also covers a Pending service, which the renewal run skips.
            const GenerationReport r = generate_invoices(ctx.db(), ctx.repo().now_text(), o);
            if (r.invoice_ids.empty()) fail(ErrorKind::refused, "service " + id + " has nothing to invoice (a free product?)");
            if (ctx.options.json) print_json(std::cout, {{"invoice", r.invoice_ids.front()}});
            else std::cout << "invoice #" << r.invoice_ids.front() << " created for service " << id << " (due " << *s.next_due_date << ")\n";
            return exit_ok;
        };
    });

    auto *generate = invoice->add_subcommand("generate", "Make the renewal invoices due now (what the cron task does)");
    generate->callback([&] {
        run = [&] {
            GenerationOptions o;
            o.today = ctx.today();
            o.days_before = ctx.config().invoice_days_before;
            const GenerationReport r = generate_invoices(ctx.db(), ctx.repo().now_text(), o);
            if (ctx.options.json)
                print_json(std::cout, {{"invoices", r.invoices}, {"lines", r.lines}, {"paid_by_credit", r.paid_by_credit},
                                       {"notes", r.notes}});
            else std::cout << r.invoices << " invoice(s) with " << r.lines << " line(s); " << r.paid_by_credit
                           << " paid from credit\n";
            for (const auto &n : r.notes) std::cerr << "note: " << n << '\n';
            return exit_ok;
        };
    });
}

}  // namespace provisio::cli
