// A change to a client's own fields — what `client add` and `client update` take as flags and
// the HTTP API as a JSON object — checked and applied in one place, so both refuse the same input
// in the same words, naming the field as the caller spells it ("--first-name" or "first_name").
#pragma once

#include "foundation/field_spelling.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace provisio {

class Database;
struct Client;

struct ClientChanges {
    std::optional<std::string> first_name, last_name, company, email, phone, language, status, currency;
    std::optional<std::string> address1, address2, city, state, postcode, country, tax_id;
    std::optional<bool> separate_invoices, no_late_fees, no_overdue_emails, tax_exempt;
    std::optional<std::optional<int64_t>> billing_contact_id;  // set to a contact, or cleared
};

// Error(invalid_input) naming the field for a malformed e-mail address, status, currency or
// country, or a billing contact of another client; Error(not_found) for an unknown contact.
void apply_client_changes(Database &db, const ClientChanges &changes, Client &client, FieldSpelling spelling);

// A new client: the changes applied to an empty one, the required fields checked, the currency
// defaulted. Error(invalid_input) naming a missing field.
Client new_client(Database &db, const ClientChanges &changes, const std::string &default_currency, FieldSpelling spelling);

}  // namespace provisio
