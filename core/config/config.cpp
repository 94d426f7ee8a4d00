#include "config/config.hpp"

#include "foundation/calendar.hpp"
#include "foundation/error.hpp"
#include "money/currency.hpp"
#include "money/money.hpp"

#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include <algorithm>
#include <optional>
#include <set>
#include <sstream>

namespace provisio {

namespace {

std::string where(const std::filesystem::path &file, const toml::node &node) {
    std::ostringstream s;
    s << file.string() << ":" << node.source().begin.line;
    return s.str();
}

}  // namespace

std::string Config::default_text(const std::string &modules_dir) {
    std::string line = "modules_dir = \"";
    for (char c : modules_dir) {
        if (c == '"' || c == '\\') line += '\\';
        line += c;
    }
    line += '"';
    line += std::string(line.size() < 30 ? 30 - line.size() : 1, ' ') + "# directory server modules (*.so) are loaded from";
    if (modules_dir != "modules") line += " (the default is \"modules\")";
    return R"(# provisio configuration. Every key is optional; the values shown are the defaults.
# Relative paths are resolved against the directory holding this file.

database = "provisio.db"      # SQLite database file
)" + line + R"(
key_file = "provisio.key"     # encryption key for stored secrets (mode 0600, keep it out of backups of the db)
card_key_file = "cards.key"   # stored cards: made by `provisio card key create`, unlocked by its passphrase
timezone = "UTC"              # business time zone (IANA name) for calendars and "once a day"
currency = "USD"              # default currency for new clients: an ISO 4217 code (USD, EUR, CAD, JPY, ...)
log_level = "warning"         # debug, info, warning, error

[http]
timeout_ms = 15000            # default deadline for a module's HTTP request
ca_file = ""                  # extra trusted CA bundle (PEM) for private PBX certificates

[http_server]
listen = "127.0.0.1:8080"     # where `provisio serve` listens: ADDRESS:PORT (IPv6 as [::1]:8080)
threads = 4                   # threads serving requests
max_connections = 512         # open connections at most; more are answered 503
max_body_kb = 8192            # the largest request body accepted (a tariff upload, say)
header_timeout = 10           # seconds a client has to send a request's header
body_timeout = 60             # seconds a client has to send its body, once the header is in
grace = 10                    # seconds a stop (SIGTERM) waits for the requests in progress
cert = ""                     # HTTPS: the certificate chain (PEM); with key. "": plain HTTP (behind a proxy)
key = ""                      # HTTPS: its private key (PEM; keep it 0600)

[client_area]
url = ""                      # its address as clients reach it (login links use it); "": http://[http_server] listen/
company = "Client area"       # the name atop every client-area page
idle_minutes = 30             # a session ends this long after its last request...
absolute_hours = 12           # ...and this long after its login, whatever
max_failed_logins = 5         # failed logins for one account before its logins are refused...
max_failed_logins_per_address = 25  # ...or from one address (many clients may share one) before its are...
failed_login_minutes = 15     # ...for the rest of this window
chart_js = "/usr/share/javascript/chart.js/chart.min.js"  # the usage chart's script (libjs-chart.js); "": no chart

[modules]
workers = 8                   # module calls run concurrently, at most this many at once
call_timeout = 60             # seconds a module call may take before its runner is stopped
load_timeout = 10             # seconds loading one module may take
inline = []                   # trusted modules run inside provisio instead of a runner, e.g. ["timelog"]
memory_mb = 1024              # address space a module runner may use
calls_per_runner = 16         # calls one runner serves at once; 1 gives every call in flight a process of its own
run_as = ""                   # a user the runners become before loading a module (provisio must run as root); "": provisio's own
quarantine_after = 3          # park a queued call after this many attempts aborted (timeout, crash); 0: never
skip_module_after = 3         # skip a module for the rest of a run after this many aborted calls in a row; 0: never

[billing]
invoice_days_before = 7       # renewal invoices are made this many days before the due date
suspend_days = 0              # suspend services this many days after an unpaid due date (0: never)
terminate_days = 0            # terminate them this many days after it (0: never)
late_fee = ""                 # "" for none, an amount such as "5.00", or a percentage (0% to 100%) such as "10%"
late_fee_days = 0             # add the late fee to an invoice this many days after its due date (0: never)
overdue_notice_days = []      # send the "Overdue Notice" template this many days overdue, e.g. [1, 7, 14]

[cron]
daily_hour = 0                # daily tasks run on the first cron run at or after this hour (business time zone)

[timelog]
max_catch_up = 62             # time-credit cycles caught up per service per run after cron was down

[usage]
autobill = "daily"            # when autobill collects and charges VoIP usage: daily (after daily_hour, before invoicing) or every_run
low_balance_alerts = "daily"  # "Low Balance Alert": daily (every day while credit is at or below the threshold) or once (per fall)
invoice_due_days = 7          # usage invoices (packages in the invoice or consolidated billing mode) fall due this many days later

[payments]
gateway = ""                  # the gateway account (a server record of a gateway module, e.g. stripe) for top-ups and new saved methods; "": none
                              # (a charge goes to the account that holds the client's saved method)
capture_days_before = 0       # charge clients' saved payment methods for invoices due within this many days (0: on the due date)
capture_retry_days = [1, 3, 5]  # after a declined charge, try again this many days after the first attempt
capture_workers = 16          # charges in flight at once (never more than the account's server max_concurrent)
topup_min = "5.00"            # the smallest top-up (add funds) a client may buy
topup_max = "1000.00"         # the largest
auto_topups_per_day = 3       # auto top-ups per client per business day
suspend_on_dispute = true     # when a client's bank disputes a payment, suspend the services of the invoice it paid

[invoice]
company_name = ""             # atop invoice PDFs; "": [client_area] company
company_address = ""          # one line per line: "1 Main Street\nToronto ON M5V 2T6\nCanada"
logo = ""                     # a PNG atop invoice PDFs (relative to this file); "": none
footer = ""                   # small print at the end of invoice PDFs: bank details, tax number

[files]
dir = "files"                 # client files, stored under generated names (keep it out of any web root)
max_bytes = 10485760          # the largest file `provisio client file add` accepts

[mail]
transport = "file"            # file (write .eml files to file_dir: they reach no one), smtp, or none
file_dir = "mail"
from = "provisio@localhost"   # the From: of every message, e.g. "Billing <billing@example.com>"
smtp_url = ""                 # smtp://mail.example.com:587 (STARTTLS) or smtps://mail.example.com:465
smtp_username = ""            # AUTH when set
smtp_password = ""
smtp_starttls = "try"         # try, require, no
smtp_tls_verify = true
timeout_ms = 30000
)";
}

Config Config::load(const std::filesystem::path &file) {
    Config c;
    c.file = std::filesystem::absolute(file).lexically_normal();
    const auto base = c.file.parent_path();
    toml::table root;
    try {
        root = toml::parse_file(file.string());
    } catch (const toml::parse_error &e) {
        std::ostringstream s;
        s << file.string() << ":" << e.source().begin.line << ": " << e.description();
        fail(ErrorKind::invalid_input, "configuration error: " + s.str());
    }

    auto bad = [&](const toml::node &n, const std::string &key, const std::string &why) {
        fail(ErrorKind::invalid_input, "configuration error: " + where(file, n) + ": " + key + " " + why);
    };
    auto path_of = [&](const toml::node &n, const std::string &key) {
        auto v = n.value<std::string>();
        if (!v || v->empty()) bad(n, key, "must be a non-empty string");
        return base / *v;
    };
    auto string_of = [&](const toml::node &n, const std::string &key) {
        auto v = n.value<std::string>();
        if (!v) bad(n, key, "must be a string");
        return *v;
    };

    c.database = base / "provisio.db";
    c.modules_dir = base / "modules";
    c.key_file = base / "provisio.key";
    c.card_key_file = base / "cards.key";
    c.mail.file_dir = base / "mail";
    c.files.dir = base / "files";

    for (auto &&[k, node] : root) {
        const std::string key(k.str());
        if (key == "database") c.database = path_of(node, key);
        else if (key == "modules_dir") c.modules_dir = path_of(node, key);
        else if (key == "key_file") c.key_file = path_of(node, key);
        else if (key == "card_key_file") c.card_key_file = path_of(node, key);
        else if (key == "timezone") {
            c.timezone = string_of(node, key);
            try {
                BusinessZone zone(c.timezone);
            } catch (const Error &e) {
                bad(node, key, std::string("is invalid: ") + e.what());
            }
        }
        else if (key == "currency") {
            c.currency = string_of(node, key);
            if (!is_currency_code(c.currency)) bad(node, key, "'" + c.currency + "' is not an ISO 4217 currency code (upper case, e.g. USD, EUR, CAD)");
        }
        else if (key == "log_level") {
            c.log_level = string_of(node, key);
            static const std::set<std::string> levels{"debug", "info", "warning", "error"};
            if (!levels.count(c.log_level)) bad(node, key, "must be one of debug, info, warning, error");
        } else if (key == "http" && node.is_table()) {
            for (auto &&[hk, hnode] : *node.as_table()) {
                const std::string h = "http." + std::string(hk.str());
                if (hk.str() == "timeout_ms") {
                    auto v = hnode.value<int64_t>();
                    if (!v || *v <= 0 || *v > 600000) bad(hnode, h, "must be an integer from 1 to 600000");
                    c.http_timeout = std::chrono::milliseconds(*v);
                } else if (hk.str() == "ca_file") {
                    const std::string v = string_of(hnode, h);
                    c.http_ca_file = v.empty() ? std::filesystem::path() : base / v;
                } else bad(hnode, h, "is not a known key");
            }
        } else if (key == "http_server" && node.is_table()) {
            for (auto &&[sk, snode] : *node.as_table()) {
                const std::string h = "http_server." + std::string(sk.str());
                auto integer = [&](int64_t min, int64_t max) {
                    auto v = snode.value<int64_t>();
                    if (!v || *v < min || *v > max)
                        bad(snode, h, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
                    return *v;
                };
                if (sk.str() == "listen") {
                    c.serve_listen = string_of(snode, h);
                    try {
                        parse_listen(c.serve_listen, h);  // refused now, not when serve starts
                    } catch (const Error &) {
                        bad(snode, h, "must be ADDRESS:PORT, e.g. 127.0.0.1:8080 or [::1]:8080");
                    }
                } else if (sk.str() == "threads") {
                    c.serve_threads = static_cast<int>(integer(1, 256));
                } else if (sk.str() == "max_connections") {
                    c.serve_max_connections = static_cast<int>(integer(1, 100000));
                } else if (sk.str() == "max_body_kb") {
                    c.serve_max_body_kb = static_cast<int>(integer(1, 1048576));
                } else if (sk.str() == "header_timeout") {
                    c.serve_header_timeout = std::chrono::seconds(integer(1, 3600));
                } else if (sk.str() == "body_timeout") {
                    c.serve_body_timeout = std::chrono::seconds(integer(1, 3600));
                } else if (sk.str() == "cert" || sk.str() == "key") {
                    const std::string v = string_of(snode, h);
                    (sk.str() == "cert" ? c.serve_tls_cert : c.serve_tls_key) = v.empty() ? std::filesystem::path() : base / v;
                } else if (sk.str() == "grace") {
                    c.serve_grace = std::chrono::seconds(integer(0, 3600));
                } else bad(snode, h, "is not a known key");
            }
        } else if (key == "modules" && node.is_table()) {
            for (auto &&[mk, mnode] : *node.as_table()) {
                const std::string m = "modules." + std::string(mk.str());
                auto seconds = [&](const toml::node &n, const std::string &key) {
                    auto v = n.value<int64_t>();
                    if (!v || *v < 1 || *v > 86400) bad(n, key, "must be a whole number of seconds from 1 to 86400");
                    return std::chrono::milliseconds(*v * 1000);
                };
                if (mk.str() == "workers") {
                    auto v = mnode.value<int64_t>();
                    if (!v || *v < 1 || *v > 256) bad(mnode, m, "must be an integer from 1 to 256");
                    c.module_call_workers = static_cast<int>(*v);
                } else if (mk.str() == "run_as") {
                    auto v = mnode.value<std::string>();
                    if (!v) bad(mnode, m, "must be a user name in quotes, or \"\" for provisio's own user");
                    c.module_run_as = *v;
                } else if (mk.str() == "calls_per_runner") {
                    auto v = mnode.value<int64_t>();
                    if (!v || *v < 1 || *v > 64) bad(mnode, m, "must be an integer from 1 to 64");
                    c.module_calls_per_runner = static_cast<int>(*v);
                } else if (mk.str() == "call_timeout") {
                    c.module_call_timeout = seconds(mnode, m);
                } else if (mk.str() == "load_timeout") {
                    c.module_load_timeout = seconds(mnode, m);
                } else if (mk.str() == "call_timeouts") {
                    if (!mnode.is_table()) bad(mnode, m, "must be a table of module name = seconds");
                    for (auto &&[name, tnode] : *mnode.as_table())
                        c.module_call_timeouts[std::string(name.str())] = seconds(tnode, m + "." + std::string(name.str()));
                } else if (mk.str() == "inline") {
                    const toml::array *list = mnode.as_array();
                    if (!list) bad(mnode, m, "must be a list of module names, e.g. [\"timelog\"]");
                    for (const auto &item : *list) {
                        auto name = item.value<std::string>();
                        if (!name || name->empty()) bad(item, m, "must list module names as strings");
                        c.inline_modules.push_back(*name);
                    }
                } else if (mk.str() == "memory_mb") {
                    auto v = mnode.value<int64_t>();
                    if (!v || *v < 64 || *v > 1048576) bad(mnode, m, "must be an integer from 64 to 1048576 (MiB)");
                    c.module_memory_mb = static_cast<uint64_t>(*v);
                } else if (mk.str() == "quarantine_after" || mk.str() == "skip_module_after") {
                    auto v = mnode.value<int64_t>();
                    if (!v || *v < 0 || *v > 1000) bad(mnode, m, "must be an integer from 0 (never) to 1000");
                    (mk.str() == "quarantine_after" ? c.quarantine_after : c.skip_module_after) = static_cast<int>(*v);
                } else bad(mnode, m, "is not a known key");
            }
        } else if (key == "billing" && node.is_table()) {
            for (auto &&[bk, bnode] : *node.as_table()) {
                const std::string b = "billing." + std::string(bk.str());
                auto integer = [&](int lo, int hi) {
                    auto v = bnode.value<int64_t>();
                    if (!v || *v < lo || *v > hi)
                        bad(bnode, b, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
                    return static_cast<int>(*v);
                };
                if (bk.str() == "invoice_days_before") c.invoice_days_before = integer(0, 365);
                else if (bk.str() == "suspend_days") c.suspend_days = integer(0, 3650);
                else if (bk.str() == "terminate_days") c.terminate_days = integer(0, 3650);
                else if (bk.str() == "late_fee_days") c.late_fee_days = integer(0, 3650);
                else if (bk.str() == "late_fee") {
                    c.late_fee = string_of(bnode, b);
                    if (!c.late_fee.empty()) {
                        // An amount or a percentage, nothing else: "%" alone, "5 USD" or "-2" would
                        // otherwise only fail (or charge nonsense) when the late-fees task runs.
                        const bool percent = c.late_fee.back() == '%';
                        const std::string amount = percent ? c.late_fee.substr(0, c.late_fee.size() - 1) : c.late_fee;
                        std::optional<Money> value;
                        try {
                            if (!amount.empty() && amount.front() != '+' && amount.front() != '-') value = Money::parse(amount, b);
                        } catch (const Error &) {
                        }
                        if (!value)
                            bad(bnode, b, "'" + c.late_fee + "' must be an amount such as \"5.00\" or a percentage such as \"10%\" (\"\" for none)");
                        if (percent && *value > Money::parse("100", b))
                            bad(bnode, b, "'" + c.late_fee + "' must be a percentage from 0% to 100%");
                    }
                } else if (bk.str() == "overdue_notice_days") {
                    const toml::array *days = bnode.as_array();
                    if (!days) bad(bnode, b, "must be a list of day counts, e.g. [1, 7, 14]");
                    for (const auto &d : *days) {
                        auto v = d.value<int64_t>();
                        if (!v || *v < 1 || *v > 3650) bad(d, b, "entries must be integers from 1 to 3650");
                        c.overdue_notice_days.push_back(static_cast<int>(*v));
                    }
                    std::sort(c.overdue_notice_days.begin(), c.overdue_notice_days.end());
                }
                else bad(bnode, b, "is not a known key");
            }
        } else if (key == "invoice" && node.is_table()) {
            for (auto &&[ik, inode] : *node.as_table()) {
                const std::string k = "invoice." + std::string(ik.str());
                if (ik.str() == "company_name") c.invoice.company_name = string_of(inode, k);
                else if (ik.str() == "company_address") c.invoice.company_address = string_of(inode, k);
                else if (ik.str() == "footer") c.invoice.footer = string_of(inode, k);
                else if (ik.str() == "logo") {
                    const std::string v = string_of(inode, k);
                    if (!v.empty()) c.invoice.logo = (base / v).lexically_normal();
                } else bad(inode, k, "is not a known key");
            }
        } else if (key == "payments" && node.is_table()) {
            for (auto &&[pk, pnode] : *node.as_table()) {
                const std::string k = "payments." + std::string(pk.str());
                auto integer = [&](int lo, int hi) {
                    auto v = pnode.value<int64_t>();
                    if (!v || *v < lo || *v > hi) bad(pnode, k, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
                    return static_cast<int>(*v);
                };
                auto amount = [&] {
                    const std::string text = string_of(pnode, k);
                    try {
                        if (!text.empty() && text.front() != '-' && text.front() != '+' && !Money::parse(text, k).zero()) return text;
                    } catch (const Error &) {
                    }
                    bad(pnode, k, "'" + text + "' must be an amount more than zero, such as \"5.00\"");
                    return text;
                };
                if (pk.str() == "gateway") c.payments.gateway = string_of(pnode, k);
                else if (pk.str() == "capture_days_before") c.payments.capture_days_before = integer(0, 365);
                else if (pk.str() == "capture_workers") c.payments.capture_workers = integer(1, 256);
                else if (pk.str() == "auto_topups_per_day") c.payments.auto_topups_per_day = integer(0, 100);
                else if (pk.str() == "topup_min") c.payments.topup_min = amount();
                else if (pk.str() == "topup_max") c.payments.topup_max = amount();
                else if (pk.str() == "suspend_on_dispute") {
                    auto v = pnode.value<bool>();
                    if (!v) bad(pnode, k, "must be true or false");
                    c.payments.suspend_on_dispute = *v;
                } else if (pk.str() == "capture_retry_days") {
                    const toml::array *days = pnode.as_array();
                    if (!days) bad(pnode, k, "must be a list of day counts, e.g. [1, 3, 5]");
                    c.payments.capture_retry_days.clear();
                    for (const auto &d : *days) {
                        auto v = d.value<int64_t>();
                        if (!v || *v < 1 || *v > 365) bad(d, k, "entries must be integers from 1 to 365");
                        c.payments.capture_retry_days.push_back(static_cast<int>(*v));
                    }
                    std::sort(c.payments.capture_retry_days.begin(), c.payments.capture_retry_days.end());
                } else bad(pnode, k, "is not a known key");
            }
            if (Money::parse(c.payments.topup_min, "payments.topup_min") > Money::parse(c.payments.topup_max, "payments.topup_max"))
                fail(ErrorKind::invalid_input, "configuration error: " + c.file.string() + ": payments.topup_min " + c.payments.topup_min +
                                                   " is more than payments.topup_max " + c.payments.topup_max);
        } else if (key == "timelog" && node.is_table()) {
            for (auto &&[tk, tnode] : *node.as_table()) {
                const std::string k = "timelog." + std::string(tk.str());
                if (tk.str() == "max_catch_up") {
                    auto v = tnode.value<int64_t>();
                    if (!v || *v < 1 || *v > 100000) bad(tnode, k, "must be an integer from 1 to 100000");
                    c.timelog_max_catch_up = static_cast<int>(*v);
                } else bad(tnode, k, "is not a known key");
            }
        } else if (key == "usage" && node.is_table()) {
            for (auto &&[uk, unode] : *node.as_table()) {
                const std::string k = "usage." + std::string(uk.str());
                if (uk.str() == "autobill") {
                    c.autobill = string_of(unode, k);
                    if (c.autobill != "daily" && c.autobill != "every_run") bad(unode, k, "must be daily or every_run");
                } else if (uk.str() == "low_balance_alerts") {
                    c.low_balance_alerts = string_of(unode, k);
                    if (c.low_balance_alerts != "daily" && c.low_balance_alerts != "once") bad(unode, k, "must be daily or once");
                } else if (uk.str() == "invoice_due_days") {
                    auto v = unode.value<int64_t>();
                    if (!v || *v < 0 || *v > 365) bad(unode, k, "must be an integer from 0 to 365");
                    c.usage_invoice_due_days = static_cast<int>(*v);
                } else bad(unode, k, "is not a known key");
            }
        } else if (key == "client_area" && node.is_table()) {
            for (auto &&[ck, cnode] : *node.as_table()) {
                const std::string k = "client_area." + std::string(ck.str());
                auto integer = [&](int64_t min, int64_t max) {
                    auto v = cnode.value<int64_t>();
                    if (!v || *v < min || *v > max)
                        bad(cnode, k, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
                    return static_cast<int>(*v);
                };
                if (ck.str() == "url") {
                    c.client_area.url = string_of(cnode, k);
                    if (!c.client_area.url.empty() && c.client_area.url.rfind("http://", 0) != 0 && c.client_area.url.rfind("https://", 0) != 0)
                        bad(cnode, k, "must start with http:// or https:// (or be empty: from [http_server] listen)");
                } else if (ck.str() == "company") {
                    c.client_area.company = string_of(cnode, k);
                    if (c.client_area.company.empty()) bad(cnode, k, "must not be empty: it titles every page");
                } else if (ck.str() == "idle_minutes") c.client_area.idle_minutes = integer(1, 1440);
                else if (ck.str() == "absolute_hours") c.client_area.absolute_hours = integer(1, 720);
                else if (ck.str() == "max_failed_logins") c.client_area.max_failed_logins = integer(1, 1000);
                else if (ck.str() == "max_failed_logins_per_address") c.client_area.max_failed_logins_per_address = integer(1, 100000);
                else if (ck.str() == "failed_login_minutes") c.client_area.failed_login_minutes = integer(1, 1440);
                else if (ck.str() == "chart_js") c.client_area.chart_js = string_of(cnode, k);
                else bad(cnode, k, "is not a known key");
            }
        } else if (key == "files" && node.is_table()) {
            for (auto &&[fk, fnode] : *node.as_table()) {
                const std::string k = "files." + std::string(fk.str());
                if (fk.str() == "dir") c.files.dir = path_of(fnode, k);
                else if (fk.str() == "max_bytes") {
                    auto v = fnode.value<int64_t>();
                    if (!v || *v < 1 || *v > (int64_t{1} << 40)) bad(fnode, k, "must be an integer from 1 to 1099511627776");
                    c.files.max_bytes = static_cast<uint64_t>(*v);
                } else bad(fnode, k, "is not a known key");
            }
        } else if (key == "mail" && node.is_table()) {
            for (auto &&[mk, mnode] : *node.as_table()) {
                const std::string m = "mail." + std::string(mk.str());
                const std::string_view k = mk.str();
                if (k == "transport") {
                    c.mail.transport = string_of(mnode, m);
                    if (c.mail.transport != "file" && c.mail.transport != "smtp" && c.mail.transport != "none")
                        bad(mnode, m, "must be file, smtp or none");
                } else if (k == "file_dir") c.mail.file_dir = path_of(mnode, m);
                else if (k == "from") c.mail.from = string_of(mnode, m);
                else if (k == "smtp_url") {
                    c.mail.smtp_url = string_of(mnode, m);
                    if (!c.mail.smtp_url.empty() && c.mail.smtp_url.rfind("smtp://", 0) != 0 && c.mail.smtp_url.rfind("smtps://", 0) != 0)
                        bad(mnode, m, "must start with smtp:// or smtps://");
                } else if (k == "smtp_username") c.mail.smtp_username = string_of(mnode, m);
                else if (k == "smtp_password") c.mail.smtp_password = string_of(mnode, m);
                else if (k == "smtp_starttls") {
                    c.mail.smtp_starttls = string_of(mnode, m);
                    if (c.mail.smtp_starttls != "try" && c.mail.smtp_starttls != "require" && c.mail.smtp_starttls != "no")
                        bad(mnode, m, "must be try, require or no");
                } else if (k == "smtp_tls_verify") {
                    auto v = mnode.value<bool>();
                    if (!v) bad(mnode, m, "must be true or false");
                    c.mail.smtp_tls_verify = *v;
                } else if (k == "timeout_ms") {
                    auto v = mnode.value<int64_t>();
                    if (!v || *v <= 0 || *v > 600000) bad(mnode, m, "must be an integer from 1 to 600000");
                    c.mail.timeout = std::chrono::milliseconds(*v);
                } else bad(mnode, m, "is not a known key");
            }
            if (c.mail.transport == "smtp" && c.mail.smtp_url.empty())
                bad(node, "mail.smtp_url", "is required when mail.transport is smtp");
        } else if (key == "cron" && node.is_table()) {
            for (auto &&[ck, cnode] : *node.as_table()) {
                const std::string k = "cron." + std::string(ck.str());
                if (ck.str() == "daily_hour") {
                    auto v = cnode.value<int64_t>();
                    if (!v || *v < 0 || *v > 23) bad(cnode, k, "must be an integer from 0 to 23");
                    c.cron_daily_hour = static_cast<int>(*v);
                } else bad(cnode, k, "is not a known key");
            }
        } else bad(node, key, "is not a known key (see docs/operator-guide.md)");
    }
    if (c.terminate_days && c.suspend_days && c.terminate_days < c.suspend_days)
        fail(ErrorKind::invalid_input, "configuration error: " + file.string() +
                                           ": billing.terminate_days must not be less than billing.suspend_days");
    return c;
}

std::pair<std::string, uint16_t> parse_listen(const std::string &text, const std::string &what) {
    const size_t colon = text.rfind(':');
    std::string address = colon == std::string::npos ? "" : text.substr(0, colon);
    const std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
    if (address.size() > 2 && address.front() == '[' && address.back() == ']') address = address.substr(1, address.size() - 2);
    if (address.empty() || port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(port) > 65535)
        fail(ErrorKind::invalid_input, what + " '" + text + "' must be ADDRESS:PORT, e.g. 127.0.0.1:8080 or [::1]:8080 (port 0: any free port)");
    return {address, static_cast<uint16_t>(std::stoi(port))};
}

}  // namespace provisio
