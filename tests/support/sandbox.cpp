#include "support/sandbox.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <cstring>
#include <random>
#include <stdexcept>

extern char **environ;

namespace provisio::test {

std::string provisio_binary() { return PROVISIO_TEST_BINARY; }

std::filesystem::path fixture_module(const std::string &name) {
    if (name == "hello") return PROVISIO_TEST_HELLO_MODULE;
    // The shipped plugins, else a test fixture module.
    const auto plugin = std::filesystem::path(PROVISIO_TEST_PLUGIN_DIR) / (name + ".so");
    if (std::filesystem::exists(plugin)) return plugin;
    return std::filesystem::path(PROVISIO_TEST_FIXTURE_DIR) / (name + ".so");
}

TempDir::TempDir() {
    std::random_device rd;
    const auto base = std::filesystem::temp_directory_path();
    for (int i = 0; i < 100; ++i) {
        auto p = base / ("provisio-test-" + std::to_string(rd()));
        if (std::filesystem::create_directory(p)) {
            std::filesystem::permissions(p, std::filesystem::perms::owner_all);
            path_ = p;
            return;
        }
    }
    throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

RunResult run_program(const std::string &program, const std::vector<std::string> &args, const std::string &input,
                      int timeout_s) {
    int in[2], out[2], err[2];
    if (pipe(in) || pipe(out) || pipe(err)) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) posix_spawn_file_actions_addclose(&fa, fd);
    std::vector<char *> argv;
    argv.push_back(const_cast<char *>(program.c_str()));
    for (const auto &a : args) argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid;
    if (posix_spawn(&pid, program.c_str(), &fa, nullptr, argv.data(), environ) != 0)
        throw std::runtime_error("cannot start " + program);
    posix_spawn_file_actions_destroy(&fa);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (!input.empty()) {
        ssize_t ignored = write(in[1], input.data(), input.size());
        (void)ignored;
    }
    close(in[1]);

    RunResult r;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    int open = 2;
    while (open > 0 && std::chrono::steady_clock::now() < deadline) {
        if (poll(fds, 2, 1000) <= 0) continue;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
            char buf[8192];
            const ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            } else {
                (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
            }
        }
    }
    if (open > 0) kill(pid, SIGKILL);
    for (auto &f : fds)
        if (f.fd >= 0) close(f.fd);
    int status = 0;
    waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

Installation::Installation() {
    const RunResult r = run({"init"});
    if (r.exit_code != 0) throw std::runtime_error("provisio init failed: " + r.err);
}

void Installation::install_module(const std::string &name, const std::string &as) const {
    const auto target = modules() / ((as.empty() ? name : as) + ".so");
    std::filesystem::copy_file(fixture_module(name), target, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::permissions(target, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                                             std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                                             std::filesystem::perms::others_exec);
}

pid_t spawn_program(const std::vector<std::string> &argv, const std::filesystem::path &stdout_to) {
    std::vector<std::string> args = argv;
    std::vector<char *> raw;
    for (auto &a : args) raw.push_back(a.data());
    raw.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, stdout_to.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid;
    const int rc = posix_spawn(&pid, raw[0], &fa, nullptr, raw.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(rc));
    return pid;
}

pid_t Installation::start(const std::vector<std::string> &args) const {
    std::vector<std::string> full{provisio_binary(), "--config", config().string()};
    full.insert(full.end(), args.begin(), args.end());
    return spawn_program(full, "/dev/null");
}

RunResult Installation::run(const std::vector<std::string> &args, const std::string &input) const {
    std::vector<std::string> full{"--config", config().string()};
    full.insert(full.end(), args.begin(), args.end());
    return run_program(provisio_binary(), full, input);
}

void Installation::edit_config(const std::string &from, const std::string &to) const {
    std::ifstream in(config());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t at = text.find(from);
    if (at == std::string::npos) throw std::runtime_error("provisio.toml has no '" + from + "'");
    text.replace(at, from.size(), to);
    std::ofstream(config(), std::ios::trunc) << text;
}

std::string Installation::dump() const {
    return run_program("/usr/bin/sqlite3", {database().string(), ".dump"}).out;
}

std::string Installation::sql(const std::string &statements) const {
    RunResult r = run_program("/usr/bin/sqlite3", {database().string(), statements});
    if (r.exit_code != 0) throw std::runtime_error("sqlite3 failed: " + r.err);
    while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r.out;
}

std::string Installation::write_file(const std::string &name, const std::string &text) const {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path.string();
}

}  // namespace provisio::test
