#include "esl_sim.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <sstream>
#include <stdexcept>

namespace provisio::sims {

namespace {

void send_all(int fd, const std::string &text) {
    for (size_t sent = 0; sent < text.size();) {
        const ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;
        sent += static_cast<size_t>(n);
    }
}

std::string reply(const std::string &text) { return "Content-Type: command/reply\nReply-Text: " + text + "\n\n"; }
std::string api_response(const std::string &body) {
    return "Content-Type: api/response\nContent-Length: " + std::to_string(body.size()) + "\n\n" + body;
}
const std::string goodbye_text = "Disconnected, goodbye.\nSee you at ClueCon! http://www.cluecon.com/\n";
const std::string goodbye = "Content-Type: text/disconnect-notice\nContent-Length: " + std::to_string(goodbye_text.size()) + "\n\n" + goodbye_text;

// Reads what the client sends up to its "exit", so closing is an orderly end and not a reset.
void drain(int fd) {
    std::string seen;
    char chunk[4096];
    for (int i = 0; i < 20 && seen.find("exit\n\n") == std::string::npos; ++i) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        seen.append(chunk, static_cast<size_t>(n));
    }
}

}  // namespace

EslSim::EslSim(std::string password, unsigned short port) : password_(std::move(password)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 || ::listen(listen_fd_, 64) != 0)
        throw std::runtime_error("event-socket simulator: cannot listen on 127.0.0.1:" + std::to_string(port));
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr *>(&a), &len);
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
}

EslSim::~EslSim() {
    stopping_ = true;
    acceptor_.join();
    ::close(listen_fd_);
    std::vector<std::thread> workers;
    {
        std::lock_guard lock(mutex_);
        workers.swap(workers_);
    }
    for (auto &t : workers) t.join();
}

void EslSim::inject(Fault fault) {
    std::lock_guard lock(mutex_);
    reload_fails_ = fault.kind == "reload_error";  // a state of the switch, until the fault is cleared
    fault_ = std::move(fault);
}

std::optional<Fault> EslSim::take_fault() {
    std::lock_guard lock(mutex_);
    if (fault_.kind.empty() || fault_.count == 0) return std::nullopt;
    if (fault_.count > 0) --fault_.count;
    return fault_;
}

std::vector<std::string> EslSim::commands() const {
    std::lock_guard lock(mutex_);
    return commands_;
}

void EslSim::clear_commands() {
    std::lock_guard lock(mutex_);
    commands_.clear();
}

void EslSim::set_gateway_source(std::function<std::vector<Gateway>()> source) {
    std::lock_guard lock(mutex_);
    gateway_source_ = std::move(source);
}

void EslSim::set_cache_method(CacheMethod method) {
    std::lock_guard lock(mutex_);
    cache_method_ = method;
}

void EslSim::start() {
    for (const auto &profile : profiles_) rescan(profile);
}

std::set<std::string> EslSim::running_gateways() const {
    std::lock_guard lock(mutex_);
    std::set<std::string> out;
    for (const auto &[name, profile] : running_) out.insert(name);
    return out;
}

void EslSim::cache_put(const std::string &key, const std::string &value) {
    std::lock_guard lock(mutex_);
    cache_set(key, value);
}

bool EslSim::cached(const std::string &key) const {
    std::lock_guard lock(mutex_);
    return cache_get(key).has_value();
}

// resources/functions/cache.lua: memcache keeps the key as it is; the file method keeps
// cache.location/KEY with ':' as '.'.
std::optional<std::string> EslSim::cache_get(const std::string &key) const {
    if (cache_method_ == CacheMethod::memcache) {
        const auto it = memcache_.find(key);
        return it == memcache_.end() ? std::nullopt : std::optional(it->second);
    }
    std::string file = key;
    std::replace(file.begin(), file.end(), ':', '.');
    const auto it = cache_files_.find(file);
    return it == cache_files_.end() ? std::nullopt : std::optional(it->second);
}

void EslSim::cache_set(const std::string &key, const std::string &value) {
    if (cache_method_ == CacheMethod::memcache) {
        memcache_[key] = value;
        return;
    }
    std::string file = key;
    std::replace(file.begin(), file.end(), ':', '.');
    cache_files_[file] = value;
}

// configuration/sofia.conf.lua: the cached XML while there is one, else built from the database
// and cached. The cached text here is "name@profile" lines.
std::vector<EslSim::Gateway> EslSim::sofia_conf() {
    const std::string key = std::string(hostname) + ":configuration:sofia.conf";
    std::vector<Gateway> out;
    if (const auto text = cache_get(key)) {
        std::istringstream lines(*text);
        for (std::string line; std::getline(lines, line);)
            if (const size_t at = line.find('@'); at != std::string::npos) out.push_back({line.substr(0, at), line.substr(at + 1)});
        return out;
    }
    if (gateway_source_) out = gateway_source_();
    std::string text;
    for (const auto &g : out) text += g.name + "@" + g.profile + "\n";
    cache_set(key, text);
    return out;
}

// mod_sofia.c cmd_profile "rescan": reloads the XML, then configures the gateways of the profile
// that are not running yet; gateways no longer configured keep running (only killgw stops one).
std::string EslSim::rescan(const std::string &profile) {
    std::lock_guard lock(mutex_);
    if (!profiles_.count(profile)) return "Invalid Profile [" + profile + "]";
    // switch_xml.c's error text when the XML root cannot be read; config_sofia then finds no profile.
    if (reload_fails_) return "Reload XML [Cannot Open log directory or XML Root!]\n-ERR cannot find config for profile " + profile + "\n";
    for (const auto &g : sofia_conf())
        if (g.profile == profile) running_.emplace(g.name, g.profile);
    return "Reload XML [Success]\n+OK scan complete\n";
}

void EslSim::accept_loop() {
    while (!stopping_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        std::lock_guard lock(mutex_);
        workers_.emplace_back([this, fd] {
            serve(fd);
            ::close(fd);
        });
    }
}

void EslSim::add_registration(Registration r) {
    std::lock_guard lock(mutex_);
    registrations_.push_back(std::move(r));
}

namespace {
std::string xml_text(const std::string &text) {
    std::string out;
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}
}  // namespace

// mod_sofia.c's "xmlstatus profile P reg": the XML header, then <profile><registrations> with a
// <registration> per phone, its elements in mod_sofia's order and indentation.
std::string EslSim::registrations_xml(const std::string &profile) const {
    std::string out = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<profile>\n  <registrations>\n";
    for (const auto &r : registrations_) {
        if (r.profile != profile) continue;
        const std::string host = r.user.substr(r.user.find('@') + 1);
        out += "    <registration>\n";
        out += "        <call-id>" + xml_text(r.user + "-" + r.network_ip) + "</call-id>\n";
        out += "        <user>" + xml_text(r.user) + "</user>\n";
        out += "        <contact>" + xml_text("\"\" <sip:" + r.user.substr(0, r.user.find('@')) + "@" + r.network_ip + ":" + r.network_port + ">") +
               "</contact>\n";
        out += "        <agent>" + xml_text(r.agent) + "</agent>\n";
        out += "        <status>" + xml_text(r.status) + "</status>\n";
        out += "        <ping-status>Reachable</ping-status>\n        <ping-time>0.00</ping-time>\n";
        out += "        <host>" + std::string(hostname) + "</host>\n";
        out += "        <network-ip>" + xml_text(r.network_ip) + "</network-ip>\n";
        out += "        <network-port>" + xml_text(r.network_port) + "</network-port>\n";
        out += "        <sip-auth-user>" + xml_text(r.user.substr(0, r.user.find('@'))) + "</sip-auth-user>\n";
        out += "        <sip-auth-realm>" + xml_text(r.realm) + "</sip-auth-realm>\n";
        out += "        <mwi-account>" + xml_text(r.user.substr(0, r.user.find('@')) + "@" + host) + "</mwi-account>\n";
        out += "    </registration>\n";
    }
    out += "  </registrations>\n</profile>\n";
    return out;
}

// The output of one api command, as the module providing it writes it.
std::string EslSim::answer(const std::string &command) {
    auto starts = [&](const char *p) { return command.rfind(p, 0) == 0; };
    if (starts("sim_fault ")) {
        char kind[32] = {};
        int count = 1, ms = 0;
        std::sscanf(command.c_str() + 10, "%31s %d %d", kind, &count, &ms);
        inject({kind, count, ms});
        return "+OK\n";
    }
    if (starts("sofia xmlstatus profile ")) {
        std::istringstream words(command.substr(24));
        std::string profile, what;
        words >> profile >> what;
        // FusionPBX quotes the name ('internal'); the switch's argument splitter drops the quotes.
        if (profile.size() >= 2 && profile.front() == '\'' && profile.back() == '\'') profile = profile.substr(1, profile.size() - 2);
        std::lock_guard lock(mutex_);
        if (!profiles_.count(profile)) return "Invalid Profile!\n";
        if (what != "reg") return "";  // other xmlstatus views are not simulated
        return registrations_xml(profile);
    }
    if (starts("sofia profile ")) {
        std::istringstream words(command.substr(14));
        std::string profile, verb, gateway;
        words >> profile >> verb >> gateway;
        if (verb.empty()) return "Invalid Args!\n";
        if (verb == "rescan") return rescan(profile);
        std::lock_guard lock(mutex_);
        if (!profiles_.count(profile)) return "Invalid Profile [" + profile + "]";
        if (verb == "killgw") {
            if (gateway.empty()) return "-ERR missing gw name\n";
            // sofia_reg_find_gateway looks the name up across every profile.
            if (running_.erase(gateway) == 0) return "-ERR no such gateway.\n";
            return "+OK gateway marked for deletion.\n";
        }
        return "";  // cmd_profile's other verbs are not simulated; an empty output reads "-ERR no reply"
    }
    if (starts("memcache delete ")) {
        std::lock_guard lock(mutex_);
        if (cache_method_ != CacheMethod::memcache) return "-ERR memcache Command not found!\n";  // mod_memcache not loaded
        return memcache_.erase(command.substr(16)) ? "+OK\n" : "-ERR NOT FOUND\n";  // memcached_strerror
    }
    if (starts("lua ")) {
        // mod_lua: the script's own output; app/servers/resources/clear_cache.lua writes none.
        std::istringstream words(command.substr(4));
        std::string script, verb, file;
        words >> script >> verb >> file;
        if (script != "app/servers/resources/clear_cache.lua") return "-ERR Cannot execute script\n";
        std::lock_guard lock(mutex_);
        if (verb == "delete") {
            cache_files_.erase(file);
            cache_files_.erase(file + ".tmp");
        } else if (verb == "flush") {
            cache_files_.clear();
        }
        return "";
    }
    if (command == "reloadxml") {
        std::lock_guard lock(mutex_);
        return reload_fails_ ? "+OK [Cannot Open log directory or XML Root!]\n" : "+OK [Success]\n";  // mod_commands.c reload_xml_function
    }
    if (command == "hostname") return hostname;  // mod_commands.c: no newline
    if (command == "status") return "UP 0 years, 0 days, 1 hour, 2 minutes\nFreeSWITCH (simulated) is ready\n";
    return "-ERR " + command.substr(0, command.find(' ')) + " Command not found!\n";
}

void EslSim::serve(int fd) {
    const std::optional<Fault> fault = take_fault();
    if (fault && fault->kind == "reset") return;
    if (fault && fault->kind == "timeout") {
        std::this_thread::sleep_for(std::chrono::milliseconds(fault->ms ? fault->ms : 3000));
        return;
    }
    if (fault && fault->kind == "latency") std::this_thread::sleep_for(std::chrono::milliseconds(fault->ms));
    if (fault && fault->kind == "acl") {  // mod_event_socket.c: the inbound ACL refuses the peer before anything else
        // The real switch closes at once, so a client that sent its commands already is often
        // reset; this one reads them first so a test sees the rejection every time.
        drain(fd);
        const std::string message = "Access Denied, go away.\n";
        send_all(fd, "Content-Type: text/rude-rejection\nContent-Length: " + std::to_string(message.size()) + "\n\n" + message);
        return;
    }

    if (fault && fault->kind == "malformed") {
        drain(fd);
        send_all(fd, "this is not the event socket\r\n\r\n");
        return;
    }
    send_all(fd, "Content-Type: auth/request\n\n");
    std::string buffer;
    bool authed = false;
    char chunk[4096];
    while (!stopping_) {
        size_t end;
        while ((end = buffer.find("\n\n")) == std::string::npos) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) {
                if (stopping_) return;
                continue;
            }
            const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0) return;
            buffer.append(chunk, static_cast<size_t>(n));
        }
        std::string command = buffer.substr(0, end);
        buffer.erase(0, end + 2);
        if (!command.empty() && command.back() == '\r') command.pop_back();
        if (!authed) {
            if (command.rfind("auth ", 0) != 0 || command.substr(5) != password_ || (fault && fault->kind == "wrong_credentials")) {
                send_all(fd, reply("-ERR invalid") + goodbye);
                return;
            }
            authed = true;
            send_all(fd, reply("+OK accepted"));
            continue;
        }
        if (command == "exit") {
            send_all(fd, reply("+OK bye") + goodbye);
            return;
        }
        if (command.rfind("sendevent ", 0) == 0) {
            std::string recorded = command;
            for (size_t at; (at = recorded.find('\n')) != std::string::npos;) recorded.replace(at, 1, " | ");
            {
                std::lock_guard lock(mutex_);
                commands_.push_back(recorded);
            }
            static thread_local std::mt19937_64 random{std::random_device{}()};
            char uuid[40];
            std::snprintf(uuid, sizeof uuid, "%08llx-0000-4000-8000-%012llx", static_cast<unsigned long long>(random() & 0xffffffff),
                          static_cast<unsigned long long>(random() & 0xffffffffffffULL));
            send_all(fd, reply(std::string("+OK ") + uuid));
            continue;
        }
        if (command.rfind("api ", 0) != 0) {
            send_all(fd, reply("-ERR command not found"));
            continue;
        }
        {
            std::lock_guard lock(mutex_);
            commands_.push_back(command);
        }
        std::string output = answer(command.substr(4));
        if (output.empty()) output = "-ERR no reply\n";  // mod_event_socket.c api_exec
        send_all(fd, api_response(output));
    }
}

}  // namespace provisio::sims
