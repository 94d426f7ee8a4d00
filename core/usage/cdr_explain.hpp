// How a stored call's cost was worked out, step by step: what `provisio cdr explain` prints and
// the client area shows for one call. One implementation for both.
#pragma once

#include "usage/cdrs.hpp"

#include <string>
#include <utility>
#include <vector>

namespace provisio::usage {

// Each step a label ("number", "rate", "cost", …) and what it says: the call as recorded, the
// number dialled and normalized, the status, the matched rate with its increment and grace, the
// billed, free and tier seconds, the markup, the exact sum and its rounding, what billed it, and
// every re-rate that changed it.
using Explanation = std::vector<std::pair<std::string, std::string>>;
Explanation explain_cdr(Database &db, const StoredCdr &call);

}  // namespace provisio::usage
