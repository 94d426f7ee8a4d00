// Service addons: extra items billed on their own cycles, either from the catalogue (name,
// price and cycle filled in) or custom to one service. They are invoiced by the same renewal
// run as services. Terminating or cancelling one stamps its termination date, which can be
// edited only while it is terminated or cancelled.
#pragma once

#include "money/money.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

class Database;

struct CatalogueAddon {
    int64_t id = 0;
    std::string name;
    Money price;
    std::string billing_cycle;
};

struct ServiceAddon {
    int64_t id = 0;
    int64_t service_id = 0;
    std::optional<int64_t> catalogue_id;
    std::string name;
    Money price;
    std::string billing_cycle;
    std::string status = "Active";  // Active, Suspended, Cancelled, Terminated
    std::optional<std::string> next_due_date;
    std::optional<std::string> next_invoice_date;
    std::optional<int64_t> anchor_day;
    std::optional<std::string> termination_date;
    std::string created_at;
};

class Addons {
public:
    Addons(Database &db, std::string now) : db_(db), now_(std::move(now)) {}

    int64_t add_to_catalogue(const CatalogueAddon &a);
    std::vector<CatalogueAddon> catalogue();
    CatalogueAddon find_in_catalogue(const std::string &id_or_name);

    int64_t add(const ServiceAddon &a);
    ServiceAddon get(int64_t id);
    std::vector<ServiceAddon> list(std::optional<int64_t> service_id);
    void update(const ServiceAddon &a);
    // Sets status Cancelled or Terminated and the termination date to `today`.
    void end(int64_t id, const std::string &status, const std::string &today);

private:
    Database &db_;
    std::string now_;
};

}  // namespace provisio
