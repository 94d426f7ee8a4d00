// The records the core keeps about servers, products, clients and services, as plain values.
// Secrets are held decrypted in memory and sealed only in the database (see store code in
// records.cpp); nothing here prints them.
#pragma once

#include "modulehost/option_schema.hpp"
#include "money/money.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

class Database;

struct Server {
    int64_t id = 0;
    std::string name;
    std::string module;
    std::string hostname;
    std::string ip;
    std::optional<int64_t> port;
    std::string username;
    std::string password;     // secret
    std::string access_hash;  // secret
    bool secure = true;       // speak TLS to it
    bool tls_verify = true;   // verify its certificate
    int64_t max_concurrent = 4;
    Settings options;         // the module's SERVER-scope options (PASSWORD ones are secret)
    std::string created_at;
};

struct Product {
    int64_t id = 0;
    std::string name;
    std::string type = "other";
    std::string module;       // empty: no module, nothing to provision
    Money price;
    std::string billing_cycle = "monthly";
    Settings settings;        // module PRODUCT-scope option values
    std::string auto_setup = "payment";  // an order's service is created on: order, payment (of its first invoice), manual
    bool taxable = false;     // its services' invoice lines (and their addons') are taxed
    std::string created_at;
};

// A postal address as a client's or a contact's profile holds it.
struct PostalAddress {
    std::string address1, address2, city, state, postcode, country;  // country: ISO 3166 alpha-2
    bool empty() const { return address1.empty() && address2.empty() && city.empty() && state.empty() && postcode.empty() && country.empty(); }
};

struct Client {
    int64_t id = 0;
    std::string first_name;
    std::string last_name;
    std::string company;
    std::string email;
    PostalAddress address;
    std::string phone;
    std::string language;
    std::string status = "Active";  // Active, Inactive, Closed
    std::string currency;
    bool separate_invoices = false;  // one invoice per item instead of per due date
    bool no_late_fees = false;
    bool no_overdue_emails = false;
    bool tax_exempt = false;         // never taxed
    std::string tax_id;              // an EU VAT number (reverse charge), or another country's tax number
    std::optional<int64_t> billing_contact_id;  // its name and address go on invoices
    std::string created_at;
};

struct Service {
    int64_t id = 0;
    int64_t client_id = 0;
    int64_t product_id = 0;
    std::optional<int64_t> server_id;
    std::string status = "Pending";
    std::string domain;
    std::string username;
    std::string password;     // secret
    std::string dedicated_ip;
    std::optional<std::string> next_due_date;      // YYYY-MM-DD: the period paid up to
    std::optional<std::string> next_invoice_date;  // the next period to invoice (ahead of next_due_date once invoiced)
    std::optional<int64_t> anchor_day;             // day of month due dates anchor on
    std::optional<std::string> autosuspend_override;  // a date before which automation won't suspend, or "never"
    std::string suspended_by;                      // "automation" when overdue automation suspended it
    std::string payment_method;                    // e.g. banktransfer, stripe; empty: the client's usual
    Money recurring_amount;
    std::string billing_cycle = "monthly";
    std::string suspend_reason;
    Settings overrides;       // the service's own module-setting values
    Settings custom_fields;
    Settings module_state;
    std::string created_at;
    std::string updated_at;
};

// Billing cycles a product or service may have.
const std::vector<std::string> &billing_cycles();
// Returns the canonical cycle name or throws Error(invalid_input) listing the valid ones.
std::string check_billing_cycle(std::string_view cycle);
// Client statuses.
std::string check_client_status(std::string_view status);
// A plausible e-mail address (one '@', non-empty local part, a dot in the domain, no spaces).
bool plausible_email(std::string_view email);
// An ISO 3166-1 alpha-2 country code, upper-cased ("ca" → "CA"); "" stays "". Error(invalid_input)
// naming `flag` for anything else, including unassigned codes such as QQ.
std::string checked_country(std::string_view country, std::string_view flag);
// A payment method as stored: one of known_payment_methods() (any case; "bank", "cheque" and
// "creditcard" are taken for banktransfer, check and card), or the free form "other:TEXT"
// (1 to 64 printable characters, kept as written). Error(invalid_input) naming `flag`.
std::string checked_payment_method(std::string_view method, std::string_view flag);
std::string known_payment_methods();  // "banktransfer, card, ..."
// Error(not_found) unless the client exists.
void require_client(Database &db, int64_t client_id);
// YYYY-MM-DD that names a real date; throws Error(invalid_input) naming `what`.
std::string check_date(std::string_view date, std::string_view what);

}  // namespace provisio
