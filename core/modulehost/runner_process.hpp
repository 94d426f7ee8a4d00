// One module runner: a child process (provisio-module-runner) that loads one module and serves
// its calls over a Unix socketpair. The child inherits no descriptor but the socket and a pipe
// for its stderr, runs under resource limits (address space, open files, no core dumps), and is
// killed with its parent (PR_SET_PDEATHSIG). A call that passes its deadline kills the child; a
// child that dies is described (signal or exit status, the last lines it wrote to stderr).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

struct RunnerSetup {
    std::filesystem::path program;  // provisio-module-runner
    std::optional<std::string> fixed_now;  // --now, as the host parsed it ("2026-11-28T10:00:00.000000Z")
    std::chrono::milliseconds http_timeout{15000};
    std::filesystem::path http_ca_file;
    std::string log_level = "warn";
    uint64_t address_space_bytes = 1ull << 30;  // RLIMIT_AS
    uint64_t open_files = 256;                  // RLIMIT_NOFILE
    std::chrono::milliseconds load_timeout{10000};
    std::chrono::milliseconds call_timeout{60000};
    // [modules] run_as: the user (and its group) a runner becomes before it loads the module;
    // nullopt: the runner keeps provisio's user.
    struct Identity {
        std::string name;
        uint32_t uid, gid;
    };
    std::optional<Identity> run_as;
};

// "60 s", or "1500 ms" when it is not whole seconds: deadlines in messages.
std::string seconds_text(std::chrono::milliseconds ms);

class RunnerProcess {
public:
    // Starts a runner for `module_file`. Throws std::runtime_error when the process cannot be made.
    static std::unique_ptr<RunnerProcess> start(const RunnerSetup &setup, const std::filesystem::path &module_file);
    ~RunnerProcess();  // closes the socket (the runner then exits), kills it if it has not, reaps it
    RunnerProcess(const RunnerProcess &) = delete;
    RunnerProcess &operator=(const RunnerProcess &) = delete;

    enum class Result { ok, timeout, died };
    struct Received {
        Result result = Result::ok;
        std::string payload;  // ok: the frame's bytes
        std::string what;     // timeout / died: what happened, for messages
    };
    // Sends one frame; false when the runner is gone (then receive() says how it went). Several
    // threads may send at once; each frame goes out whole.
    bool send(const std::string &payload);
    // Waits for one frame until `deadline`. On timeout the runner is killed; after `died` or
    // `timeout` this runner is finished and must not be used again. One thread at a time, and
    // stop() and stderr_tail() only from the thread that receives (or after it has).
    // `spin`: look for the reply without sleeping for a few µs first (worth it for a lone call).
    Received receive(std::chrono::steady_clock::time_point deadline, bool spin = true);
    // Kills the runner now (one that broke the protocol) and says how it ended.
    std::string stop();
    pid_t pid() const { return pid_; }
    // The last lines the runner wrote to stderr (they are also copied to ours as they come).
    std::string stderr_tail(size_t max_lines = 5) const;

private:
    RunnerProcess() = default;
    void pump_stderr();
    std::string reap();  // waits for the child and says how it ended
    pid_t pid_ = -1;
    int socket_ = -1, stderr_ = -1;
    std::mutex send_mutex_;
    bool finished_ = false;
    std::string stderr_buffer_;  // the last few KiB
    std::string inbox_;          // bytes read from the socket, not yet a whole frame
};

}  // namespace provisio
