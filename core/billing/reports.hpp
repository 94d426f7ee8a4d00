// Money reports over a period of business days (`provisio report …`): the payments received,
// income per day, the invoices still unpaid, and the tax charged. Days are the business time zone's; `to` is
// exclusive.
#pragma once

#include "billing/taxes.hpp"
#include "foundation/calendar.hpp"
#include "money/money.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

class Database;

struct PaymentRow {
    int64_t id = 0;
    std::string at;  // UTC
    Date day;        // the business day it was received
    std::optional<int64_t> client_id, invoice_id;
    std::string method, gateway_id, description;
    Money amount;
};
// Every payment recorded from `from` to `to`, in the order received.
std::vector<PaymentRow> payments_between(Database &db, const BusinessZone &zone, Date from, Date to);

struct IncomeDay {
    Date day;
    int64_t payments = 0;
    Money amount;
};
// The payments of `payments_between`, a row per business day that had any.
std::vector<IncomeDay> income_by_day(const std::vector<PaymentRow> &payments);

struct OutstandingInvoice {
    int64_t id = 0, client_id = 0;
    std::string invoice_date, due_date;
    Money total, balance_due;
    int64_t days_overdue = 0;  // on `as_of`; 0 when not yet due
};
// The invoices Unpaid now that were dated from `from` to `to`, oldest due first; days overdue
// counted on `as_of`.
std::vector<OutstandingInvoice> outstanding_invoices(Database &db, Date from, Date to, Date as_of);

// Tax charged, a row per level, name, rate and currency; and a row (level 0, "Reverse charge")
// for the net of reverse-charged invoices, which an EU VAT return declares apart.
struct TaxReportRow {
    int level = 0;
    std::string name;
    TaxRate rate;
    std::string currency;
    int64_t invoices = 0;
    Money taxable;  // the amount the rate applied to (level 2 compound: net + level 1's tax)
    Money tax;
};
// By invoice date (invoices not cancelled, dated from `from` to `to`), or with `paid_basis` by
// payment (invoices Paid at a moment of those business days).
std::vector<TaxReportRow> taxes_between(Database &db, const BusinessZone &zone, Date from, Date to, bool paid_basis);

}  // namespace provisio
