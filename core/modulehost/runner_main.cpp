// provisio-module-runner: loads one module and serves its calls for the host over the socket the
// host gave it as fd 3 (see runner_process.hpp), several at once when the host sends them so
// (each request carries an id its reply echoes). It holds nothing but the module: no database,
// no keys, no other descriptor. Its stderr is the host's view of the module's log.
//
//   provisio-module-runner MODULE_FILE NOW|- HTTP_TIMEOUT_MS CA_FILE|- LOG_LEVEL HOST_PID AS_BYTES NOFILE UID:GID|-
#include "modulehost/module_host.hpp"
#include "modulehost/runner_wire.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <malloc.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

using namespace provisio;

namespace {

constexpr int host_socket = 3;

std::mutex write_mutex;  // replies from several threads go out whole, one after another

bool write_frame(const std::string &payload) {
    const std::string bytes = wire::frame(payload);
    std::lock_guard lock(write_mutex);
    for (size_t sent = 0; sent < bytes.size();) {
        const ssize_t n = ::send(host_socket, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        sent += static_cast<size_t>(n);
    }
    return true;
}

bool read_exactly(char *to, size_t n) {
    for (size_t got = 0; got < n;) {
        const ssize_t r = ::recv(host_socket, to + got, n - got, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        got += static_cast<size_t>(r);
    }
    return true;
}

// Waits for the next request by polling without blocking for a short while first: calls tend to
// come back to back (a sweep), and waking a blocked process costs more than the call itself on a
// virtual machine whose idle cores sleep.
void wait_briefly_for_request() {
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(100);
    char byte;
    while (std::chrono::steady_clock::now() < until) {
        const ssize_t n = ::recv(host_socket, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n != 0 && !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))) return;  // data, or the end, is there
    }
}

// The next request, or nullopt when the host closed the socket (the command is over).
std::optional<std::string> read_frame(bool spin) {
    if (spin) wait_briefly_for_request();
    unsigned char header[4];
    if (!read_exactly(reinterpret_cast<char *>(header), 4)) return std::nullopt;
    const uint32_t length = wire::Reader(std::string_view(reinterpret_cast<const char *>(header), 4)).u32();
    std::string payload(length, '\0');
    if (!read_exactly(payload.data(), length)) return std::nullopt;
    return payload;
}

wire::Reply serve(const ModuleHost &host, const LoadedModule &module, const wire::Request &request) {
    wire::Reply reply;
    reply.id = request.id;
    switch (request.op) {
    case wire::Op::lifecycle: reply.outcome = host.invoke(module, request.action, request.input); break;
    case wire::Op::invoice_event: {
        wire::InvoiceEvent::View view;
        request.event.view(view);
        reply.outcome = host.invoke_event(module, request.input, view.event);
        break;
    }
    case wire::Op::validate: reply.outcome = host.invoke_validate(module, request.input); break;
    case wire::Op::schedule: {
        const auto schedule = host.invoke_schedule(module, request.input, reply.schedule_error);
        reply.has_schedule = schedule.has_value();
        if (schedule) reply.schedule = *schedule;
        break;
    }
    case wire::Op::generate: {
        wire::CreditCycle::View view;
        request.cycle.view(view);
        reply.outcome = host.invoke_generate(module, request.input, view.cycle);
        break;
    }
    case wire::Op::usage: {
        provisio_usage_request usage{};
        usage.struct_size = sizeof usage;
        usage.max_records = request.usage.max_records;
        usage.cursor = {request.usage.cursor.data(), request.usage.cursor.size()};
        usage.since = {request.usage.since.data(), request.usage.since.size()};
        reply.outcome = host.invoke_usage(module, request.input, usage);
        break;
    }
    case wire::Op::custom: reply.outcome = host.invoke_custom(module, request.custom_action, request.input); break;
    case wire::Op::payment: reply.outcome = host.invoke_payment(module, request.input, request.payment); break;
    case wire::Op::batch:
        for (const auto &call : request.batch) reply.batch.push_back(serve(host, module, call));
        break;
    default:
        reply.outcome.status = PROVISIO_ERROR;
        reply.outcome.message = "the module runner got a request it does not know (" + std::to_string(static_cast<uint32_t>(request.op)) + ")";
    }
    return reply;
}

// The calls are served by threads that take turns reading (leader/follower): the thread that
// read a request serves it itself, so a call pays no hand-over to another thread, and the next
// request is read by an idle thread, or a new one when every thread is busy. The host sends at
// most [modules] calls_per_runner requests at once, so that bounds the threads too.
class CallServer {
public:
    CallServer(const ModuleHost &host, const LoadedModule &module) : host_(host), module_(module) {}

    void run() {
        {
            std::lock_guard lock(mutex_);
            ++threads_;
        }
        serve_turns();
        std::unique_lock lock(mutex_);
        done_.wait(lock, [&] { return threads_ == 0; });
        for (auto &t : pool_) t.join();
    }

private:
    void serve_turns() {
        std::unique_lock lock(mutex_);
        while (true) {
            ++idle_;
            turn_.wait(lock, [&] { return !reading_ || ended_; });
            --idle_;
            if (ended_) break;
            reading_ = true;
            // With no call being served, calls come one after another: the next comes in µs.
            const bool spin = serving_ == 0;
            lock.unlock();
            const auto frame = read_frame(spin);
            lock.lock();
            reading_ = false;
            if (!frame) {  // the host closed the socket: the command is over
                ended_ = true;
                turn_.notify_all();
                break;
            }
            if (idle_ > 0) turn_.notify_one();
            else if (threads_ < max_threads) {
                ++threads_;
                pool_.emplace_back([this] { serve_turns(); });
            }
            ++serving_;
            lock.unlock();
            answer(*frame);
            lock.lock();
            --serving_;
        }
        if (--threads_ == 0) done_.notify_all();
    }

    void answer(const std::string &frame) {
        wire::Reply reply;
        try {
            const wire::Request request = wire::decode_request(frame);
            reply = serve(host_, module_, request);
        } catch (const wire::Malformed &e) {
            if (frame.size() >= 8) reply.id = wire::Reader(frame).u64();
            reply.outcome.status = PROVISIO_ERROR;
            reply.outcome.message = std::string("the module runner could not read its request: ") + e.what();
        }
        if (!write_frame(wire::encode(reply))) ::shutdown(host_socket, SHUT_RDWR);  // the reader sees the end
    }

    static constexpr int max_threads = 256;  // a guard; the host's calls_per_runner is the real bound
    const ModuleHost &host_;
    const LoadedModule &module_;
    std::mutex mutex_;
    std::condition_variable turn_, done_;
    bool reading_ = false, ended_ = false;
    int idle_ = 0, threads_ = 0, serving_ = 0;
    std::vector<std::thread> pool_;
};

void serve_calls(const ModuleHost &host, const LoadedModule &module) { CallServer(host, module).run(); }

}  // namespace

int main(int argc, char **argv) {
    if (argc != 10) {
        std::cerr << "provisio-module-runner: started by provisio for one module; not a command to run by hand\n";
        return 2;
    }
    // Before anything of the module runs: die with the host, hold nothing of its, keep within limits.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (std::to_string(::getppid()) != argv[6]) return 3;  // the host died before the line above took effect
    if (std::string_view(argv[9]) != "-") {
        // [modules] run_as: become that user before any of the module runs. Changing user clears
        // the parent-death signal, so it is set again.
        const std::string identity = argv[9];
        const auto colon = identity.find(':');
        const auto uid = static_cast<uid_t>(std::stoul(identity.substr(0, colon)));
        const auto gid = static_cast<gid_t>(std::stoul(identity.substr(colon + 1)));
        if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) {
            std::cerr << "provisio-module-runner: cannot become uid " << uid << ", gid " << gid << " ([modules] run_as): "
                      << std::strerror(errno) << '\n';
            return 4;
        }
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (std::to_string(::getppid()) != argv[6]) return 3;
    }
    if (::syscall(SYS_close_range, 4u, ~0u, 0u) != 0)
        for (int fd = 4; fd < 65536; ++fd) ::close(fd);
    const rlimit address{std::stoull(argv[7]), std::stoull(argv[7])}, files{std::stoull(argv[8]), std::stoull(argv[8])}, core{0, 0};
#if !defined(__SANITIZE_ADDRESS__)
    ::setrlimit(RLIMIT_AS, &address);
#else
    // AddressSanitizer reserves terabytes of address space for its shadow memory: in a sanitizer
    // build (tests only) the address-space limit cannot apply.
    (void)address;
#endif
    ::setrlimit(RLIMIT_NOFILE, &files);
    ::setrlimit(RLIMIT_CORE, &core);
    // Each thread's malloc arena reserves 64 MiB of address space; a few arenas keep a runner
    // serving many calls at once well inside its memory_mb.
    ::mallopt(M_ARENA_MAX, 2);
    auto logger = spdlog::stderr_color_mt("provisio");
    logger->set_pattern("%^%l%$: %v");
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(argv[5]));

    HostConfig config;
    try {
        if (std::string_view(argv[2]) != "-") config.clock = Clock(parse_instant(argv[2], "--now"));
        config.http_timeout = std::chrono::milliseconds(std::stoll(argv[3]));
    } catch (const std::exception &e) {
        std::cerr << "provisio-module-runner: " << e.what() << '\n';
        return 2;
    }
    if (std::string_view(argv[4]) != "-") config.http_ca_file = argv[4];
    HostServices services(config);
    ModuleHost host(services);
    // The host checked the file's permissions before starting us.
    host.load_file(argv[1], false);

    wire::LoadReply loaded;
    const LoadedModule *module = host.loaded().empty() ? nullptr : host.loaded().front().get();
    if (module) {
        loaded.loaded = true;
        loaded.description = module->description;
    } else {
        loaded.name = host.refused().empty() ? "" : host.refused().front().name;
        loaded.reason = host.refused().empty() ? "was not loaded" : host.refused().front().reason;
    }
    if (!write_frame(wire::encode(loaded)) || !module) return 0;

    serve_calls(host, *module);
    return 0;
}
