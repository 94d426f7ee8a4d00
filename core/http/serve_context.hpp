// What the request handlers of `provisio serve` share — the configuration, the secrets, the
// clock, the module host — and a pool of database connections, one leased to each request
// while it runs (SQLite connections are not to be shared between threads).
#pragma once

#include "config/config.hpp"
#include "domain/repository.hpp"
#include "foundation/calendar.hpp"
#include "foundation/clock.hpp"
#include "modulehost/module_host.hpp"
#include "secrets/secret_box.hpp"
#include "store/database.hpp"

#include <memory>
#include <mutex>
#include <vector>

namespace provisio {

struct PooledConnection {
    PooledConnection(Database database, const SecretBox &secrets, const Clock &clock)
        : db(std::move(database)), repo(db, secrets, clock) {}
    Database db;
    Repository repo;  // on db
};

class ServeContext;

// A connection for one request; back to the pool when it ends.
struct ServeLease {
    ServeLease(ServeContext &context, std::unique_ptr<PooledConnection> connection);
    ~ServeLease();
    ServeLease(const ServeLease &) = delete;
    ServeLease &operator=(const ServeLease &) = delete;
    Database &db() { return connection->db; }
    Repository &repo() { return connection->repo; }

    ServeContext &context;
    std::unique_ptr<PooledConnection> connection;
};

class ServeContext {
public:
    ServeContext(const Config &config, const SecretBox &secrets, const Clock &clock, const ModuleHost &modules);
    const Config &config() const { return config_; }
    const Clock &clock() const { return clock_; }
    const ModuleHost &modules() const { return modules_; }
    Date today() const;  // in the business time zone
    ServeLease lease();

private:
    friend struct ServeLease;
    const Config &config_;
    const SecretBox &secrets_;
    const Clock &clock_;
    const ModuleHost &modules_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<PooledConnection>> idle_;
};

}  // namespace provisio
