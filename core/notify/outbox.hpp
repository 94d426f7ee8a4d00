// The mail outbox: messages rendered from templates wait here until delivered. Delivery is
// at least once per message and a message is queued at most once per natural key (an overdue
// notice for invoice 7 on day 3 is queued once, however often cron runs). A failed send stays
// queued with its error and is tried again by the next `provisio mail send` or cron run.
#pragma once

#include "notify/templates.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

class Database;
class SecretBox;

struct OutboxMessage {
    int64_t id = 0;
    std::string recipients;  // comma-separated
    std::string subject;
    std::string body;
    std::string template_name;
    std::optional<int64_t> client_id;
    std::optional<std::string> natural_key;
    std::string created_at;
    std::string status;      // queued, sent
    int64_t attempts = 0;
    std::string last_error;
    std::optional<std::string> sent_at;
    bool sensitive = false;  // it carries a password or a reset code
    std::optional<int64_t> attach_invoice;  // that invoice's PDF goes with it
};

struct Queued {
    std::optional<int64_t> id;  // absent when not queued
    std::string why_not;        // "no template named X", "already queued"
};

// The client's variables (name, e-mail, credit, balance due, address, custom fields). Given
// `used` (the text that will be rendered), those it does not name and that cost a query of their
// own are left out.
TemplateVars client_variables(Database &db, int64_t client_id, const std::string *used = nullptr);
// A service's: service_id, service_product, service_domain, service_status, service_next_due_date.
TemplateVars service_variables(Database &db, int64_t service_id);

// Renders template `name` for client `client_id` with `extra` variables and queues it to the
// client's e-mail address and its contacts subscribed to the template's category. A sensitive
// message (it carries a new password or a reset code: pass `sensitive`, the key it is sealed
// with) goes to the client alone, its body is kept encrypted while queued, and blanked in the
// outbox once it is sent. With `attach_invoice`, that invoice's PDF goes with it, made when the
// message is sent ("Invoice Created", receipts).
Queued queue_mail(Database &db, const std::string &now, const std::string &name, int64_t client_id,
                  const TemplateVars &extra, const std::optional<std::string> &natural_key,
                  const SecretBox *sensitive = nullptr, std::optional<int64_t> attach_invoice = std::nullopt);

// Oldest first; only `client_id`'s messages when given. A sensitive message's body is opened
// with `secrets` when given, else shown as encrypted.
std::vector<OutboxMessage> list_outbox(Database &db, bool include_sent, int limit, std::optional<int64_t> client_id = std::nullopt,
                                       const SecretBox *secrets = nullptr);

struct MailTransport {
    std::string kind = "file";              // file, smtp, none
    std::filesystem::path file_dir;         // file: one .eml file per message
    std::string from = "provisio@localhost";
    std::string smtp_url;                   // smtp://host:port or smtps://host:port
    std::string smtp_username;
    std::string smtp_password;
    std::string smtp_starttls = "try";      // try, require, no
    bool smtp_tls_verify = true;
    std::chrono::milliseconds timeout{30000};
    // Makes invoice N's PDF for a message that attaches it (documents/invoice_pdf.hpp; given by
    // the program, so the outbox needs no renderer). Unset: such a message stays queued, saying why.
    std::function<std::string(int64_t invoice_id)> invoice_pdf;
};

struct Delivery {
    int sent = 0;
    std::vector<std::string> lines;
    std::vector<std::string> errors;
};

struct Config;
// The transport the configuration describes.
MailTransport mail_transport(const Config &config);
// For the `file` transport, which reaches no one: one plain sentence saying so, for `init`,
// `mail send` and cron to print.
std::string mail_transport_note(const Config &config);

// What a sensitive message's body becomes once sent (in the outbox) and in the file the `file`
// transport writes: the secret never stays on disk.
extern const char *const sensitive_body_removed;

// Sends queued messages (oldest first, at most `limit`) through `transport`. The `file`
// transport writes each as DIR/ID.eml (mode 0600, DIR 0700), a sensitive one without its body.
// `secrets` opens the bodies of sensitive messages.
Delivery deliver_outbox(Database &db, const MailTransport &transport, const SecretBox &secrets, const std::string &now,
                        int limit = 1000);

// "Sun, 22 Nov 2026 10:00:00 +0000" for an ISO 8601 UTC time.
std::string rfc5322_date(const std::string &iso_utc);
// The message as sent: RFC 5322 headers and the body, CRLF line ends.
struct MailAttachment {
    std::string filename, content_type, content;
};
// With attachments, a multipart/mixed message: the text, then each file in base64.
std::string format_message(const OutboxMessage &m, const std::string &from, const std::string &date_utc,
                           const std::vector<MailAttachment> &attachments = {});

}  // namespace provisio
