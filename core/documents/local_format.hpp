// Numbers and dates as a client's language writes them, for documents a client reads (invoice
// PDFs): "1,234.56" and "5 December 2026" in English, "1 234,56" and "5 décembre 2026" in French.
// The language is the client's `language` ("fr", "pt-BR"); one this table does not know is
// written as English. Amounts keep every place their currency has, never rounded here.
#pragma once

#include "foundation/calendar.hpp"
#include "money/money.hpp"

#include <string>
#include <string_view>

namespace provisio {

class LocalFormat {
public:
    explicit LocalFormat(std::string_view language);
    // The language the table matched ("en" when it knew none).
    const std::string &language() const { return language_; }
    std::string amount(Money m, int places) const;  // "1,234.56", "-0.50"
    std::string date(Date d) const;                 // "5 December 2026"

private:
    std::string language_;
    std::string decimal_, group_;
    const char *const *months_ = nullptr;
    std::string pattern_;  // "{d} {m} {y}"
};

}  // namespace provisio
