#include "http/metrics.hpp"

#include "foundation/clock.hpp"
#include "store/database.hpp"

#include <array>
#include <sstream>

namespace provisio {

namespace {

constexpr std::array<double, 11> bounds{0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5};

// A label value as the text format wants it: \, " and newline escaped.
std::string label(const std::string &v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

double seconds_between(const std::string &from, const std::string &to) {
    try {
        return std::chrono::duration<double>(parse_instant(to, "to") - parse_instant(from, "from")).count();
    } catch (const std::exception &) {
        return 0;
    }
}

}  // namespace

void Metrics::record(const std::string &method, const std::string &route, int status, std::chrono::microseconds took) {
    const double s = std::chrono::duration<double>(took).count();
    std::lock_guard lock(mutex_);
    ++requests_[{method, route, status}];
    Latency &l = latency_[{method, route}];
    if (l.buckets.empty()) l.buckets.assign(bounds.size(), 0);
    for (size_t i = 0; i < bounds.size(); ++i)
        if (s <= bounds[i]) ++l.buckets[i];
    ++l.count;
    l.sum_seconds += s;
}

std::string Metrics::render(Database &db) const {
    std::ostringstream out;
    {
        std::lock_guard lock(mutex_);
        out << "# HELP provisio_http_requests_total Requests answered, by route and status.\n"
               "# TYPE provisio_http_requests_total counter\n";
        for (const auto &[k, n] : requests_)
            out << "provisio_http_requests_total{method=\"" << std::get<0>(k) << "\",route=\"" << label(std::get<1>(k)) << "\",status=\""
                << std::get<2>(k) << "\"} " << n << '\n';
        out << "# HELP provisio_http_request_duration_seconds Time to answer a request, by route.\n"
               "# TYPE provisio_http_request_duration_seconds histogram\n";
        for (const auto &[k, l] : latency_) {
            const std::string labels = "method=\"" + k.first + "\",route=\"" + label(k.second) + "\"";
            for (size_t i = 0; i < bounds.size(); ++i)
                out << "provisio_http_request_duration_seconds_bucket{" << labels << ",le=\"" << bounds[i] << "\"} " << l.buckets[i] << '\n';
            out << "provisio_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << l.count << '\n'
                << "provisio_http_request_duration_seconds_sum{" << labels << "} " << l.sum_seconds << '\n'
                << "provisio_http_request_duration_seconds_count{" << labels << "} " << l.count << '\n';
        }
    }
    // Module calls, from their log: the outcomes and time of the last 10,000 calls (whoever
    // made them — cron, the CLI, a request), a bounded read whatever the log's size.
    {
        auto calls = db.prepare("SELECT module, action, status, count(*), sum(duration_us) FROM module_calls "
                                "WHERE id > (SELECT COALESCE(max(id), 0) FROM module_calls) - 10000 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
        std::ostringstream counts, seconds;
        while (calls.step()) {
            const std::string labels = "module=\"" + label(calls.text(0)) + "\",action=\"" + label(calls.text(1)) + "\",outcome=\"" +
                                       label(calls.text(2)) + "\"";
            counts << "provisio_module_calls{" << labels << "} " << calls.int64(3) << '\n';
            seconds << "provisio_module_call_seconds{" << labels << "} " << static_cast<double>(calls.int64(4)) / 1e6 << '\n';
        }
        out << "# HELP provisio_module_calls Module calls among the last 10,000 logged, by module, action and outcome.\n"
               "# TYPE provisio_module_calls gauge\n"
            << counts.str()
            << "# HELP provisio_module_call_seconds Time those calls took, by module, action and outcome.\n"
               "# TYPE provisio_module_call_seconds gauge\n"
            << seconds.str();
    }
    // The automation, from its history: the last run, then each task over the last day's runs
    // (288 runs at one every five minutes).
    auto last = db.prepare("SELECT id, started_at, finished_at, status FROM cron_runs WHERE dry_run = 0 ORDER BY id DESC LIMIT 1");
    if (last.step()) {
        out << "# HELP provisio_cron_last_run_timestamp_seconds When the last cron run started (Unix time).\n"
               "# TYPE provisio_cron_last_run_timestamp_seconds gauge\n"
               "provisio_cron_last_run_timestamp_seconds "
            << unix_seconds(parse_instant(last.text(1), "started_at")) << '\n'
            << "# HELP provisio_cron_last_run_status The last cron run's status (1 for the one it has).\n"
               "# TYPE provisio_cron_last_run_status gauge\n"
            << "provisio_cron_last_run_status{status=\"" << label(last.text(3)) << "\"} 1\n";
        const int64_t newest = last.int64(0);
        auto tasks = db.prepare("SELECT task, started_at, finished_at, done, errors FROM cron_task_runs WHERE run_id > ?1 ORDER BY id");
        tasks.bind(1, newest - 288);
        struct Task {
            uint64_t runs = 0, failed = 0, done = 0;
            double seconds = 0;
        };
        std::map<std::string, Task> by_task;
        while (tasks.step()) {
            Task &t = by_task[tasks.text(0)];
            ++t.runs;
            t.done += static_cast<uint64_t>(tasks.int64(3));
            if (tasks.int64(4) > 0) ++t.failed;
            if (!tasks.is_null(2)) t.seconds += seconds_between(tasks.text(1), tasks.text(2));
        }
        out << "# HELP provisio_cron_task_runs Runs of each task in the last 288 cron runs, and those with errors.\n"
               "# TYPE provisio_cron_task_runs gauge\n";
        for (const auto &[name, t] : by_task)
            out << "provisio_cron_task_runs{task=\"" << label(name) << "\",outcome=\"ok\"} " << t.runs - t.failed << '\n'
                << "provisio_cron_task_runs{task=\"" << label(name) << "\",outcome=\"errors\"} " << t.failed << '\n';
        out << "# HELP provisio_cron_task_seconds Time each task took over the last 288 cron runs.\n"
               "# TYPE provisio_cron_task_seconds gauge\n";
        for (const auto &[name, t] : by_task) out << "provisio_cron_task_seconds{task=\"" << label(name) << "\"} " << t.seconds << '\n';
        out << "# HELP provisio_cron_task_items Items each task handled over the last 288 cron runs.\n"
               "# TYPE provisio_cron_task_items gauge\n";
        for (const auto &[name, t] : by_task) out << "provisio_cron_task_items{task=\"" << label(name) << "\"} " << t.done << '\n';
    }
    return out.str();
}

}  // namespace provisio
