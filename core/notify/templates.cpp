#include "notify/templates.hpp"

#include "domain/contacts.hpp"
#include "foundation/error.hpp"
#include "store/database.hpp"

#include <algorithm>

namespace provisio {

const std::vector<std::pair<std::string, std::string>> &template_variables() {
    static const std::vector<std::pair<std::string, std::string>> vars = {
        {"client_id", "client number"},
        {"client_name", "first and last name"},
        {"client_first_name", "first name"},
        {"client_last_name", "last name"},
        {"client_email", "e-mail address"},
        {"client_company", "company name"},
        {"client_address", "postal address, one line per part"},
        {"client_phone", "phone number"},
        {"client_status", "Active, Inactive or Closed"},
        {"client_bill_to", "who invoices are made out to: the default billing contact's name, company and address, else the client's"},
        {"client_credit", "credit balance, e.g. 12.50"},
        {"client_due_invoices_balance", "total due on unpaid invoices"},
        {"client_custom_field_<variable>", "a client custom field: its name in lower case without spaces, e.g. lowbalancethreshold"},
        {"client_password", "a newly set client-area password (reset and reminder mails only)"},
        {"reset_token", "the single-use password reset code (reset request mail only)"},
        {"reset_expires", "when that code expires (UTC)"},
        {"invoice_id", "invoice number"},
        {"invoice_date", "date the invoice was made"},
        {"invoice_due_date", "its due date"},
        {"invoice_subtotal", "its net amount, before tax"},
        {"invoice_tax", "its tax, all levels"},
        {"invoice_total", "its total, tax included"},
        {"invoice_balance", "what is still due on it"},
        {"invoice_items", "its lines, one per line: description and amount"},
        {"invoice_days_overdue", "days past its due date"},
        {"late_fee", "the late fee just added"},
        {"payment_amount", "what a gateway was asked to charge, e.g. 25.99"},
        {"payment_method", "the saved payment method charged, e.g. Visa ending 4242"},
        {"payment_failure", "why the gateway declined it"},
        {"payment_link", "the gateway's page where the client completes a payment"},
        {"service_id", "service number"},
        {"service_product", "product name"},
        {"service_domain", "the service's domain"},
        {"service_status", "Active, Suspended, ..."},
        {"service_next_due_date", "next due date"},
    };
    return vars;
}

namespace {

bool known(const std::string &name) {
    for (const auto &[v, what] : template_variables())
        if (v == name) return true;
    // Client custom fields (defined by the operator) are referred to by this prefix.
    return name.rfind("client_custom_field_", 0) == 0 && name.size() > 20;
}

// Calls `on(name, begin, end)` for each {$name} in `text`; returns false on a malformed one.
template <class On>
void scan(const std::string &text, const std::string &where, On on) {
    size_t pos = 0;
    while ((pos = text.find("{$", pos)) != std::string::npos) {
        const size_t close = text.find('}', pos);
        const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
        if (close == std::string::npos)
            fail(ErrorKind::invalid_input, where + " line " + std::to_string(line) + ": '{$' is never closed with '}'");
        const std::string name = text.substr(pos + 2, close - pos - 2);
        on(name, pos, close + 1, line);
        pos = close + 1;
    }
}

}  // namespace

void check_template_text(const std::string &text, const std::string &where) {
    // A NUL byte would end the text early for anything that reads it as a C string (mail
    // clients, the SMTP transfer): refused rather than silently cut.
    if (const size_t nul = text.find('\0'); nul != std::string::npos) {
        const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(nul), '\n'));
        fail(ErrorKind::invalid_input, where + " line " + std::to_string(line) + ": contains a NUL byte (is it a text file?)");
    }
    scan(text, where, [&](const std::string &name, size_t, size_t, int line) {
        if (!known(name))
            fail(ErrorKind::invalid_input, where + " line " + std::to_string(line) + ": unknown variable {$" + name +
                                               "} (see: provisio mail variables)");
    });
}

std::string render_template(const std::string &text, const TemplateVars &vars) {
    std::string out;
    size_t last = 0;
    scan(text, "template", [&](const std::string &name, size_t begin, size_t end, int) {
        out += text.substr(last, begin - last);
        if (auto it = vars.find(name); it != vars.end()) out += it->second;
        last = end;
    });
    out += text.substr(last);
    return out;
}

void save_template(Database &db, const MailTemplate &t) {
    if (t.name.empty()) fail(ErrorKind::invalid_input, "a template needs a name");
    if (t.subject.find('\n') != std::string::npos) fail(ErrorKind::invalid_input, "a template's subject must be one line");
    check_template_text(t.subject, "subject");
    check_template_text(t.body, "body");
    const auto category = parse_email_categories(t.category, "--category");
    if (category.size() != 1) fail(ErrorKind::invalid_input, "--category must be one of general, invoice, support, product, domain");
    db.prepare("INSERT INTO mail_templates (name, subject, body, updated_at, category) VALUES (?1, ?2, ?3, ?4, ?5) "
               "ON CONFLICT (name) DO UPDATE SET subject = excluded.subject, body = excluded.body, updated_at = excluded.updated_at, "
               "category = excluded.category")
        .bind(1, t.name).bind(2, t.subject).bind(3, t.body).bind(4, t.updated_at).bind(5, category.front())
        .run();
}

std::optional<MailTemplate> find_template(Database &db, const std::string &name) {
    auto q = db.prepare("SELECT name, subject, body, updated_at, category FROM mail_templates WHERE name = ?1");
    q.bind(1, name);
    if (!q.step()) return std::nullopt;
    return MailTemplate{q.text(0), q.text(1), q.text(2), q.text(3), q.text(4)};
}

std::vector<MailTemplate> list_templates(Database &db) {
    auto q = db.prepare("SELECT name, subject, body, updated_at, category FROM mail_templates ORDER BY name");
    std::vector<MailTemplate> out;
    while (q.step()) out.push_back({q.text(0), q.text(1), q.text(2), q.text(3), q.text(4)});
    return out;
}

}  // namespace provisio
