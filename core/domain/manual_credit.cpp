#include "domain/manual_credit.hpp"

#include "foundation/error.hpp"
#include "ledger/credit_ledger.hpp"
#include "money/currency.hpp"
#include "store/database.hpp"

namespace provisio {

ManualCredit post_manual_credit(Database &db, const std::string &now, int64_t client_id, const std::string &amount_text,
                                const std::string &description, bool adding, FieldSpelling spelling) {
    auto q = db.prepare("SELECT currency FROM clients WHERE id = ?1");
    q.bind(1, client_id);
    if (!q.step()) fail(ErrorKind::not_found, "client " + std::to_string(client_id) + " does not exist");
    // "amount" either way: the CLI's is its positional AMOUNT.
    const Money amount = Money::parse(amount_text, "amount", currency_decimals(q.text(0)));
    if (amount.negative() || amount.zero()) fail(ErrorKind::invalid_input, "amount '" + amount_text + "' must be more than zero");
    if (description.empty())
        fail(ErrorKind::invalid_input, field_name("description", spelling) + " is required: the credit log says why");
    CreditLedger ledger(db, now);
    const Money posted = adding ? amount : -amount;
    const auto id = ledger.post({client_id, posted, adding ? credit_kind::credit : credit_kind::debit, description, std::nullopt,
                                 std::nullopt, false});
    return {*id, posted, ledger.balance(client_id)};
}

}  // namespace provisio
