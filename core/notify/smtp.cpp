#include "notify/smtp.hpp"

#include "notify/outbox.hpp"

#include <curl/curl.h>

#include <cstring>

namespace provisio {

namespace {

struct Upload {
    const std::string *data;
    size_t offset = 0;
};

size_t read_chunk(char *buffer, size_t size, size_t count, void *user) {
    auto *u = static_cast<Upload *>(user);
    const size_t n = std::min(size * count, u->data->size() - u->offset);
    std::memcpy(buffer, u->data->data() + u->offset, n);
    u->offset += n;
    return n;
}

// Extracts the address from "Name <addr>" or returns the text.
std::string address(const std::string &s) {
    const size_t lt = s.find('<'), gt = s.find('>');
    if (lt != std::string::npos && gt != std::string::npos && gt > lt) return s.substr(lt, gt - lt + 1);
    return "<" + s + ">";
}

}  // namespace

std::optional<std::string> smtp_send(const MailTransport &t, const std::vector<std::string> &recipients,
                                     const std::string &message) {
    static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    if (!initialised) return "libcurl failed to initialise";
    if (t.smtp_url.empty()) return "mail.smtp_url is not configured";
    if (recipients.empty()) return "the message has no recipient";
    CURL *curl = curl_easy_init();
    if (!curl) return "libcurl could not start a session";
    curl_slist *rcpt = nullptr;
    for (const auto &r : recipients) rcpt = curl_slist_append(rcpt, address(r).c_str());
    Upload upload{&message};
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl, CURLOPT_URL, t.smtp_url.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, address(t.from).c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_chunk);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(t.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_USE_SSL, t.smtp_starttls == "require" ? CURLUSESSL_ALL
                                            : t.smtp_starttls == "no"    ? CURLUSESSL_NONE
                                                                         : CURLUSESSL_TRY);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, t.smtp_tls_verify ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, t.smtp_tls_verify ? 2L : 0L);
    if (!t.smtp_username.empty()) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, t.smtp_username.c_str());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, t.smtp_password.c_str());
    }
    const CURLcode rc = curl_easy_perform(curl);
    long response = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    if (rc == CURLE_OK) return std::nullopt;
    std::string why = error[0] ? error : curl_easy_strerror(rc);
    if (response) why += " (SMTP " + std::to_string(response) + ")";
    return why;
}

}  // namespace provisio
