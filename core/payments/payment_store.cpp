#include "payments/payment_store.hpp"

#include "foundation/error.hpp"
#include "store/database.hpp"

namespace provisio {

namespace {

PaymentMethod method_row(Statement &q) {
    PaymentMethod m;
    m.id = q.int64(0);
    m.client_id = q.int64(1);
    m.gateway = q.text(2);
    m.customer = q.text(3);
    m.token = q.text(4);
    m.label = q.text(5);
    m.is_default = q.int64(6) != 0;
    m.created_at = q.text(7);
    return m;
}

constexpr const char *method_columns = "SELECT id, client_id, gateway, customer, token, label, is_default, created_at FROM payment_methods ";

constexpr const char *attempt_columns =
    "SELECT id, kind, client_id, invoice_id, topup_id, transaction_id, gateway, idempotency_key, amount_micros, currency, state, "
    "gateway_ref, payment_ref, url, message, created_at, updated_at, customer, payment_method FROM payment_attempts ";

PaymentAttempt attempt_row(Statement &q) {
    PaymentAttempt a;
    a.id = q.int64(0);
    a.kind = q.text(1);
    a.client_id = q.int64(2);
    if (!q.is_null(3)) a.invoice_id = q.int64(3);
    if (!q.is_null(4)) a.topup_id = q.int64(4);
    if (!q.is_null(5)) a.transaction_id = q.int64(5);
    a.gateway = q.text(6);
    a.idempotency_key = q.text(7);
    a.amount = Money::from_micros(q.int64(8));
    a.currency = q.text(9);
    a.state = q.text(10);
    a.gateway_ref = q.text(11);
    a.payment_ref = q.text(12);
    a.url = q.text(13);
    a.message = q.text(14);
    a.created_at = q.text(15);
    a.updated_at = q.text(16);
    a.customer = q.text(17);
    a.payment_method = q.text(18);
    return a;
}

}  // namespace

PaymentMethod save_payment_method(Database &db, const std::string &now, int64_t client_id, const std::string &gateway,
                                  const std::string &customer, const std::string &token, const std::string &label, bool make_default) {
    Transaction tx(db);
    auto existing = db.prepare(std::string(method_columns) + "WHERE gateway = ?1 AND token = ?2");
    existing.bind(1, gateway).bind(2, token);
    if (existing.step() && existing.int64(1) != client_id)
        fail(ErrorKind::conflict, "payment method " + token + " at " + gateway + " belongs to client " + std::to_string(existing.int64(1)));
    const bool first = !default_payment_method(db, client_id).has_value();
    db.prepare("INSERT INTO payment_methods (client_id, gateway, customer, token, label, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
               "ON CONFLICT (gateway, token) DO UPDATE SET customer = excluded.customer, label = excluded.label, removed_at = NULL")
        .bind(1, client_id).bind(2, gateway).bind(3, customer).bind(4, token).bind(5, label).bind(6, now)
        .run();
    auto q = db.prepare("SELECT id FROM payment_methods WHERE gateway = ?1 AND token = ?2");
    q.bind(1, gateway).bind(2, token);
    q.step();
    const int64_t id = q.int64(0);
    if (first || make_default) set_default_payment_method(db, client_id, id);
    tx.commit();
    for (auto &m : list_payment_methods(db, client_id))
        if (m.id == id) return m;
    fail(ErrorKind::internal, "payment method " + std::to_string(id) + " vanished while it was saved");
}

std::vector<PaymentMethod> list_payment_methods(Database &db, int64_t client_id) {
    auto q = db.prepare(std::string(method_columns) + "WHERE client_id = ?1 AND removed_at IS NULL ORDER BY is_default DESC, id DESC");
    q.bind(1, client_id);
    std::vector<PaymentMethod> out;
    while (q.step()) out.push_back(method_row(q));
    return out;
}

std::optional<PaymentMethod> default_payment_method(Database &db, int64_t client_id) {
    auto q = db.prepare(std::string(method_columns) + "WHERE client_id = ?1 AND removed_at IS NULL AND is_default = 1");
    q.bind(1, client_id);
    if (!q.step()) return std::nullopt;
    return method_row(q);
}

void set_default_payment_method(Database &db, int64_t client_id, int64_t method_id) {
    Transaction tx(db);
    auto q = db.prepare("SELECT 1 FROM payment_methods WHERE id = ?1 AND client_id = ?2 AND removed_at IS NULL");
    q.bind(1, method_id).bind(2, client_id);
    if (!q.step()) fail(ErrorKind::not_found, "client " + std::to_string(client_id) + " has no payment method " + std::to_string(method_id));
    db.prepare("UPDATE payment_methods SET is_default = (id = ?2) WHERE client_id = ?1").bind(1, client_id).bind(2, method_id).run();
    tx.commit();
}

void remove_payment_method(Database &db, const std::string &now, int64_t client_id, int64_t method_id) {
    Transaction tx(db);
    auto q = db.prepare("SELECT is_default FROM payment_methods WHERE id = ?1 AND client_id = ?2 AND removed_at IS NULL");
    q.bind(1, method_id).bind(2, client_id);
    if (!q.step()) fail(ErrorKind::not_found, "client " + std::to_string(client_id) + " has no payment method " + std::to_string(method_id));
    const bool was_default = q.int64(0) != 0;
    db.prepare("UPDATE payment_methods SET removed_at = ?2, is_default = 0 WHERE id = ?1").bind(1, method_id).bind(2, now).run();
    if (was_default) {
        const auto rest = list_payment_methods(db, client_id);
        if (!rest.empty()) set_default_payment_method(db, client_id, rest.front().id);
    }
    tx.commit();
}

PaymentAttempt open_attempt(Database &db, const std::string &now, PaymentAttempt a) {
    auto used = db.prepare("SELECT id FROM payment_attempts WHERE idempotency_key = ?1");
    used.bind(1, a.idempotency_key);
    if (used.step())
        fail(ErrorKind::conflict, "idempotency key " + a.idempotency_key + " was used by payment attempt " + std::to_string(used.int64(0)));
    auto q = db.prepare("INSERT INTO payment_attempts (kind, client_id, invoice_id, topup_id, gateway, idempotency_key, amount_micros, currency, "
                        "state, payment_ref, created_at, updated_at, customer, payment_method) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'sent', ?9, ?10, ?10, ?11, ?12)");
    q.bind(1, a.kind).bind(2, a.client_id);
    q.bind(3, a.invoice_id);
    q.bind(4, a.topup_id);
    q.bind(5, a.gateway).bind(6, a.idempotency_key).bind(7, a.amount.micros()).bind(8, a.currency).bind(9, a.payment_ref).bind(10, now);
    q.bind(11, a.customer).bind(12, a.payment_method);
    q.run();
    a.id = db.last_insert_id();
    a.state = attempt_state::sent;
    a.created_at = a.updated_at = now;
    return a;
}

void update_attempt(Database &db, const std::string &now, const PaymentAttempt &a) {
    auto q = db.prepare("UPDATE payment_attempts SET state = ?2, gateway_ref = ?3, payment_ref = ?4, url = ?5, message = ?6, "
                        "transaction_id = ?7, updated_at = ?8 WHERE id = ?1");
    q.bind(1, a.id).bind(2, a.state).bind(3, a.gateway_ref).bind(4, a.payment_ref).bind(5, a.url).bind(6, a.message);
    q.bind(7, a.transaction_id);
    q.bind(8, now);
    q.run();
}

std::optional<PaymentAttempt> find_attempt(Database &db, int64_t id) {
    auto q = db.prepare(std::string(attempt_columns) + "WHERE id = ?1");
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return attempt_row(q);
}

std::optional<PaymentAttempt> attempt_by_ref(Database &db, const std::string &gateway, const std::string &ref) {
    if (ref.empty()) return std::nullopt;
    auto q = db.prepare(std::string(attempt_columns) + "WHERE gateway = ?1 AND (gateway_ref = ?2 OR payment_ref = ?2) ORDER BY id DESC LIMIT 1");
    q.bind(1, gateway).bind(2, ref);
    if (!q.step()) return std::nullopt;
    return attempt_row(q);
}

std::vector<PaymentAttempt> invoice_attempts(Database &db, int64_t invoice_id) {
    auto q = db.prepare(std::string(attempt_columns) + "WHERE invoice_id = ?1 ORDER BY id");
    q.bind(1, invoice_id);
    std::vector<PaymentAttempt> out;
    while (q.step()) out.push_back(attempt_row(q));
    return out;
}

std::vector<PaymentAttempt> topup_attempts(Database &db, int64_t topup_id) {
    auto q = db.prepare(std::string(attempt_columns) + "WHERE topup_id = ?1 ORDER BY id");
    q.bind(1, topup_id);
    std::vector<PaymentAttempt> out;
    while (q.step()) out.push_back(attempt_row(q));
    return out;
}

int64_t insert_topup(Database &db, const std::string &now, const std::string &business_date, int64_t client_id, Money amount,
                     const std::string &gateway, const std::string &source) {
    db.prepare("INSERT INTO topups (client_id, amount_micros, gateway, source, state, created_at, business_date) "
               "VALUES (?1, ?2, ?3, ?4, 'open', ?5, ?6)")
        .bind(1, client_id).bind(2, amount.micros()).bind(3, gateway).bind(4, source).bind(5, now).bind(6, business_date)
        .run();
    return db.last_insert_id();
}

namespace {
constexpr const char *topup_columns = "SELECT id, client_id, amount_micros, gateway, source, state, created_at, paid_at, business_date FROM topups ";
Topup topup_row(Statement &q) {
    Topup t;
    t.id = q.int64(0);
    t.client_id = q.int64(1);
    t.amount = Money::from_micros(q.int64(2));
    t.gateway = q.text(3);
    t.source = q.text(4);
    t.state = q.text(5);
    t.created_at = q.text(6);
    t.paid_at = q.opt_text(7);
    t.business_date = q.text(8);
    return t;
}
}  // namespace

Topup get_topup(Database &db, int64_t id) {
    auto q = db.prepare(std::string(topup_columns) + "WHERE id = ?1");
    q.bind(1, id);
    if (!q.step()) fail(ErrorKind::not_found, "top-up " + std::to_string(id) + " does not exist");
    return topup_row(q);
}

void set_topup_state(Database &db, int64_t id, const std::string &state, const std::optional<std::string> &paid_at) {
    auto q = db.prepare("UPDATE topups SET state = ?2, paid_at = coalesce(?3, paid_at) WHERE id = ?1");
    q.bind(1, id).bind(2, state);
    q.bind(3, paid_at);
    q.run();
}

std::vector<Topup> list_topups(Database &db, int64_t client_id, int limit) {
    auto q = db.prepare(std::string(topup_columns) + "WHERE client_id = ?1 ORDER BY id DESC LIMIT ?2");
    q.bind(1, client_id).bind(2, static_cast<int64_t>(limit));
    std::vector<Topup> out;
    while (q.step()) out.push_back(topup_row(q));
    return out;
}

int count_topups(Database &db, int64_t client_id, const std::string &business_date, const std::string &source) {
    auto q = db.prepare("SELECT count(*) FROM topups WHERE client_id = ?1 AND business_date = ?2 AND source = ?3 AND state <> 'failed'");
    q.bind(1, client_id).bind(2, business_date).bind(3, source);
    q.step();
    return static_cast<int>(q.int64(0));
}

std::optional<int64_t> reference_id(const std::string &reference, const std::string &prefix) {
    if (reference.rfind(prefix, 0) != 0) return std::nullopt;
    const std::string digits = reference.substr(prefix.size());
    if (digits.empty() || digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return std::stoll(digits);
}

}  // namespace provisio
