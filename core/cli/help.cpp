#include "cli/help.hpp"

#include "foundation/error.hpp"
#include "foundation/text.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>

namespace provisio::cli {

namespace {

// What each exit status means, for the man page (docs/cli.md has the same table).
struct ExitStatusText {
    int code;
    const char *meaning;
};
constexpr ExitStatusText exit_statuses[] = {
    {exit_ok, "success"},
    {exit_failed, "a module reported an error (the service's status is unchanged), or a check found problems"},
    {exit_invalid, "invalid input: a malformed argument, option value, file, date, amount or configuration"},
    {exit_not_found, "not found: an unknown id or name, or a module that is not loaded"},
    {exit_refused, "refused: the current state forbids it"},
    {exit_conflict, "conflict: a name or e-mail address already taken"},
    {exit_queued, "a module reported a retryable error; the call is on the module queue"},
    {exit_storage, "storage: the database or key file is missing, not provisio's, from a newer provisio, or unreadable"},
    {exit_internal, "internal error (a bug: please report it)"},
    {exit_locked, "cron: another cron run holds the lock; this one did nothing"},
};

const CLI::App &root_of(const CLI::App &app) {
    const CLI::App *a = &app;
    while (a->get_parent()) a = a->get_parent();
    return *a;
}

bool hidden(const CLI::App &sub) { return sub.get_group().empty(); }

std::vector<const CLI::App *> subcommands(const CLI::App &app, bool with_hidden = false) {
    return app.get_subcommands([with_hidden](const CLI::App *s) { return !s->get_name().empty() && (with_hidden || !hidden(*s)); });
}

const CLI::App *find_subcommand(const CLI::App &app, const std::string &name) {
    for (const CLI::App *s : subcommands(app, true))
        if (s->get_name() == name) return s;
    return nullptr;
}

std::vector<const CLI::Option *> named_options(const CLI::App &app) {
    return app.get_options([](const CLI::Option *o) { return o->nonpositional() && !o->get_group().empty(); });
}

std::vector<const CLI::Option *> positionals(const CLI::App &app) {
    return app.get_options([](const CLI::Option *o) { return !o->nonpositional() && !o->get_group().empty(); });
}

std::vector<std::string> names_of(const CLI::Option &o) {
    std::vector<std::string> out;
    for (const auto &s : o.get_snames()) out.push_back("-" + s);
    for (const auto &l : o.get_lnames()) out.push_back("--" + l);
    return out;
}

// A flag (--json, --help) takes no value; an option takes one per use, or several.
bool takes_value(const CLI::Option &o) { return o.get_items_expected_max() > 0; }

// Options valid where `app` stands: its own and, as every command falls through to its
// parents, theirs.
std::vector<const CLI::Option *> options_in_scope(const CLI::App &app) {
    std::vector<const CLI::Option *> out;
    for (const CLI::App *a = &app; a; a = a->get_parent())
        for (const CLI::Option *o : named_options(*a)) out.push_back(o);
    return out;
}

// The path of words from the root: "client file add" ("" for the root).
std::string path_of(const CLI::App &app) {
    std::string path;
    for (const CLI::App *a = &app; a->get_parent(); a = a->get_parent()) path = a->get_name() + (path.empty() ? "" : " " + path);
    return path;
}

std::string help_command(const std::string &path) { return path.empty() ? "provisio --help" : "provisio help " + path; }

// Optimal string alignment distance: insertions, deletions, substitutions and transpositions
// of neighbours ("lsit" is one from "list").
size_t distance(const std::string &a, const std::string &b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i)
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

// The candidates nearest `word` (a short word may be one edit off, a longer one two), else the
// one candidate it is a prefix of.
std::vector<std::string> nearest(const std::string &word, const std::vector<std::string> &candidates) {
    const size_t allowed = word.size() <= 4 ? 1 : 2;
    size_t best = allowed + 1;
    std::vector<std::string> found;
    for (const auto &c : candidates) {
        const size_t d = distance(word, c);
        if (d > allowed) continue;
        if (d < best) best = d, found.clear();
        if (d == best && std::find(found.begin(), found.end(), c) == found.end()) found.push_back(c);
    }
    if (!found.empty()) return found;
    for (const auto &c : candidates)
        if (word.size() >= 2 && c.size() > word.size() && c.compare(0, word.size(), word) == 0) found.push_back(c);
    if (found.size() == 1) return found;
    return {};
}

// " did you mean 'a'?" / " did you mean 'a' or 'b'?", each suggestion prefixed with `lead`.
std::string did_you_mean(const std::vector<std::string> &suggestions, const std::string &lead) {
    if (suggestions.empty()) return {};
    std::string out = "; did you mean ";
    for (size_t i = 0; i < suggestions.size(); ++i) {
        if (i) out += i + 1 == suggestions.size() ? " or " : ", ";
        out += "'" + lead + suggestions[i] + "'";
    }
    return out + "?";
}

std::string unknown_command(const CLI::App &at, const std::string &word) {
    const std::string path = path_of(at);
    std::vector<std::string> names;
    for (const CLI::App *s : subcommands(at)) names.push_back(s->get_name());
    return "unknown command '" + (path.empty() ? "" : path + " ") + repair_utf8(word) + "'" +
           did_you_mean(nearest(word, names), path.empty() ? "" : path + " ");
}

const CLI::Option *find_option(const CLI::App &at, const std::string &name) {
    for (const CLI::Option *o : options_in_scope(at))
        for (const auto &n : names_of(*o))
            if (n == name) return o;
    return nullptr;
}

// -5, -0.50: a value, not an option.
bool looks_like_number(const std::string &w) {
    return w.size() > 1 && w[0] == '-' && (std::isdigit(static_cast<unsigned char>(w[1])) || w[1] == '.');
}

// ---- the help formatter -------------------------------------------------------------------

class Formatter : public CLI::Formatter {
public:
    std::string make_footer(const CLI::App *app) const override {
        std::string out;
        const CLI::App &root = root_of(*app);
        if (&root != app) {
            auto globals = root.get_options([&root](const CLI::Option *o) {
                return o->nonpositional() && !o->get_group().empty() && o != root.get_help_ptr();
            });
            out = make_group("Global options (before or after the command)", false, globals).substr(1);  // no second blank line
        }
        return out + CLI::Formatter::make_footer(app);
    }
};

// ---- the man page ---------------------------------------------------------------------------

// Appends the character at text[i] (a UTF-8 sequence) as roff, moving i past it: ASCII as is,
// anything else as \[uXXXX], so the page reads the same whatever encoding groff assumes.
void append_roff_char(const std::string &text, size_t &i, std::string &out) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
        out += text[i++];
        return;
    }
    const size_t n = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    uint32_t cp = b & (n == 4 ? 0x07 : n == 3 ? 0x0F : 0x1F);
    for (size_t k = 1; k < n && i + k < text.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    char code[16];
    std::snprintf(code, sizeof code, "\\[u%04X]", cp);
    out += code;
    i += n;
}

// Text for roff: backslashes escaped, a line that would start a request protected, and
// `literal` text (an option name) with its hyphens as minus signs, so it can be searched and
// pasted. The text is UTF-8 (command definitions are ours).
std::string roff(const std::string &text, bool literal = false) {
    std::string out;
    bool line_start = true;
    for (size_t i = 0; i < text.size();) {
        const char c = text[i];
        if (line_start && (c == '.' || c == '\'')) out += "\\&";
        line_start = c == '\n';
        if (c == '\\') out += "\\e", ++i;
        else if (c == '-' && literal) out += "\\-", ++i;
        else append_roff_char(text, i, out);
    }
    return out;
}

std::string roff_literal(const std::string &text) { return roff(text, true); }

std::string man_option(const CLI::Option &o) {
    std::string head;
    for (const auto &n : names_of(o)) head += (head.empty() ? "" : ", ") + ("\\fB" + roff_literal(n) + "\\fR");
    if (takes_value(o)) head += " \\fI" + roff_literal(o.get_type_name().empty() ? "VALUE" : o.get_type_name()) + "\\fR";
    std::string text = o.get_description();
    if (o.get_required()) text += " (required)";
    if (o.get_expected_max() > 1) text += " (repeatable)";
    return ".TP\n" + head + "\n" + roff(text) + "\n";
}

void man_command(const CLI::App &app, std::string &out) {
    const std::string path = path_of(app);
    out += ".SS \"provisio " + roff_literal(path) + "\"\n" + roff(app.get_description()) + "\n";
    for (const CLI::Option *p : positionals(app)) {
        std::string text = p->get_description();
        if (p->get_required()) text += " (required)";
        out += ".TP\n\\fI" + roff_literal(p->get_name(true)) + "\\fR\n" + roff(text) + "\n";
    }
    for (const CLI::Option *o : named_options(app))
        if (o != app.get_help_ptr()) out += man_option(*o);
    const auto subs = subcommands(app);
    if (!subs.empty()) {
        out += ".PP\nCommands:";
        for (const CLI::App *s : subs) out += " \\fB" + roff_literal(s->get_name()) + "\\fR";
        out += ".\n";
    }
    for (const CLI::App *s : subs) man_command(*s, out);
}

std::string man_page(const CLI::App &app, const std::string &version) {
    std::string out = ".\\\" Generated by `provisio man` from the command definitions; do not edit.\n";
    out += ".TH PROVISIO 1 \"\" \"" + roff(version) + "\" \"User Commands\"\n";
    const std::string description = app.get_description(), dash = "— ";
    const size_t at = description.find(dash);
    out += ".SH NAME\nprovisio \\- " + roff(at == std::string::npos ? description : description.substr(at + dash.size())) + "\n";
    out += ".SH SYNOPSIS\n.B provisio\n[\\fIGLOBAL OPTIONS\\fR] \\fINOUN\\fR \\fIVERB\\fR [\\fIARGUMENTS\\fR] [\\fIOPTIONS\\fR]\n";
    out += ".br\n.B provisio help\n[\\fICOMMAND\\fR...]\n";
    out += ".SH DESCRIPTION\n" + roff(app.get_description()) + ".\n.PP\n" +
           roff("Every command takes --help (or: provisio help COMMAND). Output is a table or key: value lines for "
                "people; --json prints JSON for scripts. Errors are one line on standard error naming the thing and "
                "the reason, with the exit status below; a failed command leaves the database as it was.") +
           "\n";
    out += ".SH GLOBAL OPTIONS\nThese may stand before or after the command.\n";
    for (const CLI::Option *o : named_options(app)) out += man_option(*o);
    out += ".SH COMMANDS\n";
    for (const CLI::App *s : subcommands(app)) man_command(*s, out);
    out += ".SH EXIT STATUS\n";
    for (const auto &e : exit_statuses) out += ".TP\n.B " + std::to_string(e.code) + "\n" + roff(e.meaning) + "\n";
    out += ".SH ENVIRONMENT\n.TP\n.B PROVISIO_CONFIG\n" +
           roff("The configuration file when --config is not given (else ./provisio.toml).") + "\n";
    out += ".SH FILES\n.TP\n.I provisio.toml\n" +
           roff("The configuration: database, modules directory, key file, time zone, currency, mail; `provisio init` "
                "writes it with every key and its default.") +
           "\n";
    out += ".SH SEE ALSO\n" +
           roff("The operator guide and the command-line reference (operator-guide.md, cli.md) in provisio's "
                "documentation directory.") +
           "\n";
    return out;
}

// ---- bash completion ------------------------------------------------------------------------

void completion_cases(const CLI::App &app, std::string &out) {
    std::vector<std::string> subs, opts, valopts;
    for (const CLI::App *s : subcommands(app)) subs.push_back(s->get_name());
    for (const CLI::Option *o : options_in_scope(app))
        for (const auto &n : names_of(*o)) {
            opts.push_back(n);
            if (takes_value(*o)) valopts.push_back(n);
        }
    out += "    \"" + path_of(app) + "\") subs=\"" + join(subs, " ") + "\" opts=\"" + join(opts, " ") + "\" valopts=\"" +
           join(valopts, " ") + "\" ;;\n";
    for (const CLI::App *s : subcommands(app)) completion_cases(*s, out);
}

std::string bash_completion(const CLI::App &app) {
    std::string out = R"(# bash completion for provisio. Generated by `provisio completion bash` from the command
# definitions; do not edit.

# _provisio_spec PATH: the subcommands, options and value-taking options of the command PATH.
_provisio_spec() {
    case "$1" in
)";
    completion_cases(app, out);
    out += R"(    *) subs="" opts="" valopts="" ;;
    esac
}

_provisio() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} path="" subs opts valopts i w help=""
    COMPREPLY=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        _provisio_spec "$path"
        if [[ $w == -* ]]; then
            if [[ $w != *=* && " $valopts " == *" $w "* ]]; then ((i++)); fi
        elif [[ -z $path && -z $help && $w == help ]]; then
            help=yes  # provisio help COMMAND…: the words are a command's
        elif [[ " $subs " == *" $w "* ]]; then
            path=${path:+$path }$w
        fi
    done
    _provisio_spec "$path"
    # An option's value: leave it to bash's default (file names).
    if [[ " $valopts " == *" $prev "* ]]; then return 0; fi
    if [[ -n $help ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
    elif [[ $cur == -* ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
    elif [[ -n $subs ]]; then
        mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
    fi
}
complete -o default -F _provisio provisio
)";
    return out;
}

}  // namespace

void set_up_help(CLI::App &app) { app.formatter(std::make_shared<Formatter>()); }

void add_help_commands(CLI::App &app, const std::string &version, Runner &run) {
    auto *help = app.add_subcommand("help", "Show the help of a command: provisio help client add");
    auto command = std::make_shared<std::vector<std::string>>();
    help->add_option("COMMAND", *command, "The command's words");
    // main() answers `provisio help …` before CLI11 parses (help_request); this is its entry in
    // the help, the man page and the completion.
    help->callback([&app, &run, command] { run = [&app, command] { return print_help(app, *command); }; });

    auto *man = app.add_subcommand("man", "Print the man page, provisio(1), in roff")->group("");
    man->callback([&app, &run, version] {
        run = [&app, version] {
            std::cout << man_page(app, version);
            return exit_ok;
        };
    });

    auto *completion = app.add_subcommand("completion", "Print a shell completion script")->group("");
    auto shell = std::make_shared<std::string>();
    completion->add_option("SHELL", *shell, "bash")->required();
    completion->callback([&app, &run, shell] {
        run = [&app, shell] {
            if (*shell != "bash") fail(ErrorKind::invalid_input, "completion: '" + *shell + "' is not a shell provisio completes (bash)");
            std::cout << bash_completion(app);
            return exit_ok;
        };
    });
}

std::optional<std::vector<std::string>> help_request(const CLI::App &app, int argc, const char *const *argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string w = argv[i];
        if (w.size() > 1 && w[0] == '-') {
            const std::string name = w.substr(0, w.find('='));
            if (const CLI::Option *o = find_option(app, name); o && name == w && takes_value(*o)) ++i;
            continue;
        }
        if (w != "help") return std::nullopt;
        return std::vector<std::string>(argv + i + 1, argv + argc);
    }
    return std::nullopt;
}

int print_help(const CLI::App &app, const std::vector<std::string> &words) {
    const CLI::App *at = &app;
    for (const auto &word : words) {
        const CLI::App *sub = find_subcommand(*at, word);
        if (!sub || hidden(*sub)) fail(ErrorKind::invalid_input, unknown_command(*at, word) + " (see: " + help_command(path_of(*at)) + ")");
        at = sub;
    }
    const std::string path = path_of(*at);
    std::cout << at->get_formatter()->make_help(at, path.empty() ? "provisio" : "provisio " + path, CLI::AppFormatMode::Normal);
    return exit_ok;
}

std::string explain_unknown_word(const CLI::App &app, int argc, const char *const *argv, std::string &see) {
    const CLI::App *at = &app;
    see = help_command("");
    int pending = 0;  // values the last option still takes; -1: any number
    for (int i = 1; i < argc; ++i) {
        const std::string w = argv[i];
        if (w == "--") break;
        if (w.size() > 1 && w[0] == '-' && !looks_like_number(w)) {
            pending = 0;
            const std::string name = w.substr(0, w.find('='));
            const CLI::Option *o = find_option(*at, name);
            if (!o) {
                std::vector<std::string> known;
                for (const CLI::Option *k : options_in_scope(*at))
                    for (const auto &n : names_of(*k)) known.push_back(n);
                const std::string path = path_of(*at);
                return "unknown option '" + repair_utf8(name) + "'" + (path.empty() ? "" : " for '" + path + "'") +
                       did_you_mean(nearest(name, known), "");
            }
            if (name == w && takes_value(*o)) pending = o->get_expected_max() > 1 ? -1 : 1;
            continue;
        }
        if (const CLI::App *sub = find_subcommand(*at, w)) {
            at = sub;
            see = help_command(path_of(*at));
            pending = 0;
            continue;
        }
        if (pending != 0) {
            if (pending > 0) --pending;
            continue;
        }
        if (positionals(*at).empty() && !subcommands(*at).empty()) return unknown_command(*at, w);
    }
    return {};
}

}  // namespace provisio::cli
