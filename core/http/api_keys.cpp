#include "http/api_keys.hpp"

#include "foundation/error.hpp"
#include "foundation/text.hpp"
#include "secrets/sodium_init.hpp"
#include "store/database.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace provisio {

namespace {

constexpr std::string_view key_prefix = "pv_";

// An address as 16 bytes (IPv4 mapped into IPv6) and how many of its bits are the address's own.
struct Parsed {
    std::array<unsigned char, 16> bytes{};
    int bits = 0;
};

std::optional<Parsed> parse_address(std::string_view text) {
    const std::string s(text);
    Parsed p;
    in_addr v4;
    if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
        p.bytes[10] = p.bytes[11] = 0xff;
        std::memcpy(p.bytes.data() + 12, &v4, 4);
        p.bits = 32;
        return p;
    }
    in6_addr v6;
    if (::inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
        std::memcpy(p.bytes.data(), &v6, 16);
        p.bits = 128;
        return p;
    }
    return std::nullopt;
}

// "10.0.0.0/8" → the network and its prefix length in IPv6 bits; nullopt when malformed.
std::optional<std::pair<Parsed, int>> parse_cidr(std::string_view cidr) {
    const size_t slash = cidr.find('/');
    const auto net = parse_address(cidr.substr(0, slash));
    if (!net) return std::nullopt;
    int prefix = net->bits;
    if (slash != std::string_view::npos) {
        const std::string_view digits = cidr.substr(slash + 1);
        if (digits.empty() || digits.size() > 3 || digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
        prefix = std::stoi(std::string(digits));
        if (prefix > net->bits) return std::nullopt;
    }
    return std::pair{*net, prefix + (128 - net->bits)};
}


ApiKey read_key(Statement &q) {
    ApiKey k;
    k.id = q.int64(0);
    k.name = q.text(1);
    k.role = q.text(2);
    k.allow_ips = split_list(q.text(3));
    k.created_at = q.text(4);
    k.last_used_at = q.opt_text(5);
    k.revoked_at = q.opt_text(6);
    return k;
}

constexpr const char *key_columns = "id, name, role, allow_ips, created_at, last_used_at, revoked_at";

}  // namespace

const char *permission_name(Permission p) {
    switch (p) {
    case Permission::read: return "read";
    case Permission::clients_write: return "clients_write";
    case Permission::billing_write: return "billing_write";
    case Permission::provisioning_write: return "provisioning_write";
    case Permission::admin: return "admin";
    }
    return "?";
}

bool role_grants(std::string_view role, Permission p) {
    if (role == "admin") return true;
    switch (p) {
    case Permission::read: return role == "read-only" || role == "billing" || role == "provisioning";
    case Permission::clients_write: return role == "billing" || role == "provisioning";
    case Permission::billing_write: return role == "billing";
    case Permission::provisioning_write: return role == "provisioning";
    case Permission::admin: return false;
    }
    return false;
}

const std::vector<std::string> &api_roles() {
    static const std::vector<std::string> roles{"read-only", "billing", "provisioning", "admin"};
    return roles;
}

bool address_in(std::string_view address, std::string_view cidr) {
    auto a = parse_address(address);
    const auto net = parse_cidr(cidr);
    if (!a || !net) return false;
    const auto &[n, bits] = *net;
    for (int i = 0; i < bits; ++i) {
        const int byte = i / 8, mask = 0x80 >> (i % 8);
        if ((a->bytes[byte] & mask) != (n.bytes[byte] & mask)) return false;
    }
    return true;
}

std::pair<ApiKey, std::string> ApiKeys::add(const std::string &name, const std::string &role, const std::vector<std::string> &allow_ips,
                                            const std::string &now) {
    ensure_sodium();
    if (name.empty()) fail(ErrorKind::invalid_input, "an API key needs a name (--name), to tell it from the others in the audit log");
    const auto &roles = api_roles();
    if (std::find(roles.begin(), roles.end(), role) == roles.end())
        fail(ErrorKind::invalid_input, "unknown role '" + role + "': use read-only, billing, provisioning or admin");
    for (const auto &cidr : allow_ips)
        if (!parse_cidr(cidr))
            fail(ErrorKind::invalid_input, "--allow-ip '" + cidr + "' is not an address or network (e.g. 192.0.2.7, 10.0.0.0/8, 2001:db8::/32)");
    const std::string allowed = join(allow_ips, ",");
    const std::string random = random_token();
    Transaction tx(db_);
    // The id is part of the secret, so the row is made first and its hash filled in after.
    db_.prepare("INSERT INTO api_keys (name, role, secret_hash, allow_ips, created_at) VALUES (?1, ?2, '', ?3, ?4)")
        .bind(1, name).bind(2, role).bind(3, allowed).bind(4, now).run();
    const int64_t id = db_.last_insert_id();
    const std::string secret = std::string(key_prefix) + std::to_string(id) + "_" + random;
    db_.prepare("UPDATE api_keys SET secret_hash = ?2 WHERE id = ?1").bind(1, id).bind(2, secret_hash(secret)).run();
    tx.commit();
    ApiKey key{id, name, role, allow_ips, now, std::nullopt, std::nullopt};
    return {key, secret};
}

std::vector<ApiKey> ApiKeys::list() {
    std::vector<ApiKey> keys;
    auto q = db_.prepare(std::string("SELECT ") + key_columns + " FROM api_keys ORDER BY id");
    while (q.step()) keys.push_back(read_key(q));
    return keys;
}

ApiKey ApiKeys::revoke(int64_t id, const std::string &now) {
    auto q = db_.prepare(std::string("SELECT ") + key_columns + " FROM api_keys WHERE id = ?1");
    q.bind(1, id);
    if (!q.step()) fail(ErrorKind::not_found, "no API key " + std::to_string(id) + " (see: provisio api-key list)");
    ApiKey key = read_key(q);
    if (key.revoked_at) fail(ErrorKind::refused, "API key " + std::to_string(id) + " was revoked at " + *key.revoked_at);
    db_.prepare("UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1").bind(1, id).bind(2, now).run();
    key.revoked_at = now;
    return key;
}

std::optional<ApiCaller> ApiKeys::authenticate(std::string_view secret, std::string_view remote_address, const std::string &now) {
    ensure_sodium();
    if (secret.substr(0, key_prefix.size()) != key_prefix) return std::nullopt;
    const std::string_view rest = secret.substr(key_prefix.size());
    const size_t underscore = rest.find('_');
    if (underscore == 0 || underscore == std::string_view::npos || underscore > 18 ||
        rest.substr(0, underscore).find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    const int64_t id = std::stoll(std::string(rest.substr(0, underscore)));
    auto q = db_.prepare("SELECT name, role, secret_hash, allow_ips, revoked_at, last_used_at FROM api_keys WHERE id = ?1");
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    const std::string stored = q.text(2), given = secret_hash(secret);
    if (stored.size() != given.size() || sodium_memcmp(stored.data(), given.data(), given.size()) != 0) return std::nullopt;
    if (!q.is_null(4)) return std::nullopt;
    const std::vector<std::string> allowed = split_list(q.text(3));
    if (!allowed.empty() &&
        std::none_of(allowed.begin(), allowed.end(), [&](const std::string &cidr) { return address_in(remote_address, cidr); }))
        return std::nullopt;
    ApiCaller caller{id, q.text(0), q.text(1)};
    // When it was last used, to the minute, and only when nothing else is writing: a write per
    // request would make every reader a writer, waiting for an import's transactions.
    const std::optional<std::string> last = q.opt_text(5);
    q.reset();
    if (!last || last->substr(0, 16) != now.substr(0, 16)) {
        auto used = db_.prepare("UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1");
        used.bind(1, id).bind(2, now);
        db_.write_unless_busy(used);
    }
    return caller;
}

}  // namespace provisio
