// Notes staff keep on a client's account (`provisio client note`, /api/v1/clients/{id}/notes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

class Database;

struct ClientNote {
    int64_t id = 0;
    int64_t client_id = 0;
    std::string at, author, text;
};

// Adds a note and returns it as stored. Error(not_found) for an unknown client,
// Error(invalid_input) for a note without text (`field` names where the text came from).
ClientNote add_client_note(Database &db, const std::string &now, int64_t client_id, const std::string &author, const std::string &text,
                        const std::string &field = "--text");
// A client's notes, oldest first; Error(not_found) for an unknown client.
std::vector<ClientNote> client_notes(Database &db, int64_t client_id);
// Deletes a note (of `client_id` only, when given); Error(not_found) when there is no such note.
void delete_client_note(Database &db, int64_t note_id, std::optional<int64_t> client_id = std::nullopt);

}  // namespace provisio
