// Delivering invoice events (created, paid) to the modules of the services on an invoice.
// Events are queued in the database when the invoice changes and delivered at least once: a
// failed delivery is retried on later runs (up to 10 attempts); a module that does not take
// events, or a service gone since, simply marks its event delivered.
#pragma once

#include "foundation/calendar.hpp"

#include <optional>
#include <string>
#include <vector>

namespace provisio {

class Repository;
class ModuleHost;
class Quarantine;

struct EventReport {
    int delivered = 0;
    std::vector<std::string> lines;
    std::vector<std::string> errors;
};

// The module calls go through `quarantine`; an event whose module the run skips waits for a
// later run without an attempt counted.
EventReport deliver_invoice_events(Repository &repo, const ModuleHost &host, Quarantine &quarantine, Date today,
                                   std::optional<int64_t> invoice_id = std::nullopt, bool dry_run = false);

}  // namespace provisio
