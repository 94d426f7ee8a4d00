// API credentials for `provisio serve`: a key has a name, a role and optionally the addresses it
// may be used from. The secret ("pv_<id>_<43 characters>") is shown once, when the key is made;
// only a hash of it is stored, so a copy of the database lets no one in. Roles grant permissions
// by a fixed table (docs/api.md says it):
//
//   permission          read-only  billing  provisioning  admin
//   read                    x         x          x          x     every GET of business data
//   clients_write                     x          x          x     clients, contacts, notes
//   billing_write                     x                     x     invoices, payments, credit
//   provisioning_write                           x          x     orders, services, the queue
//   admin                                                   x     API keys, cron, the audit log
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace provisio {

class Database;

enum class Permission { read, clients_write, billing_write, provisioning_write, admin };
const char *permission_name(Permission p);
bool role_grants(std::string_view role, Permission p);
const std::vector<std::string> &api_roles();  // read-only, billing, provisioning, admin

struct ApiKey {
    int64_t id = 0;
    std::string name, role;
    std::vector<std::string> allow_ips;  // CIDRs ("10.0.0.0/8", "2001:db8::/32", "192.0.2.7"); empty: any
    std::string created_at;
    std::optional<std::string> last_used_at, revoked_at;
};

// Who a request comes from, once its key checked out.
struct ApiCaller {
    int64_t key_id;
    std::string name, role;
};

class ApiKeys {
public:
    explicit ApiKeys(Database &db) : db_(db) {}

    // Makes a key; returns it with its secret, which is not kept. Error(invalid_input) for an
    // unknown role, an empty name or a malformed CIDR.
    std::pair<ApiKey, std::string> add(const std::string &name, const std::string &role, const std::vector<std::string> &allow_ips,
                                       const std::string &now);
    std::vector<ApiKey> list();
    // Error(not_found) for an unknown id; revoking twice is refused.
    ApiKey revoke(int64_t id, const std::string &now);

    // The caller a bearer secret belongs to, when it is a live key used from an address it
    // allows; nullopt otherwise (which of these it was is not said: that would help a guesser).
    std::optional<ApiCaller> authenticate(std::string_view secret, std::string_view remote_address, const std::string &now);

private:
    Database &db_;
};

// True when `address` (IPv4 or IPv6 text) lies in `cidr`; false for anything malformed.
bool address_in(std::string_view address, std::string_view cidr);

}  // namespace provisio
