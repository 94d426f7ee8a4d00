// The JSON shapes of records: what `provisio … --json` prints and what the HTTP API answers, from
// one place, so the two never drift apart. Money is decimal text (never a JSON number), dates
// and times are ISO text, an absent optional value is null.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <vector>

namespace provisio {

struct Client;
struct PostalAddress;
struct Service;
struct Invoice;
struct LifecycleResult;
struct CreditEntry;
struct QueueItem;
struct AuditEntry;
struct ApiKey;
struct CreditsView;
struct Contact;
struct Product;
struct CancellationRequest;
struct CronHistoryEntry;
struct CustomAction;
struct RecordedPayment;
struct AppliedCredit;
struct LoggedTime;
struct QueueRetryResult;
struct ClientNote;
struct CatalogueAddon;
struct ServiceAddon;
class ModuleHost;
struct LoadedModule;
class Money;
namespace usage {
struct PackageRecord;
struct Tariff;
struct TariffVersion;
struct StoredCdr;
struct UsageSummary;
}  // namespace usage

nlohmann::ordered_json address_json(const PostalAddress &a);
nlohmann::ordered_json client_json(const Client &c);
nlohmann::ordered_json service_json(const Service &s);
nlohmann::ordered_json invoice_json(const Invoice &i);
// What a lifecycle call did: status ok|error|retryable, the service's status before and after, the queue item.
nlohmann::ordered_json lifecycle_json(const LifecycleResult &r);
// A module's custom action (ABI 1.5): name, label, description, client_visible.
nlohmann::ordered_json custom_action_json(const CustomAction &a);
// A payment recorded against an invoice: the transaction, what was applied and overpaid (to
// credit), whether the invoice is paid, its balance due, and what paying up set off.
nlohmann::ordered_json payment_json(int64_t invoice_id, const RecordedPayment &r);
// Credit applied to an invoice: applied, paid, balance_due, then, errors.
nlohmann::ordered_json applied_credit_json(int64_t invoice_id, const AppliedCredit &a);
nlohmann::ordered_json client_note_json(const ClientNote &n);
nlohmann::ordered_json catalogue_addon_json(const CatalogueAddon &a);
nlohmann::ordered_json service_addon_json(const ServiceAddon &a);
// A product's VoIP package; `tariff` is its tariff's name (empty: none).
nlohmann::ordered_json package_json(const usage::PackageRecord &p, const std::string &tariff);
// A tariff with its current version: id, name, version (0: none yet), rates, imported_at.
nlohmann::ordered_json tariff_json(const usage::Tariff &t);
// The same with its column map and every version (version, imported_at, file, rates, current).
nlohmann::ordered_json tariff_detail_json(const usage::Tariff &t, const std::vector<usage::TariffVersion> &versions);
// Work logged against a service: entry, service, hours (negative: debited), balance.
nlohmann::ordered_json logged_time_json(const LoggedTime &t);
// A service's module settings, one per product-scope option: key, label, default, product,
// override (null when not set), effective; a password's value as "(set)".
nlohmann::ordered_json service_settings_json(const LoadedModule &module, const Product &product, const Service &service);
nlohmann::ordered_json credit_entry_json(const CreditEntry &e);
// A client's credit log: {"client", "balance", "entries"}.
nlohmann::ordered_json credit_log_json(int64_t client_id, const Money &balance, const std::vector<CreditEntry> &entries);
nlohmann::ordered_json queue_item_json(const QueueItem &i);
// One queue item retried: queue_id, result (ok, error, retryable, obsolete, parked, not run), message.
nlohmann::ordered_json queue_retry_json(const QueueRetryResult &r);
nlohmann::ordered_json audit_json(const AuditEntry &e);
// An API key, never its secret (which is not kept).
nlohmann::ordered_json api_key_json(const ApiKey &k);
// The Service Credits view (`timelog show --json`): per service its entries with running
// balances, and the total, hours as decimal text.
nlohmann::ordered_json credits_view_json(const CreditsView &v);
// A product with its module settings, a password setting shown as "(set)".
nlohmann::ordered_json product_json(const Product &p, const ModuleHost &modules);
nlohmann::ordered_json contact_json(const Contact &c);
nlohmann::ordered_json cancellation_json(const CancellationRequest &r);
nlohmann::ordered_json cron_run_json(const CronHistoryEntry &h);
// A stored call with its rating (`cdr list --json`).
nlohmann::ordered_json cdr_json(const usage::StoredCdr &c);
// Calls, billed seconds (exact), minutes (to the hundredth) and cost per business day, and the
// total (`cdr summary --json`).
nlohmann::ordered_json usage_summary_json(const usage::UsageSummary &s);

}  // namespace provisio
