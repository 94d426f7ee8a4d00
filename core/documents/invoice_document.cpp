#include "documents/invoice_document.hpp"

#include "billing/invoices.hpp"
#include "config/config.hpp"
#include "documents/local_format.hpp"
#include "domain/contacts.hpp"
#include "money/currency.hpp"
#include "store/database.hpp"

namespace provisio {

InvoiceDocument invoice_document(Database &db, const Config &config, int64_t invoice_id) {
    Invoicing invoicing(db, "", Date{});
    const Invoice inv = invoicing.get(invoice_id);
    auto c = db.prepare("SELECT currency, language FROM clients WHERE id = ?1");
    c.bind(1, inv.client_id);
    c.step();
    const std::string currency = c.text(0);
    const LocalFormat f(c.text(1));
    const int places = currency_decimals(currency);
    auto money = [&](Money m) { return f.amount(m, places) + " " + currency; };
    auto day = [&](const std::string &iso) { return f.date(parse_date(iso.substr(0, 10), "date")); };

    InvoiceDocument d;
    d.invoice_id = inv.id;
    d.title = "Invoice #" + std::to_string(inv.id);
    d.status = inv.status;
    d.seller_name = config.invoice.company_name.empty() ? config.client_area.company : config.invoice.company_name;
    d.seller_address = config.invoice.company_address;
    d.logo = config.invoice.logo;
    d.facts = {{"Invoice date", day(inv.invoice_date)}, {"Due date", day(inv.due_date)}, {"Status", inv.status}};
    if (inv.paid_at) d.facts.push_back({"Paid", day(*inv.paid_at)});
    d.bill_to = bill_to(db, inv.client_id);
    // Where only some lines are taxed, WHMCS's mark says which.
    bool mixed = false;
    for (const auto &l : inv.lines) mixed = mixed || !l.taxed.value_or(false);
    mixed = mixed && inv.tax.any() && !(inv.tax1 + inv.tax2).zero();
    for (const auto &l : inv.lines) d.lines.push_back({l.description, money(l.amount) + (mixed && l.taxed.value_or(false) ? " *" : "")});
    d.totals.push_back({"Subtotal", money(inv.net())});
    for (const auto &[label, amount] : tax_lines(inv)) d.totals.push_back({label, money(amount)});
    d.totals.push_back({"Total", money(inv.total)});
    if (!inv.credit.zero()) d.totals.push_back({"Credit applied", money(-inv.credit)});
    if (!inv.paid.zero()) d.totals.push_back({"Paid", money(-inv.paid)});
    if (!inv.refunded.zero()) d.totals.push_back({"Refunded (the invoice stays paid)", money(inv.refunded)});
    d.totals.push_back({"Balance due", money(inv.balance_due())});
    auto t = db.prepare("SELECT at, method, gateway_id, amount_micros FROM transactions WHERE invoice_id = ?1 ORDER BY id");
    t.bind(1, inv.id);
    while (t.step()) d.payments.push_back({day(t.text(0)), t.text(1), t.text(2), money(Money::from_micros(t.int64(3)))});
    if (mixed) d.note = "* Taxed item.";
    if (inv.tax.inclusive && inv.tax.any()) d.note += std::string(d.note.empty() ? "" : " ") + "Prices include tax.";
    if (!inv.tax.note.empty()) d.note += std::string(d.note.empty() ? "" : "\n") + inv.tax.note;
    d.footer = config.invoice.footer;
    return d;
}

}  // namespace provisio
