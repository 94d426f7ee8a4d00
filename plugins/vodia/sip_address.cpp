#include "sip_address.hpp"

#include <algorithm>
#include <cctype>

namespace vodia {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

}  // namespace

SipParty parse_sip_party(std::string_view text) {
    SipParty p;
    text = trim(text);
    std::string_view uri = text;
    if (const size_t lt = text.find('<'); lt != std::string_view::npos) {
        std::string_view name = trim(text.substr(0, lt));
        if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
        p.display = std::string(name);
        const size_t gt = text.find('>', lt);
        uri = text.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1);
    }
    for (std::string_view scheme : {"sips:", "sip:", "tel:"})
        if (uri.substr(0, scheme.size()) == scheme) {
            uri.remove_prefix(scheme.size());
            break;
        }
    uri = uri.substr(0, uri.find_first_of("@;>"));
    if (!uri.empty() && uri.front() == '+') uri.remove_prefix(1);
    p.number = std::string(trim(uri));
    return p;
}

bool contains_ignoring_case(std::string_view haystack, std::string_view needle) {
    if (needle.empty()) return false;
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
           }) != haystack.end();
}

}  // namespace vodia
