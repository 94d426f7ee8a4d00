// The forgotten-password flow, one implementation for the operator's CLI and the client area:
// a single-use code valid for two hours is mailed to the client alone (the mail's body sealed
// while queued); the code then sets a new password — a random one, mailed (the CLI), or one the
// client chose (the client area). Each step is audited (`actor`: empty for the system user
// running the command), in one transaction with what it changes.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace provisio {

class Database;
class SecretBox;

struct ResetRequested {
    int64_t message_id = 0;
    std::string expires_at;  // UTC
};
// Error(invalid_input) when the "Password Reset Validation" template is missing.
ResetRequested request_password_reset(Database &db, const SecretBox &secrets, const std::string &now, int64_t client_id,
                                      const std::string &actor = {});

struct ResetDone {
    int64_t client_id = 0;
    int64_t message_id = 0;  // the mail carrying a random password; 0 when the client chose one
};
// Error(refused) for a forged, used or expired code (ClientPasswords::confirm_reset).
ResetDone reset_to_random_password(Database &db, const SecretBox &secrets, const std::string &now, const std::string &code);
// Also Error(invalid_input) for a password too short. Ends the client's client-area sessions.
ResetDone reset_to_password(Database &db, const std::string &now, const std::string &code, const std::string &password,
                            const std::string &actor = {});

// Queues `template_name` to the client alone, its body sealed with `secrets` (it carries a
// secret), in the caller's transaction; Error(invalid_input) when it cannot be queued.
int64_t queue_secret_mail(Database &db, const SecretBox &secrets, const std::string &now, const std::string &template_name,
                          int64_t client_id, const std::map<std::string, std::string> &extra);

}  // namespace provisio
