// The rating engine: what one call costs under a VoIP package. Pure and in memory — the callers
// (CDR import, autobill, re-rating) load the package and its rates once and keep the period's
// running minutes. Every convention is written out, with worked examples, in docs/rating.md.
#pragma once

#include "usage/numbers.hpp"
#include "usage/tariff.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace provisio::usage {

// The ranges rating accepts (docs/rating.md, "Limits"). Inside them every product the rater
// forms fits an int64 of micro-units with room to spare, so nothing wraps or is capped; a value
// outside them is refused where it is read, naming the field.
inline constexpr int64_t max_call_seconds = 31 * 86'400;                   // billsec and duration: 31 days
inline constexpr int64_t max_rate_micros = 1'000'000LL * 1'000'000;        // a per-minute rate or connect fee: 1,000,000
inline constexpr int64_t max_markup_micro_percent = 1'000LL * 1'000'000;   // 1,000 %
inline constexpr int64_t max_period_minutes = 100'000'000;                 // free minutes and tier starts

// A per-minute rate or connect fee: a decimal from 0 to 1,000,000 currency units. Throws
// Error(invalid_input) naming `what`.
int64_t parse_rate(std::string_view text, std::string_view what);
// A markup in percent, 0 to 1,000 ("12.5" = 12.5 %), as micro-percent.
int64_t parse_markup(std::string_view text, std::string_view what);

// From this many seconds of domestic calls in the period on, tariff-rated domestic calls cost
// `per_minute_micros` instead.
struct Tier {
    int64_t from_seconds = 0;
    int64_t per_minute_micros = 0;
};

struct Package {
    NumberPlan plan;
    int64_t markup_micro_percent = 0;  // on tariff rates and connect fees: 12.5% = 12'500'000
    int64_t free_seconds = 0;          // per billing period, domestic calls
    std::vector<Tier> tiers;           // ascending
    bool bill_inbound = false;
    NumberPatterns exclude;            // billed nothing, still listed
    NumberPatterns suppress;           // billed nothing, not listed
    int decimals = 4;                  // a call's cost is rounded half-up to this many decimals
};

// "1000:0.015,5000:0.01" (from minute : rate per minute), minutes 0..100,000,000 going up, rates
// as parse_rate(); "" for none. Error(invalid_input) naming `what` and the tier.
std::vector<Tier> parse_tiers(std::string_view text, std::string_view what);
std::string tiers_text(const std::vector<Tier> &tiers);

enum class CallStatus { rated, unrated, excluded, suppressed, unanswered, not_billed };
const char *status_name(CallStatus s);

// What rating reads of a CDR.
struct CallRecord {
    std::string_view direction;           // outbound | inbound | local
    std::string_view destination_number;  // what was dialled: rated for outbound calls
    std::string_view caller_destination;  // the number called in on: rated for inbound calls
    int64_t billsec = 0;
    bool answered = false;
};

struct Rating {
    CallStatus status = CallStatus::unrated;
    std::string number;                  // the normalized number looked at
    std::string prefix;                  // the matched prefix
    bool custom_rate = false;            // the package's own rate, not the tariff's
    int64_t per_minute_micros = 0;       // the matched rate before markup
    int64_t connect_fee_micros = 0;
    int32_t billed_seconds = 0;          // after grace, initial block and steps
    int32_t free_seconds = 0;            // of those, covered by the period's free minutes
    int32_t tier_seconds = 0;            // of those, at tier rates
    int64_t cost_micros = 0;             // rounded to the package's decimals
    std::string note;                    // why it is not rated, or what applied
};

class Rater {
public:
    // The rater keeps what it needs of `tariff` and `custom`; `package` outlives it. Custom
    // rates win over the tariff whatever their lengths, and are not marked up.
    Rater(const Package &package, const std::vector<Rate> &tariff, const std::vector<Rate> &custom);

    // Rates one call. `period_seconds` is the service's domestic billed seconds so far in this
    // billing period; a rated domestic call adds its billed seconds to it.
    Rating rate(const CallRecord &call, int64_t &period_seconds) const;

    // rate() in two steps for callers that split the work: look_up() needs nothing but the
    // call (normalize, filter, match, billed seconds); price() then spends the period's free
    // minutes and tiers and works out the cost; pricing a rating again starts over from what
    // look_up() found.
    Rating look_up(const CallRecord &call) const;
    void price(Rating &rating, int64_t &period_seconds) const;

private:
    // What rating reads of a rate, packed: the rates themselves (with their text) are large and
    // scattered, and reading one cost a cache miss per call.
    struct Terms {
        int64_t per_minute_micros, connect_fee_micros;
        int32_t initial_seconds, step_seconds, grace_seconds;
        uint32_t prefix_length;
    };
    static std::vector<Terms> terms_of(const std::vector<Rate> &rates);
    const Package &package_;
    PrefixTable tariff_table_, custom_table_;
    std::vector<Terms> tariff_terms_, custom_terms_;
};

}  // namespace provisio::usage
