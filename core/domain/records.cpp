#include "domain/records.hpp"

#include "foundation/error.hpp"

#include <algorithm>
#include <chrono>
#include <charconv>

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

std::string check_date(std::string_view date, std::string_view what) {
    auto bad = [&]() -> std::string {
        fail(ErrorKind::invalid_input, std::string(what) + ": '" + std::string(date) + "' is not a date (expected YYYY-MM-DD)");
    };
    if (date.size() != 10 || date[4] != '-' || date[7] != '-') return bad();
    int y = 0;
    unsigned m = 0, d = 0;
    auto num = [&](size_t pos, size_t len, auto &out) {
        auto [p, ec] = std::from_chars(date.data() + pos, date.data() + pos + len, out);
        return ec == std::errc() && p == date.data() + pos + len;
    };
    if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return bad();
    if (!std::chrono::year_month_day{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)}.ok()) return bad();
    return std::string(date);
}

}  // namespace provisio
