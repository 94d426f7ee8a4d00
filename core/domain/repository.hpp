// Reading and writing servers, products, clients and services. Secrets are sealed on the way
// in and opened on the way out; `what` strings in errors name the record ("service 12").
// Writes of one record are atomic; callers wanting several in one unit open a Transaction.
#pragma once

#include "domain/records.hpp"
#include "foundation/clock.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

namespace provisio {

class Database;
class SecretBox;

// Error(invalid_input) when `service` is billed (recurring or one time) but has no next due date.
void require_due_date(const Service &service);

// Which clients a list shows. `search` matches, ignoring case, part of the e-mail address, the
// first, last or full name, the company, or the domain or username of one of its services.
struct ClientFilter {
    std::string search;
    std::string status;   // Active, Inactive, Closed; empty: any
    int64_t after = 0;    // only ids above this (paging: the last id of the previous page)
    int64_t limit = 0;    // at most this many; 0: all
};

// Which services a list shows. `search` matches, ignoring case, part of the domain, the
// username, or the client's e-mail address, name or company.
struct ServiceFilter {
    std::optional<int64_t> client_id, product_id;
    std::string search;
    std::string status;   // Pending, Active, Suspended, Terminated, Cancelled; empty: any
    int64_t after = 0;
    int64_t limit = 0;
};

struct ListedService {
    Service service;
    std::string client_name;   // "Ada Lovelace", or the company when there is no name
    std::string product_name;
};

// `text` as a LIKE pattern matching it anywhere, its own % _ and \ taken literally (ESCAPE '\').
std::string like_pattern(std::string_view text);

class Repository {
public:
    Repository(Database &db, const SecretBox &secrets, const Clock &clock) : db_(db), secrets_(secrets), clock_(clock) {}

    int64_t add_server(const Server &server);
    void update_server(const Server &server);
    Server get_server(int64_t id);
    Server find_server(std::string_view id_or_name);   // Error(not_found) when neither matches
    std::vector<Server> list_servers();

    int64_t add_product(const Product &product);
    void update_product(const Product &product);
    Product get_product(int64_t id);
    Product find_product(std::string_view id_or_name);
    std::vector<Product> list_products();

    int64_t add_client(const Client &client);
    void update_client(const Client &client);
    Client get_client(int64_t id);
    // Clients in id order, one at a time (a list of any length in constant memory).
    void for_each_client(const ClientFilter &filter, const std::function<void(const Client &)> &each);

    // Error(invalid_input) for an invoiced cycle without a next due date (require_due_date).
    int64_t add_service(const Service &service);
    void update_service(const Service &service);   // everything but status and module state
    Service get_service(int64_t id);
    // Services in id order, one at a time, with their client's and product's names.
    void for_each_service(const ServiceFilter &filter, const std::function<void(const ListedService &)> &each);
    // Services with ids in [first, last], loaded with a handful of set queries (for automation
    // that walks many services).
    std::map<int64_t, Service> load_services(int64_t first, int64_t last);
    // `suspended_by` is "automation" when overdue automation suspends; empty otherwise.
    void set_service_status(int64_t id, std::string_view status, std::string_view suspend_reason,
                            std::string_view suspended_by = {});
    void save_module_state(int64_t id, const Settings &state);

    // Seals the module option values a schema upgrade left in the clear (migration 12 marks
    // the tables in `pending_sealing`); one transaction, a no-op once done. The context calls
    // it when it first opens the repository, `init` right after migrating.
    void seal_pending_settings();

    Database &database() { return db_; }
    const SecretBox &secrets() const { return secrets_; }
    // The same repository over another connection to the same file (a writer thread's).
    Repository on(Database &other) const { return Repository(other, secrets_, clock_); }
    std::string now_text() const;

private:
    // The id of the row of `table` named `ref`, else `ref` read as an id; Error(not_found)
    // naming `what` when it is neither.
    int64_t id_by_name_or_id(std::string_view table, std::string_view what, std::string_view ref);
    // Error(conflict) when `column` = `value` is already taken in `table` by another row.
    void ensure_unique(std::string_view table, std::string_view column, std::string_view value, int64_t except_id,
                       std::string_view what);
    Settings load_settings(std::string_view table, std::string_view owner_column, int64_t owner);
    void replace_settings(std::string_view table, std::string_view owner_column, int64_t owner, const Settings &values);
    // Module option values (server options, product settings, service overrides) are all sealed:
    // the repository cannot know which ones the module declares as PASSWORD. `what` names the
    // owner in errors ("product 3").
    Settings load_sealed_settings(std::string_view table, std::string_view owner_column, int64_t owner, std::string_view what);
    void replace_sealed_settings(std::string_view table, std::string_view owner_column, int64_t owner, const Settings &values);

    Database &db_;
    const SecretBox &secrets_;
    const Clock &clock_;
};

// Parses an id given on the command line ("12"); Error(invalid_input) naming `what` otherwise.
int64_t parse_id(std::string_view text, std::string_view what);

}  // namespace provisio
