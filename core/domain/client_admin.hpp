// Merging two client accounts into one, and deleting a client.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace provisio {

class Database;

struct MergeReport {
    int64_t kept = 0, discarded = 0;
    std::map<std::string, int> moved;  // table → rows moved to the kept client
    int64_t credit_micros = 0;         // the kept client's credit after the merge
};

// Moves everything of the discarded client — services (with their addons, usage and state),
// invoices, transactions, credit and time-credit ledgers, contacts, files, notes, custom field values
// the kept client lacks, its card when the kept one has none, mail and audit history — to the
// kept client, adds the credit balances, removes the discarded profile and records the merge in
// the audit log, in one transaction. Error(refused): a client merged with itself, or two clients
// in different currencies. Error(not_found): an unknown client.
MergeReport merge_clients(Database &db, int64_t a, int64_t b, int64_t keep, const std::string &now);

struct DeleteReport {
    int services = 0, invoices = 0, transactions_kept = 0, files = 0;
};

// Removes the client and everything related to it except its transactions, which stay (with no
// client) so income reports still count them; its files leave the files directory too.
// Nothing is done on servers. Error(refused) when it has active or suspended services, unless
// `force`.
DeleteReport delete_client(Database &db, int64_t client_id, bool force, const std::filesystem::path &files_dir, const std::string &now);

// Active or suspended services of the client (services that run on a server).
int64_t live_services(Database &db, int64_t client_id);

}  // namespace provisio
