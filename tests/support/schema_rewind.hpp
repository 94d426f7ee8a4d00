// Tests that rewind a database's schema version to replay migrations must first undo what the
// later migrations made; this undoes migrations 21 to 27 (20 replays over its own result, and
// so does 25).
#pragma once

namespace provisio::test {

inline constexpr const char *undo_migrations_since_21 =
    "DROP TABLE IF EXISTS autosuspend_changes; DROP TABLE IF EXISTS autosuspend_sweeps; "
    "DROP TRIGGER IF EXISTS autosuspend_credit; DROP TRIGGER IF EXISTS autosuspend_invoice_added; "
    "DROP TRIGGER IF EXISTS autosuspend_invoice_changed; DROP TRIGGER IF EXISTS autosuspend_invoice_removed; "
    "DROP TRIGGER IF EXISTS autosuspend_field_added; DROP TRIGGER IF EXISTS autosuspend_field_changed; "
    "DROP TRIGGER IF EXISTS autosuspend_field_removed; DROP TRIGGER IF EXISTS autosuspend_service_added; "
    "DROP TRIGGER IF EXISTS autosuspend_service_changed; DROP TRIGGER IF EXISTS autosuspend_service_removed; "
    "DROP TRIGGER IF EXISTS autosuspend_field_defined; DROP TRIGGER IF EXISTS autosuspend_field_redefined; "
    "DROP TRIGGER IF EXISTS autosuspend_field_undefined; DROP TRIGGER IF EXISTS autosuspend_package_added; "
    "DROP TRIGGER IF EXISTS autosuspend_package_removed; DROP TABLE IF EXISTS usage_period_seconds; "
    "DROP TRIGGER IF EXISTS usage_period_seconds_changed; DROP TRIGGER IF EXISTS usage_period_seconds_removed; "
    "DROP INDEX IF EXISTS service_addons_service; DROP TABLE IF EXISTS web_sessions; DROP TABLE IF EXISTS login_failures; "
    "DROP TABLE IF EXISTS login_links; DROP TRIGGER IF EXISTS cdr_quarters_changed; DROP TRIGGER IF EXISTS cdr_quarters_removed; "
    "DROP TABLE IF EXISTS cdr_quarters; "
    // 26
    "DROP TABLE IF EXISTS payment_methods; DROP TABLE IF EXISTS topups; DROP TABLE IF EXISTS payment_attempts; "
    "DROP TABLE IF EXISTS auto_topups; DROP TABLE IF EXISTS gateway_events; DROP INDEX IF EXISTS transactions_refunds; "
    "ALTER TABLE transactions DROP COLUMN refund_of; ALTER TABLE transactions DROP COLUMN disputed_at; "
    "ALTER TABLE transactions DROP COLUMN topup_id; ALTER TABLE invoices DROP COLUMN refunded_micros; "
    "ALTER TABLE mail_outbox DROP COLUMN attach_invoice; "
    "DELETE FROM mail_templates WHERE name IN ('Credit Card Payment Failed', 'Payment Authentication Required'); "
    // 27
    "DROP TABLE IF EXISTS tax_rules; DROP TABLE IF EXISTS tax_settings; ALTER TABLE products DROP COLUMN taxable; "
    "ALTER TABLE clients DROP COLUMN tax_exempt; ALTER TABLE clients DROP COLUMN tax_id; ALTER TABLE invoice_items DROP COLUMN taxed; "
    "ALTER TABLE invoices DROP COLUMN tax_inclusive; ALTER TABLE invoices DROP COLUMN tax_per_line; ALTER TABLE invoices DROP COLUMN tax1_name; "
    "ALTER TABLE invoices DROP COLUMN tax1_rate_micros; ALTER TABLE invoices DROP COLUMN tax2_name; "
    "ALTER TABLE invoices DROP COLUMN tax2_rate_micros; ALTER TABLE invoices DROP COLUMN tax2_compound; "
    "ALTER TABLE invoices DROP COLUMN taxable_micros; ALTER TABLE invoices DROP COLUMN tax1_micros; ALTER TABLE invoices DROP COLUMN tax2_micros; "
    "ALTER TABLE invoices DROP COLUMN total_micros; ALTER TABLE invoices DROP COLUMN tax_note; ";

}  // namespace provisio::test
