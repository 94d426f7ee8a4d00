#include "domain/password_reset.hpp"

#include "domain/audit_log.hpp"
#include "domain/client_passwords.hpp"
#include "foundation/error.hpp"
#include "notify/outbox.hpp"
#include "store/database.hpp"

namespace provisio {

int64_t queue_secret_mail(Database &db, const SecretBox &secrets, const std::string &now, const std::string &template_name,
                          int64_t client_id, const std::map<std::string, std::string> &extra) {
    const Queued q = queue_mail(db, now, template_name, client_id, extra, std::nullopt, &secrets);
    if (!q.id) fail(ErrorKind::invalid_input, "cannot queue \"" + template_name + "\": " + q.why_not);
    return *q.id;
}

ResetRequested request_password_reset(Database &db, const SecretBox &secrets, const std::string &now, int64_t client_id,
                                      const std::string &actor) {
    Transaction tx(db);
    const auto reset = ClientPasswords(db).request_reset(client_id, now);
    ResetRequested done;
    done.message_id = queue_secret_mail(db, secrets, now, "Password Reset Validation", client_id,
                                        {{"reset_token", reset.token}, {"reset_expires", reset.expires_at}});
    done.expires_at = reset.expires_at;
    audit(db, now, "password.reset_request", client_id, {}, actor);
    tx.commit();
    return done;
}

ResetDone reset_to_random_password(Database &db, const SecretBox &secrets, const std::string &now, const std::string &code) {
    Transaction tx(db);
    ClientPasswords passwords(db);
    ResetDone done;
    done.client_id = passwords.confirm_reset(code, now);
    const std::string password = passwords.set_random(done.client_id);
    done.message_id = queue_secret_mail(db, secrets, now, "Password Reset Confirmation", done.client_id, {{"client_password", password}});
    audit(db, now, "password.reset", done.client_id);
    tx.commit();
    return done;
}

ResetDone reset_to_password(Database &db, const std::string &now, const std::string &code, const std::string &password,
                            const std::string &actor) {
    Transaction tx(db);
    ClientPasswords passwords(db);
    ResetDone done;
    done.client_id = passwords.confirm_reset(code, now);
    passwords.set(done.client_id, password);
    audit(db, now, "password.reset", done.client_id, {}, actor);
    tx.commit();
    return done;
}

}  // namespace provisio
