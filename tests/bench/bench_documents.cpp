// Invoice PDF rendering: an invoice of LINES lines laid out and written as a PDF in memory, RUNS
// times; prints the median and the slowest, and the PDF's size. The whole command (database,
// configuration, file) is timed by documents.sh.
// Usage: bench_documents [LINES] [RUNS]
#include "documents/invoice_pdf.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char **argv) {
    const int lines = argc > 1 ? std::stoi(argv[1]) : 100, runs = argc > 2 ? std::stoi(argv[2]) : 50;
    provisio::InvoiceDocument d;
    d.invoice_id = 12;
    d.title = "Invoice #12";
    d.status = "Unpaid";
    d.seller_name = "Acme Telephony";
    d.seller_address = "1 Main Street\nToronto ON M5V 2T6\nCanada";
    d.facts = {{"Invoice date", "5 December 2026"}, {"Due date", "10 December 2026"}, {"Status", "Unpaid"}};
    d.bill_to = "Ada Lovelace\nAnalytical Engines Ltd\n12 St James's Square\nLondon SW1Y 4JH\nUnited Kingdom";
    for (int i = 1; i <= lines; ++i)
        d.lines.push_back({"Outbound call " + std::to_string(i) + " to +1 416 555 " + std::to_string(1000 + i) + ", 3 min 12 s at 0.012/min",
                           "0." + std::to_string(10 + i % 90) + " USD"});
    d.totals = {{"Subtotal", "61.20 USD"}, {"Total", "61.20 USD"}, {"Paid", "-20.00 USD"}, {"Balance due", "41.20 USD"}};
    d.payments = {{"6 December 2026", "stripe", "pi_3Nq8bA2eZvKYlo2C1x0Jd2h1", "20.00 USD"}};
    d.footer = "Bank: Example Bank, IBAN CA00 0000 0000 0000. Tax number 123456789 RT0001.";
    std::vector<double> ms;
    size_t bytes = 0;
    provisio::invoice_pdf(d);  // fonts and caches warm, as in a serving process
    for (int r = 0; r < runs; ++r) {
        const auto start = std::chrono::steady_clock::now();
        bytes = provisio::invoice_pdf(d).size();
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("invoice PDF of %d lines (%zu bytes): median %.1f ms, slowest %.1f ms over %d runs\n", lines, bytes, ms[ms.size() / 2], ms.back(), runs);
    return 0;
}
