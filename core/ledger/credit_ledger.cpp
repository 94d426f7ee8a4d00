#include "ledger/credit_ledger.hpp"

#include "foundation/error.hpp"
#include "store/database.hpp"

namespace provisio {

std::optional<int64_t> CreditLedger::post(const CreditPosting &p) {
    Transaction tx(db_);
    if (p.natural_key) {
        auto q = db_.prepare("SELECT id FROM credit_ledger WHERE natural_key = ?1");
        q.bind(1, *p.natural_key);
        if (q.step()) return std::nullopt;
    }
    const Money before = balance(p.client_id);
    const Money after = before + p.amount;
    if (after.negative() && p.amount.negative() && !p.may_go_negative)
        fail(ErrorKind::refused, "client " + std::to_string(p.client_id) + " has " + before.to_string() +
                                     " credit; taking " + (-p.amount).to_string() + " would leave it negative");
    db_.prepare("INSERT INTO credit_ledger (client_id, at, amount_micros, kind, description, invoice_id, natural_key) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        .bind(1, p.client_id).bind(2, now_).bind(3, p.amount.micros()).bind(4, p.kind).bind(5, p.description)
        .bind(6, p.invoice_id).bind(7, p.natural_key)
        .run();
    const int64_t id = db_.last_insert_id();
    db_.prepare("UPDATE clients SET credit_micros = credit_micros + ?2 WHERE id = ?1")
        .bind(1, p.client_id).bind(2, p.amount.micros())
        .run();
    tx.commit();
    return id;
}

int64_t CreditLedger::reverse(int64_t id) {
    Transaction tx(db_);
    auto q = db_.prepare("SELECT client_id, amount_micros, kind, description, reverses_id, invoice_id, "
                         "(SELECT id FROM credit_ledger r WHERE r.reverses_id = e.id) FROM credit_ledger e WHERE id = ?1");
    q.bind(1, id);
    if (!q.step()) fail(ErrorKind::not_found, "credit entry " + std::to_string(id) + " does not exist");
    const int64_t client = q.int64(0);
    const Money amount = Money::from_micros(q.int64(1));
    const std::string kind = q.text(2), description = q.text(3);
    const auto invoice = q.opt_int64(5);
    if (!q.is_null(4))
        fail(ErrorKind::refused, "credit entry " + std::to_string(id) + " is itself a reversal (of entry " +
                                     std::to_string(q.int64(4)) + ")");
    if (!q.is_null(6))
        fail(ErrorKind::refused, "credit entry " + std::to_string(id) + " was already reversed by entry " +
                                     std::to_string(q.int64(6)));
    if (kind == credit_kind::applied)
        fail(ErrorKind::refused, "credit entry " + std::to_string(id) + " paid part of invoice #" +
                                     std::to_string(invoice.value_or(0)) + "; cancel or refund the invoice instead");
    db_.prepare("INSERT INTO credit_ledger (client_id, at, amount_micros, kind, description, invoice_id, reverses_id) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        .bind(1, client).bind(2, now_).bind(3, (-amount).micros()).bind(4, credit_kind::reversal)
        .bind(5, "Reversal of entry " + std::to_string(id) + ": " + description).bind(6, invoice).bind(7, id)
        .run();
    const int64_t rid = db_.last_insert_id();
    db_.prepare("UPDATE clients SET credit_micros = credit_micros - ?2 WHERE id = ?1").bind(1, client).bind(2, amount.micros()).run();
    tx.commit();
    return rid;
}

std::optional<int64_t> CreditLedger::set_balance(int64_t client_id, Money target, const std::string &description) {
    if (target.negative()) fail(ErrorKind::invalid_input, "a credit balance cannot be negative");
    const Money delta = target - balance(client_id);
    if (delta.zero()) return std::nullopt;
    return post({client_id, delta, credit_kind::adjustment, description, std::nullopt, std::nullopt, false});
}

Money CreditLedger::balance(int64_t client_id) {
    auto q = db_.prepare("SELECT credit_micros FROM clients WHERE id = ?1");
    q.bind(1, client_id);
    if (!q.step()) fail(ErrorKind::not_found, "client " + std::to_string(client_id) + " does not exist");
    return Money::from_micros(q.int64(0));
}

std::vector<CreditEntry> CreditLedger::entries(int64_t client_id) {
    auto q = db_.prepare("SELECT e.id, e.client_id, e.at, e.amount_micros, e.kind, e.description, e.invoice_id, "
                         "e.reverses_id, r.id, e.natural_key FROM credit_ledger e "
                         "LEFT JOIN credit_ledger r ON r.reverses_id = e.id WHERE e.client_id = ?1 ORDER BY e.id");
    q.bind(1, client_id);
    std::vector<CreditEntry> out;
    while (q.step()) {
        CreditEntry e;
        e.id = q.int64(0);
        e.client_id = q.int64(1);
        e.at = q.text(2);
        e.amount = Money::from_micros(q.int64(3));
        e.kind = q.text(4);
        e.description = q.text(5);
        e.invoice_id = q.opt_int64(6);
        e.reverses_id = q.opt_int64(7);
        e.reversed_by = q.opt_int64(8);
        e.natural_key = q.opt_text(9);
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace provisio
