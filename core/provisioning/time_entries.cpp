#include "provisioning/time_entries.hpp"

#include "domain/repository.hpp"
#include "foundation/error.hpp"
#include "provisioning/credit_generation.hpp"
#include "provisioning/state_machine.hpp"

namespace provisio {

LoggedTime log_time(Repository &repo, const ModuleHost &host, const BusinessZone &zone, Date today, const TimeWork &work,
                    FieldSpelling spelling) {
    const Service s = repo.get_service(work.service_id);
    if (work.minutes <= 0) fail(ErrorKind::invalid_input, field_name("minutes", spelling) + " must be more than zero");
    if (s.status == status::terminated || s.status == status::cancelled)
        fail(ErrorKind::refused, "service " + std::to_string(s.id) + " is " + s.status + "; time is logged only on live services");
    require_time_credits(repo, host, s);
    const Date on = work.at.empty() ? today : zone.date_at(parse_instant(work.at, field_name("at", spelling)));
    LoggedTime out;
    out.service_id = s.id;
    out.client_id = s.client_id;
    out.hours = hours_for_minutes(work.minutes);
    TimeLedger ledger(repo.database(), repo.now_text());
    out.entry_id = *ledger.post({s.client_id, s.id, format_date(on), -out.hours, "time", work.note, work.minutes, std::nullopt});
    out.balance = ledger.service_balance(s.id);
    return out;
}

}  // namespace provisio
