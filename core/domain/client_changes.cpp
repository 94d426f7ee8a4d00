#include "domain/client_changes.hpp"

#include "billing/taxes.hpp"
#include "domain/contacts.hpp"
#include "domain/records.hpp"
#include "foundation/error.hpp"
#include "foundation/text.hpp"
#include "money/currency.hpp"


namespace provisio {

void apply_client_changes(Database &db, const ClientChanges &ch, Client &c, FieldSpelling spelling) {
    auto named = [&](const char *f) { return field_name(f, spelling); };
    if (ch.first_name) c.first_name = *ch.first_name;
    if (ch.last_name) c.last_name = *ch.last_name;
    if (ch.email) {
        if (!plausible_email(*ch.email)) fail(ErrorKind::invalid_input, named("email") + " '" + *ch.email + "' is not an e-mail address");
        c.email = *ch.email;
    }
    if (ch.status) c.status = check_client_status(*ch.status);
    if (ch.currency) c.currency = checked_currency(ascii_upper(*ch.currency), named("currency"));
    if (ch.separate_invoices) c.separate_invoices = *ch.separate_invoices;
    if (ch.no_late_fees) c.no_late_fees = *ch.no_late_fees;
    if (ch.no_overdue_emails) c.no_overdue_emails = *ch.no_overdue_emails;
    if (ch.company) c.company = *ch.company;
    if (ch.address1) c.address.address1 = *ch.address1;
    if (ch.address2) c.address.address2 = *ch.address2;
    if (ch.city) c.address.city = *ch.city;
    if (ch.state) c.address.state = *ch.state;
    if (ch.postcode) c.address.postcode = *ch.postcode;
    if (ch.country) c.address.country = checked_country(*ch.country, named("country"));
    if (ch.tax_exempt) c.tax_exempt = *ch.tax_exempt;
    if (ch.tax_id) c.tax_id = *ch.tax_id;
    // Checked against the country too, when either changes.
    if (ch.tax_id || ch.country) c.tax_id = checked_vat_number(c.tax_id, c.address.country, named("tax_id"));
    if (ch.phone) c.phone = *ch.phone;
    if (ch.language) c.language = *ch.language;
    if (ch.billing_contact_id) {
        if (!*ch.billing_contact_id) {
            c.billing_contact_id.reset();
        } else {
            const Contact k = Contacts(db).get(**ch.billing_contact_id);
            if (k.client_id != c.id)
                fail(ErrorKind::invalid_input, named("billing_contact") + ": contact " + std::to_string(k.id) + " belongs to client " +
                                                   std::to_string(k.client_id) + ", not " + std::to_string(c.id));
            c.billing_contact_id = k.id;
        }
    }
}

Client new_client(Database &db, const ClientChanges &changes, const std::string &default_currency, FieldSpelling spelling) {
    for (const auto &[value, name] : {std::pair{&changes.first_name, "first_name"}, std::pair{&changes.email, "email"}})
        if (!*value || (*value)->empty()) fail(ErrorKind::invalid_input, "a new client needs " + field_name(name, spelling));
    if (changes.billing_contact_id && *changes.billing_contact_id)
        fail(ErrorKind::invalid_input, "a new client has no contacts yet: set " + field_name("billing_contact", spelling) + " afterwards");
    Client c;
    apply_client_changes(db, changes, c, spelling);
    if (c.currency.empty()) c.currency = default_currency;  // checked when the configuration was read
    return c;
}

}  // namespace provisio
