// Sending one message over SMTP with libcurl (STARTTLS or implicit TLS, AUTH when a user name
// is configured). libcurl stays inside smtp.cpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace provisio {

struct MailTransport;

// nullopt when the server accepted the message; otherwise what went wrong.
std::optional<std::string> smtp_send(const MailTransport &transport, const std::vector<std::string> &recipients,
                                     const std::string &message);

}  // namespace provisio
