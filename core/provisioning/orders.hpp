// Orders: a client's new service with its addons and first invoice, and its provisioning — at
// once, when the invoice is paid, or by hand, as the product's auto_setup says. The CLI's
// `order add` and the API's POST /api/v1/orders both place orders here.
#pragma once

#include "domain/records.hpp"
#include "foundation/calendar.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

class Database;
class Repository;
class Provisioner;

struct OrderRequest {
    int64_t client_id = 0;
    std::string product;  // id or name
    std::string cycle;    // empty: the product's
    std::string price;    // decimal text; empty: the product's
    std::string domain;
    std::string server;   // id or name; empty: the only server of the product's module
    std::vector<std::string> addons;  // catalogue addons, id or name
    bool no_invoice = false;          // the first invoice comes with the next due date
    std::string price_field = "--price";  // how the caller names the price in errors
};

struct PlacedOrder {
    Product product;
    Service service;  // as stored (Pending)
    std::vector<int64_t> addon_ids;
    std::vector<int64_t> invoice_ids;
};

// Checks the request and stores the Pending service, its addons and their first invoices in one
// transaction. Throws Error (invalid_input, not_found, refused for a Closed client) and stores
// nothing then.
PlacedOrder place_order(Repository &repo, Date today, const OrderRequest &request);

// What setting up one ordered service came to, and the line that says so.
struct SetupOutcome {
    int64_t service_id = 0;
    bool ok = false;
    std::string line;
};

// What the product's auto_setup does right after the order: `order` creates the service now,
// `payment` creates it if its first invoice is paid already (from credit), `manual` nothing.
// `note` says what happens next when nothing was set up.
struct OrderSetup {
    std::vector<SetupOutcome> outcomes;
    std::string note;
};
OrderSetup set_up_placed_order(Database &db, Provisioner &provisioner, const PlacedOrder &order);

// Creates on their servers the Pending services of a paid invoice whose product provisions on
// payment.
std::vector<SetupOutcome> provision_paid_orders(Database &db, Provisioner &provisioner, int64_t invoice_id);

// The server a new service of `product` goes to when none is named: the only one of its module.
std::optional<int64_t> default_server(Repository &repo, const Product &product);

}  // namespace provisio
