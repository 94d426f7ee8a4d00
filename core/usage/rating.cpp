#include "usage/rating.hpp"

#include "foundation/error.hpp"
#include "foundation/text.hpp"
#include "money/money.hpp"

#include <algorithm>
#include <charconv>

namespace provisio::usage {

namespace {

constexpr int64_t hundred_percent = 100'000'000;  // in micro-percent

int64_t pow10(int n) {
    int64_t v = 1;
    while (n-- > 0) v *= 10;
    return v;
}

bool starts_with(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(0, p.size()) == p; }

// Seconds billed for `billsec` under a rate: none within the grace period, then the initial
// block, then whole steps.
template <typename Terms>
int32_t billed_seconds(int64_t billsec, const Terms &r) {
    if (billsec <= r.grace_seconds) return 0;
    if (billsec <= r.initial_seconds) return r.initial_seconds;
    const int64_t rest = billsec - r.initial_seconds;
    const int64_t steps = (rest + r.step_seconds - 1) / r.step_seconds;
    // Within max_call_seconds and a step of at most an hour this stays far below INT32_MAX.
    return static_cast<int32_t>(r.initial_seconds + steps * r.step_seconds);
}

}  // namespace

int64_t parse_rate(std::string_view text, std::string_view what) {
    const Money m = Money::parse(text, what);
    if (m.negative()) fail(ErrorKind::invalid_input, std::string(what) + " '" + std::string(text) + "' is negative");
    if (m.micros() > max_rate_micros)
        fail(ErrorKind::invalid_input, std::string(what) + " '" + std::string(text) + "' is above 1000000 (the largest rate or fee accepted)");
    return m.micros();
}

int64_t parse_markup(std::string_view text, std::string_view what) {
    const Money m = Money::parse(text, what);
    if (m.negative() || m.micros() > max_markup_micro_percent)
        fail(ErrorKind::invalid_input, std::string(what) + " '" + std::string(text) + "' is outside 0 to 1000 (percent)");
    return m.micros();
}

std::vector<Tier> parse_tiers(std::string_view text, std::string_view what) {
    std::vector<Tier> out;
    for (const std::string &item : split_list(text)) {
        const size_t colon = item.find(':');
        const std::string_view m = std::string_view(item).substr(0, colon);
        int64_t minute = -1;
        const auto [end, ec] = std::from_chars(m.data(), m.data() + m.size(), minute);
        if (colon == std::string::npos || ec != std::errc() || end != m.data() + m.size() || minute < 0)
            fail(ErrorKind::invalid_input, std::string(what) + ": '" + item + "' is not MINUTE:RATE (e.g. 1000:0.015, from minute 1000 on)");
        if (minute > max_period_minutes)
            fail(ErrorKind::invalid_input, std::string(what) + ": the minute in '" + item + "' is outside 0 to 100000000");
        const int64_t rate = parse_rate(std::string_view(item).substr(colon + 1), std::string(what) + " rate in '" + item + "'");
        if (!out.empty() && minute * 60 <= out.back().from_seconds)
            fail(ErrorKind::invalid_input, std::string(what) + ": tiers must go up in minutes ('" + item + "')");
        out.push_back({minute * 60, rate});
    }
    return out;
}

std::string tiers_text(const std::vector<Tier> &tiers) {
    std::string out;
    for (const auto &t : tiers)
        out += (out.empty() ? "" : ",") + std::to_string(t.from_seconds / 60) + ":" + Money::from_micros(t.per_minute_micros).to_string(2);
    return out;
}

const char *status_name(CallStatus s) {
    switch (s) {
    case CallStatus::rated: return "rated";
    case CallStatus::unrated: return "unrated";
    case CallStatus::excluded: return "excluded";
    case CallStatus::suppressed: return "suppressed";
    case CallStatus::unanswered: return "unanswered";
    case CallStatus::not_billed: return "not billed";
    }
    return "?";
}

Rater::Rater(const Package &package, const std::vector<Rate> &tariff, const std::vector<Rate> &custom)
    : package_(package), tariff_terms_(terms_of(tariff)), custom_terms_(terms_of(custom)) {
    for (size_t i = 0; i < tariff.size(); ++i) tariff_table_.add(tariff[i].prefix, static_cast<uint32_t>(i));
    for (size_t i = 0; i < custom.size(); ++i) custom_table_.add(custom[i].prefix, static_cast<uint32_t>(i));
}

std::vector<Rater::Terms> Rater::terms_of(const std::vector<Rate> &rates) {
    std::vector<Terms> out;
    out.reserve(rates.size());
    for (const Rate &r : rates)
        out.push_back({r.per_minute_micros, r.connect_fee_micros, r.initial_seconds, r.step_seconds, r.grace_seconds,
                       static_cast<uint32_t>(r.prefix.size())});
    return out;
}

Rating Rater::rate(const CallRecord &call, int64_t &period_seconds) const {
    Rating r = look_up(call);
    price(r, period_seconds);
    return r;
}

Rating Rater::look_up(const CallRecord &call) const {
    Rating r;
    const bool inbound = call.direction == "inbound";
    const std::string_view raw = inbound ? call.caller_destination : call.destination_number;
    const auto cleaned = clean_number(raw);
    if (!cleaned) {
        r.status = CallStatus::unrated;
        r.number = std::string(raw);
        r.note = "'" + std::string(raw) + "' is not a phone number";
        return r;
    }
    r.number = normalize(*cleaned, package_.plan);
    auto filtered = [&](const NumberPatterns &p) { return p.matches(*cleaned) || p.matches(r.number); };
    if (filtered(package_.suppress)) {
        r.status = CallStatus::suppressed;
        r.note = "suppressed by the package's filter";
        return r;
    }
    if (call.direction == "local") {
        r.status = CallStatus::not_billed;
        r.note = "local call";
        return r;
    }
    if (inbound && !package_.bill_inbound) {
        r.status = CallStatus::not_billed;
        r.note = "inbound calls are not billed";
        return r;
    }
    if (filtered(package_.exclude)) {
        r.status = CallStatus::excluded;
        r.note = "excluded from billing by the package's filter";
        return r;
    }
    if (!call.answered || call.billsec <= 0) {
        r.status = CallStatus::unanswered;
        r.note = "not answered";
        return r;
    }
    const Terms *rate = nullptr;
    if (const int64_t c = custom_table_.match(r.number); c >= 0) {
        rate = &custom_terms_[static_cast<size_t>(c)];
        r.custom_rate = true;
    } else if (const int64_t t = tariff_table_.match(r.number); t >= 0) {
        rate = &tariff_terms_[static_cast<size_t>(t)];
    }
    if (!rate) {
        r.status = CallStatus::unrated;
        r.note = "no rate for " + r.number;
        return r;
    }
    r.status = CallStatus::rated;
    r.prefix.assign(r.number, 0, rate->prefix_length);  // the prefix matched is the number's start
    r.per_minute_micros = rate->per_minute_micros;
    r.connect_fee_micros = rate->connect_fee_micros;
    r.billed_seconds = billed_seconds(call.billsec, *rate);
    if (r.billed_seconds == 0) r.note = "within the " + std::to_string(rate->grace_seconds) + " s grace period";
    return r;
}

void Rater::price(Rating &r, int64_t &period_seconds) const {
    if (r.status != CallStatus::rated || r.billed_seconds == 0) return;
    r.free_seconds = r.tier_seconds = 0;
    r.cost_micros = 0;
    r.note.clear();

    // Free minutes and tiers count the period's domestic seconds in call order.
    const bool domestic = starts_with(r.number, package_.plan.country_code);
    const int64_t from = period_seconds, to = period_seconds + r.billed_seconds;
    if (domestic) {
        period_seconds = to;
        if (from < package_.free_seconds) r.free_seconds = static_cast<int32_t>(std::min(to, package_.free_seconds) - from);
    }
    // Sums of seconds × per-minute micros: marked up (the tariff's) and as they are.
    __int128 marked = 0, plain = 0;
    int64_t at = from + r.free_seconds;
    if (domestic && !r.custom_rate) {
        for (size_t i = 0; i < package_.tiers.size() && at < to; ++i) {
            const int64_t tier_end = i + 1 < package_.tiers.size() ? package_.tiers[i + 1].from_seconds : INT64_MAX;
            const int64_t start = std::max(at, package_.tiers[i].from_seconds), end = std::min(to, tier_end);
            if (start >= end) continue;
            if (start > at) {  // seconds before this tier starts: the tariff's rate
                marked += static_cast<__int128>(start - at) * r.per_minute_micros;
            }
            plain += static_cast<__int128>(end - start) * package_.tiers[i].per_minute_micros;
            r.tier_seconds += static_cast<int32_t>(end - start);
            at = end;
        }
    }
    const int64_t charged = to - at;
    (r.custom_rate ? plain : marked) += static_cast<__int128>(charged) * r.per_minute_micros;
    if (r.free_seconds < r.billed_seconds) (r.custom_rate ? plain : marked) += static_cast<__int128>(r.connect_fee_micros) * 60;
    // cost = (marked × (100% + markup) + plain × 100%) / (60 s × 100%), rounded half-up.
    const __int128 total = marked * (hundred_percent + package_.markup_micro_percent) + plain * hundred_percent;
    const int64_t unit = pow10(Money::max_decimals - package_.decimals);
    const __int128 divisor = static_cast<__int128>(60) * hundred_percent * unit;
    // Within the limits in rating.hpp a cost stays below 1e18 micros; a cost that would not fit
    // is an error, never a wrapped figure.
    const __int128 cost = (total + divisor / 2) / divisor * unit;
    if (cost > INT64_MAX) fail(ErrorKind::invalid_input, "the cost of a call to " + r.number + " is out of range");
    r.cost_micros = static_cast<int64_t>(cost);
    if (r.free_seconds) r.note = std::to_string(r.free_seconds) + " s free";
    if (r.tier_seconds) r.note += (r.note.empty() ? "" : ", ") + std::to_string(r.tier_seconds) + " s at tier rates";
}

}  // namespace provisio::usage
