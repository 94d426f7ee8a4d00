// Turning command-line strings into values, with errors that name the flag.
#pragma once

#include "modulehost/option_schema.hpp"

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace provisio::cli {

// Every value the parsed command received must be UTF-8 text: Error(invalid_input) naming the
// option or argument otherwise ("--first-name is not UTF-8 text (byte 4 is 0xFF)"). main()
// asks before the command runs, so nothing is stored.
void require_utf8_arguments(const CLI::App &app);

// "key=value" items; Error(invalid_input) naming `flag` for an item without '='.
Settings parse_pairs(const std::vector<std::string> &items, const std::string &flag);
// yes/no/true/false/on/off/1/0.
bool parse_yes_no(const std::string &text, const std::string &flag);
// One line from standard input, for secrets that should not appear in `ps`.
std::string read_secret_line(const std::string &what);
// parse_pairs(items, flag), plus one line of standard input per key of `stdin_keys`, in the
// order given, as that key's value (`--option-stdin db_password`): a PASSWORD option need never
// be on the command line. A key given twice, or also as key=value, is refused.
Settings parse_pairs_and_stdin(const std::vector<std::string> &items, const std::string &flag,
                               const std::vector<std::string> &stdin_keys, const std::string &stdin_flag);

}  // namespace provisio::cli
