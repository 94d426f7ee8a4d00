// Test support: a scratch directory removed at the end of the test, and running the provisio
// program as a separate process with its output captured.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace provisio::test {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    const std::filesystem::path &path() const { return path_; }
    std::filesystem::path operator/(const std::string &name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs `program` with `args`, feeding `input` on stdin; bounded by `timeout_s`.
RunResult run_program(const std::string &program, const std::vector<std::string> &args, const std::string &input = {},
                      int timeout_s = 60);

// A scratch provisio installation: configuration, key, database and modules directory.
class Installation {
public:
    Installation();
    const TempDir &dir() const { return dir_; }
    std::filesystem::path config() const { return dir_ / "provisio.toml"; }
    std::filesystem::path modules() const { return dir_ / "modules"; }
    std::filesystem::path database() const { return dir_ / "provisio.db"; }
    // Copies a built fixture module (tests/modules) or the hello example into modules/.
    void install_module(const std::string &name, const std::string &as = {}) const;
    // Runs provisio with --config pointing here; extra args follow.
    RunResult run(const std::vector<std::string> &args, const std::string &input = {}) const;
    // Starts it so and returns at once (its standard output discarded): the caller kills or
    // waits for the process.
    pid_t start(const std::vector<std::string> &args) const;
    // `sqlite3 .dump` of the database, to prove a failed command changed nothing.
    std::string dump() const;
    // Runs SQL on the database with the sqlite3 shell (to set up what only an older version or a
    // hand edit leaves); returns what it printed, without the final line break. Throws on failure.
    std::string sql(const std::string &statements) const;
    // Writes `text` to a file of that name in the installation's directory; returns its path.
    std::string write_file(const std::string &name, const std::string &text) const;
    // Replaces the first `from` in provisio.toml with `to` (a line of the default file).
    void edit_config(const std::string &from, const std::string &to) const;

private:
    TempDir dir_;
};

std::string provisio_binary();
// Starts `argv` (argv[0] a path) with its stdout written to `stdout_to`, stderr shared with this
// process; returns its pid for the caller to wait for. Throws when it cannot start.
pid_t spawn_program(const std::vector<std::string> &argv, const std::filesystem::path &stdout_to);
std::filesystem::path fixture_module(const std::string &name);

}  // namespace provisio::test
