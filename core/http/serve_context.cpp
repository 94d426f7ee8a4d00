#include "http/serve_context.hpp"

namespace provisio {

ServeLease::ServeLease(ServeContext &c, std::unique_ptr<PooledConnection> conn) : context(c), connection(std::move(conn)) {}

ServeLease::~ServeLease() {
    if (!connection) return;
    // A connection left inside a transaction (a handler that threw mid-way rolled it back
    // already, through Transaction) is not reused.
    if (connection->db.in_transaction()) return;
    std::lock_guard lock(context.mutex_);
    context.idle_.push_back(std::move(connection));
}

ServeContext::ServeContext(const Config &config, const SecretBox &secrets, const Clock &clock, const ModuleHost &modules)
    : config_(config), secrets_(secrets), clock_(clock), modules_(modules) {}

Date ServeContext::today() const { return BusinessZone(config_.timezone).date_at(clock_.now()); }

ServeLease ServeContext::lease() {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto connection = std::move(idle_.back());
            idle_.pop_back();
            return ServeLease(*this, std::move(connection));
        }
    }
    return ServeLease(*this, std::make_unique<PooledConnection>(Database::open(config_.database, false), secrets_, clock_));
}

}  // namespace provisio
