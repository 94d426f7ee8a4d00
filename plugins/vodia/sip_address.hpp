// Vodia's CDRs name the parties as SIP addresses: "Ann Lee" <sip:8300@cffm.example.ca>,
// <sip:+15145550100@trunk;user=phone>, sip:8300@host, or a bare number.
#pragma once

#include <string>
#include <string_view>

namespace vodia {

struct SipParty {
    std::string display;  // the quoted or bare name before '<'; may be empty
    std::string number;   // the user part, without a leading '+'; may be empty
};

SipParty parse_sip_party(std::string_view text);

// Case-insensitive "contains", for the inbound search string.
bool contains_ignoring_case(std::string_view haystack, std::string_view needle);

}  // namespace vodia
