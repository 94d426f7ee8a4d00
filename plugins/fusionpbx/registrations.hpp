// The phones registered on a FreeSWITCH SIP profile, read from the answer to
// `sofia xmlstatus profile P reg` (mod_sofia.c, the XML that FusionPBX's Registrations page,
// app/registrations/resources/classes/registrations.php, reads).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace fusion_registrations {

struct Registration {
    std::string user;       // "2112@tenant.example.net"
    std::string realm;      // sip-auth-realm
    std::string agent;      // the phone's User-Agent
    std::string status;     // "Registered(UDP-NAT) exp(2026-01-01 12:00:00) expsecs(123)"
    std::string network_ip, network_port;

    std::string user_part() const { return user.substr(0, user.find('@')); }
    std::string host_part() const { return user.find('@') == std::string::npos ? std::string() : user.substr(user.find('@') + 1); }
};

// Every <registration> in the answer, its texts with XML's entities decoded. Throws
// std::runtime_error when the answer is not that XML (no <profile> element).
std::vector<Registration> parse(std::string_view xml);

// Those of `domain`, as FusionPBX keeps them: the realm or the user's host is the domain; and,
// when `extensions` is not empty, only those users.
std::vector<Registration> of_domain(const std::vector<Registration> &all, const std::string &domain,
                                    const std::vector<std::string> &extensions);

}  // namespace fusion_registrations
