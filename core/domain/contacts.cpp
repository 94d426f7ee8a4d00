#include "domain/contacts.hpp"

#include "foundation/error.hpp"
#include "foundation/text.hpp"
#include "store/database.hpp"

#include <algorithm>

namespace provisio {

namespace {

std::string trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return std::string(s);
}

void check(const Contact &c) {
    if (trimmed(c.first_name).empty()) fail(ErrorKind::invalid_input, "a contact needs a first name (--first-name)");
    if (trimmed(c.last_name).empty()) fail(ErrorKind::invalid_input, "a contact needs a last name (--last-name)");
    if (c.email.empty()) fail(ErrorKind::invalid_input, "a contact needs an e-mail address (--email)");
    if (!plausible_email(c.email)) fail(ErrorKind::invalid_input, "--email '" + c.email + "' is not an e-mail address");
}

Contact read(Statement &q) {
    Contact c;
    c.id = q.int64(0);
    c.client_id = q.int64(1);
    c.first_name = q.text(2);
    c.last_name = q.text(3);
    c.email = q.text(4);
    c.company = q.text(5);
    c.address = {q.text(6), q.text(7), q.text(8), q.text(9), q.text(10), q.text(11)};
    c.phone = q.text(12);
    if (!q.text(13).empty()) c.categories = parse_email_categories(q.text(13), "stored categories");
    c.created_at = q.text(14);
    return c;
}

constexpr const char *columns =
    "id, client_id, first_name, last_name, email, company, address1, address2, city, state, postcode, country, phone, "
    "email_categories, created_at";

}  // namespace

std::vector<std::string> parse_email_categories(std::string_view text, std::string_view what) {
    const std::vector<std::string> wanted = split_list(text);
    for (const auto &item : wanted)
        if (std::find(std::begin(email_categories), std::end(email_categories), item) == std::end(email_categories))
            fail(ErrorKind::invalid_input, std::string(what) + ": '" + item + "' is not an e-mail category (general, invoice, support, product, domain)");
    std::vector<std::string> out;  // in the canonical order, once each
    for (const char *c : email_categories)
        if (std::find(wanted.begin(), wanted.end(), c) != wanted.end()) out.push_back(c);
    return out;
}

int64_t Contacts::add(Contact c, const std::string &now) {
    check(c);
    require_client(db_, c.client_id);
    db_.prepare("INSERT INTO contacts (client_id, first_name, last_name, email, company, address1, address2, city, state, postcode, "
                "country, phone, email_categories, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)")
        .bind(1, c.client_id).bind(2, trimmed(c.first_name)).bind(3, trimmed(c.last_name)).bind(4, c.email).bind(5, c.company)
        .bind(6, c.address.address1).bind(7, c.address.address2).bind(8, c.address.city).bind(9, c.address.state)
        .bind(10, c.address.postcode).bind(11, c.address.country).bind(12, c.phone).bind(13, join(c.categories, ",")).bind(14, now)
        .run();
    return db_.last_insert_id();
}

void Contacts::update(const Contact &c) {
    check(c);
    db_.prepare("UPDATE contacts SET first_name = ?2, last_name = ?3, email = ?4, company = ?5, address1 = ?6, address2 = ?7, "
                "city = ?8, state = ?9, postcode = ?10, country = ?11, phone = ?12, email_categories = ?13 WHERE id = ?1")
        .bind(1, c.id).bind(2, trimmed(c.first_name)).bind(3, trimmed(c.last_name)).bind(4, c.email).bind(5, c.company)
        .bind(6, c.address.address1).bind(7, c.address.address2).bind(8, c.address.city).bind(9, c.address.state)
        .bind(10, c.address.postcode).bind(11, c.address.country).bind(12, c.phone).bind(13, join(c.categories, ","))
        .run();
}

Contact Contacts::get(int64_t id) {
    auto q = db_.prepare(std::string("SELECT ") + columns + " FROM contacts WHERE id = ?1");
    q.bind(1, id);
    if (!q.step()) fail(ErrorKind::not_found, "contact " + std::to_string(id) + " does not exist");
    return read(q);
}

std::vector<Contact> Contacts::of_client(int64_t client_id) {
    auto q = db_.prepare(std::string("SELECT ") + columns + " FROM contacts WHERE client_id = ?1 ORDER BY id");
    q.bind(1, client_id);
    std::vector<Contact> out;
    while (q.step()) out.push_back(read(q));
    return out;
}

void Contacts::remove(int64_t id) {
    get(id);
    Transaction tx(db_);
    db_.prepare("UPDATE clients SET billing_contact_id = NULL WHERE billing_contact_id = ?1").bind(1, id).run();
    db_.prepare("DELETE FROM contacts WHERE id = ?1").bind(1, id).run();
    tx.commit();
}

std::vector<std::string> Contacts::recipients(int64_t client_id, std::string_view category) {
    std::vector<std::string> out;
    auto q = db_.prepare("SELECT email FROM clients WHERE id = ?1");
    q.bind(1, client_id);
    if (q.step()) out.push_back(q.text(0));
    for (const Contact &c : of_client(client_id))
        if (std::find(c.categories.begin(), c.categories.end(), category) != c.categories.end() &&
            std::find(out.begin(), out.end(), c.email) == out.end())
            out.push_back(c.email);
    return out;
}

std::string address_block(const std::string &name, const std::string &company, const PostalAddress &a) {
    std::string out;
    auto line = [&](const std::string &text) {
        if (!text.empty()) out += text + "\n";
    };
    line(name);
    line(company);
    line(a.address1);
    line(a.address2);
    std::string town = a.city;
    if (!a.state.empty()) town += (town.empty() ? "" : ", ") + a.state;
    if (!a.postcode.empty()) town += (town.empty() ? "" : " ") + a.postcode;
    line(town);
    line(a.country);
    return out;
}

std::string address_line(const std::string &company, const PostalAddress &address) {
    std::string block = address_block("", company, address);
    if (!block.empty()) block.pop_back();
    std::string out;
    for (char ch : block) out += ch == '\n' ? std::string(";") : std::string(1, ch);
    return out;
}

std::string bill_to(Database &db, int64_t client_id) {
    auto q = db.prepare("SELECT c.first_name, c.last_name, c.company, c.address1, c.address2, c.city, c.state, c.postcode, c.country, "
                        "k.first_name, k.last_name, k.company, k.address1, k.address2, k.city, k.state, k.postcode, k.country "
                        "FROM clients c LEFT JOIN contacts k ON k.id = c.billing_contact_id WHERE c.id = ?1");
    q.bind(1, client_id);
    if (!q.step()) fail(ErrorKind::not_found, "client " + std::to_string(client_id) + " does not exist");
    const int at = q.is_null(9) ? 0 : 9;
    const std::string last = q.text(at + 1);
    return address_block(q.text(at) + (last.empty() ? "" : " " + last), q.text(at + 2),
                         {q.text(at + 3), q.text(at + 4), q.text(at + 5), q.text(at + 6), q.text(at + 7), q.text(at + 8)});
}

}  // namespace provisio
