#include "usage/service_rating.hpp"

#include "billing/cycles.hpp"
#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "foundation/csv_reader.hpp"
#include "store/database.hpp"
#include "usage/cdrs.hpp"
#include "usage/tariff_store.hpp"

#include <algorithm>

namespace provisio::usage {

ServiceRating::ServiceRating(Database &db, Repository &repo, const BusinessZone &zone, int64_t service_id)
    : db_(db), zone_(zone), service_(repo.get_service(service_id)) {
    const Product product = repo.get_product(service_.product_id);
    auto package = load_package(db, product.id);
    if (!package)
        fail(ErrorKind::invalid_input, "service " + std::to_string(service_id) + "'s product '" + product.name +
                                           "' has no VoIP package (provisio package set " + std::to_string(product.id) + " --tariff NAME)");
    package_ = std::move(*package);
    if (!package_.tariff_id)
        fail(ErrorKind::invalid_input, "the VoIP package of product '" + product.name + "' has no tariff (provisio package set " +
                                           std::to_string(product.id) + " --tariff NAME)");
    TariffStore tariffs(db, repo.now_text());
    const Tariff tariff = tariffs.get(*package_.tariff_id);
    if (!tariff.current) fail(ErrorKind::invalid_input, "tariff '" + tariff.name + "' has no rates yet (provisio tariff import)");
    tariff_version_id_ = tariff.current->id;
    tariff_ = tariffs.rates(tariff_version_id_);
    rater_ = std::make_unique<Rater>(package_.rating, tariff_, package_.custom_rates);
    months_ = std::max(1, cycle_months(service_.billing_cycle));
    if (service_.next_due_date) {
        anchor_ = parse_date(*service_.next_due_date, "next due date");
        anchor_day_ = service_.anchor_day ? static_cast<unsigned>(*service_.anchor_day) : static_cast<unsigned>(anchor_->day());
    }
    domain_ = std::string(trimmed(std::string_view(service_.domain).substr(0, service_.domain.find('|'))));
}

ServiceRating::~ServiceRating() = default;

Date ServiceRating::period_start(Date day) const {
    if (!anchor_) return first_of_month(day);
    Date start = *anchor_;
    using std::chrono::sys_days;
    while (sys_days(start) > sys_days(day)) start = add_months_anchored(start, -months_, anchor_day_);
    for (Date next = add_months_anchored(start, months_, anchor_day_); sys_days(next) <= sys_days(day);
         next = add_months_anchored(start, months_, anchor_day_))
        start = next;
    return start;
}

Date ServiceRating::period_end(Date start) const { return add_months_anchored(start, months_, anchor_ ? anchor_day_ : 1); }

const std::string &ServiceRating::period_of(TimePoint start) {
    const Date day = zone_.date_at(start);
    if (last_period_.empty() || day != last_day_) {
        last_day_ = day;
        last_period_ = format_date(period_start(day));
    }
    return last_period_;
}

int64_t stored_domestic_seconds(Database &db, int64_t service_id, const std::string &from_at, const std::string &to_at,
                                const std::string &country_code) {
    auto q = db.prepare("SELECT COALESCE(SUM(billed_seconds), 0) FROM cdrs WHERE service_id = ?1 AND status = 'rated' AND " +
                        cdr_starts_within(2, 3) + " AND substr(number, 1, length(?4)) = ?4");
    q.bind(1, service_id).bind(2, from_at).bind(3, to_at).bind(4, country_code);
    q.step();
    return q.int64(0);
}

std::pair<std::string, std::string> ServiceRating::period_bounds(const std::string &period) const {
    const Date start = parse_date(period, "period");
    return {format_utc(zone_.start_of(start)), format_utc(zone_.start_of(period_end(start)))};
}

int64_t &ServiceRating::seconds_in(const std::string &period) {
    auto it = period_seconds_.find(period);
    if (it != period_seconds_.end()) return it->second;
    const auto [from, to] = period_bounds(period);
    const std::string &country = package_.rating.plan.country_code;
    auto kept = db_.prepare("SELECT seconds FROM usage_period_seconds WHERE service_id = ?1 AND from_at = ?2 AND to_at = ?3 "
                            "AND country_code = ?4");
    kept.bind(1, service_.id).bind(2, from).bind(3, to).bind(4, country);
    const int64_t seconds = kept.step() ? kept.int64(0) : stored_domestic_seconds(db_, service_.id, from, to, country);
    return period_seconds_.emplace(period, seconds).first->second;
}

void ServiceRating::save_running_seconds() {
    for (const auto &[period, seconds] : period_seconds_) {
        const auto [from, to] = period_bounds(period);
        db_.prepare("INSERT INTO usage_period_seconds (service_id, from_at, to_at, country_code, seconds) VALUES (?1, ?2, ?3, ?4, ?5) "
                    "ON CONFLICT (service_id, from_at, to_at, country_code) DO UPDATE SET seconds = excluded.seconds")
            .bind(1, service_.id)
            .bind(2, from)
            .bind(3, to)
            .bind(4, package_.rating.plan.country_code)
            .bind(5, seconds)
            .run();
    }
}

}  // namespace provisio::usage
