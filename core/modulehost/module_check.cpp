#include "modulehost/module_check.hpp"

#include "modulehost/module_host.hpp"
#include "modulehost/permissions.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <sstream>

namespace provisio {

namespace {

// The child reports in tab-separated lines: "accepted\tname\tversion\tabi\tfunctions\toptions\tactions"
// or "refused\tname\treason". Tabs and newlines inside fields are replaced by spaces.
std::string field(std::string s) {
    for (char &c : s)
        if (c == '\t' || c == '\n') c = ' ';
    return s;
}

[[noreturn]] void child(const std::filesystem::path &file, HostServices &services, int fd) {
    // Whatever handlers the parent installed, a crash here must end the child by its signal,
    // so the parent can name it.
    for (int sig : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT}) ::signal(sig, SIG_DFL);
    std::string line;
    {
        ModuleHost host(services);
        host.load_file(file, /*check_permissions=*/false);
        if (!host.loaded().empty()) {
            const ModuleDescription &d = host.loaded().front()->description;
            line = "accepted\t" + field(d.name) + "\t" + field(d.version) + "\t" + std::to_string(d.abi_major) + "." +
                   std::to_string(d.abi_minor) + "\t" + module_functions(d) + "\t" +
                   std::to_string(d.schema.options().size()) + "\t" + field(custom_action_names(d)) + "\n";
        } else {
            const RefusedModule &r = host.refused().front();
            line = "refused\t" + field(r.name) + "\t" + field(r.reason) + "\n";
        }
        const char *p = line.data();
        size_t left = line.size();
        while (left > 0) {
            const ssize_t n = ::write(fd, p, left);
            if (n <= 0) break;
            p += n;
            left -= static_cast<size_t>(n);
        }
    }
    ::_exit(0);
}

std::vector<std::string> split_tabs(const std::string &line) {
    std::vector<std::string> out;
    std::stringstream s(line);
    std::string part;
    while (std::getline(s, part, '\t')) out.push_back(part);
    return out;
}

}  // namespace

ModuleCheckReport check_module_file(const std::filesystem::path &file, HostServices &services,
                                    std::chrono::milliseconds timeout) {
    ModuleCheckReport report;
    if (!std::filesystem::is_regular_file(file)) {
        report.reason = file.string() + " is not a file";
        return report;
    }
    if (auto why = unsafe_permissions(file))
        report.warnings.push_back("the host would refuse this file where it is: " + *why);

    int fds[2];
    if (::pipe(fds) != 0) {
        report.reason = std::string("cannot create a pipe: ") + std::strerror(errno);
        return report;
    }
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) {
        report.reason = std::string("cannot fork: ") + std::strerror(errno);
        return report;
    }
    if (pid == 0) {
        ::close(fds[0]);
        child(file, services, fds[1]);
    }
    ::close(fds[1]);

    std::string output;
    bool timed_out = false;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) {
            timed_out = ready == 0;
            break;
        }
        char buf[4096];
        const ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n <= 0) break;
        output.append(buf, static_cast<size_t>(n));
    }
    ::close(fds[0]);
    if (timed_out) ::kill(pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }

    if (timed_out) {
        report.reason = "did not finish loading within " + std::to_string(timeout.count()) + " ms (killed)";
        return report;
    }
    if (WIFSIGNALED(status)) {
        const int sig = WTERMSIG(status);
        report.reason = "crashed while loading: signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
        return report;
    }
    const auto parts = split_tabs(output.substr(0, output.find('\n')));
    if (!parts.empty() && parts[0] == "accepted" && parts.size() >= 6) {
        report.accepted = true;
        report.name = parts[1];
        report.version = parts[2];
        report.abi = parts[3];
        report.functions = parts[4];
        report.option_count = std::stoi(parts[5]);
        if (parts.size() >= 7) report.custom_actions = parts[6];
    } else if (!parts.empty() && parts[0] == "refused" && parts.size() >= 3) {
        report.name = parts[1];
        report.reason = parts[2];
    } else {
        report.reason = "exited (status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) +
                        ") without reporting; a module must not call exit() while loading";
    }
    return report;
}

}  // namespace provisio
