// ISO 4217 currencies: which codes exist, and how many decimal places their amounts carry.
#pragma once

#include <string>
#include <string_view>

namespace provisio {

// 2 for most currencies; 0 for e.g. JPY, KRW; 3 for e.g. BHD, KWD, OMR; 4 for CLF, UYW.
int currency_decimals(std::string_view currency);

// Whether `code` is a current ISO 4217 currency code (upper case). The precious metals, the
// bond-market units, special drawing rights, the test code XTS and "no currency" XXX are not
// currencies a client is billed in, and are not accepted.
bool is_currency_code(std::string_view code);

// `code` if it is one (see is_currency_code); Error(invalid_input) naming `what` otherwise.
std::string checked_currency(std::string_view code, std::string_view what);

}  // namespace provisio
