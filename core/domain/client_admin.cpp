#include "domain/client_admin.hpp"

#include "domain/audit_log.hpp"
#include "domain/records.hpp"
#include "foundation/error.hpp"
#include "money/money.hpp"
#include "store/database.hpp"
#include "store/purge.hpp"

namespace provisio {

namespace {

struct ClientRow {
    std::string email, currency;
    int64_t credit_micros = 0;
};

ClientRow load(Database &db, int64_t id) {
    auto q = db.prepare("SELECT email, currency, credit_micros FROM clients WHERE id = ?1");
    q.bind(1, id);
    if (!q.step()) fail(ErrorKind::not_found, "client " + std::to_string(id) + " does not exist");
    return {q.text(0), q.text(1), q.int64(2)};
}

}  // namespace

int64_t live_services(Database &db, int64_t client_id) {
    auto q = db.prepare("SELECT count(*) FROM services WHERE client_id = ?1 AND status IN ('Active', 'Suspended')");
    q.bind(1, client_id);
    q.step();
    return q.int64(0);
}

MergeReport merge_clients(Database &db, int64_t a, int64_t b, int64_t keep, const std::string &now) {
    if (a == b) fail(ErrorKind::refused, "cannot merge client " + std::to_string(a) + " with itself");
    if (keep != a && keep != b) fail(ErrorKind::invalid_input, "--keep must be " + std::to_string(a) + " or " + std::to_string(b));
    const int64_t gone = keep == a ? b : a;
    const ClientRow kept_row = load(db, keep), gone_row = load(db, gone);
    if (kept_row.currency != gone_row.currency)
        fail(ErrorKind::refused, "client " + std::to_string(keep) + " is billed in " + kept_row.currency + " and client " +
                                     std::to_string(gone) + " in " + gone_row.currency +
                                     ": merging would mix currencies in one ledger; change one client's currency first");
    MergeReport r;
    r.kept = keep;
    r.discarded = gone;
    Transaction tx(db);
    for (const char *table : {"services", "invoices", "transactions", "credit_ledger", "time_ledger", "contacts", "client_files",
                              "client_notes", "mail_outbox", "audit_log"}) {
        db.prepare(std::string("UPDATE ") + table + " SET client_id = ?1 WHERE client_id = ?2").bind(1, keep).bind(2, gone).run();
        if (db.changes()) r.moved[table] = db.changes();
    }
    // Custom field values the kept client has win; the others come over.
    db.prepare("UPDATE OR IGNORE client_field_values SET client_id = ?1 WHERE client_id = ?2").bind(1, keep).bind(2, gone).run();
    if (db.changes()) r.moved["client_field_values"] = db.changes();
    auto card = db.prepare("SELECT 1 FROM client_cards WHERE client_id = ?1");
    card.bind(1, keep);
    if (!card.step()) {
        db.prepare("UPDATE client_cards SET client_id = ?1 WHERE client_id = ?2").bind(1, keep).bind(2, gone).run();
        if (db.changes()) r.moved["client_cards"] = 1;
    }
    r.credit_micros = kept_row.credit_micros + gone_row.credit_micros;
    db.prepare("UPDATE clients SET credit_micros = ?2 WHERE id = ?1").bind(1, keep).bind(2, r.credit_micros).run();
    // What is left of the discarded client (its reset codes, low-balance state, a card the kept
    // client already had a better claim to) goes with its profile.
    purge(db, "clients", "id = " + std::to_string(gone));
    std::string detail = "client " + std::to_string(gone) + " (" + gone_row.email + ") merged into " + std::to_string(keep) + ":";
    for (const auto &[table, n] : r.moved) detail += " " + table + " " + std::to_string(n);
    detail += "; credit " + Money::from_micros(kept_row.credit_micros).to_string() + " + " + Money::from_micros(gone_row.credit_micros).to_string() +
              " = " + Money::from_micros(r.credit_micros).to_string();
    audit(db, now, "client.merge", keep, detail);
    tx.commit();
    return r;
}

DeleteReport delete_client(Database &db, int64_t client_id, bool force, const std::filesystem::path &files_dir, const std::string &now) {
    const ClientRow row = load(db, client_id);
    const int64_t live = live_services(db, client_id);
    if (live && !force)
        fail(ErrorKind::refused, "client " + std::to_string(client_id) + " has " + std::to_string(live) +
                                     " active or suspended service(s); deleting it does not terminate anything on the servers "
                                     "(terminate them first), and --force deletes it anyway");
    DeleteReport r;
    std::vector<std::string> stored;
    auto files = db.prepare("SELECT stored_name FROM client_files WHERE client_id = ?1");
    files.bind(1, client_id);
    while (files.step()) stored.push_back(files.text(0));
    Transaction tx(db);
    const std::string mine = "client_id = " + std::to_string(client_id);
    // Payments stay, with no client, so income reports still count them.
    db.exec("UPDATE transactions SET client_id = NULL WHERE " + mine);
    r.transactions_kept = db.changes();
    db.exec("DELETE FROM mail_outbox WHERE " + mine);
    r.services = purge(db, "services", mine);
    r.invoices = purge(db, "invoices", mine);
    r.files = static_cast<int>(stored.size());
    purge(db, "clients", "id = " + std::to_string(client_id));
    audit(db, now, "client.delete", client_id,
          row.email + ": " + std::to_string(r.services) + " service(s), " + std::to_string(r.invoices) + " invoice(s) removed; " +
              std::to_string(r.transactions_kept) + " transaction(s) kept" + (live ? ", deleted with --force" : ""));
    tx.commit();
    std::error_code ec;
    for (const auto &name : stored) std::filesystem::remove(files_dir / name, ec);
    return r;
}

}  // namespace provisio
