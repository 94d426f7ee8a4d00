#include "modulehost/runner_process.hpp"

#include "modulehost/runner_wire.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <thread>

extern char **environ;

namespace provisio {

namespace {

constexpr size_t stderr_keep = 8192;
constexpr size_t max_frame = 1u << 30;

std::string signal_text(int sig) {
    const char *abbrev = sigabbrev_np(sig);
    const char *description = strsignal(sig);
    return std::string("killed by signal ") + (abbrev ? std::string("SIG") + abbrev : std::to_string(sig)) +
           (description ? std::string(" (") + description + ")" : "");
}

void close_quietly(int &fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

// PR_SET_PDEATHSIG (which the runner sets on itself) fires when the *thread* that started it
// ends, not the process. Calls run on worker threads that come and go, so every runner is started
// by this one thread, which lives as long as the process.
class Spawner {
public:
    static Spawner &instance() {
        static Spawner *s = new Spawner;  // never destroyed: its thread must outlive every runner
        return *s;
    }
    template <class F>
    auto run(F f) -> decltype(f()) {
        std::packaged_task<decltype(f())()> task(std::move(f));
        auto result = task.get_future();
        {
            std::lock_guard lock(mutex_);
            tasks_.emplace_back([&task] { task(); });
        }
        wake_.notify_one();
        return result.get();
    }

private:
    Spawner() {
        std::thread([this] {
            while (true) {
                std::function<void()> next;
                {
                    std::unique_lock lock(mutex_);
                    wake_.wait(lock, [&] { return !tasks_.empty(); });
                    next = std::move(tasks_.front());
                    tasks_.pop_front();
                }
                next();
            }
        }).detach();
    }
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> tasks_;
};

// posix_spawn (vfork-like: cheap however large the host is) with the socket as fd 3, the pipe as
// fd 2, /dev/null as 0 and 1, in a process group of its own. The runner sets its own limits, its
// parent-death signal and closes anything else before it loads the module (runner_main.cpp).
pid_t spawn_runner(const std::vector<char *> &argv, int socket, int errpipe) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attributes);
    posix_spawn_file_actions_adddup2(&actions, socket, 3);
    posix_spawn_file_actions_adddup2(&actions, errpipe, 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    return rc == 0 ? pid : -rc;
}

}  // namespace

std::unique_ptr<RunnerProcess> RunnerProcess::start(const RunnerSetup &setup, const std::filesystem::path &module_file) {
    int sockets[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0)
        throw std::runtime_error(std::string("cannot make a socket for a module runner: ") + std::strerror(errno));
    int errpipe[2];
    if (::pipe2(errpipe, O_CLOEXEC) != 0) {
        ::close(sockets[0]);
        ::close(sockets[1]);
        throw std::runtime_error(std::string("cannot make a pipe for a module runner: ") + std::strerror(errno));
    }
    const std::string program = setup.program.string(), file = module_file.string(), now = setup.fixed_now.value_or("-"),
                      timeout = std::to_string(setup.http_timeout.count()), ca = setup.http_ca_file.empty() ? "-" : setup.http_ca_file.string(),
                      parent = std::to_string(::getpid()), address = std::to_string(setup.address_space_bytes),
                      files = std::to_string(setup.open_files),
                      identity = setup.run_as ? std::to_string(setup.run_as->uid) + ":" + std::to_string(setup.run_as->gid) : "-";
    std::vector<char *> argv;
    for (const std::string *a : {&program, &file, &now, &timeout, &ca, &setup.log_level, &parent, &address, &files, &identity})
        argv.push_back(const_cast<char *>(a->c_str()));
    argv.push_back(nullptr);
    const pid_t pid = Spawner::instance().run([&] { return spawn_runner(argv, sockets[1], errpipe[1]); });
    if (pid < 0) {
        const int e = -pid;
        for (int fd : {sockets[0], sockets[1], errpipe[0], errpipe[1]}) ::close(fd);
        throw std::runtime_error(std::string("cannot start a module runner: ") + std::strerror(e));
    }
    ::close(sockets[1]);
    ::close(errpipe[1]);
    std::unique_ptr<RunnerProcess> r(new RunnerProcess);
    r->pid_ = pid;
    r->socket_ = sockets[0];
    r->stderr_ = errpipe[0];
    ::fcntl(r->stderr_, F_SETFL, O_NONBLOCK);
    return r;
}

RunnerProcess::~RunnerProcess() {
    close_quietly(socket_);
    if (pid_ > 0 && !finished_) {
        // The runner exits when its socket closes; one that does not is killed.
        for (int i = 0; i < 50; ++i) {
            int status = 0;
            const pid_t done = ::waitpid(pid_, &status, WNOHANG);
            if (done == pid_ || (done < 0 && errno == ECHILD)) {
                ::kill(-pid_, SIGKILL);  // anything the module forked
                pid_ = -1;
                break;
            }
            pollfd p{stderr_, POLLIN, 0};
            ::poll(&p, 1, 2);
            if (stderr_ >= 0) pump_stderr();
        }
        if (pid_ > 0) {
            ::kill(-pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    close_quietly(stderr_);
}

bool RunnerProcess::send(const std::string &payload) {
    std::lock_guard lock(send_mutex_);
    if (socket_ < 0) return false;
    for (size_t sent = 0; sent < payload.size();) {
        const ssize_t n = ::send(socket_, payload.data() + sent, payload.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        sent += static_cast<size_t>(n);
    }
    return true;
}

void RunnerProcess::pump_stderr() {
    char chunk[4096];
    while (true) {
        const ssize_t n = ::read(stderr_, chunk, sizeof chunk);
        if (n <= 0) {
            if (n == 0) close_quietly(stderr_);
            return;
        }
        std::cerr.write(chunk, n);  // the module's log lines, as if it ran in this process
        stderr_buffer_.append(chunk, static_cast<size_t>(n));
        if (stderr_buffer_.size() > stderr_keep) stderr_buffer_.erase(0, stderr_buffer_.size() - stderr_keep);
    }
}

std::string RunnerProcess::stop() {
    if (finished_) return "had already ended";
    ::kill(-pid_, SIGKILL);
    return reap();
}

std::string RunnerProcess::reap() {
    finished_ = true;
    {
        std::lock_guard lock(send_mutex_);  // a sender holds it only until the dead runner's socket fails it
        close_quietly(socket_);
    }
    // A runner whose socket ended is normally exiting; one that closed the socket and lives on
    // (a module that closed descriptors not its own) is given two seconds, then killed.
    int status = 0;
    pid_t done;
    const auto started = std::chrono::steady_clock::now();
    while (true) {
        done = ::waitpid(pid_, &status, WNOHANG);
        if (done != 0 && !(done < 0 && errno == EINTR)) break;
        const auto waited = std::chrono::steady_clock::now() - started;
        if (waited > std::chrono::seconds(2)) {
            ::kill(-pid_, SIGKILL);
            do done = ::waitpid(pid_, &status, 0);
            while (done < 0 && errno == EINTR);
            break;
        }
        ::usleep(waited < std::chrono::milliseconds(5) ? 100 : 2000);
    }
    ::kill(-pid_, SIGKILL);  // anything the module forked
    pid_ = -1;
    while (stderr_ >= 0) {  // what it wrote while dying
        pollfd p{stderr_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) break;
        pump_stderr();
    }
    if (done < 0) return "ended (its status could not be read)";
    if (WIFSIGNALED(status)) return signal_text(WTERMSIG(status));
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    return "ended";
}

RunnerProcess::Received RunnerProcess::receive(std::chrono::steady_clock::time_point deadline, bool spin) {
    Received out;
    if (finished_) {
        out.result = Result::died;
        out.what = "had already ended";
        return out;
    }
    char chunk[65536];
    // Most replies come within microseconds: look for one without blocking for a short while
    // before sleeping in poll(), whose wake-up costs more than the call on a virtual machine.
    const auto spin_until = std::chrono::steady_clock::now() + std::chrono::microseconds(30);
    while (spin && std::chrono::steady_clock::now() < spin_until) {
        const ssize_t got = ::recv(socket_, chunk, sizeof chunk, MSG_DONTWAIT);
        if (got > 0) {
            inbox_.append(chunk, static_cast<size_t>(got));
            if (inbox_.size() >= 4) break;
        } else if (got == 0 || !(errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            break;  // the end: the loop below reads it again and reports it
        }
    }
    while (true) {
        if (inbox_.size() >= 4) {
            const uint32_t length = wire::Reader(std::string_view(inbox_).substr(0, 4)).u32();
            if (length > max_frame) {
                ::kill(pid_, SIGKILL);
                out.result = Result::died;
                out.what = "sent a frame of " + std::to_string(length) + " bytes, which breaks the runner protocol (" + reap() + ")";
                return out;
            }
            if (inbox_.size() >= 4 + static_cast<size_t>(length)) {
                out.payload = inbox_.substr(4, length);
                inbox_.erase(0, 4 + static_cast<size_t>(length));
                return out;
            }
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
        if (left <= 0) {
            ::kill(-pid_, SIGKILL);
            reap();
            out.result = Result::timeout;
            return out;
        }
        pollfd p[2] = {{socket_, POLLIN, 0}, {stderr_, POLLIN, 0}};
        const int n = ::poll(p, stderr_ >= 0 ? 2 : 1, static_cast<int>(std::min<long long>(left, 1000)));
        if (n < 0 && errno != EINTR) {
            ::kill(pid_, SIGKILL);
            out.result = Result::died;
            out.what = std::string("could not be waited for: ") + std::strerror(errno) + " (" + reap() + ")";
            return out;
        }
        if (stderr_ >= 0 && (p[1].revents & (POLLIN | POLLHUP))) pump_stderr();
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            const ssize_t got = ::recv(socket_, chunk, sizeof chunk, 0);
            if (got > 0) {
                inbox_.append(chunk, static_cast<size_t>(got));
                continue;
            }
            if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            out.result = Result::died;
            out.what = reap();
            return out;
        }
    }
}

std::string RunnerProcess::stderr_tail(size_t max_lines) const {
    std::string text = stderr_buffer_;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    size_t start = text.size();  // the line break before the earliest line kept so far
    for (size_t lines = 0; lines < max_lines; ++lines) {
        const size_t before = start == 0 ? std::string::npos : text.rfind('\n', start - 1);
        if (before == std::string::npos) return text;
        start = before;
    }
    return text.substr(start + 1);
}

std::string seconds_text(std::chrono::milliseconds ms) {
    return ms.count() % 1000 == 0 ? std::to_string(ms.count() / 1000) + " s" : std::to_string(ms.count()) + " ms";
}

}  // namespace provisio
