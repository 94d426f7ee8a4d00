#include "documents/local_format.hpp"

#include <cctype>

namespace provisio {

namespace {

constexpr const char *en_months[] = {"January", "February", "March",     "April",   "May",      "June",
                                     "July",    "August",   "September", "October", "November", "December"};
constexpr const char *fr_months[] = {"janvier", "février", "mars",      "avril",   "mai",      "juin",
                                     "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};
constexpr const char *de_months[] = {"Januar", "Februar", "März",      "April",   "Mai",      "Juni",
                                     "Juli",   "August",  "September", "Oktober", "November", "Dezember"};
constexpr const char *es_months[] = {"enero", "febrero", "marzo",      "abril",   "mayo",      "junio",
                                     "julio", "agosto",  "septiembre", "octubre", "noviembre", "diciembre"};
constexpr const char *pt_months[] = {"janeiro", "fevereiro", "março",    "abril",   "maio",     "junho",
                                     "julho",   "agosto",    "setembro", "outubro", "novembro", "dezembro"};
constexpr const char *it_months[] = {"gennaio", "febbraio", "marzo",     "aprile",  "maggio",   "giugno",
                                     "luglio",  "agosto",   "settembre", "ottobre", "novembre", "dicembre"};
constexpr const char *nl_months[] = {"januari", "februari", "maart",     "april",   "mei",      "juni",
                                     "juli",    "augustus", "september", "oktober", "november", "december"};

struct Convention {
    const char *language, *decimal, *group;
    const char *const *months;
    const char *pattern;
};
// U+202F (narrow no-break space) groups French thousands, as the CLDR does.
constexpr Convention conventions[] = {
    {"en", ".", ",", en_months, "{d} {m} {y}"},        {"fr", ",", "\u202f", fr_months, "{d} {m} {y}"},
    {"de", ",", ".", de_months, "{d}. {m} {y}"},       {"es", ",", ".", es_months, "{d} de {m} de {y}"},
    {"pt", ",", ".", pt_months, "{d} de {m} de {y}"},  {"it", ",", ".", it_months, "{d} {m} {y}"},
    {"nl", ",", ".", nl_months, "{d} {m} {y}"},
};

}  // namespace

LocalFormat::LocalFormat(std::string_view language) {
    std::string base;
    for (char c : language) {
        if (c == '-' || c == '_') break;
        base += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    const Convention *chosen = &conventions[0];
    for (const auto &c : conventions)
        if (base == c.language) chosen = &c;
    language_ = chosen->language;
    decimal_ = chosen->decimal;
    group_ = chosen->group;
    months_ = chosen->months;
    pattern_ = chosen->pattern;
}

std::string LocalFormat::amount(Money m, int places) const {
    const std::string plain = m.to_string(places);  // "-1234.56"
    const bool negative = !plain.empty() && plain.front() == '-';
    const std::string digits = negative ? plain.substr(1) : plain;
    const size_t dot = digits.find('.');
    const std::string whole = digits.substr(0, dot), fraction = dot == std::string::npos ? "" : digits.substr(dot + 1);
    std::string grouped;
    for (size_t i = 0; i < whole.size(); ++i) {
        if (i > 0 && (whole.size() - i) % 3 == 0) grouped += group_;
        grouped += whole[i];
    }
    return (negative ? "-" : "") + grouped + (fraction.empty() ? "" : decimal_ + fraction);
}

std::string LocalFormat::date(Date d) const {
    std::string out = pattern_;
    auto put = [&](const std::string &key, const std::string &value) {
        if (const size_t at = out.find(key); at != std::string::npos) out.replace(at, key.size(), value);
    };
    put("{d}", std::to_string(static_cast<unsigned>(d.day())));
    put("{m}", months_[static_cast<unsigned>(d.month()) - 1]);
    put("{y}", std::to_string(static_cast<int>(d.year())));
    return out;
}

}  // namespace provisio
