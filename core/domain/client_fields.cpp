#include "domain/client_fields.hpp"

#include "foundation/error.hpp"
#include "foundation/text.hpp"
#include "money/money.hpp"
#include "store/database.hpp"

#include <algorithm>
#include <cctype>

namespace provisio {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char &c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

ClientField read(Statement &q) {
    ClientField f;
    f.id = q.int64(0);
    f.name = q.text(1);
    f.variable = q.text(2);
    f.type = q.text(3);
    f.options = split_list(q.text(4));
    f.default_value = q.text(5);
    f.description = q.text(6);
    return f;
}

const char *columns = "id, name, variable, type, options, default_value, description";

}  // namespace

std::string field_variable(std::string_view name) {
    std::string out;
    for (const char c : name)
        if (std::isalnum(static_cast<unsigned char>(c))) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

const std::vector<ClientField> &voip_fields() {
    static const std::vector<ClientField> fields = {
        {0, voip_field::has_voip, field_variable(voip_field::has_voip), "yesno", {}, "No",
         "Yes: autosuspend watches this client's credit"},
        {0, voip_field::manual_suspend, field_variable(voip_field::manual_suspend), "yesno", {}, "No",
         "Yes: keep all the client's VoIP services suspended"},
        {0, voip_field::suspended, field_variable(voip_field::suspended), "dropdown", {"None", "Yes", "No"}, "None",
         "None: autosuspend decides; Yes: always suspended; No: never suspended (trusted account)"},
        {0, voip_field::low_balance_threshold, field_variable(voip_field::low_balance_threshold), "number", {}, "",
         "Send \"Low Balance Alert\" when credit is at or below this; blank: no alerts"},
    };
    return fields;
}

std::string ClientFields::checked_value(const ClientField &f, std::string_view value) {
    const std::string v(value);
    if (v.empty()) return v;
    const std::string what = "field '" + f.name + "'";
    if (f.type == "yesno") {
        const std::string l = lower(v);
        if (l == "yes" || l == "y" || l == "true" || l == "on") return "Yes";
        if (l == "no" || l == "n" || l == "false" || l == "off") return "No";
        fail(ErrorKind::invalid_input, what + " is yes/no: '" + v + "' is neither");
    }
    if (f.type == "dropdown") {
        for (const auto &o : f.options)
            if (lower(o) == lower(v)) return o;
        fail(ErrorKind::invalid_input, what + " is one of " + join(f.options, ", ") + ": '" + v + "' is not");
    }
    if (f.type == "number") {
        const bool negative = !v.empty() && v[0] == '-';
        const Money m = Money::parse(negative ? std::string_view(v).substr(1) : std::string_view(v), what);
        return (negative ? "-" : "") + m.to_string(0);
    }
    if (v.size() > 1000) fail(ErrorKind::invalid_input, what + " holds at most 1000 characters");
    if (v.find_first_of("\r\n") != std::string::npos) fail(ErrorKind::invalid_input, what + " is one line of text");
    return v;
}

ClientField ClientFields::add(ClientField f, const std::string &now) {
    if (f.name.empty() || f.name.size() > 100) fail(ErrorKind::invalid_input, "a field's name is 1 to 100 characters");
    f.variable = field_variable(f.name);
    if (f.variable.empty()) fail(ErrorKind::invalid_input, "field name '" + f.name + "' has no letters or digits to name its template variable");
    if (f.type != "text" && f.type != "yesno" && f.type != "dropdown" && f.type != "number")
        fail(ErrorKind::invalid_input, "field type '" + f.type + "' is not one of text, yesno, dropdown, number");
    if (f.type == "dropdown" && f.options.empty())
        fail(ErrorKind::invalid_input, "dropdown field '" + f.name + "' needs its choices (--options A,B,C)");
    if (f.type != "dropdown" && !f.options.empty())
        fail(ErrorKind::invalid_input, "--options is for dropdown fields; '" + f.name + "' is " + f.type);
    if (f.type == "yesno" && f.default_value.empty()) f.default_value = "No";
    f.default_value = checked_value(f, f.default_value);
    if (auto existing = find(f.name)) fail(ErrorKind::conflict, "field '" + existing->name + "' already exists");
    {
        auto q = db_.prepare("SELECT name FROM client_fields WHERE variable = ?1");
        q.bind(1, f.variable);
        if (q.step())
            fail(ErrorKind::conflict, "field '" + f.name + "' would share the template variable {$client_custom_field_" + f.variable +
                                          "} with field '" + q.text(0) + "'");
    }
    db_.prepare("INSERT INTO client_fields (name, variable, type, options, default_value, description, created_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        .bind(1, f.name).bind(2, f.variable).bind(3, f.type).bind(4, join(f.options, ",")).bind(5, f.default_value)
        .bind(6, f.description).bind(7, now)
        .run();
    f.id = db_.last_insert_id();
    return f;
}

void ClientFields::remove(std::string_view name) {
    const ClientField f = get(name);
    db_.prepare("DELETE FROM client_field_values WHERE field_id = ?1").bind(1, f.id).run();
    db_.prepare("DELETE FROM client_fields WHERE id = ?1").bind(1, f.id).run();
}

std::vector<ClientField> ClientFields::list() {
    auto q = db_.prepare(std::string("SELECT ") + columns + " FROM client_fields ORDER BY id");
    std::vector<ClientField> out;
    while (q.step()) out.push_back(read(q));
    return out;
}

std::optional<ClientField> ClientFields::find(std::string_view name) {
    auto q = db_.prepare(std::string("SELECT ") + columns + " FROM client_fields WHERE name = ?1");
    q.bind(1, name);
    if (!q.step()) return std::nullopt;
    return read(q);
}

ClientField ClientFields::get(std::string_view name) {
    if (auto f = find(name)) return *f;
    std::vector<std::string> names;
    for (const auto &f : list()) names.push_back("'" + f.name + "'");
    fail(ErrorKind::not_found, "no client field named '" + std::string(name) + "'" +
                                   (names.empty() ? " (none are defined: provisio field add, or provisio field add-voip)"
                                                  : "; defined: " + join(names, ", ")));
}

void ClientFields::set(int64_t client_id, std::string_view name, std::string_view value) {
    const ClientField f = get(name);
    {
        auto q = db_.prepare("SELECT 1 FROM clients WHERE id = ?1");
        q.bind(1, client_id);
        if (!q.step()) fail(ErrorKind::not_found, "client " + std::to_string(client_id) + " does not exist");
    }
    const std::string v = checked_value(f, value);
    if (v.empty()) {
        db_.prepare("DELETE FROM client_field_values WHERE client_id = ?1 AND field_id = ?2").bind(1, client_id).bind(2, f.id).run();
        return;
    }
    db_.prepare("INSERT INTO client_field_values (client_id, field_id, value, set_by) VALUES (?1, ?2, ?3, '') "
                "ON CONFLICT (client_id, field_id) DO UPDATE SET value = excluded.value, set_by = ''")
        .bind(1, client_id).bind(2, f.id).bind(3, v)
        .run();
}

std::map<std::string, std::string> ClientFields::values(int64_t client_id) {
    auto q = db_.prepare("SELECT f.name, COALESCE(v.value, f.default_value) FROM client_fields f "
                         "LEFT JOIN client_field_values v ON v.field_id = f.id AND v.client_id = ?1 ORDER BY f.id");
    q.bind(1, client_id);
    std::map<std::string, std::string> out;
    while (q.step()) out.emplace(q.text(0), q.text(1));
    return out;
}

std::map<std::string, std::string> ClientFields::set_by_automation(int64_t client_id) {
    auto q = db_.prepare("SELECT f.name, v.set_by FROM client_field_values v JOIN client_fields f ON f.id = v.field_id "
                         "WHERE v.client_id = ?1 AND v.set_by <> ''");
    q.bind(1, client_id);
    std::map<std::string, std::string> out;
    while (q.step()) out.emplace(q.text(0), q.text(1));
    return out;
}

}  // namespace provisio
