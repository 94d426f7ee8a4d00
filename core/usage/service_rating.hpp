// What rating one service's calls needs, loaded once: its VoIP package, the tariff's current
// version and rates, a Rater over them, and the service's billing periods (the span free
// minutes and tiers count over). Shared by CDR import, usage collection and re-rating.
#pragma once

#include "domain/records.hpp"
#include "foundation/calendar.hpp"
#include "foundation/clock.hpp"
#include "usage/packages.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace provisio {
class Database;
class Repository;
}  // namespace provisio

namespace provisio::usage {

// The domestic billed seconds a service's stored calls hold in [from_at, to_at) (UTC): rated
// calls to numbers starting with `country_code` — what free minutes and tiers count. Read
// through the (service, start) index.
int64_t stored_domestic_seconds(Database &db, int64_t service_id, const std::string &from_at, const std::string &to_at,
                                const std::string &country_code);

class ServiceRating {
public:
    // Error(invalid_input) when the service's product has no VoIP package, the package has no
    // tariff, or the tariff has no rates yet — each naming the command that fixes it.
    ServiceRating(Database &db, Repository &repo, const BusinessZone &zone, int64_t service_id);
    ~ServiceRating();

    const Service &service() const { return service_; }
    const PackageRecord &package() const { return package_; }
    int64_t tariff_version_id() const { return tariff_version_id_; }
    const Rater &rater() const { return *rater_; }
    // The service's domain as its module fields give it ("domain | main DID" → "domain").
    const std::string &domain() const { return domain_; }

    // The first day of the billing period holding `day`: the service's billing cycle anchored
    // on its due date, or calendar months for a service without one.
    Date period_start(Date day) const;
    Date period_end(Date start) const;  // the first day of the next period

    // The period (its start date) a call that started at `start` belongs to; cached for calls
    // in time order.
    const std::string &period_of(TimePoint start);
    // The running domestic billed seconds of a period; the first use reads what is stored: the
    // period's total kept in usage_period_seconds, or else the sum over its stored calls.
    int64_t &seconds_in(const std::string &period);
    // Running seconds as they are now, to put back after an attempt that is undone.
    std::map<std::string, int64_t> &running_seconds() { return period_seconds_; }
    // Keeps the running totals in usage_period_seconds, so the next import of a period reads one
    // row instead of summing every call stored in it. Whoever stores calls calls this in the
    // same transaction; a change to stored calls drops the service's totals (triggers).
    void save_running_seconds();

private:
    std::pair<std::string, std::string> period_bounds(const std::string &period) const;  // UTC [from, to)
    Database &db_;
    const BusinessZone &zone_;
    Service service_;
    PackageRecord package_;
    int64_t tariff_version_id_ = 0;
    std::vector<Rate> tariff_;
    std::unique_ptr<Rater> rater_;
    std::string domain_;
    int months_ = 1;
    unsigned anchor_day_ = 1;
    std::optional<Date> anchor_;
    std::map<std::string, int64_t> period_seconds_;  // period start date → domestic billed seconds so far
    Date last_day_;
    std::string last_period_;
};

}  // namespace provisio::usage
