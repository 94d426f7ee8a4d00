// The rating function alone (normalize + longest-prefix match + cost), in memory, on one core:
// target at least 2,000,000 CDRs per second. A 50,000-prefix tariff of random prefixes, a
// package with markup, free minutes, tiers and filters, and CALLS calls dialled as NANP
// 10-digit, +E.164 and 011-prefixed numbers. Baseline in the same run: copying each call's
// dialled number into a std::string (the least any rater must do per call).
// Usage: bench_rating [CALLS]
//        bench_rating gen TARIFF.csv CDRS.csv PREFIXES CALLS   (files for tests/bench/cdr_import.sh)
#include "usage/rating.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using namespace provisio::usage;

namespace {

// A rate card of `prefixes` random prefixes (and "1"), and a FusionPBX CDR export of `calls`
// calls for the domain pbx.example.ca dialling numbers those prefixes cover.
int generate(const char *tariff_path, const char *cdrs_path, size_t prefixes, size_t calls) {
    std::mt19937_64 rng(7);
    auto digits = [&](size_t n) {
        std::string s;
        for (size_t i = 0; i < n; ++i) s += static_cast<char>('0' + rng() % 10);
        return s;
    };
    std::FILE *t = std::fopen(tariff_path, "w");
    std::FILE *c = std::fopen(cdrs_path, "w");
    if (!t || !c) return 2;
    std::fprintf(t, "Description,Prefix,RateValue,Increment,ConnectFee,MinimumDuration,GracePeriod\n1,1,0.012,30/6,0,,3\n");
    PrefixTable seen;
    seen.add("1", 0);
    std::vector<std::string> list{"1"};
    while (list.size() < prefixes) {
        std::string p = std::to_string(2 + rng() % 8) + digits(2 + rng() % 6);
        if (!seen.add(p, static_cast<uint32_t>(list.size()))) continue;
        std::fprintf(t, "dest %s,%s,0.%04u,60/6,0.%02u,,\n", p.c_str(), p.c_str(), static_cast<unsigned>(rng() % 5000),
                     static_cast<unsigned>(rng() % 10));
        list.push_back(p);
    }
    std::fprintf(c, "xml_cdr_uuid,domain_name,direction,caller_id_number,caller_destination,destination_number,start_stamp,"
                    "answer_stamp,end_stamp,duration,billsec,hangup_cause,sip_hangup_disposition\n");
    for (size_t i = 0; i < calls; ++i) {
        const std::string number = i % 3 == 0 ? std::to_string(2 + rng() % 8) + digits(9) : "011" + list[rng() % list.size()] + digits(6);
        const unsigned second = static_cast<unsigned>(i % 86'000), bill = static_cast<unsigned>(rng() % 400);
        const unsigned day = 1 + static_cast<unsigned>(i / 86'000) % 28;
        std::fprintf(c, "%016llx-bench,pbx.example.ca,outbound,2112,,%s,2027-05-%02u %02u:%02u:%02u,2027-05-%02u %02u:%02u:%02u,"
                        "2027-05-%02u %02u:%02u:%02u,%u,%u,NORMAL_CLEARING,send_bye\n",
                     static_cast<unsigned long long>(i * 2654435761ull), number.c_str(), day, second / 3600, second / 60 % 60, second % 60,
                     day, second / 3600, second / 60 % 60, second % 60, day, second / 3600, second / 60 % 60, second % 60, bill, bill);
    }
    std::fclose(t);
    std::fclose(c);
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc == 6 && std::string(argv[1]) == "gen")
        return generate(argv[2], argv[3], std::strtoull(argv[4], nullptr, 10), std::strtoull(argv[5], nullptr, 10));
    const size_t calls = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2'000'000;
    std::mt19937_64 rng(42);
    auto digits = [&](size_t n) {
        std::string s;
        for (size_t i = 0; i < n; ++i) s += static_cast<char>('0' + rng() % 10);
        return s;
    };
    std::vector<Rate> tariff;
    PrefixTable seen;
    tariff.push_back({"1", "NANP", 12'000, 0, 30, 6, 3});
    seen.add("1", 0);
    while (tariff.size() < 50'000) {
        std::string p = std::to_string(1 + rng() % 9) + digits(2 + rng() % 6);
        if (!seen.add(p, static_cast<uint32_t>(tariff.size()))) continue;
        tariff.push_back({p, "dest " + p, static_cast<int64_t>(rng() % 500'000), static_cast<int64_t>(rng() % 3) * 10'000, 60, 6, 0});
    }
    Package package;
    package.plan = NumberPlan::for_country("1");
    package.markup_micro_percent = 12'500'000;
    package.free_seconds = 6'000;
    package.tiers = parse_tiers("1000:0.01,5000:0.008", "tiers");
    package.exclude = NumberPatterns::parse("1800xxxxxxx,1888xxxxxxx,911", "exclude");
    package.suppress = NumberPatterns::parse("*x,*xx", "suppress");
    const std::vector<Rate> custom{{"1519", "local", 4'000, 0, 1, 1, 0}};
    const Rater rater(package, tariff, custom);

    std::vector<std::string> numbers;
    numbers.reserve(calls);
    for (size_t i = 0; i < calls; ++i) {
        switch (i % 4) {
        case 0: numbers.push_back(std::to_string(2 + rng() % 8) + digits(9)); break;   // NANP 10 digits
        case 1: numbers.push_back("+" + tariff[rng() % tariff.size()].prefix + digits(6)); break;
        case 2: numbers.push_back("011" + tariff[rng() % tariff.size()].prefix + digits(6)); break;
        default: numbers.push_back("1519" + digits(7)); break;
        }
    }
    using clock = std::chrono::steady_clock;
    size_t baseline_bytes = 0;
    auto t0 = clock::now();
    for (size_t i = 0; i < calls; ++i) {
        std::string copy(numbers[i]);
        baseline_bytes += copy.size();
    }
    const double baseline_s = std::chrono::duration<double>(clock::now() - t0).count();

    int64_t period = 0, total = 0, rated = 0;
    t0 = clock::now();
    for (size_t i = 0; i < calls; ++i) {
        const CallRecord call{"outbound", numbers[i], "", static_cast<int64_t>(1 + i % 600), true};
        const Rating r = rater.rate(call, period);
        total += r.cost_micros;
        rated += r.status == CallStatus::rated;
    }
    const double rating_s = std::chrono::duration<double>(clock::now() - t0).count();
    std::printf("rated %zu calls (%lld rated, total cost %lld micros) in %.3f s: %.2f million CDRs/s on one core\n", calls,
                static_cast<long long>(rated), static_cast<long long>(total), rating_s, calls / rating_s / 1e6);
    std::printf("  baseline, copying each dialled number (%zu bytes): %.3f s (rating/baseline %.1f)\n", baseline_bytes, baseline_s,
                rating_s / baseline_s);
    return rated > 0 ? 0 : 1;
}
