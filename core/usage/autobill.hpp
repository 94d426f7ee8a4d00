// Autobill: for each service on a VoIP package, collect its usage from its module (when the
// module has the usage hook), then charge the rated calls not yet billed, by the package's
// billing mode:
//   prepaid       one debit per service per run from the client's credit (it may go below
//                 zero: the autosuspend sweep acts on that), rounded half-up to the currency's
//                 minor unit;
//   invoice       a usage invoice per service for each ended period (business day or calendar
//                 month, the package's invoice period);
//   consolidated  one usage invoice per client and period, a line per service.
// The charge and the marks on its calls commit together, so a re-run or a crash never bills a
// call twice. An amount below the minor unit waits for more calls.
#pragma once

#include "foundation/calendar.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace provisio {
class Database;
class Repository;
class ModuleHost;
class Quarantine;
}  // namespace provisio

namespace provisio::usage {

struct ServerUsage {
    int64_t found = 0, rated = 0, unrated = 0, excluded = 0;  // calls collected this run
    int64_t clients_billed = 0;
    std::map<std::string, int64_t> charged_micros;            // by currency
};

struct AutobillReport {
    std::map<std::string, ServerUsage> servers;  // by server name ("(no server)" for none)
    int services_billed = 0;
    int invoices = 0;                            // usage invoices made
    std::vector<std::string> lines;              // one per charge
    std::vector<std::string> errors;
};

struct AutobillOptions {
    bool collect = true;                 // false: bill what is stored without asking modules (a dry run)
    int invoice_due_days = 7;            // usage invoices fall due this many days after today
    std::optional<int64_t> only_service;
};

// Module calls go through `quarantine` (provisioning/quarantine.hpp).
AutobillReport run_autobill(Database &db, Repository &repo, const ModuleHost &host, Quarantine &quarantine, const BusinessZone &zone,
                            const std::string &now, const AutobillOptions &options = {});

// The per-server summary lines `--verbose` prints.
std::vector<std::string> server_summary(const AutobillReport &report);

}  // namespace provisio::usage
