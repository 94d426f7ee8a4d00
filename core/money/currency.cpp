#include "money/currency.hpp"

namespace provisio {

int currency_decimals(std::string_view c) {
    for (const char *zero : {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV",
                             "XAF", "XOF", "XPF"})
        if (c == zero) return 0;
    for (const char *three : {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})
        if (c == three) return 3;
    return 2;
}

}  // namespace provisio
