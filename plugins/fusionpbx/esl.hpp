// FreeSWITCH's event socket, as one exchange: the payload that authenticates, runs `api`
// commands and says `exit`, and the parse of what the switch sent back.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace esl {

std::string payload(std::string_view password, const std::vector<std::string> &commands);

struct Reply {
    bool greeted = false;        // auth/request seen
    bool auth_answered = false;  // the reply to auth seen
    bool authenticated = false;
    std::vector<std::string> api_bodies;  // one per api command answered, in order
};

// Parses the frames the switch sent (auth/request, command/reply, api/response, ...); throws
// std::runtime_error naming the frame when the text is not the event-socket protocol.
Reply parse(std::string_view data);

// An api body reporting failure ("-ERR ...").
inline bool failed(std::string_view body) { return body.rfind("-ERR", 0) == 0; }

}  // namespace esl
