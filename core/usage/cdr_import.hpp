// Call detail records in: a PBX's CDR export read, each call rated under the service's VoIP
// package and stored with its rating. Streams any file size; good records are kept, bad ones
// reported with their line; a call already stored (same start, source and call id) is skipped.
#pragma once

#include "foundation/calendar.hpp"
#include "foundation/clock.hpp"
#include "usage/packages.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace provisio {
class Database;
class Repository;
struct Service;
}  // namespace provisio

namespace provisio::usage {

// One call as a PBX reports it, times already in UTC text.
struct CallDetail {
    std::string source_id;  // the PBX's call id (FusionPBX xml_cdr_uuid)
    std::string direction;  // inbound | outbound | local
    std::string caller, destination_number, caller_destination;
    TimePoint start;
    std::string start_at, answer_at, end_at;  // "2026-03-10T19:05:22Z"; answer_at empty when unanswered
    int64_t duration = 0, billsec = 0;
    std::string hangup_cause;
    bool answer_inferred = false;  // the source gave no answer time: it is end − billsec
};

// A call from its parts, checked: direction one of inbound/outbound/local, end not before start,
// billsec and duration 0 to 31 days and billsec not longer than the call; `duration` defaults to
// end − start. Without an answer time, a call with billsec > 0 was answered (FreeSWITCH's
// billsec counts answered seconds): its answer time is end − billsec, marked as inferred.
// Throws Error(invalid_input) saying what is wrong.
CallDetail checked_call(std::string id, std::string direction, std::string caller, std::string destination_number,
                        std::string caller_destination, TimePoint start, std::optional<TimePoint> answer, TimePoint end,
                        int64_t billsec, std::optional<int64_t> duration, std::string hangup_cause);

struct UsageReport {
    int64_t records = 0, stored = 0, duplicates = 0;
    int64_t b_legs = 0;  // FusionPBX b-leg records read and left out: the call is billed once, on its a-leg
    std::map<std::string, int64_t> by_status;  // rated, unrated, excluded, ...
    int64_t cost_micros = 0;                   // of the calls stored now
    std::vector<std::string> errors;           // "line 7: billsec '-3' is not a whole number of seconds ≥ 0"
    std::vector<std::string> unrated;          // "line 9: no rate for 33123456789"
};

// Rates and stores calls of one service: loads its package, tariff and the period's minutes
// once. Error(invalid_input) when the service's product has no VoIP package, or one without a
// tariff.
class UsageRecorder {
public:
    UsageRecorder(Database &db, Repository &repo, const BusinessZone &zone, std::string now, int64_t service_id, std::string source);
    ~UsageRecorder();
    // Queues a call (`where` names it in reports: "line 7"); calls are written in chunks.
    void add(CallDetail call, const std::string &where);
    // A record that could not be read: reported, nothing stored.
    void reject(const std::string &where, const std::string &why);
    // A b-leg record: counted, nothing stored (its a-leg carries the call).
    void skip_b_leg();
    // Writes what is queued; the report is complete after it. Until then the recorder may use
    // the database connection from a thread of its own: the caller leaves it alone.
    void flush();
    // The service's domain as its module fields give it ("domain | main DID" → "domain").
    const std::string &domain() const;
    const UsageReport &report() const { return report_; }

private:
    struct Pending;
    void hand_off();                            // the filled batch to the writing thread
    void write(std::vector<Pending> &batch);    // prices and stores, on whichever thread owns the database
    void add_to_quarters(const std::vector<const Pending *> &calls);  // the kept totals, in the same transaction
    void counted(const Pending &call);          // adds a stored call to the report
    struct State;
    std::unique_ptr<State> s_;
    UsageReport report_;
};

// Reads FusionPBX's CDR CSV export (header with its column names, extra columns ignored) into
// `recorder`; times without a zone are read in `zone`. The call id is xml_cdr_uuid (FusionPBX 4.5
// and later) or uuid (4.4 and earlier). With a `leg` column, b-legs are counted and left out, as
// FusionPBX lists only a-legs to anyone without its b-leg permission; a leg that is neither a nor
// b rejects the line.
void read_fusionpbx_csv(const std::filesystem::path &file, const BusinessZone &zone, UsageRecorder &recorder);

}  // namespace provisio::usage
