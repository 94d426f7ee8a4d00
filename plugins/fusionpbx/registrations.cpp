#include "registrations.hpp"

#include <algorithm>
#include <stdexcept>

namespace fusion_registrations {

namespace {

std::string decoded(std::string_view text) {
    static constexpr std::pair<std::string_view, char> entities[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    std::string out;
    for (size_t i = 0; i < text.size();) {
        bool replaced = false;
        if (text[i] == '&')
            for (const auto &[entity, c] : entities)
                if (text.substr(i, entity.size()) == entity) {
                    out += c;
                    i += entity.size();
                    replaced = true;
                    break;
                }
        if (!replaced) out += text[i++];
    }
    return out;
}

// The text of the first <tag>…</tag> in `block`; empty when it has none.
std::string element(std::string_view block, std::string_view tag) {
    const std::string open = "<" + std::string(tag) + ">", close = "</" + std::string(tag) + ">";
    const size_t start = block.find(open);
    if (start == std::string_view::npos) return {};
    const size_t end = block.find(close, start + open.size());
    if (end == std::string_view::npos) return {};
    return decoded(block.substr(start + open.size(), end - start - open.size()));
}

}  // namespace

std::vector<Registration> parse(std::string_view xml) {
    if (xml.find("<profile") == std::string_view::npos)
        throw std::runtime_error("the answer is not sofia's registration XML (no <profile>): " + std::string(xml.substr(0, 200)));
    std::vector<Registration> out;
    constexpr std::string_view open = "<registration>", close = "</registration>";
    for (size_t at = xml.find(open); at != std::string_view::npos; at = xml.find(open, at)) {
        const size_t end = xml.find(close, at);
        if (end == std::string_view::npos) throw std::runtime_error("a <registration> in sofia's answer is not closed");
        const std::string_view block = xml.substr(at + open.size(), end - at - open.size());
        out.push_back({element(block, "user"), element(block, "sip-auth-realm"), element(block, "agent"), element(block, "status"),
                       element(block, "network-ip"), element(block, "network-port")});
        at = end + close.size();
    }
    return out;
}

std::vector<Registration> of_domain(const std::vector<Registration> &all, const std::string &domain, const std::vector<std::string> &extensions) {
    std::vector<Registration> out;
    for (const auto &r : all) {
        if (r.realm != domain && r.host_part() != domain) continue;
        if (!extensions.empty() && std::find(extensions.begin(), extensions.end(), r.user_part()) == extensions.end()) continue;
        out.push_back(r);
    }
    return out;
}

}  // namespace fusion_registrations
