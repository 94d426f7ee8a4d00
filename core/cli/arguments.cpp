#include "cli/arguments.hpp"

#include "foundation/error.hpp"
#include "foundation/text.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>

namespace provisio::cli {

void require_utf8_arguments(const CLI::App &app) {
    for (const CLI::Option *o : app.get_options()) {
        const std::string what = !o->get_lnames().empty()   ? "--" + o->get_lnames().front()
                                 : !o->get_snames().empty() ? "-" + o->get_snames().front()
                                                            : "argument " + o->get_name(true);
        for (const std::string &value : o->results()) require_utf8(value, what);
    }
    for (const CLI::App *sub : app.get_subcommands()) require_utf8_arguments(*sub);
}

Settings parse_pairs(const std::vector<std::string> &items, const std::string &flag) {
    Settings out;
    for (const auto &item : items) {
        const size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0)
            fail(ErrorKind::invalid_input, flag + " '" + item + "' must be key=value");
        out[item.substr(0, eq)] = item.substr(eq + 1);
    }
    return out;
}

bool parse_yes_no(const std::string &text, const std::string &flag) {
    std::string v = text;
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (v == "yes" || v == "true" || v == "on" || v == "1") return true;
    if (v == "no" || v == "false" || v == "off" || v == "0") return false;
    fail(ErrorKind::invalid_input, flag + " '" + text + "' must be yes or no");
}

std::string read_secret_line(const std::string &what) {
    std::string line;
    if (!std::getline(std::cin, line)) fail(ErrorKind::invalid_input, "expected " + what + " on standard input");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    require_utf8(line, what + " on standard input");
    return line;
}

Settings parse_pairs_and_stdin(const std::vector<std::string> &items, const std::string &flag,
                               const std::vector<std::string> &stdin_keys, const std::string &stdin_flag) {
    Settings out = parse_pairs(items, flag);
    const Settings given = out;
    for (const auto &key : stdin_keys) {
        if (key.empty() || key.find('=') != std::string::npos)
            fail(ErrorKind::invalid_input, stdin_flag + " '" + key + "' must be an option key (its value comes from standard input)");
        if (given.count(key)) fail(ErrorKind::invalid_input, stdin_flag + " " + key + ": also given with " + flag);
        if (out.count(key)) fail(ErrorKind::invalid_input, stdin_flag + " " + key + ": given twice");
        out[key] = read_secret_line("the value of '" + key + "' (" + stdin_flag + ")");
    }
    return out;
}

}  // namespace provisio::cli
