// cdrsource — a test PBX behind the usage hook (ABI 1.3). It serves the call records in the
// file named by its `cdr_file` option, one per line:
//   id,direction,caller,destination_number,caller_destination,start,answer,end,duration,billsec,hangup_cause
// after the cursor (the zero-padded number of the last line served), at most max_records per
// call. `mode` makes it misbehave the ways a real PBX integration can: fail, set no cursor,
// move the cursor backwards.
#include <provisio/module.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr const char *modes[] = {"normal", "error", "no_cursor", "backwards"};

std::string padded(long n) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%010ld", n);
    return buf;
}

class CdrSource {
public:
    static constexpr provisio::ModuleInfo info{"cdrsource", "1.0.0", "Serves call records from a file through the usage hook",
                                               PROVISIO_CAP_PROVISIONING};
    static constexpr provisio_option options[] = {
        provisio::text("cdr_file", "CDR file", "", "The records to serve"),
        provisio::dropdown("mode", "Mode", modes, "normal", "How the PBX behaves"),
    };

    explicit CdrSource(const provisio::Host &) {}

    provisio::Outcome create(provisio::Call &) { return provisio::Outcome::success("created"); }
    provisio::Outcome suspend(provisio::Call &c) { return mark(c, "suspended"); }
    provisio::Outcome unsuspend(provisio::Call &c) { return mark(c, "active"); }
    provisio::Outcome terminate(provisio::Call &) { return provisio::Outcome::success(); }

    provisio::Outcome collect_usage(provisio::Call &c, const provisio::UsageRequest &request) {
        const std::string mode(c.setting("mode", "normal"));
        if (mode == "error") return provisio::Outcome::retry("the PBX database is not answering");
        const long after = request.cursor.empty() ? 0 : std::stol(request.cursor);
        std::ifstream in{std::string(c.setting("cdr_file"))};
        if (!in) return provisio::Outcome::failure("cannot read the CDR file");
        std::string line;
        long number = 0, last = after;
        uint32_t served = 0;
        while (std::getline(in, line) && served < request.max_records) {
            if (++number <= after || line.empty()) continue;
            std::vector<std::string> f;
            std::stringstream ss(line);
            for (std::string part; std::getline(ss, part, ',');) f.push_back(part);
            f.resize(11);
            provisio::UsageRecord r{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[10], 0, 0};
            r.duration = f[8].empty() ? 0 : std::stoll(f[8]);
            r.billsec = f[9].empty() ? 0 : std::stoll(f[9]);
            c.add_usage(r);
            ++served;
            last = number;
        }
        if (mode == "no_cursor") return provisio::Outcome::success();
        c.set_usage_cursor(mode == "backwards" && after > 0 ? padded(after - 1) : padded(last));
        return provisio::Outcome::success();
    }

private:
    static provisio::Outcome mark(provisio::Call &c, const char *what) {
        c.set_state("pbx", what);
        return provisio::Outcome::success(what);
    }
};

}  // namespace

PROVISIO_MODULE(CdrSource)
