#include "store/schema.hpp"

#include "store/id_sequences.hpp"

namespace provisio {

// SQL stays in the subset PostgreSQL also speaks (see ARCHITECTURE.md) where it can: timestamps
// as ISO-8601 UTC text, money as integer micro-units. Tables keyed by id use AUTOINCREMENT
// (from migration 13, store/id_sequences.hpp): an id is never handed out twice — PostgreSQL's
// identity columns behave so already.
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
        // 2: billing — credit ledger, invoices, transactions, addons, module events, mail,
        //    cancellation requests, pending changes, cron bookkeeping.
        R"SQL(
ALTER TABLE clients ADD COLUMN credit_micros INTEGER NOT NULL DEFAULT 0;      -- = SUM(credit_ledger), kept in step
ALTER TABLE clients ADD COLUMN separate_invoices INTEGER NOT NULL DEFAULT 0;  -- one invoice per item
ALTER TABLE clients ADD COLUMN no_late_fees INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN no_overdue_emails INTEGER NOT NULL DEFAULT 0;

ALTER TABLE services ADD COLUMN anchor_day INTEGER;            -- day of month due dates anchor on
ALTER TABLE services ADD COLUMN next_invoice_date TEXT;        -- due date of the next period to invoice
ALTER TABLE services ADD COLUMN autosuspend_override TEXT;     -- NULL, a date (no autosuspend until then) or 'never'
ALTER TABLE services ADD COLUMN suspended_by TEXT NOT NULL DEFAULT '';  -- 'automation' when overdue automation suspended it

CREATE TABLE credit_ledger (
    id              INTEGER PRIMARY KEY,
    client_id       INTEGER NOT NULL REFERENCES clients(id),
    at              TEXT NOT NULL,
    amount_micros   INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    description     TEXT NOT NULL,
    invoice_id      INTEGER,
    reverses_id     INTEGER UNIQUE REFERENCES credit_ledger(id),
    natural_key     TEXT UNIQUE
);
CREATE INDEX credit_ledger_client ON credit_ledger(client_id, id);

CREATE TABLE invoices (
    id              INTEGER PRIMARY KEY,
    client_id       INTEGER NOT NULL REFERENCES clients(id),
    status          TEXT NOT NULL,                 -- Unpaid, Paid, Cancelled
    kind            TEXT NOT NULL DEFAULT 'renewal',  -- renewal, prorata, upgrade, latefee, manual
    invoice_date    TEXT NOT NULL,                 -- business date it was made
    due_date        TEXT NOT NULL,
    subtotal_micros INTEGER NOT NULL,
    credit_micros   INTEGER NOT NULL DEFAULT 0,    -- credit applied to it
    paid_micros     INTEGER NOT NULL DEFAULT 0,    -- payments applied to it (excess goes to credit)
    created_at      TEXT NOT NULL,
    paid_at         TEXT,
    cancelled_at    TEXT
);
CREATE INDEX invoices_client ON invoices(client_id, id);
CREATE INDEX invoices_open ON invoices(status, due_date);

CREATE TABLE invoice_items (
    id              INTEGER PRIMARY KEY,
    invoice_id      INTEGER NOT NULL REFERENCES invoices(id),
    item_type       TEXT NOT NULL,                 -- service, addon, prorata, upgrade, latefee, manual
    item_id         INTEGER,                       -- the service or addon
    description     TEXT NOT NULL,
    amount_micros   INTEGER NOT NULL,
    due_date        TEXT,                          -- the due date this line bills (renewals)
    period_end      TEXT,                          -- the day before the next due date
    natural_key     TEXT UNIQUE                    -- e.g. service:12:2026-12-01 — never invoiced twice
);
CREATE INDEX invoice_items_invoice ON invoice_items(invoice_id);
CREATE INDEX invoice_items_item ON invoice_items(item_type, item_id);

CREATE TABLE transactions (                        -- payments; kept when the client is deleted
    id              INTEGER PRIMARY KEY,
    client_id       INTEGER,
    invoice_id      INTEGER,
    at              TEXT NOT NULL,
    amount_micros   INTEGER NOT NULL,
    method          TEXT NOT NULL,
    gateway_id      TEXT NOT NULL DEFAULT '',      -- the payment processor's transaction id
    description     TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX transactions_gateway ON transactions(method, gateway_id) WHERE gateway_id <> '';

CREATE TABLE addon_catalogue (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    price_micros    INTEGER NOT NULL DEFAULT 0,
    billing_cycle   TEXT NOT NULL DEFAULT 'monthly',
    created_at      TEXT NOT NULL
);
CREATE TABLE service_addons (
    id                  INTEGER PRIMARY KEY,
    service_id          INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    catalogue_id        INTEGER REFERENCES addon_catalogue(id),
    name                TEXT NOT NULL,
    price_micros        INTEGER NOT NULL,
    billing_cycle       TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'Active',
    next_due_date       TEXT,
    next_invoice_date   TEXT,
    anchor_day          INTEGER,
    termination_date    TEXT,
    created_at          TEXT NOT NULL
);

CREATE TABLE pending_changes (                     -- applied when their invoice is paid
    id              INTEGER PRIMARY KEY,
    invoice_id      INTEGER REFERENCES invoices(id),
    service_id      INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,                 -- due_date, upgrade
    data            TEXT NOT NULL,                 -- JSON
    created_at      TEXT NOT NULL,
    applied_at      TEXT,
    cancelled_at    TEXT
);

CREATE TABLE cancellation_requests (
    id              INTEGER PRIMARY KEY,
    service_id      INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    type            TEXT NOT NULL,                 -- immediate, end_of_period
    reason          TEXT NOT NULL DEFAULT '',
    requested_at    TEXT NOT NULL,
    applied_at      TEXT
);
CREATE UNIQUE INDEX cancellation_open ON cancellation_requests(service_id) WHERE applied_at IS NULL;

CREATE TABLE module_events (                       -- invoice events for modules, delivered at least once
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,                 -- invoice_created, invoice_paid
    invoice_id      INTEGER NOT NULL,
    service_id      INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    delivered_at    TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    UNIQUE (kind, invoice_id, service_id)
);

CREATE TABLE mail_templates (
    name        TEXT PRIMARY KEY,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE mail_outbox (
    id          INTEGER PRIMARY KEY,
    recipients  TEXT NOT NULL,                     -- comma-separated
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    template    TEXT NOT NULL DEFAULT '',
    client_id   INTEGER,
    natural_key TEXT UNIQUE,                       -- queued at most once (e.g. overdue:invoice:7:day:3)
    created_at  TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'queued',    -- queued, sent
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT NOT NULL DEFAULT '',
    sent_at     TEXT
);

CREATE TABLE cron_runs (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    dry_run     INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL DEFAULT 'running',   -- running, ok, errors (a run killed stays 'running')
    summary     TEXT NOT NULL DEFAULT ''
);
CREATE TABLE cron_task_runs (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES cron_runs(id),
    task        TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    done        INTEGER NOT NULL DEFAULT 0,
    errors      INTEGER NOT NULL DEFAULT 0,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE TABLE cron_task_state (
    task                TEXT PRIMARY KEY,
    last_business_date  TEXT,                      -- daily tasks: the business day last completed
    last_finished_at    TEXT
);
)SQL",
        // 3: default e-mail templates (operators edit them with provisio mail template add).
        R"SQL(
INSERT INTO mail_templates (name, subject, body, updated_at) VALUES
('Invoice Created', 'Invoice #{$invoice_id}, due {$invoice_due_date}',
'Dear {$client_name},

Invoice #{$invoice_id} of {$invoice_date} is due on {$invoice_due_date}.

{$invoice_items}
Total: {$invoice_total}
Due:   {$invoice_balance}

Thank you for your business.
', '1970-01-01T00:00:00Z'),
('Invoice Payment Confirmation', 'Payment received for invoice #{$invoice_id}',
'Dear {$client_name},

Thank you: invoice #{$invoice_id} ({$invoice_total}) is paid.
Your credit balance is {$client_credit}.
', '1970-01-01T00:00:00Z'),
('Overdue Notice', 'Invoice #{$invoice_id} is {$invoice_days_overdue} days overdue',
'Dear {$client_name},

Invoice #{$invoice_id} was due on {$invoice_due_date} and {$invoice_balance} is still unpaid.
Services on an unpaid invoice may be suspended.
', '1970-01-01T00:00:00Z');
)SQL",
        // 4: time credits — the time-credit ledger (hours), each service's credit-cycle cursor,
        //    and the date a service was first provisioned.
        R"SQL(
ALTER TABLE services ADD COLUMN activated_on TEXT;   -- business date create first succeeded
CREATE TABLE time_ledger (
    id              INTEGER PRIMARY KEY,
    client_id       INTEGER NOT NULL REFERENCES clients(id),
    service_id      INTEGER REFERENCES services(id) ON DELETE SET NULL,
    at              TEXT NOT NULL,
    entry_date      TEXT NOT NULL,                 -- the cycle's period date, or when the work was done
    micro_hours     INTEGER NOT NULL,              -- positive credits, negative debits
    kind            TEXT NOT NULL,                 -- credit, expiry, keyphrase, time, ...
    description     TEXT NOT NULL,
    minutes         INTEGER,                       -- time entries
    period          TEXT                           -- automation's: the cycle ("2026-03-01", "invoice:12:paid", "create")
);
CREATE INDEX time_ledger_client ON time_ledger(client_id, id);
-- Each (service, period, kind) posts once; NULL periods (time entries) never collide. The same
-- index serves per-service look-ups.
CREATE UNIQUE INDEX time_ledger_cycle ON time_ledger(service_id, period, kind);
CREATE TABLE credit_cycles (                       -- the last calendar period generated per service
    service_id          INTEGER PRIMARY KEY REFERENCES services(id) ON DELETE CASCADE,
    last_period_date    TEXT NOT NULL
);
)SQL",
        // 5: VoIP usage — tariffs (rate cards) kept by version, VoIP packages on products, and
        //    call detail records with the rating each was given.
        R"SQL(
CREATE TABLE tariffs (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    column_map      TEXT NOT NULL DEFAULT '{}',    -- JSON: the provider's header → our field, reused on re-import
    current_version INTEGER,                       -- tariff_versions.id
    created_at      TEXT NOT NULL
);
CREATE TABLE tariff_versions (
    id              INTEGER PRIMARY KEY,
    tariff_id       INTEGER NOT NULL REFERENCES tariffs(id),
    version         INTEGER NOT NULL,              -- 1, 2, ... per tariff
    imported_at     TEXT NOT NULL,
    source_file     TEXT NOT NULL,
    rate_count      INTEGER NOT NULL,
    UNIQUE (tariff_id, version)
);
CREATE TABLE tariff_rates (
    version_id      INTEGER NOT NULL REFERENCES tariff_versions(id),
    prefix          TEXT NOT NULL,
    description     TEXT NOT NULL,
    per_minute_micros INTEGER NOT NULL,
    connect_fee_micros INTEGER NOT NULL,
    initial_seconds INTEGER NOT NULL,
    step_seconds    INTEGER NOT NULL,
    grace_seconds   INTEGER NOT NULL,
    PRIMARY KEY (version_id, prefix)
) WITHOUT ROWID;
CREATE TABLE voip_packages (
    product_id      INTEGER PRIMARY KEY REFERENCES products(id) ON DELETE CASCADE,
    tariff_id       INTEGER REFERENCES tariffs(id),
    country_code    TEXT NOT NULL,
    national_prefix TEXT NOT NULL,
    exit_prefixes   TEXT NOT NULL,                 -- comma-separated
    markup          TEXT NOT NULL,                 -- percent, decimal text
    free_minutes    INTEGER NOT NULL,
    tiers           TEXT NOT NULL,                 -- "1000:0.015,5000:0.01"
    bill_inbound    INTEGER NOT NULL,
    exclude_patterns TEXT NOT NULL,
    suppress_patterns TEXT NOT NULL,
    decimals        INTEGER NOT NULL,
    billing_mode    TEXT NOT NULL,                 -- prepaid | invoice | consolidated
    updated_at      TEXT NOT NULL
);
CREATE TABLE voip_custom_rates (
    product_id      INTEGER NOT NULL REFERENCES voip_packages(product_id) ON DELETE CASCADE,
    prefix          TEXT NOT NULL,
    per_minute_micros INTEGER NOT NULL,
    connect_fee_micros INTEGER NOT NULL,
    description     TEXT NOT NULL,
    PRIMARY KEY (product_id, prefix)
) WITHOUT ROWID;
CREATE TABLE cdrs (
    id              INTEGER PRIMARY KEY,
    service_id      INTEGER NOT NULL REFERENCES services(id),
    source          TEXT NOT NULL,                 -- the PBX system ("fusionpbx"): one call id per source
    source_id       TEXT NOT NULL,
    direction       TEXT NOT NULL,
    caller          TEXT NOT NULL,
    destination     TEXT NOT NULL,                 -- destination_number
    caller_destination TEXT NOT NULL,
    start_at        TEXT NOT NULL,                 -- UTC
    answer_at       TEXT,
    end_at          TEXT NOT NULL,
    duration        INTEGER NOT NULL,
    billsec         INTEGER NOT NULL,
    hangup_cause    TEXT NOT NULL,
    status          TEXT NOT NULL,                 -- rated | unrated | excluded | suppressed | unanswered | not billed
    number          TEXT NOT NULL,                 -- the normalized number rated
    prefix          TEXT,
    tariff_version_id INTEGER REFERENCES tariff_versions(id),
    custom_rate     INTEGER NOT NULL DEFAULT 0,
    per_minute_micros INTEGER NOT NULL DEFAULT 0,
    connect_fee_micros INTEGER NOT NULL DEFAULT 0,
    markup          TEXT NOT NULL DEFAULT '0',
    billed_seconds  INTEGER NOT NULL DEFAULT 0,
    free_seconds    INTEGER NOT NULL DEFAULT 0,
    tier_seconds    INTEGER NOT NULL DEFAULT 0,
    cost_micros     INTEGER NOT NULL DEFAULT 0,
    note            TEXT NOT NULL DEFAULT '',
    charge_ref      TEXT,                          -- what billed it (autobill), NULL until then
    imported_at     TEXT NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX cdrs_service_start ON cdrs(service_id, start_at);
CREATE TABLE usage_cursors (                       -- where a service's next usage collection starts
    service_id      INTEGER PRIMARY KEY REFERENCES services(id) ON DELETE CASCADE,
    module          TEXT NOT NULL,
    cursor          TEXT NOT NULL,                 -- opaque to the host; never sorts backwards
    collected_at    TEXT NOT NULL
);
)SQL",
        // 6: client custom fields (the VoIP fields among them), and the low-balance state that
        //    lets an alert go out once per crossing.
        R"SQL(
CREATE TABLE client_fields (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE COLLATE NOCASE,  -- "Low Balance Threshold"
    variable        TEXT NOT NULL UNIQUE,          -- "lowbalancethreshold": {$client_custom_field_lowbalancethreshold}
    type            TEXT NOT NULL CHECK (type IN ('text', 'yesno', 'dropdown', 'number')),
    options         TEXT NOT NULL DEFAULT '',      -- dropdown: comma-separated choices
    default_value   TEXT NOT NULL DEFAULT '',      -- what a client without a value has
    description     TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL
);
CREATE TABLE client_field_values (
    client_id       INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    field_id        INTEGER NOT NULL REFERENCES client_fields(id) ON DELETE CASCADE,
    value           TEXT NOT NULL,
    PRIMARY KEY (client_id, field_id)
);
CREATE INDEX client_field_values_field ON client_field_values(field_id, value);
CREATE TABLE low_balance_state (                   -- clients whose credit is at or below their threshold
    client_id       INTEGER PRIMARY KEY REFERENCES clients(id) ON DELETE CASCADE,
    low_since       TEXT NOT NULL                  -- UTC: when the alert task first found it low
);
ALTER TABLE module_queue ADD COLUMN requested_by TEXT NOT NULL DEFAULT '';  -- the task whose call it is
)SQL",
        // 7: usage invoices (the invoice and consolidated billing modes) and re-rating's audit trail.
        R"SQL(
ALTER TABLE voip_packages ADD COLUMN invoice_period TEXT NOT NULL DEFAULT 'month';  -- invoice modes: usage invoiced per day | month
CREATE TABLE cdr_rerates (                         -- one `provisio cdr rerate`: what it re-rated and what it posted
    id              INTEGER PRIMARY KEY,
    service_id      INTEGER NOT NULL REFERENCES services(id),
    from_at         TEXT NOT NULL,                 -- UTC, start_at in [from_at, to_at)
    to_at           TEXT NOT NULL,
    tariff_version_id INTEGER REFERENCES tariff_versions(id),  -- the rates used
    calls           INTEGER NOT NULL,              -- calls looked at
    changed         INTEGER NOT NULL,              -- calls whose rating changed
    billed_difference_micros INTEGER NOT NULL,     -- new − old cost of the changed calls already billed
    credit_entry_id INTEGER REFERENCES credit_ledger(id),  -- the posting of that difference, if any
    at              TEXT NOT NULL
);
CREATE TABLE cdr_rerate_changes (                  -- each changed call's rating before the re-rate
    rerate_id       INTEGER NOT NULL REFERENCES cdr_rerates(id),
    cdr_id          INTEGER NOT NULL REFERENCES cdrs(id),
    old_status      TEXT NOT NULL,
    old_prefix      TEXT,
    old_tariff_version_id INTEGER,
    old_billed_seconds INTEGER NOT NULL,
    old_cost_micros INTEGER NOT NULL,
    new_cost_micros INTEGER NOT NULL,
    PRIMARY KEY (rerate_id, cdr_id)
) WITHOUT ROWID;
CREATE INDEX cdr_rerate_changes_cdr ON cdr_rerate_changes(cdr_id);
)SQL",
        // 8: client accounts — the full profile, contacts with their e-mail categories, the
        // default billing contact, client files, and the category of each e-mail template.
        R"SQL(
ALTER TABLE clients ADD COLUMN company TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN address1 TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN address2 TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN city TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN state TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN postcode TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN country TEXT NOT NULL DEFAULT '';  -- ISO 3166 alpha-2
ALTER TABLE clients ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN language TEXT NOT NULL DEFAULT '';
CREATE TABLE contacts (
    id              INTEGER PRIMARY KEY,
    client_id       INTEGER NOT NULL REFERENCES clients(id),
    first_name      TEXT NOT NULL,
    last_name       TEXT NOT NULL,
    email           TEXT NOT NULL,
    company         TEXT NOT NULL DEFAULT '',
    address1        TEXT NOT NULL DEFAULT '',
    address2        TEXT NOT NULL DEFAULT '',
    city            TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL DEFAULT '',
    postcode        TEXT NOT NULL DEFAULT '',
    country         TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    email_categories TEXT NOT NULL DEFAULT '',     -- comma-separated: general, invoice, support, product, domain
    created_at      TEXT NOT NULL
);
CREATE INDEX contacts_client ON contacts(client_id);
ALTER TABLE clients ADD COLUMN billing_contact_id INTEGER REFERENCES contacts(id);  -- invoices show this name and address
CREATE TABLE client_files (
    id              INTEGER PRIMARY KEY,
    client_id       INTEGER NOT NULL REFERENCES clients(id),
    title           TEXT NOT NULL,
    filename        TEXT NOT NULL,                 -- the name it is fetched as (never a path)
    stored_name     TEXT NOT NULL UNIQUE,          -- generated; under the files directory
    size_bytes      INTEGER NOT NULL,
    admin_only      INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL
);
CREATE INDEX client_files_client ON client_files(client_id);
ALTER TABLE mail_templates ADD COLUMN category TEXT NOT NULL DEFAULT 'general';  -- which contacts get it
UPDATE mail_templates SET category = 'invoice' WHERE name IN ('Invoice Created', 'Invoice Payment Confirmation', 'Overdue Notice');
INSERT INTO mail_templates (name, subject, body, updated_at, category) VALUES
('Client Signup Email', 'Welcome, {$client_first_name}',
'Dear {$client_name},

Thank you for signing up. Your account number is {$client_id}; this address,
{$client_email}, is how we reach you about it.
', '1970-01-01T00:00:00Z', 'general')
ON CONFLICT (name) DO NOTHING;
)SQL",
        // 9: the security of client accounts — stored cards (numbers sealed to the card key),
        // client-area passwords and reset tokens (hashed), and the audit log of sensitive access.
        R"SQL(
CREATE TABLE client_cards (                        -- at most one card per client
    client_id       INTEGER PRIMARY KEY REFERENCES clients(id),
    card_type       TEXT NOT NULL,                 -- Visa, MasterCard, ...
    last_four       TEXT NOT NULL,
    expiry          TEXT NOT NULL,                 -- YYYY-MM
    issue_number    TEXT NOT NULL DEFAULT '',
    start_date      TEXT NOT NULL DEFAULT '',      -- YYYY-MM, when the card has one
    number_sealed   TEXT NOT NULL,                 -- cbx1:… sealed to the card key's public key
    updated_at      TEXT NOT NULL
);
CREATE TABLE audit_log (                           -- who looked at or changed what is sensitive
    id              INTEGER PRIMARY KEY,
    at              TEXT NOT NULL,
    actor           TEXT NOT NULL,                 -- the system user who ran the command
    action          TEXT NOT NULL,                 -- card.show_full, card.show_full_refused, card.set, ...
    client_id       INTEGER,
    detail          TEXT NOT NULL DEFAULT ''
);
ALTER TABLE clients ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';  -- Argon2id (libsodium's crypto_pwhash_str)
ALTER TABLE mail_outbox ADD COLUMN sensitive INTEGER NOT NULL DEFAULT 0;  -- holds a password or reset code: body blanked once sent
CREATE TABLE password_resets (
    id              INTEGER PRIMARY KEY,
    client_id       INTEGER NOT NULL REFERENCES clients(id),
    token_hash      TEXT NOT NULL UNIQUE,          -- BLAKE2b of the token; the token itself is only in the e-mail
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    used_at         TEXT
);
INSERT INTO mail_templates (name, subject, body, updated_at, category) VALUES
('Password Reset Validation', 'Your password reset request',
'Dear {$client_name},

Someone asked to reset the password of your client area. If it was you, use this code within
two hours: {$reset_token}

If it was not you, ignore this message; your password stays as it is.
', '1970-01-01T00:00:00Z', 'general'),
('Password Reset Confirmation', 'Your new password',
'Dear {$client_name},

Your password has been reset. Log in with {$client_email} and this password, then change it:
{$client_password}
', '1970-01-01T00:00:00Z', 'general'),
('Client Area Details Reminder', 'Your client area details',
'Dear {$client_name},

Your client area login is {$client_email}; a new password has been set for it:
{$client_password}
', '1970-01-01T00:00:00Z', 'general')
ON CONFLICT (name) DO NOTHING;
)SQL",
        // 10: service administration — the product welcome e-mail, and a service's payment method.
        R"SQL(
ALTER TABLE services ADD COLUMN payment_method TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN auto_setup TEXT NOT NULL DEFAULT 'payment';  -- an order is provisioned on: order | payment | manual
INSERT INTO mail_templates (name, subject, body, updated_at, category) VALUES
('Product Welcome Email', 'Your {$service_product} is ready',
'Dear {$client_name},

Your {$service_product} ({$service_domain}) is set up: service number {$service_id}, next due
on {$service_next_due_date}.
', '1970-01-01T00:00:00Z', 'product')
ON CONFLICT (name) DO NOTHING;
)SQL",
        // 11: notes kept on a client's account by staff.
        R"SQL(
CREATE TABLE client_notes (
    id              INTEGER PRIMARY KEY,
    client_id       INTEGER NOT NULL REFERENCES clients(id),
    at              TEXT NOT NULL,
    author          TEXT NOT NULL,                 -- the system user who wrote it
    text            TEXT NOT NULL
);
CREATE INDEX client_notes_client ON client_notes(client_id, id);
)SQL",
        // 12: a call whose source gave no answer time, answered by its billsec (cdr explain says so).
        R"SQL(
ALTER TABLE cdrs ADD COLUMN answer_inferred INTEGER NOT NULL DEFAULT 0;
)SQL",
        // 13: ids are never reused — every table keyed by id rebuilt with AUTOINCREMENT (in C++:
        // use_autoincrement_ids). New tables from here on declare AUTOINCREMENT themselves.
        "",
        // 14: who set a client field's value: '' an operator, 'autosuspend' the task that keeps
        //     "VoIP Suspended" showing the autosuspension state (then not an override).
        R"SQL(
ALTER TABLE client_field_values ADD COLUMN set_by TEXT NOT NULL DEFAULT '';
)SQL",
        // 15: product settings and service overrides are sealed at rest like server options (a
        // PASSWORD option may be among them). Sealing needs the key, so SQL only marks the tables;
        // Repository::seal_pending_settings seals the values already stored and clears the mark.
        R"SQL(
CREATE TABLE pending_sealing (
    table_name      TEXT PRIMARY KEY               -- every value in it is still to be sealed
);
INSERT INTO pending_sealing (table_name) VALUES ('product_settings'), ('service_settings');
)SQL",
        // 16: quarantine (provisioning/quarantine.hpp) — a queued call counts the attempts that
        //     were aborted (the module's runner timed out or died) and is parked at
        //     [modules] quarantine_after of them until `provisio queue release`. A cron run
        //     found still 'running' by a later run (which holds the lock) is closed as 'killed'.
        R"SQL(
ALTER TABLE module_queue ADD COLUMN aborts INTEGER NOT NULL DEFAULT 0;     -- aborted attempts since queued or released
ALTER TABLE module_queue ADD COLUMN parked_at TEXT;                        -- set while parked: no task retries it
ALTER TABLE module_queue ADD COLUMN parked_reason TEXT NOT NULL DEFAULT '';
)SQL",
        // 17: API credentials for `provisio serve` (http/api_keys.hpp). The secret is shown once;
        //     only its hash is kept. A revoked key stays, for the audit log's references.
        R"SQL(
CREATE TABLE api_keys (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('read-only', 'billing', 'provisioning', 'admin')),
    secret_hash     TEXT NOT NULL,                 -- BLAKE2b-256 of the secret, hex
    allow_ips       TEXT NOT NULL DEFAULT '',      -- CIDRs, comma-separated; '' allows any address
    created_at      TEXT NOT NULL,
    last_used_at    TEXT,
    revoked_at      TEXT
);
)SQL",
        // 18: Idempotency-Key on the API's POSTs (Stripe's semantics, http/idempotency.hpp): the
        //     first response to a key is kept 24 hours and replayed to a retry with the same body.
        R"SQL(
CREATE TABLE idempotency_keys (
    api_key_id      INTEGER NOT NULL REFERENCES api_keys (id),
    key             TEXT NOT NULL,
    request_hash    TEXT NOT NULL,                 -- method, path and body: a retry must match
    status          INTEGER NOT NULL,              -- 0 while the first request is in progress
    content_type    TEXT NOT NULL DEFAULT '',
    body            TEXT NOT NULL DEFAULT '',
    created_at      TEXT NOT NULL,
    PRIMARY KEY (api_key_id, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys (created_at);
)SQL",
        // 19: /metrics reads the tasks of the last day's cron runs by run: without this, a scan of
        //     every task run ever (14 rows per five minutes, kept for good).
        R"SQL(
CREATE INDEX cron_task_runs_by_run ON cron_task_runs (run_id);
)SQL",
        // 20: a call is told apart by its start, source and call id, in that order. PBX call ids
        //     are random UUIDs: a key that led with them put every insert at a random place in an
        //     index that grows for years, and an import got slower with every day stored. Led by
        //     the start, a day's calls land together at the end of the index. A duplicate (a file
        //     imported again, or overlapping exports) has the same start, so nothing is stored
        //     twice. The table is rebuilt to change its key; its id sequence is carried over.
        //     The (service, start) index also holds what a usage summary adds up, so a month of
        //     a busy client's calls is summed from the index alone.
        R"SQL(
CREATE TABLE cdrs_rekeyed (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id      INTEGER NOT NULL REFERENCES services(id),
    source          TEXT NOT NULL,                 -- the PBX system ("fusionpbx"): one call id per source
    source_id       TEXT NOT NULL,
    direction       TEXT NOT NULL,
    caller          TEXT NOT NULL,
    destination     TEXT NOT NULL,                 -- destination_number
    caller_destination TEXT NOT NULL,
    start_at        TEXT NOT NULL,                 -- UTC
    answer_at       TEXT,
    end_at          TEXT NOT NULL,
    duration        INTEGER NOT NULL,
    billsec         INTEGER NOT NULL,
    hangup_cause    TEXT NOT NULL,
    status          TEXT NOT NULL,                 -- rated | unrated | excluded | suppressed | unanswered | not billed
    number          TEXT NOT NULL,                 -- the normalized number rated
    prefix          TEXT,
    tariff_version_id INTEGER REFERENCES tariff_versions(id),
    custom_rate     INTEGER NOT NULL DEFAULT 0,
    per_minute_micros INTEGER NOT NULL DEFAULT 0,
    connect_fee_micros INTEGER NOT NULL DEFAULT 0,
    markup          TEXT NOT NULL DEFAULT '0',
    billed_seconds  INTEGER NOT NULL DEFAULT 0,
    free_seconds    INTEGER NOT NULL DEFAULT 0,
    tier_seconds    INTEGER NOT NULL DEFAULT 0,
    cost_micros     INTEGER NOT NULL DEFAULT 0,
    note            TEXT NOT NULL DEFAULT '',
    charge_ref      TEXT,                          -- what billed it (autobill), NULL until then
    imported_at     TEXT NOT NULL,
    answer_inferred INTEGER NOT NULL DEFAULT 0,    -- no answer time given: it is end − billsec
    UNIQUE (start_at, source, source_id)
);
INSERT INTO cdrs_rekeyed (id, service_id, source, source_id, direction, caller, destination, caller_destination, start_at,
    answer_at, end_at, duration, billsec, hangup_cause, status, number, prefix, tariff_version_id, custom_rate,
    per_minute_micros, connect_fee_micros, markup, billed_seconds, free_seconds, tier_seconds, cost_micros, note, charge_ref,
    imported_at, answer_inferred)
SELECT id, service_id, source, source_id, direction, caller, destination, caller_destination, start_at,
    answer_at, end_at, duration, billsec, hangup_cause, status, number, prefix, tariff_version_id, custom_rate,
    per_minute_micros, connect_fee_micros, markup, billed_seconds, free_seconds, tier_seconds, cost_micros, note, charge_ref,
    imported_at, answer_inferred FROM cdrs;
DELETE FROM sqlite_sequence WHERE name = 'cdrs_rekeyed';
INSERT INTO sqlite_sequence (name, seq) SELECT 'cdrs_rekeyed', seq FROM sqlite_sequence WHERE name = 'cdrs';
DROP TABLE cdrs;
ALTER TABLE cdrs_rekeyed RENAME TO cdrs;
CREATE INDEX cdrs_service_start ON cdrs(service_id, start_at, status, billed_seconds, cost_micros);
)SQL",
        // 21: autosuspend looks only at the clients whose credit, invoices, client fields or
        //     services changed since its last sweep (usage/autosuspend.hpp), plus a full sweep on
        //     each business day's first run. Triggers mark them, so every change is marked in the
        //     transaction that makes it, whichever command makes it. A change that can move any
        //     client (a client field's definition, a product gaining or losing its VoIP package)
        //     asks for a full sweep instead. The marks are written as "insert if missing", not
        //     INSERT OR IGNORE: a trigger's conflict clause gives way to the one of the statement
        //     that fired it (an upsert's, say).
        R"SQL(
CREATE TABLE autosuspend_changes (                 -- clients to look at in the next sweep
    client_id       INTEGER PRIMARY KEY
);
CREATE TABLE autosuspend_sweeps (                  -- one row: the sweeps' own state
    singleton       INTEGER PRIMARY KEY CHECK (singleton = 1),
    full_on         TEXT NOT NULL DEFAULT '',      -- business date of the last full sweep
    full_asked      INTEGER NOT NULL DEFAULT 1,    -- raised by a change that can move any client
    full_done       INTEGER NOT NULL DEFAULT 0,    -- the full_asked the last full sweep answered
    running         INTEGER NOT NULL DEFAULT 0     -- a sweep took its clients and has not finished
);
INSERT INTO autosuspend_sweeps (singleton) VALUES (1);
CREATE TRIGGER autosuspend_credit AFTER UPDATE OF credit_micros ON clients WHEN NEW.credit_micros IS NOT OLD.credit_micros
BEGIN
    INSERT INTO autosuspend_changes (client_id) SELECT NEW.id WHERE NOT EXISTS (SELECT 1 FROM autosuspend_changes WHERE client_id = NEW.id);
END;
CREATE TRIGGER autosuspend_invoice_added AFTER INSERT ON invoices
BEGIN
    INSERT INTO autosuspend_changes (client_id) SELECT NEW.client_id WHERE NOT EXISTS (SELECT 1 FROM autosuspend_changes WHERE client_id = NEW.client_id);
END;
CREATE TRIGGER autosuspend_invoice_changed AFTER UPDATE OF client_id, status, due_date, subtotal_micros, credit_micros, paid_micros ON invoices
BEGIN
    INSERT INTO autosuspend_changes (client_id) SELECT NEW.client_id WHERE NOT EXISTS (SELECT 1 FROM autosuspend_changes WHERE client_id = NEW.client_id);
    INSERT INTO autosuspend_changes (client_id) SELECT OLD.client_id WHERE NOT EXISTS (SELECT 1 FROM autosuspend_changes WHERE client_id = OLD.client_id);
END;
CREATE TRIGGER autosuspend_invoice_removed AFTER DELETE ON invoices
BEGIN
    INSERT INTO autosuspend_changes (client_id) SELECT OLD.client_id WHERE NOT EXISTS (SELECT 1 FROM autosuspend_changes WHERE client_id = OLD.client_id);
END;
CREATE TRIGGER autosuspend_field_added AFTER INSERT ON client_field_values
BEGIN
    INSERT INTO autosuspend_changes (client_id) SELECT NEW.client_id WHERE NOT EXISTS (SELECT 1 FROM autosuspend_changes WHERE client_id = NEW.client_id);
END;
CREATE TRIGGER autosuspend_field_changed AFTER UPDATE ON client_field_values
BEGIN
    INSERT INTO autosuspend_changes (client_id) SELECT NEW.client_id WHERE NOT EXISTS (SELECT 1 FROM autosuspend_changes WHERE client_id = NEW.client_id);
    INSERT INTO autosuspend_changes (client_id) SELECT OLD.client_id WHERE NOT EXISTS (SELECT 1 FROM autosuspend_changes WHERE client_id = OLD.client_id);
END;
CREATE TRIGGER autosuspend_field_removed AFTER DELETE ON client_field_values
BEGIN
    INSERT INTO autosuspend_changes (client_id) SELECT OLD.client_id WHERE NOT EXISTS (SELECT 1 FROM autosuspend_changes WHERE client_id = OLD.client_id);
END;
CREATE TRIGGER autosuspend_service_added AFTER INSERT ON services
BEGIN
    INSERT INTO autosuspend_changes (client_id) SELECT NEW.client_id WHERE NOT EXISTS (SELECT 1 FROM autosuspend_changes WHERE client_id = NEW.client_id);
END;
CREATE TRIGGER autosuspend_service_changed AFTER UPDATE OF client_id, product_id, status, autosuspend_override, suspended_by ON services
BEGIN
    INSERT INTO autosuspend_changes (client_id) SELECT NEW.client_id WHERE NOT EXISTS (SELECT 1 FROM autosuspend_changes WHERE client_id = NEW.client_id);
    INSERT INTO autosuspend_changes (client_id) SELECT OLD.client_id WHERE NOT EXISTS (SELECT 1 FROM autosuspend_changes WHERE client_id = OLD.client_id);
END;
CREATE TRIGGER autosuspend_service_removed AFTER DELETE ON services
BEGIN
    INSERT INTO autosuspend_changes (client_id) SELECT OLD.client_id WHERE NOT EXISTS (SELECT 1 FROM autosuspend_changes WHERE client_id = OLD.client_id);
END;
CREATE TRIGGER autosuspend_field_defined AFTER INSERT ON client_fields
BEGIN UPDATE autosuspend_sweeps SET full_asked = full_asked + 1; END;
CREATE TRIGGER autosuspend_field_redefined AFTER UPDATE ON client_fields
BEGIN UPDATE autosuspend_sweeps SET full_asked = full_asked + 1; END;
CREATE TRIGGER autosuspend_field_undefined AFTER DELETE ON client_fields
BEGIN UPDATE autosuspend_sweeps SET full_asked = full_asked + 1; END;
CREATE TRIGGER autosuspend_package_added AFTER INSERT ON voip_packages
BEGIN UPDATE autosuspend_sweeps SET full_asked = full_asked + 1; END;
CREATE TRIGGER autosuspend_package_removed AFTER DELETE ON voip_packages
BEGIN UPDATE autosuspend_sweeps SET full_asked = full_asked + 1; END;
)SQL",
        // 22: the running domestic billed seconds of a service's billing period (free minutes and
        //     tiers are priced from them), kept as the calls are stored. Read from the calls, each
        //     import summed every call of the period so far: the month's last import of a busy
        //     service read millions of rows. Every INSERT INTO cdrs goes through UsageRecorder,
        //     which writes the totals in the same transaction; any other change to stored calls
        //     (a re-rate, a deletion) drops the service's totals, and the next import sums again.
        R"SQL(
CREATE TABLE usage_period_seconds (
    service_id      INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    from_at         TEXT NOT NULL,                 -- UTC: the period [from_at, to_at)
    to_at           TEXT NOT NULL,
    country_code    TEXT NOT NULL,                 -- the package's: domestic numbers start with it
    seconds         INTEGER NOT NULL,
    PRIMARY KEY (service_id, from_at, to_at, country_code)
) WITHOUT ROWID;
CREATE TRIGGER usage_period_seconds_changed AFTER UPDATE OF service_id, start_at, status, number, billed_seconds ON cdrs
BEGIN DELETE FROM usage_period_seconds WHERE service_id IN (OLD.service_id, NEW.service_id); END;
CREATE TRIGGER usage_period_seconds_removed AFTER DELETE ON cdrs
BEGIN DELETE FROM usage_period_seconds WHERE service_id = OLD.service_id; END;
)SQL",
        // 23: invoice generation reads the due services and addons a range of client ids at a
        //     time; addons are found through their service. (Deleting a service also no longer
        //     scans every addon for its cascade.)
        R"SQL(
CREATE INDEX service_addons_service ON service_addons(service_id);
)SQL",
        // 24: the client area's sessions, its failed logins (throttling) and the operator's
        //     single-use login links. A session or link is known by a hash of its secret only, so
        //     the database never holds a usable one.
        R"SQL(
CREATE TABLE web_sessions (
    token_hash      TEXT PRIMARY KEY,              -- BLAKE2b of the cookie's value
    client_id       INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    csrf            TEXT NOT NULL,                 -- the token every form of this session carries
    created_at      TEXT NOT NULL,                 -- UTC: the absolute timeout counts from here
    seen_at         TEXT NOT NULL,                 -- UTC: the idle timeout counts from here
    address         TEXT NOT NULL DEFAULT ''       -- where it logged in from
) WITHOUT ROWID;
CREATE INDEX web_sessions_client ON web_sessions(client_id);
CREATE TABLE login_failures (
    scope           TEXT NOT NULL,                 -- 'email:<address>' or 'address:<ip>'
    at              TEXT NOT NULL                  -- UTC
);
CREATE INDEX login_failures_scope ON login_failures(scope, at);
CREATE TABLE login_links (                         -- `client login-link`: an operator logs in as a client, once
    token_hash      TEXT PRIMARY KEY,              -- BLAKE2b of the link's token
    client_id       INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,                 -- 60 seconds after
    used_at         TEXT
) WITHOUT ROWID;
)SQL",
        // 25: a call's id is its start second × 1,000,000 + its place among the calls that
        //     started in that second (usage/cdrs.hpp). The table, keyed by it, is also what finds
        //     a duplicate — a call is stored once per (start, source, call id), and the calls of
        //     one second are one short range of ids — so the unique index on (start, source, call
        //     id) is gone. The service index is (service_id) alone: its entries end in the id, so
        //     they are in start order too, and a range of starts is a range of ids. It no longer
        //     holds what a usage summary adds up; per-quarter-hour totals do, kept by the import
        //     in the transaction that stores the calls and by triggers for any other change.
        //     An import wrote three B-trees per call, one of them wide; it now writes two narrow
        //     ones and a few total rows per batch, the cost that kept it far from `.import`.
        //     The id of a call changes once, here; a re-rate's record of it follows.
        R"SQL(
CREATE TEMP TABLE cdr_ids AS
    SELECT id AS old_id,
           CAST(strftime('%s', start_at) AS INTEGER) * 1000000 + row_number() OVER (PARTITION BY CAST(strftime('%s', start_at) AS INTEGER) ORDER BY id) - 1 AS new_id
    FROM cdrs;
CREATE TABLE cdrs_by_start (
    id              INTEGER PRIMARY KEY,           -- start second × 1000000 + n (usage/cdr_import.cpp)
    service_id      INTEGER NOT NULL REFERENCES services(id),
    source          TEXT NOT NULL,                 -- the PBX system ("fusionpbx"): one call id per source
    source_id       TEXT NOT NULL,
    direction       TEXT NOT NULL,
    caller          TEXT NOT NULL,
    destination     TEXT NOT NULL,                 -- destination_number
    caller_destination TEXT NOT NULL,
    start_at        TEXT NOT NULL,                 -- UTC, whole seconds
    answer_at       TEXT,
    end_at          TEXT NOT NULL,
    duration        INTEGER NOT NULL,
    billsec         INTEGER NOT NULL,
    hangup_cause    TEXT NOT NULL,
    status          TEXT NOT NULL,                 -- rated | unrated | excluded | suppressed | unanswered | not billed
    number          TEXT NOT NULL,                 -- the normalized number rated
    prefix          TEXT,
    tariff_version_id INTEGER REFERENCES tariff_versions(id),
    custom_rate     INTEGER NOT NULL DEFAULT 0,
    per_minute_micros INTEGER NOT NULL DEFAULT 0,
    connect_fee_micros INTEGER NOT NULL DEFAULT 0,
    markup          TEXT NOT NULL DEFAULT '0',
    billed_seconds  INTEGER NOT NULL DEFAULT 0,
    free_seconds    INTEGER NOT NULL DEFAULT 0,
    tier_seconds    INTEGER NOT NULL DEFAULT 0,
    cost_micros     INTEGER NOT NULL DEFAULT 0,
    note            TEXT NOT NULL DEFAULT '',
    charge_ref      TEXT,                          -- what billed it (autobill), NULL until then
    imported_at     TEXT NOT NULL,
    answer_inferred INTEGER NOT NULL DEFAULT 0     -- no answer time given: it is end − billsec
);
INSERT INTO cdrs_by_start (id, service_id, source, source_id, direction, caller, destination, caller_destination, start_at,
    answer_at, end_at, duration, billsec, hangup_cause, status, number, prefix, tariff_version_id, custom_rate,
    per_minute_micros, connect_fee_micros, markup, billed_seconds, free_seconds, tier_seconds, cost_micros, note, charge_ref,
    imported_at, answer_inferred)
SELECT n.new_id, service_id, source, source_id, direction, caller, destination, caller_destination, start_at,
    answer_at, end_at, duration, billsec, hangup_cause, status, number, prefix, tariff_version_id, custom_rate,
    per_minute_micros, connect_fee_micros, markup, billed_seconds, free_seconds, tier_seconds, cost_micros, note, charge_ref,
    imported_at, answer_inferred FROM cdrs JOIN cdr_ids n ON n.old_id = cdrs.id ORDER BY n.new_id;
UPDATE cdr_rerate_changes SET cdr_id = (SELECT new_id FROM cdr_ids WHERE old_id = cdr_id);
DROP TABLE cdr_ids;
DROP TABLE cdrs;
DELETE FROM sqlite_sequence WHERE name = 'cdrs';
ALTER TABLE cdrs_by_start RENAME TO cdrs;
CREATE INDEX cdrs_service ON cdrs(service_id);
CREATE TABLE cdr_quarters (                        -- a service's listed calls per UTC quarter hour
    service_id      INTEGER NOT NULL REFERENCES services(id) ON DELETE CASCADE,
    quarter_at      INTEGER NOT NULL,              -- Unix time the quarter hour starts
    calls           INTEGER NOT NULL,              -- calls not suppressed
    billed_seconds  INTEGER NOT NULL,
    cost_micros     INTEGER NOT NULL,
    PRIMARY KEY (service_id, quarter_at)
) WITHOUT ROWID;
INSERT INTO cdr_quarters (service_id, quarter_at, calls, billed_seconds, cost_micros)
SELECT service_id, id / 1000000 / 900 * 900, count(*), sum(billed_seconds), sum(cost_micros) FROM cdrs
WHERE status <> 'suppressed' GROUP BY 1, 2;
CREATE TRIGGER cdr_quarters_changed AFTER UPDATE OF id, service_id, status, billed_seconds, cost_micros ON cdrs
BEGIN
    UPDATE cdr_quarters SET calls = calls - 1, billed_seconds = billed_seconds - OLD.billed_seconds,
        cost_micros = cost_micros - OLD.cost_micros
    WHERE OLD.status <> 'suppressed' AND service_id = OLD.service_id AND quarter_at = OLD.id / 1000000 / 900 * 900;
    INSERT INTO cdr_quarters (service_id, quarter_at, calls, billed_seconds, cost_micros)
    SELECT NEW.service_id, NEW.id / 1000000 / 900 * 900, 0, 0, 0 WHERE NEW.status <> 'suppressed' AND NOT EXISTS
        (SELECT 1 FROM cdr_quarters WHERE service_id = NEW.service_id AND quarter_at = NEW.id / 1000000 / 900 * 900);
    UPDATE cdr_quarters SET calls = calls + 1, billed_seconds = billed_seconds + NEW.billed_seconds,
        cost_micros = cost_micros + NEW.cost_micros
    WHERE NEW.status <> 'suppressed' AND service_id = NEW.service_id AND quarter_at = NEW.id / 1000000 / 900 * 900;
END;
CREATE TRIGGER cdr_quarters_removed AFTER DELETE ON cdrs
BEGIN
    UPDATE cdr_quarters SET calls = calls - 1, billed_seconds = billed_seconds - OLD.billed_seconds,
        cost_micros = cost_micros - OLD.cost_micros
    WHERE OLD.status <> 'suppressed' AND service_id = OLD.service_id AND quarter_at = OLD.id / 1000000 / 900 * 900;
END;
CREATE TRIGGER usage_period_seconds_changed AFTER UPDATE OF service_id, start_at, status, number, billed_seconds ON cdrs
BEGIN DELETE FROM usage_period_seconds WHERE service_id IN (OLD.service_id, NEW.service_id); END;
CREATE TRIGGER usage_period_seconds_removed AFTER DELETE ON cdrs
BEGIN DELETE FROM usage_period_seconds WHERE service_id = OLD.service_id; END;
)SQL",
        // 26: getting paid through gateway modules — clients' saved payment methods (the
        // gateway's tokens), every charge, hosted payment and refund asked of a gateway (keyed by
        // the idempotency key the host derives, so none is ever sent twice under two keys),
        // top-ups, auto top-up settings, and webhooks stored before they are acted on.
        R"SQL(
CREATE TABLE payment_methods (                     -- a client's payment methods kept at a gateway: tokens, never card numbers
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id       INTEGER NOT NULL REFERENCES clients(id),
    gateway         TEXT NOT NULL,                 -- the gateway account: a server record's name
    customer        TEXT NOT NULL DEFAULT '',      -- the client's customer id at the gateway
    token           TEXT NOT NULL,                 -- the payment method's id at the gateway
    label           TEXT NOT NULL DEFAULT '',      -- "Visa ending 4242"
    is_default      INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    removed_at      TEXT,
    UNIQUE (gateway, token)
);
CREATE INDEX payment_methods_client ON payment_methods(client_id) WHERE removed_at IS NULL;
CREATE TABLE topups (                              -- credit bought through a gateway
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id       INTEGER NOT NULL REFERENCES clients(id),
    amount_micros   INTEGER NOT NULL,
    gateway         TEXT NOT NULL,
    source          TEXT NOT NULL,                 -- operator, client, auto
    state           TEXT NOT NULL,                 -- open, paid, failed, expired
    created_at      TEXT NOT NULL,
    paid_at         TEXT,
    business_date   TEXT NOT NULL                  -- the day it was asked for (auto top-up's daily cap)
);
CREATE INDEX topups_client ON topups(client_id, business_date);
CREATE TABLE payment_attempts (                    -- every charge, hosted payment and refund asked of a gateway
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,                 -- charge, checkout, refund
    client_id       INTEGER NOT NULL,
    invoice_id      INTEGER,                       -- what it pays or refunds
    topup_id        INTEGER,
    gateway         TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,          -- sent again, never replaced, while the outcome is unknown
    amount_micros   INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    state           TEXT NOT NULL,                 -- sent (outcome unknown), succeeded, declined, action_required, pending, failed, expired, unresolved
    gateway_ref     TEXT NOT NULL DEFAULT '',      -- the gateway's id: the payment, the hosted session, the refund
    payment_ref     TEXT NOT NULL DEFAULT '',      -- the payment it concerns
    customer        TEXT NOT NULL DEFAULT '',      -- charge: the customer and saved method it was sent with, sent
    payment_method  TEXT NOT NULL DEFAULT '',      -- again with the same key whatever the client's default is by then
    url             TEXT NOT NULL DEFAULT '',      -- a hosted page for the client
    message         TEXT NOT NULL DEFAULT '',
    transaction_id  INTEGER,                       -- the payment or refund it posted
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX payment_attempts_invoice ON payment_attempts(invoice_id, id) WHERE invoice_id IS NOT NULL;
CREATE INDEX payment_attempts_topup ON payment_attempts(topup_id) WHERE topup_id IS NOT NULL;
CREATE INDEX payment_attempts_open ON payment_attempts(state) WHERE state IN ('sent', 'pending');
CREATE TABLE auto_topups (                         -- "when credit falls below X, charge Y"
    client_id       INTEGER PRIMARY KEY REFERENCES clients(id),
    threshold_micros INTEGER NOT NULL,
    amount_micros   INTEGER NOT NULL,
    enabled         INTEGER NOT NULL DEFAULT 1,
    updated_at      TEXT NOT NULL
);
CREATE TABLE gateway_events (                      -- webhooks: stored with their id before anything is done, processed once
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    gateway         TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    report          TEXT NOT NULL,                 -- what the module read from it (JSON)
    received_at     TEXT NOT NULL,
    processed_at    TEXT,
    outcome         TEXT NOT NULL DEFAULT '',
    UNIQUE (gateway, event_id)
);
ALTER TABLE transactions ADD COLUMN refund_of INTEGER;         -- a refund (negative amount): the payment it returns
ALTER TABLE transactions ADD COLUMN disputed_at TEXT;          -- the client's bank disputes it
ALTER TABLE transactions ADD COLUMN topup_id INTEGER;
ALTER TABLE invoices ADD COLUMN refunded_micros INTEGER NOT NULL DEFAULT 0;  -- returned to the client; the invoice stays paid
CREATE INDEX transactions_refunds ON transactions(refund_of) WHERE refund_of IS NOT NULL;
ALTER TABLE mail_outbox ADD COLUMN attach_invoice INTEGER;     -- the invoice whose PDF goes with it, made when it is sent
-- An operator may have made templates of these names already: theirs are kept.
INSERT OR IGNORE INTO mail_templates (name, subject, body, updated_at, category) VALUES
('Credit Card Payment Failed', 'Payment for invoice #{$invoice_id} failed',
'Dear {$client_name},

We tried to charge {$payment_amount} for invoice #{$invoice_id} to your {$payment_method},
and it was declined: {$payment_failure}

Please pay invoice #{$invoice_id} (due {$invoice_due_date}) in the client area, or update your
payment method, before services on it are suspended.
', '1970-01-01T00:00:00Z', 'invoice'),
('Payment Authentication Required', 'Please confirm your payment for invoice #{$invoice_id}',
'Dear {$client_name},

Your bank asks you to confirm the payment of {$payment_amount} for invoice #{$invoice_id}.
Please complete it here:

{$payment_link}
', '1970-01-01T00:00:00Z', 'invoice');
)SQL",
        // 27: taxes. Rules and the tax policy are the operator's business data, kept here like
        // WHMCS keeps them (changed with `provisio tax`); an invoice keeps the rates, names and
        // mode it was made with, so a later change never alters an invoice already issued.
        R"SQL(
CREATE TABLE tax_rules (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    level           INTEGER NOT NULL CHECK (level IN (1, 2)),
    name            TEXT NOT NULL,                 -- "VAT", "GST", "State tax"
    country         TEXT NOT NULL DEFAULT '',      -- ISO 3166 alpha-2; '' = every country
    state           TEXT NOT NULL DEFAULT '',      -- as clients write it, compared without case; '' = every state
    rate_micros     INTEGER NOT NULL CHECK (rate_micros >= 0),  -- percent, in millionths: 20% = 20000000
    created_at      TEXT NOT NULL,
    UNIQUE (level, country, state)
);
CREATE TABLE tax_settings (                        -- prices, compound, rounding, late_fees, home_country, eu_reverse_charge
    key             TEXT PRIMARY KEY,
    value           TEXT NOT NULL
);
ALTER TABLE products ADD COLUMN taxable INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN tax_exempt INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN tax_id TEXT NOT NULL DEFAULT '';        -- an EU VAT number, "DE123456789"
ALTER TABLE invoice_items ADD COLUMN taxed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN tax_inclusive INTEGER NOT NULL DEFAULT 0;  -- the lines' amounts include the tax
ALTER TABLE invoices ADD COLUMN tax_per_line INTEGER NOT NULL DEFAULT 0;   -- rounded per line (else on the taxed sum)
ALTER TABLE invoices ADD COLUMN tax1_name TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN tax1_rate_micros INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN tax2_name TEXT NOT NULL DEFAULT '';
ALTER TABLE invoices ADD COLUMN tax2_rate_micros INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN tax2_compound INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN taxable_micros INTEGER NOT NULL DEFAULT 0; -- the taxed lines' net amount
ALTER TABLE invoices ADD COLUMN tax1_micros INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN tax2_micros INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN total_micros INTEGER NOT NULL DEFAULT 0;   -- what the client owes: lines + tax (or lines, tax included)
ALTER TABLE invoices ADD COLUMN tax_note TEXT NOT NULL DEFAULT '';         -- "Reverse charge: ..." printed on the invoice
UPDATE invoices SET total_micros = subtotal_micros;
DROP TRIGGER autosuspend_invoice_changed;
CREATE TRIGGER autosuspend_invoice_changed AFTER UPDATE OF client_id, status, due_date, total_micros, credit_micros, paid_micros ON invoices
BEGIN
    INSERT INTO autosuspend_changes (client_id) SELECT NEW.client_id WHERE NOT EXISTS (SELECT 1 FROM autosuspend_changes WHERE client_id = NEW.client_id);
    INSERT INTO autosuspend_changes (client_id) SELECT OLD.client_id WHERE NOT EXISTS (SELECT 1 FROM autosuspend_changes WHERE client_id = OLD.client_id);
END;
)SQL",
    };
    return migrations;
}

CodeMigration code_migration(size_t index) {
    switch (index) {
    case 12: return use_autoincrement_ids;
    default: return nullptr;
    }
}

}  // namespace provisio
