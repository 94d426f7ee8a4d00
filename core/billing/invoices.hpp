// Invoices: creation with line items, credit applied from the client's ledger, payments
// (partial, and overpayment turned into credit), cancellation, and settlement — what happens
// when an invoice becomes paid: each renewed item's next due date advances, pending changes
// tied to the invoice apply, and invoice events are queued for modules.
//
// Every function runs in one transaction (nesting in the caller's when there is one), and
// every posting carries a natural key, so nothing is applied twice.
#pragma once

#include "billing/taxes.hpp"
#include "foundation/calendar.hpp"
#include "money/money.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

class Database;

namespace invoice_status {
inline constexpr const char *unpaid = "Unpaid";
inline constexpr const char *paid = "Paid";
inline constexpr const char *cancelled = "Cancelled";
}  // namespace invoice_status

// An invoice status given as a filter (`what` names it): Error(invalid_input) unless it is one
// of the above.
void check_invoice_status(std::string_view value, std::string_view what);

struct InvoiceLine {
    int64_t id = 0;
    std::string item_type;                 // service, addon, prorata, upgrade, latefee, manual
    std::optional<int64_t> item_id;
    std::string description;
    Money amount;
    std::optional<std::string> due_date;   // the due date a renewal line bills
    std::optional<std::string> period_end;
    std::optional<std::string> natural_key;
    // Whether the invoice's tax applies to it (never on an invoice without tax). Unset on a new
    // line: create() decides by the item (its service's product's `taxable`; a late fee by the
    // tax settings); set, it says whether the item is taxable.
    std::optional<bool> taxed;
};

struct Invoice {
    int64_t id = 0;
    int64_t client_id = 0;
    std::string status;
    std::string kind;
    std::string invoice_date;
    std::string due_date;
    Money subtotal;  // the lines' sum as written (tax included when tax.inclusive)
    InvoiceTax tax;  // the rates and mode it was made with
    Money taxable;   // the taxed lines' net amount
    Money tax1, tax2;
    Money total;     // what the client owes
    Money credit;    // credit applied
    Money paid;      // payments applied
    Money refunded;  // returned to the client since (the invoice stays Paid)
    std::optional<std::string> paid_at;
    std::optional<std::string> cancelled_at;
    std::string created_at;
    std::vector<InvoiceLine> lines;

    Money net() const { return total - tax1 - tax2; }
    Money balance_due() const { return total - credit - paid; }
};

// The invoice's taxes as printed, "VAT 20%" and its amount, a pair per level it was taxed at.
std::vector<std::pair<std::string, Money>> tax_lines(const Invoice &invoice);

struct Payment {
    int64_t transaction_id = 0;
    Money applied;      // to the invoice
    Money overpayment;  // turned into credit
    bool settled = false;
    bool duplicate = false;  // receive(): this gateway payment was recorded before; nothing changed
};

struct InvoiceFilter {
    std::optional<int64_t> client_id;
    std::optional<std::string> status;
    int limit = 100;
    std::optional<int64_t> before;  // only invoices with lower ids (paging newest first)
    bool newest_first = false;      // the page in descending id order (else ascending)
};

// A client's unpaid invoices: how many, and what is still due on them.
struct UnpaidSummary {
    int64_t count = 0;
    Money due;
};
UnpaidSummary unpaid_summary(Database &db, int64_t client_id);

class Invoicing {
public:
    // `now` stamps rows; `today` is the business date.
    Invoicing(Database &db, std::string now, Date today) : db_(db), now_(std::move(now)), today_(today) {}

    // Creates an Unpaid invoice with `lines` (natural keys enforced), queues invoice_created
    // events, then applies available credit (which may settle it). Returns it as stored.
    Invoice create(int64_t client_id, const std::string &kind, const std::string &due_date,
                   const std::vector<InvoiceLine> &lines);
    Invoice get(int64_t id);
    std::vector<Invoice> list(const InvoiceFilter &filter);

    // Applies the client's credit, up to the balance due; settles the invoice if covered.
    Money apply_credit(int64_t invoice_id);
    // Records a payment (a transaction that outlives the client) and applies it. Refused for
    // a cancelled or already paid invoice, a non-positive amount, or a gateway transaction id
    // already recorded for that method.
    Payment pay(int64_t invoice_id, Money amount, const std::string &method, const std::string &gateway_id);
    // A payment a gateway made (method: the gateway account's name). The money has moved, so it
    // is never refused: one already recorded (same gateway and id) changes nothing (`duplicate`);
    // an invoice no longer Unpaid (paid another way meanwhile, cancelled) takes it as credit.
    Payment receive(int64_t invoice_id, Money amount, const std::string &gateway, const std::string &gateway_id);
    // A refund of (part of) payment transaction `payment_transaction`: a transaction of minus
    // `amount` that names the payment, the invoice's refunded total grows, and with `to_credit`
    // the amount becomes the client's credit (else the gateway returned it: `refund_id`). The
    // invoice stays Paid; past entries are never edited. Returns the refund's transaction id.
    int64_t record_refund(int64_t invoice_id, int64_t payment_transaction, Money amount, const std::string &refund_id, bool to_credit);
    // A disputed payment: `amount` (at most what was paid) no longer counts as paid, and a Paid
    // invoice is Unpaid again. Returns whether it was reopened.
    bool reopen_disputed(int64_t invoice_id, Money amount);
    // A dispute won: `amount` of payment transaction `transaction_id` counts as paid again (its
    // dispute mark is cleared), and an invoice it covers is settled. Returns whether it was.
    bool restore_disputed(int64_t invoice_id, int64_t transaction_id, Money amount);
    // Adds a line to an Unpaid invoice (a late fee) and taxes it with the invoice's own rates.
    void add_line(int64_t invoice_id, const InvoiceLine &line);
    // Cancels an unpaid invoice; credit and payments already applied return to the client's
    // credit. Its renewal lines stay (that period is not invoiced again).
    void cancel(int64_t invoice_id);

    // What cancelling a service does to its unpaid invoices ("all unpaid invoices for the
    // product are cancelled"): one that bills only the service and its addons (and late fees)
    // is cancelled; on one shared with other items, the lines of the service and its addons are
    // removed and the rest stay due (its usage lines too: those calls were made) — credit or payments beyond the new total return to the
    // client's credit, and an invoice then covered is settled. A line per invoice touched.
    std::vector<std::string> release_service(int64_t service_id);
    // The template variables describing an invoice (invoice_id, invoice_total, ...).
    std::map<std::string, std::string> variables(const Invoice &invoice);

    // The services named by an invoice's service lines.
    std::vector<int64_t> services_of(int64_t invoice_id);

private:
    std::optional<std::pair<int64_t, int64_t>> recorded_transaction(const std::string &method, const std::string &gateway_id);
    int64_t insert_transaction(const Invoice &inv, Money amount, const std::string &method, const std::string &gateway_id,
                               const std::string &description);
    Payment apply_payment(const Invoice &inv, Money amount, const std::string &method, const std::string &gateway_id);
    // Moves the client's credit onto the invoice, up to its balance due; does not settle.
    Money take_credit(const Invoice &invoice);
    void settle(const Invoice &invoice);
    void queue_events(const char *kind, int64_t invoice_id);
    // Whether `line` is taxed when the invoice it goes on is (see InvoiceLine::taxed).
    bool line_taxable(const InvoiceLine &line);
    // Sets `invoice`'s subtotal, taxes and total from its lines (as they now stand in the
    // database) and its kept rates, stores them, and returns it.
    Invoice recompute_totals(Invoice invoice);
    const TaxSettings &tax_settings();

    Database &db_;
    std::string now_;
    Date today_;
    std::optional<bool> any_module_product_;
    std::optional<TaxSettings> tax_settings_;  // read once per Invoicing, like the rules
    std::optional<std::vector<TaxRule>> tax_rules_;
    std::map<int64_t, bool> service_taxable_;
};

}  // namespace provisio
