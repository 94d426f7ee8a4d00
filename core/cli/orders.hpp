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

// What setting up one ordered service came to, and the line that says so.
struct SetupOutcome {
    bool ok = false;
    std::string line;
};
SetupOutcome set_up_order(Context &ctx, int64_t service_id);

// Creates on their servers the Pending services of a paid invoice whose product provisions on
// payment.
std::vector<SetupOutcome> provision_paid_orders(Context &ctx, int64_t invoice_id);

}  // namespace provisio::cli
