// Client custom fields: defined once by the operator (text, yes/no, dropdown, number) and set
// per client. Templates reach them as {$client_custom_field_<variable>}, where the variable is
// the name in lower case without spaces or punctuation ("Low Balance Threshold" →
// lowbalancethreshold). The VoIP automation reads four of them (see voip_fields()).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace provisio {

class Database;

struct ClientField {
    int64_t id = 0;
    std::string name;
    std::string variable;
    std::string type;                  // text, yesno, dropdown, number
    std::vector<std::string> options;  // dropdown choices
    std::string default_value;
    std::string description;
};

// "Low Balance Threshold" → "lowbalancethreshold".
std::string field_variable(std::string_view name);

// The fields the VoIP automation reads, as `provisio field add-voip` defines them.
const std::vector<ClientField> &voip_fields();
namespace voip_field {
inline constexpr const char *has_voip = "Has VoIP Service";
inline constexpr const char *manual_suspend = "Manual VoIP Suspend";
inline constexpr const char *suspended = "VoIP Suspended";
inline constexpr const char *low_balance_threshold = "Low Balance Threshold";
}  // namespace voip_field

class ClientFields {
public:
    explicit ClientFields(Database &db) : db_(db) {}

    // Checks the definition (type, dropdown options, a default that fits) and adds it; Error
    // (invalid_input) or (conflict) when the name or its variable is taken.
    ClientField add(ClientField field, const std::string &now);
    void remove(std::string_view name);  // and every client's value of it
    std::vector<ClientField> list();
    std::optional<ClientField> find(std::string_view name);
    ClientField get(std::string_view name);  // Error(not_found) listing the defined names

    // The value as stored: "Yes"/"No", the dropdown choice as defined, a number in canonical
    // form. Error(invalid_input) naming the field and what it accepts. Empty clears it.
    std::string checked_value(const ClientField &field, std::string_view value);
    void set(int64_t client_id, std::string_view name, std::string_view value);
    // Every defined field's value for the client (its default where it has none), by name.
    std::map<std::string, std::string> values(int64_t client_id);
    // The values automation set rather than an operator, by name: who set each ("autosuspend"
    // keeps "VoIP Suspended" showing its state).
    std::map<std::string, std::string> set_by_automation(int64_t client_id);

private:
    Database &db_;
};

}  // namespace provisio
