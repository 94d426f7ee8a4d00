// A FreeSWITCH event-socket simulator (inbound mode, text protocol) on 127.0.0.1, answering as
// FreeSWITCH and FusionPBX's scripts do — every answer is taken from their source:
//   server: Content-Type: auth/request      (or, when the ACL refuses: text/rude-rejection, then close)
//   client: auth PASSWORD       → command/reply "+OK accepted" | "-ERR invalid" then close
//   client: api COMMAND         → api/response with the command's output (mod_event_socket.c api_exec:
//                                 empty output becomes "-ERR no reply")
//   client: sendevent TYPE      → command/reply "+OK <uuid>" (headers follow the first line)
//   client: exit                → command/reply "+OK bye", a disconnect notice, close
// The switch's state is modelled where the answers depend on it: SIP profiles and the gateways
// running on them (mod_sofia.c cmd_profile: killgw answers "+OK gateway marked for deletion." or
// "-ERR no such gateway.", an unknown profile "Invalid Profile [P]", rescan "Reload XML
// [Success]\n+OK scan complete\n" and starts the gateways of the configuration it reads), and
// the phones registered on each profile (`sofia xmlstatus profile P reg`: mod_sofia.c's XML, or
// "Invalid Profile!" for one it does not run), FusionPBX's cache, in mod_memcache ("memcache delete" answers "-ERR NOT FOUND" for a key not
// cached) or in files removed by FusionPBX's app/servers/resources/clear_cache.lua. A rescan
// reads sofia.conf the way FusionPBX's Lua handler does (configuration/sofia.conf.lua): from the
// cache while the entry HOSTNAME:configuration:sofia.conf is there, else from the configuration
// source (the database) and then caches it — so a change made without clearing that entry does
// not reach the switch, as on a real one.
// Faults as in sim_server.hpp: latency, timeout (says nothing), reset (closes at once), malformed
// (a frame that is not the protocol), wrong_credentials (refuses any password), acl (rude
// rejection), reload_error (the XML reload fails); also in-band: "api sim_fault KIND COUNT [MS]".
#pragma once

#include "sim_server.hpp"

#include <functional>
#include <map>
#include <set>

namespace provisio::sims {

class EslSim {
public:
    // A gateway in the configuration the switch reads: its name (FusionPBX: the gateway_uuid) and profile.
    struct Gateway {
        std::string name, profile;
    };
    enum class CacheMethod { file, memcache };

    explicit EslSim(std::string password, unsigned short port = 0);
    ~EslSim();
    EslSim(const EslSim &) = delete;
    EslSim &operator=(const EslSim &) = delete;

    unsigned short port() const { return port_; }
    void inject(Fault fault);
    // "api …" and "sendevent …" lines after a successful auth (a sendevent's header lines joined by " | ").
    std::vector<std::string> commands() const;
    void clear_commands();

    // Where the Lua handlers read enabled gateways from (the FusionPBX database); none by default.
    void set_gateway_source(std::function<std::vector<Gateway>()> source);
    void set_cache_method(CacheMethod method);
    // Starts every profile's gateways from the configuration, as the switch does when it starts.
    void start();
    std::set<std::string> running_gateways() const;
    // A cache entry the Lua handlers would have made (a phone registering caches its directory entry).
    void cache_put(const std::string &key, const std::string &value = "cached");
    bool cached(const std::string &key) const;
    // A phone registered on a profile, as `sofia xmlstatus profile P reg` lists it (mod_sofia.c).
    struct Registration {
        std::string profile, user, realm, agent, status, network_ip, network_port;
    };
    void add_registration(Registration r);
    static constexpr const char *hostname = "pbx1.example.net";

private:
    void accept_loop();
    void serve(int fd);
    std::string answer(const std::string &command);
    std::string rescan(const std::string &profile);
    std::string registrations_xml(const std::string &profile) const;  // callers hold mutex_
    std::vector<Gateway> sofia_conf();  // callers hold mutex_
    std::optional<std::string> cache_get(const std::string &key) const;  // callers hold mutex_
    void cache_set(const std::string &key, const std::string &value);    // callers hold mutex_
    std::optional<Fault> take_fault();
    std::string password_;
    int listen_fd_ = -1;
    unsigned short port_ = 0;
    std::atomic<bool> stopping_{false};
    std::thread acceptor_;
    mutable std::mutex mutex_;
    std::vector<std::string> commands_;
    Fault fault_;
    std::vector<std::thread> workers_;
    std::function<std::vector<Gateway>()> gateway_source_;
    CacheMethod cache_method_ = CacheMethod::file;
    std::set<std::string> profiles_{"internal", "external"};
    std::map<std::string, std::string> running_;      // gateway name → profile
    std::map<std::string, std::string> memcache_;     // key → value
    std::map<std::string, std::string> cache_files_;  // file name under cache.location → value
    bool reload_fails_ = false;
    std::vector<Registration> registrations_;
};

}  // namespace provisio::sims
