// Credit an operator or an integration adds to (or takes from) a client's account by hand, with
// the reason for its log: `provisio credit add|remove` and POST /api/v1/clients/{id}/credit.
#pragma once

#include "foundation/field_spelling.hpp"
#include "money/money.hpp"

#include <cstdint>
#include <string>

namespace provisio {

class Database;

struct ManualCredit {
    int64_t entry_id = 0;
    Money amount;   // as posted: negative when taken
    Money balance;  // the client's balance after it
};

// `amount` is decimal text in the client's currency, more than zero; `adding` false takes it.
// Error(invalid_input) for a malformed amount or an empty description (its field spelled as the
// caller spells it), Error(not_found) for an unknown client.
ManualCredit post_manual_credit(Database &db, const std::string &now, int64_t client_id, const std::string &amount,
                                const std::string &description, bool adding, FieldSpelling spelling);

}  // namespace provisio
