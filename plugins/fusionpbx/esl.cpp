#include "esl.hpp"

#include <map>
#include <stdexcept>

namespace esl {

std::string payload(std::string_view password, const std::vector<std::string> &commands) {
    std::string out = "auth " + std::string(password) + "\n\n";
    for (const auto &c : commands) out += "api " + c + "\n\n";
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
        } else if (type->second == "command/reply" && out.greeted && !out.auth_answered) {
            const auto text = headers.find("Reply-Text");
            out.auth_answered = true;
            out.authenticated = text != headers.end() && text->second.rfind("+OK", 0) == 0;
        } else if (type->second == "api/response") {
            out.api_bodies.push_back(body);
        }
    }
    return out;
}

}  // namespace esl
