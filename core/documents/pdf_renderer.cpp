// provisio-pdf.so: the invoice PDF renderer, the one place cairo and pango are linked. provisio
// loads it on the first PDF it makes (documents/invoice_pdf.cpp), so no other command — and no
// module runner — pays for loading those libraries. Built with provisio, from the same sources
// and compiler, so it takes the InvoiceDocument as it is; it uses nothing of provisio's core.
#include "documents/invoice_document.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace provisio {

namespace {

// A failure to report to the loader as text.
struct RenderError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

constexpr double page_width = 595.28, page_height = 841.89;  // A4 in points
constexpr double margin = 50, bottom = page_height - 60;
constexpr double amount_width = 120;                          // the amount column, right-aligned
constexpr const char *font = "DejaVu Sans";

cairo_status_t append(void *closure, const unsigned char *data, unsigned int length) {
    static_cast<std::string *>(closure)->append(reinterpret_cast<const char *>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

struct Free {
    void operator()(cairo_surface_t *s) const { cairo_surface_destroy(s); }
    void operator()(cairo_t *c) const { cairo_destroy(c); }
    void operator()(PangoLayout *l) const { g_object_unref(l); }
    void operator()(PangoFontDescription *f) const { pango_font_description_free(f); }
};

class Pages {
public:
    explicit Pages(cairo_t *cr) : cr_(cr) {}

    // Draws `text` at (x, y) within `width` (wrapping at word boundaries); returns its height.
    double text(double x, double y, double width, const std::string &text, double size, bool bold = false,
                PangoAlignment align = PANGO_ALIGN_LEFT, double grey = 0.0) {
        const auto l = layout(width, text, size, bold, align);
        cairo_set_source_rgb(cr_, grey, grey, grey);
        cairo_move_to(cr_, x, y);
        pango_cairo_show_layout(cr_, l.get());
        return height(l.get());
    }
    // The height `text` would take, without drawing it.
    double measure(double width, const std::string &text, double size) { return height(layout(width, text, size, false, PANGO_ALIGN_LEFT).get()); }
    void rule(double y, double grey = 0.75) {
        cairo_set_source_rgb(cr_, grey, grey, grey);
        cairo_set_line_width(cr_, 0.6);
        cairo_move_to(cr_, margin, y);
        cairo_line_to(cr_, page_width - margin, y);
        cairo_stroke(cr_);
    }
    // Ends the page with its number and the invoice's title.
    void finish_page(const std::string &title) {
        ++number_;
        text(margin, page_height - 40, page_width - 2 * margin, title + " — page " + std::to_string(number_), 8, false, PANGO_ALIGN_RIGHT, 0.45);
        cairo_show_page(cr_);
    }
    int number() const { return number_; }

private:
    std::unique_ptr<PangoLayout, Free> layout(double width, const std::string &text, double size, bool bold, PangoAlignment align) {
        std::unique_ptr<PangoLayout, Free> l(pango_cairo_create_layout(cr_));
        std::unique_ptr<PangoFontDescription, Free> desc(pango_font_description_from_string(font));
        pango_font_description_set_absolute_size(desc.get(), size * PANGO_SCALE);
        pango_font_description_set_weight(desc.get(), bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
        pango_layout_set_font_description(l.get(), desc.get());
        pango_layout_set_width(l.get(), static_cast<int>(width * PANGO_SCALE));
        pango_layout_set_wrap(l.get(), PANGO_WRAP_WORD_CHAR);
        pango_layout_set_alignment(l.get(), align);
        pango_layout_set_text(l.get(), text.c_str(), static_cast<int>(text.size()));
        return l;
    }
    static double height(PangoLayout *l) {
        int w = 0, h = 0;
        pango_layout_get_size(l, &w, &h);
        return static_cast<double>(h) / PANGO_SCALE;
    }
    cairo_t *cr_;
    int number_ = 0;
};

}  // namespace

std::string render(const InvoiceDocument &d) {
    std::string out;
    std::unique_ptr<cairo_surface_t, Free> surface(cairo_pdf_surface_create_for_stream(append, &out, page_width, page_height));
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE, d.title.c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_AUTHOR, d.seller_name.c_str());
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "provisio");
    std::unique_ptr<cairo_t, Free> cr(cairo_create(surface.get()));
    Pages pages(cr.get());
    const double inner = page_width - 2 * margin;
    double y = margin;

    // The operator: logo on the left, name and address on the right.
    double header = 0;
    if (!d.logo.empty()) {
        std::unique_ptr<cairo_surface_t, Free> logo(cairo_image_surface_create_from_png(d.logo.c_str()));
        if (cairo_surface_status(logo.get()) != CAIRO_STATUS_SUCCESS)
            throw RenderError("[invoice] logo " + d.logo.string() + " is not a readable PNG (" +
                              cairo_status_to_string(cairo_surface_status(logo.get())) + ")");
        const double w = cairo_image_surface_get_width(logo.get()), h = cairo_image_surface_get_height(logo.get());
        const double scale = std::min(60.0 / h, 180.0 / w);
        cairo_save(cr.get());
        cairo_translate(cr.get(), margin, y);
        cairo_scale(cr.get(), scale, scale);
        cairo_set_source_surface(cr.get(), logo.get(), 0, 0);
        cairo_paint(cr.get());
        cairo_restore(cr.get());
        header = h * scale;
    }
    double right = pages.text(margin + inner / 2, y, inner / 2, d.seller_name, 12, true, PANGO_ALIGN_RIGHT);
    right += pages.text(margin + inner / 2, y + right + 2, inner / 2, d.seller_address, 9, false, PANGO_ALIGN_RIGHT, 0.25);
    y += std::max(header, right) + 24;

    // Title, then bill-to beside the facts.
    y += pages.text(margin, y, inner, d.title, 20, true) + 12;
    const double bill = pages.text(margin, y, inner / 2, "Bill to", 8, true, PANGO_ALIGN_LEFT, 0.45);
    const double bill_h = bill + 2 + pages.text(margin, y + bill + 2, inner / 2 - 10, d.bill_to, 10);
    double facts_h = 0;
    for (const auto &[label, value] : d.facts) {
        pages.text(margin + inner / 2, y + facts_h, inner / 4, label, 9, false, PANGO_ALIGN_LEFT, 0.45);
        facts_h += pages.text(margin + inner * 3 / 4, y + facts_h, inner / 4, value, 9, false, PANGO_ALIGN_RIGHT) + 3;
    }
    y += std::max(bill_h, facts_h) + 24;

    // The lines, as many pages as they take.
    const double description_width = inner - amount_width - 10;
    auto table_header = [&] {
        pages.text(margin, y, description_width, "Description", 9, true, PANGO_ALIGN_LEFT, 0.3);
        pages.text(page_width - margin - amount_width, y, amount_width, "Amount", 9, true, PANGO_ALIGN_RIGHT, 0.3);
        y += 14;
        pages.rule(y, 0.3);
        y += 5;
    };
    table_header();
    for (const auto &line : d.lines) {
        const double h = pages.measure(description_width, line.description, 10);
        if (y + h > bottom) {
            pages.finish_page(d.title);
            y = margin;
            table_header();
        }
        pages.text(margin, y, description_width, line.description, 10);
        pages.text(page_width - margin - amount_width, y, amount_width, line.amount, 10, false, PANGO_ALIGN_RIGHT);
        y += h + 4;
        pages.rule(y - 2, 0.88);
    }

    // Totals, right-aligned; the balance due last, in bold.
    y += 8;
    const double label_x = margin + inner / 2, label_w = inner / 2 - amount_width - 10;
    for (size_t i = 0; i < d.totals.size(); ++i) {
        const bool last = i + 1 == d.totals.size();
        if (y + 16 > bottom) {
            pages.finish_page(d.title);
            y = margin;
        }
        if (last) {
            pages.rule(y, 0.3);
            y += 4;
        }
        pages.text(label_x, y, label_w, d.totals[i].first, last ? 11 : 10, last, PANGO_ALIGN_RIGHT);
        y += pages.text(page_width - margin - amount_width, y, amount_width, d.totals[i].second, last ? 11 : 10, last, PANGO_ALIGN_RIGHT) + 4;
    }

    if (!d.note.empty()) {
        y += 10;
        const double h = pages.measure(inner, d.note, 9);
        if (y + h > bottom) {
            pages.finish_page(d.title);
            y = margin;
        }
        y += pages.text(margin, y, inner, d.note, 9);
    }

    // Payments and refunds.
    if (!d.payments.empty()) {
        y += 18;
        if (y + 40 > bottom) {
            pages.finish_page(d.title);
            y = margin;
        }
        y += pages.text(margin, y, inner, "Payments", 11, true) + 4;
        for (const auto &p : d.payments) {
            if (y + 14 > bottom) {
                pages.finish_page(d.title);
                y = margin;
            }
            pages.text(margin, y, 110, p.date, 9);
            pages.text(margin + 115, y, 90, p.method, 9);
            pages.text(margin + 210, y, inner - 210 - amount_width - 10, p.reference, 9, false, PANGO_ALIGN_LEFT, 0.35);
            y += pages.text(page_width - margin - amount_width, y, amount_width, p.amount, 9, false, PANGO_ALIGN_RIGHT) + 3;
        }
    }
    if (!d.footer.empty()) {
        const double h = pages.measure(inner, d.footer, 8);
        if (y + 24 + h > bottom) {
            pages.finish_page(d.title);
            y = margin;
        }
        pages.text(margin, std::max(y + 24, bottom - h), inner, d.footer, 8, false, PANGO_ALIGN_LEFT, 0.35);
    }
    pages.finish_page(d.title);
    cr.reset();
    cairo_surface_finish(surface.get());
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS)
        throw std::runtime_error(std::string("cairo: ") + cairo_status_to_string(cairo_surface_status(surface.get())));
    surface.reset();
    return out;
}

}  // namespace provisio

// What the loader looks up: the PDF in *out and 0, or the reason in *error and 1 (a bad logo) or 2.
extern "C" __attribute__((visibility("default"))) int provisio_render_invoice_pdf(const provisio::InvoiceDocument *document, std::string *out,
                                                                                std::string *error) noexcept {
    try {
        *out = provisio::render(*document);
        return 0;
    } catch (const provisio::RenderError &e) {
        *error = e.what();
        return 1;
    } catch (const std::exception &e) {
        *error = e.what();
    } catch (...) {
        *error = "an unknown failure";
    }
    return 2;
}
