#include "shapes/records_json.hpp"

#include "automation/cron_runner.hpp"
#include "automation/invoice_payment.hpp"
#include "billing/addons.hpp"
#include "billing/invoices.hpp"
#include "domain/audit_log.hpp"
#include "domain/client_notes.hpp"
#include "domain/contacts.hpp"
#include "domain/records.hpp"
#include "http/api_keys.hpp"
#include "ledger/credit_ledger.hpp"
#include "ledger/time_ledger.hpp"
#include "modulehost/module_host.hpp"
#include "provisioning/call_log.hpp"
#include "provisioning/cancellation_requests.hpp"
#include "provisioning/lifecycle.hpp"
#include "provisioning/module_queue.hpp"
#include "provisioning/module_settings.hpp"
#include "provisioning/time_entries.hpp"
#include "usage/cdrs.hpp"
#include "usage/packages.hpp"
#include "usage/tariff_store.hpp"

namespace provisio {

using json = nlohmann::ordered_json;

json address_json(const PostalAddress &a) {
    return {{"address1", a.address1}, {"address2", a.address2}, {"city", a.city}, {"state", a.state}, {"postcode", a.postcode},
            {"country", a.country}};
}

json client_json(const Client &c) {
    return {{"id", c.id}, {"first_name", c.first_name}, {"last_name", c.last_name}, {"company", c.company}, {"email", c.email},
            {"address", address_json(c.address)}, {"phone", c.phone}, {"language", c.language},
            {"status", c.status}, {"currency", c.currency}, {"separate_invoices", c.separate_invoices},
            {"no_late_fees", c.no_late_fees}, {"no_overdue_emails", c.no_overdue_emails}, {"tax_exempt", c.tax_exempt}, {"tax_id", c.tax_id},
            {"billing_contact_id", c.billing_contact_id ? json(*c.billing_contact_id) : json()}, {"created_at", c.created_at}};
}

json service_json(const Service &s) {
    return {{"id", s.id}, {"client_id", s.client_id}, {"product_id", s.product_id},
            {"server_id", s.server_id ? json(*s.server_id) : json()}, {"status", s.status}, {"domain", s.domain},
            {"username", s.username}, {"password_set", !s.password.empty()}, {"dedicated_ip", s.dedicated_ip},
            {"next_due_date", s.next_due_date ? json(*s.next_due_date) : json()},
            {"next_invoice_date", s.next_invoice_date ? json(*s.next_invoice_date) : json()},
            {"autosuspend_override", s.autosuspend_override ? json(*s.autosuspend_override) : json()},
            {"recurring_amount", s.recurring_amount.to_string()}, {"billing_cycle", s.billing_cycle},
            {"suspend_reason", s.suspend_reason}, {"suspended_by", s.suspended_by}, {"payment_method", s.payment_method}, {"custom_fields", s.custom_fields}, {"module_state", s.module_state},
            {"created_at", s.created_at}, {"updated_at", s.updated_at}};
}

json invoice_json(const Invoice &i) {
    json lines = json::array();
    for (const auto &l : i.lines)
        lines.push_back({{"id", l.id}, {"type", l.item_type}, {"item_id", l.item_id ? json(*l.item_id) : json()},
                         {"description", l.description}, {"amount", l.amount.to_string()},
                         {"due_date", l.due_date ? json(*l.due_date) : json()}, {"taxed", l.taxed.value_or(false)}});
    json taxes = json::array();
    const auto labels = tax_lines(i);  // "VAT 20%", "QST 9.975% (compound)"
    if (!i.tax.rate1.zero())
        taxes.push_back({{"level", 1}, {"name", i.tax.name1}, {"rate", i.tax.rate1.to_string()}, {"label", labels.at(0).first}, {"amount", i.tax1.to_string()}});
    if (!i.tax.rate2.zero())
        taxes.push_back({{"level", 2}, {"name", i.tax.name2}, {"rate", i.tax.rate2.to_string()}, {"compound", i.tax.compound},
                         {"label", labels.back().first}, {"amount", i.tax2.to_string()}});
    return {{"id", i.id}, {"client_id", i.client_id}, {"status", i.status}, {"kind", i.kind},
            {"invoice_date", i.invoice_date}, {"due_date", i.due_date}, {"subtotal", i.net().to_string()},
            {"prices_include_tax", i.tax.inclusive}, {"taxable", i.taxable.to_string()}, {"taxes", taxes},
            {"tax", (i.tax1 + i.tax2).to_string()}, {"total", i.total.to_string()}, {"tax_note", i.tax.note},
            {"credit_applied", i.credit.to_string()}, {"paid", i.paid.to_string()}, {"refunded", i.refunded.to_string()},
            {"balance_due", i.balance_due().to_string()}, {"paid_at", i.paid_at ? json(*i.paid_at) : json()},
            {"lines", lines}};
}

json lifecycle_json(const LifecycleResult &r) {
    return {{"service", r.service_id}, {"action", r.action}, {"status", status_name(r.status)},
            {"message", r.message}, {"service_status_before", r.status_before},
            {"service_status", r.status_after}, {"queue_id", r.queue_id ? json(*r.queue_id) : json()},
            {"parked", r.parked ? json(*r.parked) : json()}};
}

json custom_action_json(const CustomAction &a) {
    return {{"name", a.name}, {"label", a.label}, {"description", a.description}, {"client_visible", a.client_visible}};
}

json payment_json(int64_t invoice_id, const RecordedPayment &r) {
    return {{"invoice", invoice_id},
            {"transaction", r.payment.transaction_id},
            {"amount", r.amount.to_string()},
            {"applied", r.payment.applied.to_string()},
            {"credit", r.payment.overpayment.to_string()},
            {"paid", r.payment.settled},
            {"balance_due", r.balance_due.to_string()},
            {"then", r.after.lines},
            {"errors", r.after.errors}};
}

json package_json(const usage::PackageRecord &p, const std::string &tariff) {
    json custom = json::array();
    for (const auto &r : p.custom_rates)
        custom.push_back({{"prefix", r.prefix}, {"rate", Money::from_micros(r.per_minute_micros).to_string(2)},
                          {"connect_fee", Money::from_micros(r.connect_fee_micros).to_string(2)}, {"description", r.description}});
    std::string exits;
    for (const auto &e : p.rating.plan.exit_prefixes) exits += (exits.empty() ? "" : ",") + e;
    return {{"product", p.product_id},
            {"tariff", tariff},
            {"country_code", p.rating.plan.country_code},
            {"national_prefix", p.rating.plan.national_prefix},
            {"exit_prefixes", exits},
            {"markup_percent", p.markup},
            {"free_minutes", p.rating.free_seconds / 60},
            {"tiers", usage::tiers_text(p.rating.tiers)},
            {"bill_inbound", p.rating.bill_inbound},
            {"exclude", p.rating.exclude.text()},
            {"suppress", p.rating.suppress.text()},
            {"decimals", p.rating.decimals},
            {"billing_mode", p.billing_mode},
            {"invoice_period", p.invoice_period},
            {"custom_rates", custom}};
}

json tariff_json(const usage::Tariff &t) {
    return {{"id", t.id}, {"name", t.name}, {"version", t.current ? t.current->version : 0}, {"rates", t.current ? t.current->rate_count : 0},
            {"imported_at", t.current ? json(t.current->imported_at) : json()}};
}

json catalogue_addon_json(const CatalogueAddon &a) {
    return {{"id", a.id}, {"name", a.name}, {"price", a.price.to_string()}, {"billing_cycle", a.billing_cycle}};
}

json service_addon_json(const ServiceAddon &a) {
    return {{"id", a.id}, {"service_id", a.service_id}, {"catalogue_id", a.catalogue_id ? json(*a.catalogue_id) : json()},
            {"name", a.name}, {"price", a.price.to_string()}, {"billing_cycle", a.billing_cycle}, {"status", a.status},
            {"next_due_date", a.next_due_date ? json(*a.next_due_date) : json()},
            {"next_invoice_date", a.next_invoice_date ? json(*a.next_invoice_date) : json()},
            {"termination_date", a.termination_date ? json(*a.termination_date) : json()}};
}

json tariff_detail_json(const usage::Tariff &t, const std::vector<usage::TariffVersion> &versions) {
    json out = tariff_json(t);
    json map = json::object();
    for (const auto &[k, v] : t.column_map) map[k] = v;
    out["column_map"] = std::move(map);
    json vs = json::array();
    for (const auto &v : versions)
        vs.push_back({{"version", v.version}, {"imported_at", v.imported_at}, {"file", v.source_file}, {"rates", v.rate_count},
                      {"current", t.current && t.current->id == v.id}});
    out["versions"] = std::move(vs);
    return out;
}

json client_note_json(const ClientNote &n) {
    return {{"id", n.id}, {"client", n.client_id}, {"at", n.at}, {"author", n.author}, {"text", n.text}};
}

json applied_credit_json(int64_t invoice_id, const AppliedCredit &a) {
    return {{"invoice", invoice_id}, {"applied", a.applied.to_string()}, {"paid", a.paid}, {"balance_due", a.balance_due.to_string()},
            {"then", a.after.lines},     {"errors", a.after.errors}};
}

json logged_time_json(const LoggedTime &t) {
    return {{"entry", t.entry_id}, {"service", t.service_id}, {"hours", (-t.hours).to_string(2)}, {"balance", t.balance.to_string(2)}};
}

json service_settings_json(const LoadedModule &m, const Product &product, const Service &s) {
    const Settings effective = effective_settings(m, product, &s);
    auto shown = [](const OptionSpec &o, const std::string &v) { return o.type == PROVISIO_OPTION_PASSWORD && !v.empty() ? std::string("(set)") : v; };
    json out = json::array();
    for (const auto &o : m.description.schema.options()) {
        if (o.scope != PROVISIO_SCOPE_PRODUCT) continue;
        auto pv = product.settings.find(o.key);
        auto ov = s.overrides.find(o.key);
        out.push_back({{"key", o.key}, {"label", o.label}, {"default", o.default_value},
                       {"product", pv == product.settings.end() ? json() : json(shown(o, pv->second))},
                       {"override", ov == s.overrides.end() ? json() : json(shown(o, ov->second))},
                       {"effective", shown(o, effective.at(o.key))}});
    }
    return out;
}

json queue_retry_json(const QueueRetryResult &r) {
    const std::string state = r.result ? status_name(r.result->status) : r.obsolete ? "obsolete" : r.parked ? "parked" : "not run";
    return {{"queue_id", r.queue_id}, {"result", state}, {"message", r.result ? r.result->message : r.note}};
}

json credit_entry_json(const CreditEntry &e) {
    return {{"id", e.id}, {"at", e.at}, {"amount", e.amount.to_string()}, {"kind", e.kind}, {"description", e.description},
            {"invoice_id", e.invoice_id ? json(*e.invoice_id) : json()},
            {"reverses", e.reverses_id ? json(*e.reverses_id) : json()},
            {"reversed_by", e.reversed_by ? json(*e.reversed_by) : json()}};
}

json credit_log_json(int64_t client_id, const Money &balance, const std::vector<CreditEntry> &entries) {
    json out = json::array();
    for (const auto &e : entries) out.push_back(credit_entry_json(e));
    return {{"client", client_id}, {"balance", balance.to_string()}, {"entries", out}};
}

json queue_item_json(const QueueItem &i) {
    return {{"id", i.id}, {"service_id", i.service_id}, {"action", i.action}, {"reason", i.reason},
            {"requested_by", i.requested_by}, {"attempts", i.attempts}, {"last_error", i.last_error}, {"created_at", i.created_at},
            {"last_attempt_at", i.last_attempt_at},
            {"resolved_at", i.resolved_at ? json(*i.resolved_at) : json()},
            {"outcome", i.outcome ? json(*i.outcome) : json()}, {"state", i.state()},
            {"aborts", i.aborts}, {"parked_at", i.parked_at ? json(*i.parked_at) : json()},
            {"parked_reason", i.parked_reason}};
}

json audit_json(const AuditEntry &e) {
    return {{"id", e.id}, {"at", e.at}, {"actor", e.actor}, {"action", e.action},
            {"client_id", e.client_id ? json(*e.client_id) : json()}, {"detail", e.detail}};
}

json api_key_json(const ApiKey &k) {
    return {{"id", k.id}, {"name", k.name}, {"role", k.role}, {"allow_ips", k.allow_ips}, {"created_at", k.created_at},
            {"last_used_at", k.last_used_at ? json(*k.last_used_at) : json()},
            {"revoked_at", k.revoked_at ? json(*k.revoked_at) : json()}};
}


namespace {
// Per-call money to the rater's four places.
std::string cdr_money(int64_t micros) { return Money::from_micros(micros).to_string(4); }
}  // namespace

nlohmann::ordered_json cdr_json(const usage::StoredCdr &c) {
    return {{"id", c.id},
            {"service", c.service_id},
            {"source", c.source},
            {"source_id", c.source_id},
            {"direction", c.direction},
            {"caller", c.caller},
            {"destination", c.destination},
            {"caller_destination", c.caller_destination},
            {"start", c.start_at},
            {"answer", c.answer_at},
            {"answer_inferred", c.answer_inferred},
            {"end", c.end_at},
            {"duration", c.duration},
            {"billsec", c.billsec},
            {"hangup_cause", c.hangup_cause},
            {"status", c.status},
            {"number", c.number},
            {"prefix", c.prefix},
            {"custom_rate", c.custom_rate},
            {"rate", cdr_money(c.per_minute_micros)},
            {"connect_fee", cdr_money(c.connect_fee_micros)},
            {"markup_percent", c.markup},
            {"billed_seconds", c.billed_seconds},
            {"free_seconds", c.free_seconds},
            {"tier_seconds", c.tier_seconds},
            {"cost", cdr_money(c.cost_micros)},
            {"note", c.note},
            {"billed_by", c.charge_ref ? nlohmann::ordered_json(*c.charge_ref) : nlohmann::ordered_json(nullptr)}};
}

nlohmann::ordered_json usage_summary_json(const usage::UsageSummary &s) {
    auto day = [](const usage::UsageDay &d) {
        return nlohmann::ordered_json{{"day", d.day},
                                      {"calls", d.calls},
                                      {"billed_seconds", d.billed_seconds},
                                      {"minutes", usage::minutes_text(d.billed_seconds)},
                                      {"cost", cdr_money(d.cost_micros)}};
    };
    nlohmann::ordered_json days = nlohmann::ordered_json::array();
    for (const usage::UsageDay &d : s.days) days.push_back(day(d));
    nlohmann::ordered_json total = day(s.total);
    total.erase("day");
    return {{"from", format_date(s.from)}, {"to", format_date(s.to)}, {"services", s.service_ids}, {"days", std::move(days)},
            {"total", std::move(total)}};
}

nlohmann::ordered_json credits_view_json(const CreditsView &v) {
    json services = json::array();
    for (const ServiceCredits &s : v.services) {
        json rows = json::array();
        for (const auto &[e, balance] : s.entries)
            rows.push_back({{"id", e.id}, {"date", e.entry_date}, {"kind", e.kind}, {"hours", e.hours.to_string(2)},
                            {"balance", balance.to_string(2)}, {"description", e.description},
                            {"minutes", e.minutes ? json(*e.minutes) : json()}});
        services.push_back({{"service", s.service_id ? json(*s.service_id) : json()}, {"balance", s.balance.to_string(2)},
                            {"entries", std::move(rows)}});
    }
    return {{"services", std::move(services)}, {"total", v.total.to_string(2)}};
}

nlohmann::ordered_json product_json(const Product &p, const ModuleHost &modules) {
    json settings = json::object();
    const LoadedModule *m = p.module.empty() ? nullptr : modules.find(p.module);
    for (const auto &[k, v] : p.settings) {
        const OptionSpec *o = m ? m->description.schema.find(k) : nullptr;
        settings[k] = o && o->type == PROVISIO_OPTION_PASSWORD ? "(set)" : v;
    }
    return {{"id", p.id}, {"name", p.name}, {"type", p.type}, {"module", p.module}, {"price", p.price.to_string()},
            {"billing_cycle", p.billing_cycle}, {"auto_setup", p.auto_setup}, {"taxable", p.taxable}, {"settings", settings}, {"created_at", p.created_at}};
}


nlohmann::ordered_json contact_json(const Contact &c) {
    return {{"id", c.id}, {"client_id", c.client_id}, {"first_name", c.first_name}, {"last_name", c.last_name}, {"email", c.email},
            {"company", c.company}, {"phone", c.phone},
            {"address", {{"address1", c.address.address1}, {"address2", c.address.address2}, {"city", c.address.city},
                         {"state", c.address.state}, {"postcode", c.address.postcode}, {"country", c.address.country}}},
            {"email_categories", c.categories}, {"created_at", c.created_at}};
}


nlohmann::ordered_json cancellation_json(const CancellationRequest &r) {
    return {{"id", r.id}, {"service_id", r.service_id}, {"type", r.type}, {"reason", r.reason},
            {"requested_at", r.requested_at}, {"applied_at", r.applied_at ? json(*r.applied_at) : json()}};
}

nlohmann::ordered_json cron_run_json(const CronHistoryEntry &h) {
    return {{"id", h.id}, {"started_at", h.started_at}, {"finished_at", h.finished_at}, {"status", h.status}, {"summary", h.summary}};
}

}  // namespace provisio
