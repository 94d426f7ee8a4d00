// /metrics in Prometheus' text format: requests by route and status and their latency (counted
// in this process since it started), and the automation's outcomes read from the cron history
// (the last run, and each task over the runs of the last day). Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace provisio {

class Database;

class Metrics {
public:
    // One request answered; `route` is the matched pattern ("/api/v1/clients/{id}"), or "unmatched".
    void record(const std::string &method, const std::string &route, int status, std::chrono::microseconds took);
    std::string render(Database &db) const;

private:
    struct Latency {
        std::vector<uint64_t> buckets;  // cumulative counts at each bound of bounds()
        uint64_t count = 0;
        double sum_seconds = 0;
    };
    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;  // method, route, status
    std::map<std::pair<std::string, std::string>, Latency> latency_;         // method, route
};

}  // namespace provisio
