// FreeSWITCH's event socket, as one exchange: the payload that authenticates, runs `api`
// commands or fires events and says `exit`; the parse of what the switch sent back; and what
// each answer means. The switch's answers are not uniform — `reloadxml` reports a failed reload
// with "+OK [error]", `sofia profile P rescan` puts its "-ERR" on the second line, an unknown
// profile is answered without "-ERR" at all, and `lua` answers "-ERR no reply" when a script
// ran and printed nothing — so every answer is read the way the switch means it
// (mod_commands.c, mod_sofia.c cmd_profile, mod_event_socket.c api_exec, mod_memcache.c).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace esl {

// One thing sent after `auth`: an api command ("memcache delete KEY"), or an event to fire
// ("CUSTOM\nEvent-Subclass: fusion::file\n…": the event's type, then its header lines), as
// FusionPBX's cache class fires one so other servers clear their caches too.
struct Command {
    enum Kind { api, event } kind = api;
    std::string text;
};
inline Command api(std::string text) { return {Command::api, std::move(text)}; }
inline Command event(std::string text) { return {Command::event, std::move(text)}; }
// How the command reads in logs and messages: "memcache delete KEY",
// "sendevent CUSTOM (fusion::file: delete KEY)".
std::string describe(const Command &command);

std::string payload(std::string_view password, const std::vector<Command> &commands);

struct Reply {
    bool greeted = false;        // auth/request seen
    bool auth_answered = false;  // the reply to auth seen
    bool authenticated = false;
    std::string rejection;             // text/rude-rejection: the switch's ACL refuses this host
    std::vector<std::string> answers;  // after auth, in order: api bodies and command replies (Reply-Text)
};

// Parses the frames the switch sent (auth/request, command/reply, api/response,
// text/rude-rejection, ...); throws std::runtime_error naming the frame when the text is not
// the event-socket protocol.
Reply parse(std::string_view data);

// What an answer to a command means.
struct Verdict {
    enum Kind {
        done,    // the switch did it
        absent,  // nothing to do: the cache key was not cached, the gateway was not running
        failed,  // the switch refused or could not: `reason` says why, in the switch's words
    } kind = done;
    std::string reason;
};
Verdict judge(const Command &command, std::string_view answer);

}  // namespace esl
