// Help beyond CLI11's own, all of it read from the command definitions so it cannot drift from
// them: every subcommand's --help also lists the global options; `provisio help COMMAND…`;
// "did you mean" for a mistyped command or option; and the man page and bash completion
// script, printed by the hidden commands `provisio man` and `provisio completion bash` (the
// build runs them and `cmake --install` installs what they print).
#pragma once

#include "cli/context.hpp"

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace provisio::cli {

// Before any command is added (subcommands inherit it): the help formatter.
void set_up_help(CLI::App &app);
// After every command is added: help, man, completion. `version` heads the man page.
void add_help_commands(CLI::App &app, const std::string &version, Runner &run);

// When the command line is `provisio [GLOBAL OPTIONS] help [WORD…]`: the words. CLI11 would
// parse "help client add" as the command "client add", so main() asks this first.
std::optional<std::vector<std::string>> help_request(const CLI::App &app, int argc, const char *const *argv);
// Prints the help of the command `words` names; Error(invalid_input) for an unknown word.
int print_help(const CLI::App &app, const std::vector<std::string> &words);

// For a command line CLI11 refused: the one-line reason when a word is no command or option
// where it stands ("unknown command 'client lsit'; did you mean 'client list'? …"), else "".
// `see` is set to the help command for the deepest command the line named.
std::string explain_unknown_word(const CLI::App &app, int argc, const char *const *argv, std::string &see);

}  // namespace provisio::cli
