// Work logged against a service with time credits (`provisio timelog add`, POST
// /api/v1/services/{id}/time-entries): it debits the service's balance, which may go negative.
#pragma once

#include "foundation/calendar.hpp"
#include "foundation/field_spelling.hpp"
#include "ledger/time_ledger.hpp"

#include <cstdint>
#include <string>

namespace provisio {

class Repository;
class ModuleHost;

struct TimeWork {
    int64_t service_id = 0;
    int64_t minutes = 0;
    std::string note;
    std::string at;  // ISO time it was done; empty: today
};

struct LoggedTime {
    int64_t entry_id = 0;
    int64_t service_id = 0;
    int64_t client_id = 0;
    Hours hours;    // debited (positive)
    Hours balance;  // the service's balance after it
};

// Error(invalid_input) for minutes not above zero or a malformed time (named as `spelling`
// spells them), Error(refused) for a Terminated or Cancelled service or one whose module keeps
// no time credits.
LoggedTime log_time(Repository &repo, const ModuleHost &host, const BusinessZone &zone, Date today, const TimeWork &work,
                    FieldSpelling spelling);

}  // namespace provisio
