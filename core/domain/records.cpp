#include "domain/records.hpp"

#include "foundation/calendar.hpp"
#include "foundation/error.hpp"
#include "store/database.hpp"

#include <algorithm>
#include <cctype>

namespace provisio {

const std::vector<std::string> &billing_cycles() {
    static const std::vector<std::string> cycles = {"free",     "onetime",      "monthly",  "quarterly",
                                                    "semiannually", "annually", "biennially", "triennially"};
    return cycles;
}

namespace {
std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.erase(std::remove(out.begin(), out.end(), '-'), out.end());
    return out;
}
}  // namespace

std::string check_billing_cycle(std::string_view cycle) {
    const std::string c = lower(cycle);
    for (const auto &known : billing_cycles())
        if (c == known) return known;
    std::string list;
    for (const auto &known : billing_cycles()) list += (list.empty() ? "" : ", ") + known;
    fail(ErrorKind::invalid_input, "billing cycle '" + std::string(cycle) + "' is not one of: " + list);
}

std::string check_client_status(std::string_view status) {
    for (const char *s : {"Active", "Inactive", "Closed"})
        if (lower(status) == lower(s)) return s;
    fail(ErrorKind::invalid_input, "client status '" + std::string(status) + "' is not one of: Active, Inactive, Closed");
}

bool plausible_email(std::string_view email) {
    const size_t at = email.find('@');
    if (at == 0 || at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) return false;
    if (email.find_first_of(" \t\r\n,;<>") != std::string_view::npos) return false;
    const std::string_view domain = email.substr(at + 1);
    const size_t dot = domain.find('.');
    return dot != std::string_view::npos && dot > 0 && dot + 1 < domain.size();
}

std::string check_date(std::string_view date, std::string_view what) { return format_date(parse_date(date, what)); }

std::string checked_country(std::string_view country, std::string_view flag) {
    if (country.empty()) return {};
    if (country.size() != 2 || !std::isalpha(static_cast<unsigned char>(country[0])) || !std::isalpha(static_cast<unsigned char>(country[1])))
        fail(ErrorKind::invalid_input, std::string(flag) + " '" + std::string(country) + "' is not a two-letter ISO 3166 code such as CA");
    return {static_cast<char>(std::toupper(static_cast<unsigned char>(country[0]))),
            static_cast<char>(std::toupper(static_cast<unsigned char>(country[1])))};
}

void require_client(Database &db, int64_t client_id) {
    auto q = db.prepare("SELECT 1 FROM clients WHERE id = ?1");
    q.bind(1, client_id);
    if (!q.step()) fail(ErrorKind::not_found, "client " + std::to_string(client_id) + " does not exist");
}

}  // namespace provisio
