// Orders: a client's new services with their addons and first invoice, provisioned at once, on
// payment or by hand as the product says.
#pragma once

#include "domain/records.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace provisio::cli {

class Context;

// The server a new service of `product` goes to when none is named: the only one of its module.
std::optional<int64_t> default_server(Context &ctx, const Product &product);

// Creates on their servers the Pending services of a paid invoice whose product provisions on
// payment; one line per service said.
std::vector<std::string> provision_paid_orders(Context &ctx, int64_t invoice_id);

}  // namespace provisio::cli
