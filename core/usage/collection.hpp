// Usage collection through a module's usage hook (ABI 1.3): the host asks the service's module
// for the calls after the cursor it stores, rates and stores them, and moves the cursor — records
// and cursor in one transaction, so a crash never loses or doubles a call.
#pragma once

#include "usage/cdr_import.hpp"

#include <string>

namespace provisio {
class ModuleHost;
class Provisioner;
class Quarantine;
}  // namespace provisio

namespace provisio::usage {

struct CollectionReport {
    UsageReport usage;      // what was stored, skipped and rejected (by call id)
    int module_calls = 0;
    std::string cursor;     // where the next collection starts
    std::string error;      // the module failed or broke the hook's rules; nothing of that call stored
};

// Collects until the module's cursor stops moving, at most `max_calls` module calls of
// `batch` records each. Each call's records commit in one transaction; under the random-keyed
// call-id index a commit rewrites most of the index's pages, so big batches (25,000 calls, some
// 10 MB in memory) make a backlog several times cheaper than small ones (measured with
// tests/bench/fusionpbx_cdrs.sh: 5,000 → 25,000 took 100,000 calls from 3.3 s to 2.3 s).
// The module calls go through `quarantine`; one not made (the run skips the module) ends the
// collection with the reason in `error`, the cursor where it was.
CollectionReport collect_usage(Database &db, Repository &repo, const ModuleHost &host, Quarantine &quarantine,
                               const BusinessZone &zone, const std::string &now, int64_t service_id, int max_calls = 100,
                               uint32_t batch = 25000);

}  // namespace provisio::usage
