#include "notify/outbox.hpp"

#include "billing/invoices.hpp"
#include "domain/contacts.hpp"

#include "config/config.hpp"
#include "foundation/clock.hpp"
#include "foundation/error.hpp"
#include "foundation/files.hpp"
#include "foundation/text.hpp"
#include "money/money.hpp"
#include "notify/smtp.hpp"
#include "secrets/secret_box.hpp"
#include "store/database.hpp"

#include <sodium.h>

#include <cstdio>

namespace provisio {

TemplateVars client_variables(Database &db, int64_t client_id, const std::string *used) {
    const auto wants = [used](std::string_view token) { return !used || used->find(token) != std::string::npos; };
    auto q = db.prepare("SELECT first_name, last_name, email, credit_micros, company, address1, address2, city, state, "
                        "postcode, country, phone, status FROM clients c WHERE id = ?1");
    q.bind(1, client_id);
    if (!q.step()) fail(ErrorKind::not_found, "client " + std::to_string(client_id) + " does not exist");
    const std::string first = q.text(0), last = q.text(1);
    TemplateVars vars{{"client_id", std::to_string(client_id)},
            {"client_first_name", first},
            {"client_last_name", last},
            {"client_name", first + (last.empty() ? "" : " " + last)},
            {"client_email", q.text(2)},
            {"client_credit", Money::from_micros(q.int64(3)).to_string()},
            {"client_company", q.text(4)},
            {"client_address", address_block("", "", {q.text(5), q.text(6), q.text(7), q.text(8), q.text(9), q.text(10)})},
            {"client_phone", q.text(11)},
            {"client_status", q.text(12)}};
    if (wants("{$client_due_invoices_balance}")) vars["client_due_invoices_balance"] = unpaid_summary(db, client_id).due.to_string();
    if (wants("{$client_bill_to}")) vars["client_bill_to"] = bill_to(db, client_id);
    if (wants("{$client_custom_field_")) {
        auto fields = db.prepare("SELECT f.variable, COALESCE(v.value, f.default_value) FROM client_fields f "
                                 "LEFT JOIN client_field_values v ON v.field_id = f.id AND v.client_id = ?1");
        fields.bind(1, client_id);
        while (fields.step()) vars["client_custom_field_" + fields.text(0)] = fields.text(1);
    }
    return vars;
}

TemplateVars service_variables(Database &db, int64_t service_id) {
    auto q = db.prepare("SELECT p.name, s.domain, s.status, COALESCE(s.next_due_date, '') FROM services s JOIN products p ON p.id = s.product_id "
                        "WHERE s.id = ?1");
    q.bind(1, service_id);
    if (!q.step()) fail(ErrorKind::not_found, "service " + std::to_string(service_id) + " does not exist");
    return {{"service_id", std::to_string(service_id)}, {"service_product", q.text(0)}, {"service_domain", q.text(1)},
            {"service_status", q.text(2)}, {"service_next_due_date", q.text(3)}};
}

Queued queue_mail(Database &db, const std::string &now, const std::string &name, int64_t client_id,
                  const TemplateVars &extra, const std::optional<std::string> &natural_key, const SecretBox *sensitive,
                  std::optional<int64_t> attach_invoice) {
    const auto t = find_template(db, name);
    if (!t) return {std::nullopt, "no template named '" + name + "'"};
    if (natural_key) {
        auto q = db.prepare("SELECT id FROM mail_outbox WHERE natural_key = ?1");
        q.bind(1, *natural_key);
        if (q.step()) return {std::nullopt, "already queued as message " + std::to_string(q.int64(0))};
    }
    const std::string used = t->subject + t->body;
    TemplateVars vars = client_variables(db, client_id, &used);
    for (const auto &[k, v] : extra) vars[k] = v;
    // The client, and its contacts subscribed to the template's category.
    std::string recipients = vars.at("client_email");
    if (!sensitive) recipients = join(Contacts(db).recipients(client_id, t->category), ",");
    db.prepare("INSERT INTO mail_outbox (recipients, subject, body, template, client_id, natural_key, created_at, sensitive, attach_invoice) "
               "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")
        .bind(1, recipients).bind(2, render_template(t->subject, vars))
        .bind(3, sensitive ? sensitive->seal(render_template(t->body, vars)) : render_template(t->body, vars))
        .bind(4, name).bind(5, client_id).bind(6, natural_key).bind(7, now).bind(8, int64_t{sensitive != nullptr})
        .bind(9, attach_invoice)
        .run();
    return {db.last_insert_id(), {}};
}

std::vector<OutboxMessage> list_outbox(Database &db, bool include_sent, int limit, std::optional<int64_t> client_id,
                                       const SecretBox *secrets) {
    auto q = db.prepare("SELECT id, recipients, subject, body, template, client_id, natural_key, created_at, status, attempts, "
                        "last_error, sent_at, sensitive, attach_invoice FROM mail_outbox WHERE (?1 OR status = 'queued') AND (?3 IS NULL OR client_id = ?3) "
                        "ORDER BY id LIMIT ?2");
    q.bind(1, int64_t{include_sent}).bind(2, int64_t{limit}).bind(3, client_id);
    std::vector<OutboxMessage> out;
    while (q.step())
        out.push_back({q.int64(0), q.text(1), q.text(2), q.text(3), q.text(4), q.opt_int64(5), q.opt_text(6), q.text(7),
                       q.text(8), q.int64(9), q.text(10), q.opt_text(11), q.int64(12) != 0, q.opt_int64(13)});
    for (auto &m : out)
        if (m.sensitive && SecretBox::is_sealed(m.body))
            m.body = secrets ? secrets->open(m.body, "the body of message " + std::to_string(m.id))
                             : "(encrypted: it holds a password or a reset code)";
    return out;
}

namespace {

bool ascii(const std::string &s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

// Standard base64 with padding (RFC 4648), as MIME bodies and RFC 2047 words take it.
std::string base64(const std::string &data) {
    std::string out(sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char *>(data.data()), data.size(), sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1);  // the terminating NUL sodium writes
    return out;
}

// RFC 2047 encoded-word for a non-ASCII header value.
std::string header_text(const std::string &s) { return ascii(s) ? s : "=?UTF-8?B?" + base64(s) + "?="; }

std::string crlf(const std::string &text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
        out += text[i];
    }
    return out;
}

}  // namespace

std::string rfc5322_date(const std::string &iso_utc) {
    using namespace std::chrono;
    const TimePoint t = parse_instant(iso_utc, "time");
    const auto day = floor<days>(t);
    const year_month_day ymd(day);
    const weekday wd(day);
    const hh_mm_ss<seconds> hms(floor<seconds>(t - day));
    static const char *names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d +0000", names[wd.c_encoding()],
                  static_cast<unsigned>(ymd.day()), months[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

std::string format_message(const OutboxMessage &m, const std::string &from, const std::string &date_utc,
                           const std::vector<MailAttachment> &attachments) {
    std::string h;
    h += "Date: " + rfc5322_date(date_utc) + "\r\n";
    h += "From: " + from + "\r\n";
    h += "To: " + m.recipients + "\r\n";
    h += "Subject: " + header_text(m.subject) + "\r\n";
    h += "Message-ID: <outbox-" + std::to_string(m.id) + "." + m.created_at + "@provisio>\r\n";
    h += "MIME-Version: 1.0\r\n";
    std::string body = crlf(m.body);
    if (body.size() < 2 || body.substr(body.size() - 2) != "\r\n") body += "\r\n";
    if (attachments.empty()) {
        h += "Content-Type: text/plain; charset=utf-8\r\n";
        h += "Content-Transfer-Encoding: 8bit\r\n";
        return h + "\r\n" + body;
    }
    // RFC 2046 multipart/mixed: the text, then each attachment in base64 lines of 76.
    const std::string boundary = "=_provisio_" + std::to_string(m.id) + "_" + std::to_string(m.created_at.size()) + "_part";
    h += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n";
    std::string out = h + "--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body;
    for (const auto &a : attachments) {
        out += "--" + boundary + "\r\nContent-Type: " + a.content_type + "; name=\"" + a.filename + "\"\r\n" +
               "Content-Disposition: attachment; filename=\"" + a.filename + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n";
        const std::string encoded = base64(a.content);
        for (size_t at = 0; at < encoded.size(); at += 76) out += encoded.substr(at, 76) + "\r\n";
    }
    return out + "--" + boundary + "--\r\n";
}

const char *const sensitive_body_removed = "(removed once sent: it held a password or a reset code)";

std::string mail_transport_note(const Config &c) {
    return "mail is written to files in " + c.mail.file_dir.string() +
           " and reaches no one ([mail] transport = \"file\"; set transport = \"smtp\" and smtp_url to deliver it)";
}

MailTransport mail_transport(const Config &c) {
    MailTransport t;
    t.kind = c.mail.transport;
    t.file_dir = c.mail.file_dir;
    t.from = c.mail.from;
    t.smtp_url = c.mail.smtp_url;
    t.smtp_username = c.mail.smtp_username;
    t.smtp_password = c.mail.smtp_password;
    t.smtp_starttls = c.mail.smtp_starttls;
    t.smtp_tls_verify = c.mail.smtp_tls_verify;
    t.timeout = c.mail.timeout;
    return t;
}

Delivery deliver_outbox(Database &db, const MailTransport &t, const SecretBox &secrets, const std::string &now, int limit) {
    Delivery d;
    if (t.kind == "none") return d;
    for (const OutboxMessage &m : list_outbox(db, false, limit, std::nullopt, &secrets)) {
        std::optional<std::string> error;
        std::vector<MailAttachment> attachments;
        if (m.attach_invoice) {
            try {
                if (!t.invoice_pdf) fail(ErrorKind::internal, "this program cannot make invoice PDFs");
                attachments.push_back({"invoice-" + std::to_string(*m.attach_invoice) + ".pdf", "application/pdf", t.invoice_pdf(*m.attach_invoice)});
            } catch (const Error &e) {
                error = "its invoice PDF could not be made: " + std::string(e.what());
            }
        }
        if (error) {
        } else if (t.kind == "file") {
            // The file stays on disk and reaches no one: a password or reset code is not written.
            OutboxMessage written = m;
            if (m.sensitive) written.body = sensitive_body_removed;
            const auto final_path = t.file_dir / (std::to_string(m.id) + ".eml");
            const auto tmp = t.file_dir / ("." + std::to_string(m.id) + ".eml.tmp");
            try {
                create_private_directories(t.file_dir);
                write_private_file(tmp, format_message(written, t.from, now, attachments));
                std::error_code ec;
                std::filesystem::rename(tmp, final_path, ec);
                if (ec) error = "cannot write " + final_path.string() + ": " + ec.message();
            } catch (const Error &e) {
                error = e.what();
            }
            if (error) {  // no half message left for the next try to trip on
                std::error_code ec;
                std::filesystem::remove(tmp, ec);
            }
        } else {
            const std::string message = format_message(m, t.from, now, attachments);
            std::vector<std::string> to;
            size_t start = 0;
            while (start <= m.recipients.size()) {
                const size_t comma = m.recipients.find(',', start);
                std::string r = m.recipients.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
                while (!r.empty() && r.front() == ' ') r.erase(r.begin());
                if (!r.empty()) to.push_back(r);
                if (comma == std::string::npos) break;
                start = comma + 1;
            }
            error = smtp_send(t, to, message);
        }
        if (error) {
            db.prepare("UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?2 WHERE id = ?1").bind(1, m.id).bind(2, *error).run();
            d.errors.push_back("message " + std::to_string(m.id) + " to " + m.recipients + ": " + *error);
        } else {
            db.prepare("UPDATE mail_outbox SET attempts = attempts + 1, status = 'sent', sent_at = ?2, last_error = '', "
                       "body = CASE WHEN sensitive THEN ?3 ELSE body END WHERE id = ?1")
                .bind(1, m.id).bind(2, now).bind(3, sensitive_body_removed).run();
            d.sent++;
            d.lines.push_back("message " + std::to_string(m.id) +
                              (t.kind == "file" ? " written to " + (t.file_dir / (std::to_string(m.id) + ".eml")).string() +
                                                      " (not sent) for " + m.recipients
                                                : " sent to " + m.recipients) +
                              ": " + m.subject);
        }
    }
    return d;
}

}  // namespace provisio
