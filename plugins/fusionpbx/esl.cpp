#include "esl.hpp"

#include <map>
#include <stdexcept>

namespace esl {

namespace {

bool starts(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

std::string_view first_line(std::string_view text) {
    text = text.substr(0, text.find('\n'));
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
    return text;
}

std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const size_t eol = text.find('\n');
        if (std::string_view line = first_line(text); !line.empty()) out.push_back(line);
        if (eol == std::string_view::npos) break;
        text.remove_prefix(eol + 1);
    }
    return out;
}

Verdict failure(std::string_view reason) { return {Verdict::failed, std::string(reason)}; }

// "Reload XML [Success]" / "+OK [Success]": the bracket holds switch_xml_reload's error text,
// "Success" when the reload worked.
Verdict reload_verdict(std::string_view line, std::string_view prefix) {
    const std::string_view inside = line.substr(prefix.size());
    if (inside == "Success]") return {};
    return failure("the XML reload failed: " + std::string(inside.substr(0, inside.size() - (inside.ends_with("]") ? 1 : 0))));
}

}  // namespace

std::string describe(const Command &command) {
    if (command.kind == Command::api) return command.text;
    const std::string_view text = command.text;
    auto header = [&](std::string_view name) -> std::string {
        const size_t at = text.find("\n" + std::string(name) + ": ");
        return at == std::string_view::npos ? "" : std::string(first_line(text.substr(at + name.size() + 3)));
    };
    const std::string subclass = header("Event-Subclass"), argument = header("API-Command-Argument");
    return "sendevent " + std::string(first_line(text)) +
           (subclass.empty() ? "" : " (" + subclass + (argument.empty() ? "" : ": " + argument) + ")");
}

std::string payload(std::string_view password, const std::vector<Command> &commands) {
    std::string out = "auth " + std::string(password) + "\n\n";
    for (const auto &c : commands) out += (c.kind == Command::api ? "api " : "sendevent ") + c.text + "\n\n";
    return out + "exit\n\n";
}

Reply parse(std::string_view data) {
    Reply out;
    size_t at = 0;
    for (int frame = 1; at < data.size(); ++frame) {
        const size_t end = data.find("\n\n", at);
        if (end == std::string_view::npos) throw std::runtime_error("frame " + std::to_string(frame) + " has no end of headers");
        std::map<std::string, std::string, std::less<>> headers;
        for (size_t line = at; line < end;) {
            const size_t eol = std::min(data.find('\n', line), end);
            const std::string_view text = data.substr(line, eol - line);
            const size_t colon = text.find(": ");
            if (colon == std::string_view::npos)
                throw std::runtime_error("frame " + std::to_string(frame) + ": '" + std::string(text.substr(0, 60)) + "' is not a header");
            headers.emplace(std::string(text.substr(0, colon)), std::string(text.substr(colon + 2)));
            line = eol + 1;
        }
        at = end + 2;
        std::string body;
        if (auto length = headers.find("Content-Length"); length != headers.end()) {
            size_t n = 0;
            try {
                n = std::stoul(length->second);
            } catch (const std::exception &) {
                throw std::runtime_error("frame " + std::to_string(frame) + ": Content-Length '" + length->second + "' is not a number");
            }
            if (at + n > data.size()) throw std::runtime_error("frame " + std::to_string(frame) + " is cut short");
            body = std::string(data.substr(at, n));
            at += n;
        }
        const auto type = headers.find("Content-Type");
        if (type == headers.end()) throw std::runtime_error("frame " + std::to_string(frame) + " has no Content-Type");
        if (type->second == "auth/request") {
            out.greeted = true;
        } else if (type->second == "text/rude-rejection") {
            out.rejection = std::string(first_line(body));
            if (out.rejection.empty()) out.rejection = "rejected";
        } else if (type->second == "command/reply") {
            const auto text = headers.find("Reply-Text");
            const std::string reply = text == headers.end() ? "" : text->second;
            if (out.greeted && !out.auth_answered) {
                out.auth_answered = true;
                out.authenticated = starts(reply, "+OK");
            } else if (out.authenticated) {
                out.answers.push_back(reply);
            }
        } else if (type->second == "api/response" && out.authenticated) {
            out.answers.push_back(body);
        }
    }
    return out;
}

Verdict judge(const Command &command, std::string_view answer) {
    const std::string_view head = first_line(answer);
    if (command.kind == Command::event) return starts(head, "+OK") ? Verdict{} : failure(head.empty() ? "no answer" : head);
    const std::string_view text = command.text;
    const std::string_view verb = text.substr(0, text.find(' '));
    // mod_event_socket's api_exec: a command no loaded module provides.
    if (starts(head, "-ERR " + std::string(verb) + " Command not found")) return failure(head);
    if (starts(text, "sofia xmlstatus profile ")) {
        // A profile the switch is not running has no registrations to list.
        if (starts(head, "Invalid Profile")) return {Verdict::absent, std::string(head)};
        return answer.find("<profile") != std::string_view::npos ? Verdict{} : failure(head.empty() ? "no answer" : head);
    }
    if (starts(text, "sofia profile ")) {
        // cmd_profile answers an unknown profile without "-ERR".
        if (starts(head, "Invalid Profile")) return failure(head);
        if (text.find(" killgw ") != std::string_view::npos) {
            if (starts(head, "+OK")) return {};
            if (head == "-ERR no such gateway.") return {Verdict::absent, std::string(head)};
            return failure(head.empty() ? "no answer" : head);
        }
        if (text.ends_with(" rescan")) {
            // "Reload XML [Success]\n+OK scan complete\n", or the reload's error, or on the second
            // line "-ERR cannot find config for profile P".
            bool scanned = false;
            for (const std::string_view line : lines_of(answer)) {
                if (starts(line, "Reload XML [")) {
                    if (auto v = reload_verdict(line, "Reload XML ["); v.kind == Verdict::failed) return v;
                } else if (starts(line, "-ERR")) {
                    return failure(line);
                } else if (starts(line, "+OK")) {
                    scanned = true;
                }
            }
            return scanned ? Verdict{} : failure(head.empty() ? "no answer" : head);
        }
    }
    if (text == "reloadxml") {
        if (starts(head, "+OK [")) return reload_verdict(head, "+OK [");
        return failure(head.empty() ? "no answer" : head);
    }
    if (starts(text, "memcache delete ")) {
        if (head == "-ERR NOT FOUND") return {Verdict::absent, std::string(head)};  // not cached: the normal case
        return starts(head, "+OK") ? Verdict{} : failure(head.empty() ? "no answer" : head);
    }
    if (starts(text, "lua ")) {
        // mod_lua runs the script and answers what it wrote; api_exec turns nothing into
        // "-ERR no reply". A script that could not run is "-ERR Cannot execute script".
        if (head == "-ERR no reply") return {};
        return starts(head, "-ERR") ? failure(head) : Verdict{};
    }
    if (text == "hostname") return head.empty() || starts(head, "-ERR") ? failure(head.empty() ? "no hostname" : head) : Verdict{};
    return starts(head, "-ERR") ? failure(head) : Verdict{};
}

}  // namespace esl
