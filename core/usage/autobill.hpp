// Autobill: for each service on a VoIP package, collect its usage from its module (when the
// module has the usage hook), then charge the rated calls not yet billed. Prepaid packages
// take one debit per service per run from the client's credit (it may go below zero: the
// autosuspend sweep acts on that), rounded half-up to the currency's minor unit, and mark the
// calls with that entry — in one transaction, so a re-run or a crash never bills a call twice.
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
    std::vector<std::string> lines;              // one per service charged
    std::vector<std::string> errors;
};

// `collect` false: bill what is stored without asking modules (a dry run).
AutobillReport run_autobill(Database &db, Repository &repo, const ModuleHost &host, const BusinessZone &zone, const std::string &now,
                            bool collect, std::optional<int64_t> only_service = std::nullopt);

// The per-server summary lines `--verbose` prints.
std::vector<std::string> server_summary(const AutobillReport &report);

}  // namespace provisio::usage
