// Help read from the command definitions: "did you mean" on a typo, `provisio help COMMAND`,
// global options in every command's help, and the generated man page and bash completion.
#include "support/sandbox.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace provisio::test;

namespace {

bool contains(const std::string &haystack, const std::string &needle) { return haystack.find(needle) != std::string::npos; }

RunResult run_provisio(const std::vector<std::string> &args) { return run_program(provisio_binary(), args); }

// What bash completes for the words typed so far (the last one, maybe empty, being completed)
// with the script `provisio completion bash` printed.
std::vector<std::string> complete(const std::filesystem::path &script, const std::vector<std::string> &typed) {
    std::string words;
    for (const auto &w : typed) words += " '" + w + "'";
    const RunResult r = run_program("/bin/bash", {"-c", "source \"$0\"; COMP_WORDS=(" + words +
                                                            "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _provisio; "
                                                            "printf '%s\\n' \"${COMPREPLY[@]}\"",
                                                  script.string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

}  // namespace

TEST_CASE("a mistyped command or option gets the nearest one suggested") {
    Installation inst;
    const std::string before = inst.dump();

    const RunResult verb = inst.run({"client", "lsit"});
    CHECK(verb.exit_code == 2);
    CHECK(verb.err == "provisio: unknown command 'client lsit'; did you mean 'client list'? (see: provisio help client)\n");

    const RunResult noun = inst.run({"--json", "clinet", "list"});
    CHECK(noun.exit_code == 2);
    CHECK(noun.err == "provisio: unknown command 'clinet'; did you mean 'client'? (see: provisio --help)\n");

    const RunResult deep = inst.run({"client", "file", "ad", "1", "x.pdf"});
    CHECK(deep.exit_code == 2);
    CHECK(contains(deep.err, "unknown command 'client file ad'; did you mean 'client file add'?"));

    const RunResult option = inst.run({"client", "add", "--frist-name", "Ada", "--email", "ada@example.org"});
    CHECK(option.exit_code == 2);
    CHECK(option.err ==
          "provisio: unknown option '--frist-name' for 'client add'; did you mean '--first-name'? (see: provisio help client add)\n");

    // A global option is known after the command too, and mistyped there it is suggested.
    const RunResult global = inst.run({"client", "list", "--jsno"});
    CHECK(global.exit_code == 2);
    CHECK(contains(global.err, "unknown option '--jsno' for 'client list'; did you mean '--json'?"));

    // Option values are skipped, even one that looks like a command.
    const RunResult value = inst.run({"client", "add", "--first-name", "list", "--emial", "x@example.org"});
    CHECK(contains(value.err, "unknown option '--emial' for 'client add'; did you mean '--email'?"));

    // Nothing near: no guess, but where to look.
    const RunResult far = inst.run({"client", "frobnicate"});
    CHECK(far.exit_code == 2);
    CHECK(far.err == "provisio: unknown command 'client frobnicate' (see: provisio help client)\n");
    // Three edits from 'client' is too far to guess.
    CHECK(inst.run({"clxxxt", "list"}).err == "provisio: unknown command 'clxxxt' (see: provisio --help)\n");
    // Two equally near are both offered.
    CHECK(contains(inst.run({"crd", "list"}).err, "unknown command 'crd'; did you mean 'card' or 'cdr'?"));

    // Other parse errors say which command's help to read.
    const RunResult missing = inst.run({"client", "add", "--first-name", "Ada"});
    CHECK(missing.exit_code == 2);
    CHECK(contains(missing.err, "--email is required"));
    CHECK(contains(missing.err, "(see: provisio help client add)"));

    CHECK(inst.dump() == before);
}

TEST_CASE("provisio help COMMAND prints that command's help, global options included") {
    const RunResult help = run_provisio({"help", "client", "add"});
    CHECK(help.exit_code == 0);
    CHECK(contains(help.out, "--first-name"));
    CHECK(contains(help.out, "Global options (before or after the command):"));
    for (const char *global : {"--config", "--modules-dir", "--now", "--json", "--verbose", "--version"}) {
        INFO(global);
        CHECK(contains(help.out, global));
    }

    // The same text as --help, but for the usage line's program name.
    const RunResult flag = run_provisio({"client", "add", "--help"});
    CHECK(flag.exit_code == 0);
    const auto body = [](const std::string &text) { return text.substr(text.find("Options:")); };
    CHECK(body(flag.out) == body(help.out));

    const RunResult group = run_provisio({"help", "client"});
    CHECK(group.exit_code == 0);
    CHECK(contains(group.out, "list"));
    CHECK(contains(group.out, "--config"));

    const RunResult top = run_provisio({"help"});
    CHECK(top.exit_code == 0);
    CHECK(contains(top.out, "client"));
    CHECK_FALSE(contains(top.out, "Global options"));  // the top level lists them as its own options

    const RunResult typo = run_provisio({"help", "client", "lsit"});
    CHECK(typo.exit_code == 2);
    CHECK(typo.err == "provisio: unknown command 'client lsit'; did you mean 'client list'? (see: provisio help client)\n");
}

TEST_CASE("the man page is generated from the command definitions") {
    const RunResult man = run_provisio({"man"});
    REQUIRE(man.exit_code == 0);
    CHECK(contains(man.out, ".TH PROVISIO 1"));
    CHECK(contains(man.out, ".SS \"provisio client add\""));
    CHECK(contains(man.out, "\\fB\\-\\-first\\-name\\fR \\fITEXT\\fR"));
    CHECK(contains(man.out, ".SH EXIT STATUS"));
    CHECK_FALSE(contains(man.out, "provisio man\""));  // hidden commands stay hidden

    // Every command `provisio help` lists at the top level has its section.
    const RunResult top = run_provisio({"help"});
    std::istringstream lines(top.out.substr(top.out.find("Subcommands:")));
    std::string line;
    std::getline(lines, line);
    int listed = 0;
    while (std::getline(lines, line)) {
        std::smatch m;
        if (!std::regex_search(line, m, std::regex("^  ([a-z]+) "))) continue;
        ++listed;
        INFO(m[1]);
        CHECK(contains(man.out, ".SS \"provisio " + m[1].str() + "\""));
    }
    CHECK(listed > 15);

    // groff reads it without a warning, when it is installed.
    if (std::filesystem::exists("/usr/bin/groff")) {
        TempDir dir;
        std::ofstream(dir / "provisio.1") << man.out;
        const RunResult groff = run_program("/usr/bin/groff", {"-man", "-Tutf8", "-ww", "-z", (dir / "provisio.1").string()});
        CHECK(groff.exit_code == 0);
        CHECK(groff.err.empty());
    }
}

TEST_CASE("bash completion is generated from the command definitions") {
    const RunResult script = run_provisio({"completion", "bash"});
    REQUIRE(script.exit_code == 0);
    CHECK(run_provisio({"completion", "zsh"}).exit_code == 2);
    TempDir dir;
    const auto file = dir / "provisio.bash";
    std::ofstream(file) << script.out;

    CHECK(complete(file, {"provisio", "cl"}) == std::vector<std::string>{"client"});
    CHECK(complete(file, {"provisio", "client", "li"}) == std::vector<std::string>{"list"});
    CHECK(complete(file, {"provisio", "client", "l"}) == std::vector<std::string>{"login-link", "list"});
    CHECK(complete(file, {"provisio", "client", "file", ""}) == std::vector<std::string>{"add", "list", "get", "delete"});
    CHECK(complete(file, {"provisio", "--config", "/tmp/p.toml", "client", "add", "--first"}) == std::vector<std::string>{"--first-name"});
    // A global option after the command, and its value skipped.
    CHECK(complete(file, {"provisio", "client", "--now", "2026-01-01", "ad"}) == std::vector<std::string>{"add"});
    CHECK(complete(file, {"provisio", "--js"}) == std::vector<std::string>{"--json"});
    // After help, the words are a command's.
    CHECK(complete(file, {"provisio", "help", "client", "li"}) == std::vector<std::string>{"list"});
    CHECK(complete(file, {"provisio", "help", "client", "add", "--"}).empty());
    // An option's value is left to bash's file-name completion.
    CHECK(complete(file, {"provisio", "--config", ""}).empty());
    // Hidden commands are not offered.
    const auto top = complete(file, {"provisio", ""});
    CHECK(std::find(top.begin(), top.end(), "client") != top.end());
    CHECK(std::find(top.begin(), top.end(), "man") == top.end());
}
