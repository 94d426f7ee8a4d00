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

namespace {

// ISO 3166-1 alpha-2: the 249 officially assigned codes (space-separated, each followed by a space).
constexpr std::string_view iso3166_alpha2 =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ "
    "BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ "
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ "
    "DE DJ DK DM DO DZ "
    "EC EE EG EH ER ES ET "
    "FI FJ FK FM FO FR "
    "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY "
    "HK HM HN HR HT HU "
    "ID IE IL IM IN IO IQ IR IS IT "
    "JE JM JO JP "
    "KE KG KH KI KM KN KP KR KW KY KZ "
    "LA LB LC LI LK LR LS LT LU LV LY "
    "MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ "
    "NA NC NE NF NG NI NL NO NP NR NU NZ "
    "OM "
    "PA PE PF PG PH PK PL PM PN PR PS PT PW PY "
    "QA "
    "RE RO RS RU RW "
    "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ "
    "TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ "
    "UA UG UM US UY UZ "
    "VA VC VE VG VI VN VU "
    "WF WS "
    "YE YT "
    "ZA ZM ZW ";

}  // namespace

std::string checked_country(std::string_view country, std::string_view flag) {
    if (country.empty()) return {};
    if (country.size() != 2 || !std::isalpha(static_cast<unsigned char>(country[0])) || !std::isalpha(static_cast<unsigned char>(country[1])))
        fail(ErrorKind::invalid_input, std::string(flag) + " '" + std::string(country) + "' is not a two-letter ISO 3166 code such as CA");
    const std::string code{static_cast<char>(std::toupper(static_cast<unsigned char>(country[0]))),
                           static_cast<char>(std::toupper(static_cast<unsigned char>(country[1])))};
    if (iso3166_alpha2.find(code + ' ') == std::string_view::npos)
        fail(ErrorKind::invalid_input, std::string(flag) + " '" + std::string(country) + "' is not an ISO 3166-1 country code" +
                                           (code == "UK" ? " (the United Kingdom is GB)" : " (e.g. CA, US, GB, DE)"));
    return code;
}

namespace {

// The payment methods provisio knows, and the spellings taken for them.
struct KnownMethod {
    std::string_view name, aliases;  // aliases: space-separated
};
constexpr KnownMethod known_methods[] = {
    {"banktransfer", "bank wire"}, {"card", "creditcard"}, {"cash", ""}, {"check", "cheque"},
    {"mailin", ""},                {"paypal", ""},         {"stripe", ""},
};

}  // namespace

std::string known_payment_methods() {
    std::string out;
    for (const auto &m : known_methods) out += (out.empty() ? "" : ", ") + std::string(m.name);
    return out;
}

std::string checked_payment_method(std::string_view method, std::string_view flag) {
    std::string lower(method);
    for (char &ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    for (const auto &m : known_methods) {
        if (lower == m.name) return std::string(m.name);
        for (size_t pos = 0; pos < m.aliases.size();) {
            const size_t end = std::min(m.aliases.find(' ', pos), m.aliases.size());
            if (m.aliases.substr(pos, end - pos) == lower) return std::string(m.name);
            pos = end + 1;
        }
    }
    // The free form: "other:" and a description of the way the money came, kept as written.
    if (lower.rfind("other:", 0) == 0) {
        const std::string_view text = method.substr(6);
        const bool printable = std::all_of(text.begin(), text.end(), [](unsigned char ch) { return ch >= 0x20 && ch != 0x7f; });
        if (!text.empty() && text.size() <= 64 && printable && text.front() != ' ') return "other:" + std::string(text);
        fail(ErrorKind::invalid_input, std::string(flag) + " '" + std::string(method) +
                                           "': after 'other:' comes a description of 1 to 64 printable characters");
    }
    fail(ErrorKind::invalid_input, std::string(flag) + " '" + std::string(method) + "' is not a payment method: one of " +
                                       known_payment_methods() + ", or other:DESCRIPTION (e.g. other:barter)");
}

void require_client(Database &db, int64_t client_id) {
    auto q = db.prepare("SELECT 1 FROM clients WHERE id = ?1");
    q.bind(1, client_id);
    if (!q.step()) fail(ErrorKind::not_found, "client " + std::to_string(client_id) + " does not exist");
}

}  // namespace provisio
