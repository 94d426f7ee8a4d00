#include "domain/client_notes.hpp"

#include "domain/records.hpp"
#include "foundation/error.hpp"
#include "store/database.hpp"

namespace provisio {

ClientNote add_client_note(Database &db, const std::string &now, int64_t client_id, const std::string &author, const std::string &text,
                        const std::string &field) {
    require_client(db, client_id);
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) fail(ErrorKind::invalid_input, "a note needs some text (" + field + ")");
    db.prepare("INSERT INTO client_notes (client_id, at, author, text) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, client_id)
        .bind(2, now)
        .bind(3, author)
        .bind(4, text)
        .run();
    return {db.last_insert_id(), client_id, now, author, text};
}

std::vector<ClientNote> client_notes(Database &db, int64_t client_id) {
    require_client(db, client_id);
    auto q = db.prepare("SELECT id, at, author, text FROM client_notes WHERE client_id = ?1 ORDER BY id");
    q.bind(1, client_id);
    std::vector<ClientNote> out;
    while (q.step()) out.push_back({q.int64(0), client_id, q.text(1), q.text(2), q.text(3)});
    return out;
}

void delete_client_note(Database &db, int64_t note_id, std::optional<int64_t> client_id) {
    auto del = db.prepare("DELETE FROM client_notes WHERE id = ?1 AND (?2 IS NULL OR client_id = ?2)");
    del.bind(1, note_id);
    if (client_id) del.bind(2, *client_id);
    else del.bind_null(2);
    del.run();
    if (!db.changes()) fail(ErrorKind::not_found, "note " + std::to_string(note_id) + " does not exist");
}

}  // namespace provisio
