// Invoice PDFs: an InvoiceDocument laid out as an A4 PDF with cairo and pango — the operator's
// logo and address, the bill-to and the invoice's dates, the lines (descriptions wrap; the table
// continues on as many pages as it needs, its header repeated), the totals with the balance due
// in bold, the payments and refunds, and the footer, with page numbers. Text is set by pango with
// the system's fonts (DejaVu Sans from fonts-dejavu-core), so any script the font covers prints.
// The renderer is provisio-pdf.so (pdf_renderer.cpp), loaded on the first PDF: a command that
// makes none never loads cairo and pango.
#pragma once

#include "documents/invoice_document.hpp"

#include <filesystem>
#include <string>

namespace provisio {

// The PDF's bytes. Error(invalid_input) for a logo that is not a readable PNG; Error(internal)
// when the renderer cannot be loaded.
std::string invoice_pdf(const InvoiceDocument &document);

// Writes it to `file` (mode 0600, through a temporary file renamed into place).
void write_invoice_pdf(const InvoiceDocument &document, const std::filesystem::path &file);

// The configured mail transport, able to attach invoice PDFs (MailTransport::invoice_pdf).
struct MailTransport;
class Database;
struct Config;
MailTransport mail_transport_with_invoices(Database &db, const Config &config);

}  // namespace provisio
