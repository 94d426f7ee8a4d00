// The rating function alone (normalize + longest-prefix match + cost), in memory, on one core:
// target at least 3,000,000 CDRs per second. A 50,000-prefix tariff of random prefixes, a
// package with markup, free minutes, tiers and filters, and CALLS calls dialled as NANP
// 10-digit, +E.164 and 011-prefixed numbers. Baseline in the same run: copying each call's
// dialled number into a std::string (the least any rater must do per call).
// Usage: bench_rating [CALLS]
//        bench_rating gen TARIFF.csv CDRS.csv PREFIXES CALLS [FIRST_DAY [DAYS [desc|end|asc]]]
//          (files for tests/bench/cdr_import.sh: calls through DAYS days from 2027-05-01 + FIRST_DAY)
#include "usage/rating.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using namespace provisio::usage;

namespace {

// A rate card of `prefixes` random prefixes (and "1"), and a FusionPBX CDR export of `calls`
// calls for the domain pbx.example.ca, as FusionPBX writes them: call ids are random v4 UUIDs
// (xml_cdr_uuid), calls start through `days` days from 2027-05-01 plus `first_day` (busier in
// the working day). `order`: "desc" (the default) lists them newest start first, as FusionPBX's
// CDR page exports them; "end" in the order calls ended, as the PBX writes its table; "asc"
// oldest start first, as `cdr collect` asks for them. About 30% are inbound, 5% local
// extension calls, 22% unanswered, 1% dial a number no prefix covers; outbound calls dial NANP
// 10-digit numbers, +E.164 and 011-prefixed international numbers that the tariff covers.
// Each `first_day` gives other calls and call ids.
int generate(const char *tariff_path, const char *cdrs_path, size_t prefixes, size_t calls, unsigned first_day, unsigned days,
             const std::string &order) {
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
    std::fclose(t);

    rng.seed(first_day * 7919 + 13);
    struct Call {
        int64_t start, answer, end;  // seconds from 2027-05-01T00:00 (answer < 0: unanswered)
        uint32_t kind;
    };
    std::vector<Call> all(calls);
    const int64_t day0 = int64_t{first_day} * 86'400;
    for (Call &k : all) {
        const int64_t day = day0 + static_cast<int64_t>(rng() % std::max(days, 1u)) * 86'400;
        // Two thirds of the calls between 08:00 and 18:00, the rest at any time.
        const int64_t second = rng() % 3 ? 8 * 3600 + static_cast<int64_t>(rng() % (10 * 3600)) : static_cast<int64_t>(rng() % 86'400);
        k.start = day + second;
        k.kind = static_cast<uint32_t>(rng() % 100);
        const int64_t ring = 2 + static_cast<int64_t>(rng() % 25);
        const bool answered = rng() % 100 >= 22;
        const int64_t talk = answered ? 1 + static_cast<int64_t>(rng() % 400) + (rng() % 20 == 0 ? static_cast<int64_t>(rng() % 3000) : 0) : 0;
        k.answer = answered ? k.start + ring : -1;
        k.end = k.start + ring + talk;
    }
    if (order == "end") std::sort(all.begin(), all.end(), [](const Call &a, const Call &b) { return a.end < b.end; });
    else if (order == "asc") std::sort(all.begin(), all.end(), [](const Call &a, const Call &b) { return a.start < b.start; });
    else if (order == "desc") std::sort(all.begin(), all.end(), [](const Call &a, const Call &b) { return a.start > b.start; });
    else return 2;

    auto stamp = [](char (&out)[32], int64_t s) {
        // May has 31 days; June follows (the files cover at most 61 days).
        const auto day = static_cast<unsigned>(s / 86'400 % 61), in_day = static_cast<unsigned>(s % 86'400);
        std::snprintf(out, sizeof out, "2027-%02u-%02u %02u:%02u:%02u", day < 31 ? 5u : 6u, day < 31 ? day + 1 : day - 30, in_day / 3600 % 24,
                      in_day / 60 % 60, in_day % 60);
    };
    std::fprintf(c, "xml_cdr_uuid,domain_name,direction,caller_id_number,caller_destination,destination_number,start_stamp,"
                    "answer_stamp,end_stamp,duration,billsec,hangup_cause,sip_hangup_disposition\n");
    char start[32], answer[32] = "", end[32];
    for (const Call &k : all) {
        const uint64_t hi = rng(), lo = rng();
        const std::string direction = k.kind < 30 ? "inbound" : k.kind < 35 ? "local" : "outbound";
        std::string caller = "2112", caller_destination, destination;
        if (k.kind < 30) {
            caller = std::to_string(2 + rng() % 8) + digits(9);
            caller_destination = "5192229000";
            destination = std::to_string(100 + rng() % 50);
        } else if (k.kind < 35) {
            destination = std::to_string(100 + rng() % 50);
        } else if (k.kind < 36) {
            destination = "0110" + digits(9);  // no prefix starts with 0
        } else if (k.kind < 70) {
            destination = std::to_string(2 + rng() % 8) + digits(9);
        } else if (k.kind < 80) {
            destination = "+" + list[rng() % list.size()] + digits(6);
        } else {
            destination = "011" + list[rng() % list.size()] + digits(6);
        }
        stamp(start, k.start);
        stamp(end, k.end);
        if (k.answer >= 0) stamp(answer, k.answer);
        const long long duration = k.end - k.start, billsec = k.answer >= 0 ? k.end - k.answer : 0;
        std::fprintf(c, "%08llx-%04llx-4%03llx-%04llx-%012llx,pbx.example.ca,%s,%s,%s,%s,%s,%s,%s,%lld,%lld,%s,%s\n",
                     static_cast<unsigned long long>(hi >> 32), static_cast<unsigned long long>((hi >> 16) & 0xffff),
                     static_cast<unsigned long long>(hi & 0xfff), static_cast<unsigned long long>(0x8000 | (lo >> 48 & 0x3fff)),
                     static_cast<unsigned long long>(lo & 0xffffffffffffull), direction.c_str(), caller.c_str(),
                     caller_destination.c_str(), destination.c_str(), start, k.answer >= 0 ? answer : "", end, duration, billsec,
                     k.answer >= 0 ? "NORMAL_CLEARING" : (k.kind % 2 ? "NO_ANSWER" : "ORIGINATOR_CANCEL"),
                     k.answer >= 0 ? "send_bye" : "send_cancel");
    }
    std::fclose(c);
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    if (argc >= 6 && argc <= 9 && std::string(argv[1]) == "gen")
        return generate(argv[2], argv[3], std::strtoull(argv[4], nullptr, 10), std::strtoull(argv[5], nullptr, 10),
                        argc > 6 ? static_cast<unsigned>(std::strtoul(argv[6], nullptr, 10)) : 0,
                        argc > 7 ? static_cast<unsigned>(std::strtoul(argv[7], nullptr, 10)) : 1, argc > 8 ? argv[8] : "desc");
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
