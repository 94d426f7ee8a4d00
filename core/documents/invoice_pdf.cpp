#include "documents/invoice_pdf.hpp"

#include "foundation/error.hpp"
#include "foundation/files.hpp"
#include "notify/outbox.hpp"

#include <dlfcn.h>

#include <mutex>
#include <vector>

namespace provisio {

namespace {

using RenderFn = int (*)(const InvoiceDocument *, std::string *, std::string *);

// provisio-pdf.so beside this program (a build tree), where it is installed, or where this build
// made it (a test or benchmark program elsewhere in the build tree).
RenderFn load_renderer() {
    std::vector<std::filesystem::path> candidates;
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        candidates.push_back(self.parent_path() / "provisio-pdf.so");
        candidates.push_back((self.parent_path() / PROVISIO_INSTALLED_PDF).lexically_normal());
    }
    candidates.push_back(PROVISIO_BUILD_PDF);
    std::string tried;
    for (const auto &file : candidates) {
        if (!std::filesystem::exists(file, ec)) {
            tried += (tried.empty() ? "" : ", ") + file.string();
            continue;
        }
        void *handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle) fail(ErrorKind::internal, "cannot load the PDF renderer " + file.string() + ": " + ::dlerror());
        if (auto fn = reinterpret_cast<RenderFn>(::dlsym(handle, "provisio_render_invoice_pdf"))) return fn;
        fail(ErrorKind::internal, "the PDF renderer " + file.string() + " has no provisio_render_invoice_pdf");
    }
    fail(ErrorKind::internal, "the PDF renderer provisio-pdf.so is not installed (looked at " + tried + ")");
}

}  // namespace

std::string invoice_pdf(const InvoiceDocument &document) {
    static std::once_flag once;
    static RenderFn render = nullptr;
    static std::string why;
    std::call_once(once, [] {
        try {
            render = load_renderer();
        } catch (const Error &e) {
            why = e.what();
        }
    });
    if (!render) fail(ErrorKind::internal, why);
    std::string out, error;
    const int rc = render(&document, &out, &error);
    if (rc == 1) fail(ErrorKind::invalid_input, error);
    if (rc != 0) fail(ErrorKind::internal, "the invoice PDF could not be made: " + error);
    return out;
}

MailTransport mail_transport_with_invoices(Database &db, const Config &config) {
    MailTransport t = mail_transport(config);
    t.invoice_pdf = [&db, &config](int64_t invoice_id) { return invoice_pdf(invoice_document(db, config, invoice_id)); };
    return t;
}

void write_invoice_pdf(const InvoiceDocument &document, const std::filesystem::path &file) {
    const std::string bytes = invoice_pdf(document);
    std::filesystem::path temporary = file;
    temporary += ".part";
    write_private_file(temporary, bytes);
    std::error_code ec;
    std::filesystem::rename(temporary, file, ec);
    if (ec) {
        std::filesystem::remove(temporary, ec);
        fail(ErrorKind::storage, "cannot write " + file.string() + ": " + ec.message());
    }
}

}  // namespace provisio
