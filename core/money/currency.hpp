// How many decimal places a currency's amounts may carry (ISO 4217 minor units).
#pragma once

#include <string_view>

namespace provisio {

// 2 for most currencies; 0 for e.g. JPY, KRW; 3 for e.g. BHD, KWD, OMR.
int currency_decimals(std::string_view currency);

}  // namespace provisio
