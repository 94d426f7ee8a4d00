// `provisio verify`: the database's invariants, checked from scratch.
//   - every client's kept credit balance equals the sum of its ledger entries;
//   - every reversal undoes exactly the amount of the entry it reverses;
//   - no row points at a client, service, product, server or invoice that does not exist;
//   - every invoice's subtotal equals the sum of its lines, its total the subtotal with its tax
//     (included in it, with inclusive prices), and a Paid invoice is covered;
//   - every invoiced service that is still live has a next due date;
//   - every billing period's kept domestic seconds (usage_period_seconds) equal its calls' sum;
//   - no id can be handed out twice, and kept references point at what they meant
//     (store/id_sequences.hpp).
#pragma once

#include <string>
#include <vector>

namespace provisio {

class Database;

// One line per problem found; empty when all is well.
std::vector<std::string> verify_database(Database &db);

}  // namespace provisio
