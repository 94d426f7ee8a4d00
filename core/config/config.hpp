// The operator's configuration: one TOML file. Every key is optional and documented, with its
// default, in docs/operator-guide.md. Relative paths are resolved against the directory that
// holds the file, so a configuration and its data can move together.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace provisio {

struct Config {
    std::filesystem::path file;          // where it was read from
    std::filesystem::path database;      // "database", default provisio.db
    std::filesystem::path modules_dir;   // "modules_dir", default modules
    std::filesystem::path key_file;      // "key_file", default provisio.key
    std::filesystem::path card_key_file;  // "card_key_file", default cards.key: the card key (public key + passphrase-locked secret)
    std::string timezone = "UTC";        // "timezone": IANA name of the business time zone
    std::string currency = "USD";        // "currency": default for new clients
    std::string log_level = "warning";   // "log_level": debug, info, warning, error
    std::chrono::milliseconds http_timeout{15000};  // [http] timeout_ms
    std::filesystem::path http_ca_file;  // [http] ca_file: extra trusted CA bundle (PEM), optional
    std::string serve_listen = "127.0.0.1:8080";  // [http_server] listen: ADDRESS:PORT
    int serve_threads = 4;               // [http_server] threads
    int serve_max_connections = 512;     // [http_server] max_connections
    int serve_max_body_kb = 8192;        // [http_server] max_body_kb
    std::chrono::seconds serve_header_timeout{10};  // [http_server] header_timeout
    std::chrono::seconds serve_body_timeout{60};    // [http_server] body_timeout
    std::chrono::seconds serve_grace{10};           // [http_server] grace: how long a stop waits for requests
    std::filesystem::path serve_tls_cert, serve_tls_key;  // [http_server] cert, key: HTTPS when both are set
    int module_call_workers = 8;         // [modules] workers: concurrent module calls (and runners per module)
    std::chrono::milliseconds module_call_timeout{60000};  // [modules] call_timeout (s): a call's deadline
    std::map<std::string, std::chrono::milliseconds> module_call_timeouts;  // [modules.call_timeouts] NAME = s
    std::vector<std::string> inline_modules;  // [modules] inline: trusted modules run in provisio's process
    uint64_t module_memory_mb = 1024;    // [modules] memory_mb: a runner's address-space limit
    int module_calls_per_runner = 16;    // [modules] calls_per_runner: calls one runner serves at once
    std::string module_run_as;           // [modules] run_as: the user runners become ("": provisio's own)
    std::chrono::milliseconds module_load_timeout{10000};  // [modules] load_timeout (s): loading one module in its runner
    int quarantine_after = 3;            // [modules] quarantine_after: aborted attempts that park a queued call (0: never)
    int skip_module_after = 3;           // [modules] skip_module_after: aborted calls in a row skipping a module (0: never)
    int invoice_days_before = 7;         // [billing] invoice_days_before: lead time of renewal invoices
    int suspend_days = 0;                // [billing] suspend_days: suspend this many days overdue (0: never)
    int terminate_days = 0;              // [billing] terminate_days: terminate this many days overdue (0: never)
    std::string late_fee;                // [billing] late_fee: "" (none), an amount "5.00", or a percentage "10%"
    int late_fee_days = 0;               // [billing] late_fee_days: charge it this many days overdue (0: never)
    std::vector<int> overdue_notice_days;  // [billing] overdue_notice_days: e.g. [1, 7, 14]
    int cron_daily_hour = 0;
    int timelog_max_catch_up = 62;       // [timelog] max_catch_up: calendar periods per service per run
    std::string autobill = "daily";      // [usage] autobill: daily | every_run
    std::string low_balance_alerts = "daily";  // [usage] low_balance_alerts: daily | once
    int usage_invoice_due_days = 7;      // [usage] invoice_due_days: usage invoices fall due this many days after they are made
    struct ClientArea {
        std::string url;                        // [client_area] url: as clients reach it; "": from [http_server] listen
        std::string company = "Client area";    // [client_area] company: the name atop every page
        int idle_minutes = 30;                  // [client_area] idle_minutes: a session ends this long after its last request
        int absolute_hours = 12;                // [client_area] absolute_hours: and this long after its login, whatever
        int max_failed_logins = 5;              // [client_area] max_failed_logins: per account...
        int max_failed_logins_per_address = 25; // [client_area] max_failed_logins_per_address: per address...
        int failed_login_minutes = 15;          // [client_area] failed_login_minutes: ...within this window
        // [client_area] chart_js: Chart.js for the usage chart, as Debian's libjs-chart.js installs it
        std::string chart_js = "/usr/share/javascript/chart.js/chart.min.js";
    } client_area;
    struct Payments {
        std::string gateway;                    // [payments] gateway: the account (server record) top-ups and new methods use; "": none
        int capture_days_before = 0;            // [payments] capture_days_before: charge saved methods for invoices due within this many days
        std::vector<int> capture_retry_days = {1, 3, 5};  // [payments] capture_retry_days: after a decline, try again these many days after the first attempt
        int capture_workers = 16;               // [payments] capture_workers: charges in flight at once (and at most the account's max_concurrent)
        std::string topup_min = "5.00";         // [payments] topup_min: the smallest top-up
        std::string topup_max = "1000.00";      // [payments] topup_max: the largest
        int auto_topups_per_day = 3;            // [payments] auto_topups_per_day: per client and business day
        bool suspend_on_dispute = true;         // [payments] suspend_on_dispute: suspend a disputed invoice's services
    } payments;
    struct InvoiceLook {
        std::string company_name;               // [invoice] company_name: atop invoice PDFs; "": [client_area] company
        std::string company_address;            // [invoice] company_address: lines separated by \n
        std::filesystem::path logo;             // [invoice] logo: a PNG atop invoice PDFs; "": none
        std::string footer;                     // [invoice] footer: small print at the end (bank details, tax number)
    } invoice;
    struct Files {
        std::filesystem::path dir;              // [files] dir, default files/: client files, under generated names
        uint64_t max_bytes = 10u << 20;         // [files] max_bytes: the largest file a client may have attached
    } files;
    struct Mail {
        std::string transport = "file";         // [mail] transport: file, smtp, none
        std::filesystem::path file_dir;         // [mail] file_dir, default mail/
        std::string from = "provisio@localhost";  // [mail] from
        std::string smtp_url;                   // [mail] smtp_url: smtp://host:587 or smtps://host:465
        std::string smtp_username;              // [mail] smtp_username
        std::string smtp_password;              // [mail] smtp_password (keep the file mode 0600)
        std::string smtp_starttls = "try";      // [mail] smtp_starttls: try, require, no
        bool smtp_tls_verify = true;            // [mail] smtp_tls_verify
        std::chrono::milliseconds timeout{30000};  // [mail] timeout_ms
    } mail;             // [cron] daily_hour: business hour after which daily tasks run

    // Reads and validates the file; unknown keys and wrong types are errors naming the key
    // and line. Throws Error(invalid_input).
    static Config load(const std::filesystem::path &file);
    // The configuration a fresh `provisio init` writes; `modules_dir` is written as given (an
    // installed provisio's init passes the directory its bundled modules were installed in).
    static std::string default_text(const std::string &modules_dir = "modules");
};

// "127.0.0.1:8080", "[::1]:8080" → address and port. Error(invalid_input) naming `what`.
std::pair<std::string, uint16_t> parse_listen(const std::string &text, const std::string &what);

}  // namespace provisio
