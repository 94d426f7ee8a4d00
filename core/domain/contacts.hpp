// A client's contacts: extra people on the account, each subscribed to some of the five e-mail
// categories (general, invoice, support, product, domain). Mail of a category goes to the
// client and to the contacts subscribed to it; one contact may be the client's default billing
// contact, whose name and address go on invoices instead of the client's.
#pragma once

#include "domain/records.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace provisio {

class Database;

inline constexpr const char *email_categories[] = {"general", "invoice", "support", "product", "domain"};

struct Contact {
    int64_t id = 0;
    int64_t client_id = 0;
    std::string first_name, last_name, email, company, phone;
    PostalAddress address;
    std::vector<std::string> categories;  // a subset of email_categories, in that order
    std::string created_at;
};

// "invoice, general" → {"general", "invoice"}; Error(invalid_input) naming an unknown category.
std::vector<std::string> parse_email_categories(std::string_view text, std::string_view what);

class Contacts {
public:
    explicit Contacts(Database &db) : db_(db) {}

    // First name, last name and a plausible e-mail are required: Error(invalid_input) naming
    // the field. The client must exist.
    int64_t add(Contact contact, const std::string &now);
    void update(const Contact &contact);
    Contact get(int64_t id);  // Error(not_found)
    std::vector<Contact> of_client(int64_t client_id);
    // Removes the contact; if it was the client's billing contact, the client has none after.
    void remove(int64_t id);

    // The client's address followed by its contacts' subscribed to `category`, without repeats.
    std::vector<std::string> recipients(int64_t client_id, std::string_view category);

private:
    Database &db_;
};

// Name, company and postal address lines.
std::string address_block(const std::string &name, const std::string &company, const PostalAddress &address);
// The same without a name, on one line with ";" between the parts (for show commands).
std::string address_line(const std::string &company, const PostalAddress &address);

// Who the client's invoices are made out to: its default billing contact's address block, or
// else its own.
std::string bill_to(Database &db, int64_t client_id);

}  // namespace provisio
