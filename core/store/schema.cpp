#include "store/schema.hpp"

namespace provisio {

// SQL stays in the subset PostgreSQL also speaks (see ARCHITECTURE.md): no AUTOINCREMENT
// quirks relied on, timestamps as ISO-8601 UTC text, money as integer micro-units.
const std::vector<std::string> &schema_migrations() {
    static const std::vector<std::string> migrations = {
        // 1: servers, products, clients, services, module call log, module queue.
        R"SQL(
CREATE TABLE servers (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    module          TEXT NOT NULL,
    hostname        TEXT NOT NULL DEFAULT '',
    ip              TEXT NOT NULL DEFAULT '',
    port            INTEGER,
    username        TEXT NOT NULL DEFAULT '',
    password        TEXT NOT NULL DEFAULT '',      -- sealed (secrets/secret_box)
    access_hash     TEXT NOT NULL DEFAULT '',      -- sealed
    secure          INTEGER NOT NULL DEFAULT 1,    -- use TLS
    tls_verify      INTEGER NOT NULL DEFAULT 1,    -- verify the server's certificate
    max_concurrent  INTEGER NOT NULL DEFAULT 4,    -- module calls in flight against this server
    created_at      TEXT NOT NULL
);
CREATE TABLE server_options (
    server_id   INTEGER NOT NULL REFERENCES servers(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,                     -- sealed when the option is a PASSWORD
    PRIMARY KEY (server_id, key)
);
CREATE TABLE products (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    type            TEXT NOT NULL DEFAULT 'other',
    module          TEXT NOT NULL DEFAULT '',
    price_micros    INTEGER NOT NULL DEFAULT 0,
    billing_cycle   TEXT NOT NULL DEFAULT 'monthly',
    created_at      TEXT NOT NULL
);
CREATE TABLE product_settings (
    product_id  INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (product_id, key)
);
CREATE TABLE clients (
    id          INTEGER PRIMARY KEY,
    first_name  TEXT NOT NULL,
    last_name   TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL UNIQUE,
    status      TEXT NOT NULL DEFAULT 'Active',
    currency    TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE services (
    id                  INTEGER PRIMARY KEY,
    client_id           INTEGER NOT NULL REFERENCES clients(id),
    product_id          INTEGER NOT NULL REFERENCES products(id),
    server_id           INTEGER REFERENCES servers(id),
    status              TEXT NOT NULL DEFAULT 'Pending',
    domain              TEXT NOT NULL DEFAULT '',
    username            TEXT NOT NULL DEFAULT '',
    password            TEXT NOT NULL DEFAULT '',  -- sealed
    dedicated_ip        TEXT NOT NULL DEFAULT '',
    next_due_date       TEXT,                      -- YYYY-MM-DD
    recurring_micros    INTEGER NOT NULL DEFAULT 0,
    billing_cycle       TEXT NOT NULL DEFAULT 'monthly',
    suspend_reason      TEXT NOT NULL DEFAULT '',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX services_client ON services(client_id);
CREATE TABLE service_settings (                    -- the service's overrides of product settings
    service_id  INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (service_id, key)
);
CREATE TABLE service_custom_fields (
    service_id  INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (service_id, key)
);
CREATE TABLE service_module_state (
    service_id  INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (service_id, key)
);
CREATE TABLE module_calls (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    module      TEXT NOT NULL,
    service_id  INTEGER,                           -- kept when the service is deleted
    server_id   INTEGER,
    action      TEXT NOT NULL,
    request     TEXT NOT NULL DEFAULT '',
    response    TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,                     -- ok, error, retryable, detail
    message     TEXT NOT NULL DEFAULT '',
    duration_us INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX module_calls_service ON module_calls(service_id, id);
CREATE TABLE module_queue (
    id              INTEGER PRIMARY KEY,
    service_id      INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    action          TEXT NOT NULL,
    reason          TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 1,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    last_attempt_at TEXT NOT NULL,
    resolved_at     TEXT,                          -- NULL while the item waits for a retry
    outcome         TEXT                           -- done, failed, obsolete once resolved
);
CREATE UNIQUE INDEX module_queue_open ON module_queue(service_id, action) WHERE resolved_at IS NULL;
)SQL",
    };
    return migrations;
}

}  // namespace provisio
