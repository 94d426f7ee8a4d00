// The usage queries the client area and the API make, in process (as `provisio serve` makes them:
// no process start-up), over a database tests/bench/usage_queries.sh seeded: a client's month
// summary per day, and a page of 50 calls with date filters, first and deep. Prints the median
// of RUNS runs of each.
// Usage: bench_usage DB SERVICE MONTH_FROM MONTH_TO [RUNS]   (dates YYYY-MM-DD, business zone UTC)
#include "foundation/calendar.hpp"
#include "store/database.hpp"
#include "usage/cdrs.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

using namespace provisio;

namespace {

double median_ms(int runs, const std::function<void()> &work) {
    std::vector<double> t;
    for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        work();
        t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

}  // namespace

int main(int argc, char **argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: bench_usage DB SERVICE FROM TO [RUNS]\n");
        return 2;
    }
    Database db = Database::open(argv[1], false);
    const int64_t service = std::atoll(argv[2]);
    const Date from = parse_date(argv[3], "FROM"), to = parse_date(argv[4], "TO");
    const int runs = argc > 5 ? std::atoi(argv[5]) : 21;
    const BusinessZone zone("UTC");
    int64_t calls = 0;
    const double summary = median_ms(runs, [&] {
        calls = 0;
        for (const auto &d : usage::usage_by_day(db, zone, {service}, from, to)) calls += d.calls;
    });
    usage::CdrFilter page;
    page.service_id = service;
    page.from = format_utc(zone.start_of(from));
    page.to = format_utc(zone.start_of(to));
    page.limit = 50;
    int64_t last = 0, listed = 0;
    const double first = median_ms(runs, [&] {
        listed = 0;
        usage::for_each_cdr(db, page, [&](const usage::StoredCdr &c) {
            last = c.id;
            ++listed;
        });
    });
    // A page late in the month: after the call that starts its last week.
    usage::CdrFilter late = page;
    late.from = format_utc(zone.start_of(add_days(to, -7)));
    late.limit = 1;
    usage::for_each_cdr(db, late, [&](const usage::StoredCdr &c) { page.after = c.id; });
    const double deep = median_ms(runs, [&] { usage::for_each_cdr(db, page, [&](const usage::StoredCdr &c) { last = c.id; }); });
    std::printf("service %lld, %lld calls from %s to %s (medians of %d runs, in process):\n", static_cast<long long>(service),
                static_cast<long long>(calls), argv[3], argv[4], runs);
    std::printf("  month summary per day: %.2f ms\n  a page of %lld calls, first: %.2f ms\n  a page of 50 calls after call %lld: %.2f ms\n",
                summary, static_cast<long long>(listed), first, static_cast<long long>(page.after), deep);
    return calls > 0 && listed == 50 ? 0 : 1;
}
