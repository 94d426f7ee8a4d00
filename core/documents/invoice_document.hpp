// What an invoice PDF shows, gathered and formatted from the database and configuration: the
// operator ([invoice] company_name, company_address, logo, footer), the bill-to (the client's
// default billing contact, else the client), the lines, the totals, the payments and refunds,
// and the balance due, with amounts and dates in the client's language's format. Pure text: the
// renderer (invoice_pdf.hpp) only lays it out.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace provisio {

class Database;
struct Config;

struct InvoiceDocument {
    int64_t invoice_id = 0;
    std::string title;                  // "Invoice #12"
    std::string status;                 // Unpaid, Paid, Cancelled
    std::string seller_name, seller_address;  // the address one line per line
    std::filesystem::path logo;         // a PNG; empty: none
    std::vector<std::pair<std::string, std::string>> facts;  // "Invoice date" "5 December 2026", ...
    std::string bill_to;                // one line per line
    struct Line {
        std::string description, amount;
    };
    std::vector<Line> lines;
    std::vector<std::pair<std::string, std::string>> totals;  // the last is the balance due
    std::string note;                   // under the totals: the reverse-charge statement, the taxed-item mark
    struct Payment {
        std::string date, method, reference, amount;
    };
    std::vector<Payment> payments;      // refunds too, as negative amounts
    std::string footer;
};

// Error(not_found) for no such invoice.
InvoiceDocument invoice_document(Database &db, const Config &config, int64_t invoice_id);

}  // namespace provisio
