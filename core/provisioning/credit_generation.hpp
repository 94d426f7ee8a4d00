// Time-credit generation: the host decides when a service's credit cycle is due — on create, on
// an invoice created or paid, or on calendar days in the business time zone — and asks the
// service's module what to post; the entries go into the time ledger in one transaction under
// natural keys (service + period + kind), so a cycle never posts twice.
//
// Calendar cycles start after the service was first provisioned (a new order gets nothing until
// its next cycle) and catch up on missed days, each period posted with its own date, at most
// `max_periods` per service per run (the rest wait for the next run, and the report says so).
#pragma once

#include "foundation/calendar.hpp"
#include "modulehost/module_host.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

class Quarantine;
class Repository;
struct Service;

struct CreditReport {
    int cycles = 0;   // cycles that posted something
    int entries = 0;
    std::vector<std::string> lines;
    std::vector<std::string> errors;
    std::vector<std::string> notes;  // e.g. the catch-up limit reached
};

// The first calendar period date strictly after `after` for a trigger and offset
// (weekly 0 = Sunday; monthly 0 = the 1st, clamped to the month's end; yearly 0 = 1 January,
// clamped to 31 December); nullopt for a trigger that is not a calendar one.
std::optional<Date> next_period_after(Date after, uint32_t trigger, uint32_t offset);

// Error(refused) unless `service`'s product has a module that keeps time credits (implements
// credit generation): time logged on any other service would debit a balance nothing credits.
// Error(not_found) when the product's module is not loaded, so it cannot be told.
void require_time_credits(Repository &repo, const ModuleHost &host, const Service &service);

// The module calls go through `quarantine` (provisioning/quarantine.hpp): a period whose call
// was not made (the run skips the module) waits for the next run like a failed one.
class CreditGenerator {
public:
    CreditGenerator(Repository &repo, const ModuleHost &host, Quarantine &quarantine, Date today);

    CreditReport run_calendar(int max_periods, std::optional<int64_t> only_service = std::nullopt, bool dry_run = false);
    CreditReport on_create(int64_t service_id);
    CreditReport on_invoice(int64_t service_id, const provisio_invoice_event &event);

private:
    struct Prepared;
    // One period's answer from the module, waiting to be written.
    struct Cycle {
        const Service *service;
        const LoadedModule *module;
        std::string period, period_date;
        CallOutcome outcome;
        bool advance_cursor;  // calendar cycles move the service's cursor to period_date
        bool made = true;     // false: not called (the run skips the module), nothing to log
    };
    std::optional<Prepared> prepare(int64_t service_id, CreditReport &report);
    // One cycle to ask a module for.
    struct Ask {
        const Service *service;
        const CallInput *input;
        uint32_t trigger;
        std::string period, period_date;
        const provisio_invoice_event *invoice;
        int64_t balance_micros;
        bool advance_cursor;
    };
    // Asks `module` for each cycle (services of one module: in runners, one round trip for them
    // all) and counts each outcome with quarantine; a cycle of a skipped module is not made.
    std::vector<Cycle> ask(const LoadedModule &module, std::vector<Ask> asks);
    // A calendar run works in batches of services: read (this thread), asked (ask_rounds, on a
    // second thread while the next batch is read), written (a writer thread).
    struct CalendarJob {  // one service's periods due
        const Service *service;
        const LoadedModule *module;
        CallInput input;
        provisio_credit_schedule schedule;
        Date cursor;
        int64_t balance;
        int periods = 0;
    };
    struct CalendarBatch {
        std::map<int64_t, Service> services;  // the jobs and cycles point into it
        std::vector<CalendarJob> jobs;
        std::vector<Cycle> cycles;
        CreditReport report;  // what asking found (notes, errors)
        int64_t first_id, last_id;
    };
    void ask_rounds(CalendarBatch &batch, int max_periods);
    // The job's next period due today or before, moving its cursor there; nullopt when none is
    // due, or when it has caught up max_periods this run (said in `report`'s notes).
    std::optional<std::string> next_due(CalendarJob &job, int max_periods, CreditReport &report) const;
    // Writes the cycles' entries, failures, module state and cursors through `repo` (whose
    // connection may be a writer thread's); the caller's transaction makes it all-or-nothing.
    // Adds to `report` only what was written.
    void write(Repository &repo, const std::vector<Cycle> &cycles, CreditReport &report) const;
    // An event-driven cycle of one service, written at once.
    void run_one(const Prepared &p, uint32_t trigger, const std::string &period, const std::string &period_date,
                 const provisio_invoice_event *invoice, CreditReport &report);

    Repository &repo_;
    const ModuleHost &host_;
    Quarantine &quarantine_;
    Date today_;
    std::string now_;  // fixed for a run
};

}  // namespace provisio
