#include "domain/cards.hpp"

#include "domain/audit_log.hpp"
#include "domain/records.hpp"
#include "foundation/error.hpp"
#include "secrets/card_vault.hpp"
#include "store/database.hpp"

#include <sodium.h>

namespace provisio {

namespace {

// "MM/YY" or "MM/YYYY" → "YYYY-MM"; Error(invalid_input) naming `flag`.
std::string month_of(const std::string &text, const std::string &flag) {
    const size_t slash = text.find('/');
    const std::string mm = text.substr(0, slash), yy = slash == std::string::npos ? "" : text.substr(slash + 1);
    const bool digits = !mm.empty() && !yy.empty() && mm.find_first_not_of("0123456789") == std::string::npos &&
                        yy.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || mm.size() > 2 || (yy.size() != 2 && yy.size() != 4) || std::stoi(mm) < 1 || std::stoi(mm) > 12)
        fail(ErrorKind::invalid_input, flag + " '" + text + "' is not a month as MM/YY or MM/YYYY");
    const std::string year = yy.size() == 2 ? "20" + yy : yy;
    return year + "-" + (mm.size() == 1 ? "0" + mm : mm);
}

}  // namespace

void Cards::set(int64_t client_id, const CardDetails &card, const CardVault &vault, Date today, const std::string &now) {
    require_client(db_, client_id);
    if (card.type.empty()) fail(ErrorKind::invalid_input, "a card needs its type (--type), e.g. Visa");
    std::string number;
    for (char ch : card.number)
        if (ch != ' ' && ch != '-') number += ch;
    if (number.empty()) fail(ErrorKind::invalid_input, "a card needs its number (on standard input, or --number)");
    if (number.find_first_not_of("0123456789") != std::string::npos)
        fail(ErrorKind::invalid_input, "the card number may hold only digits, spaces and dashes");
    if (!luhn_valid(number))
        fail(ErrorKind::invalid_input, "the card number ending " + number.substr(number.size() - std::min<size_t>(4, number.size())) +
                                           " fails the Luhn check (a typo?)");
    const std::string expiry = month_of(card.expiry, "--expiry");
    const std::string this_month = format_date(today).substr(0, 7);
    if (expiry < this_month) fail(ErrorKind::invalid_input, "the card expired in " + expiry + " (--expiry " + card.expiry + ")");
    const std::string start = card.start_date.empty() ? "" : month_of(card.start_date, "--start-date");
    if (!start.empty() && start > this_month) fail(ErrorKind::invalid_input, "the card's start date " + start + " is in the future");
    db_.prepare("INSERT INTO client_cards (client_id, card_type, last_four, expiry, issue_number, start_date, number_sealed, updated_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (client_id) DO UPDATE SET card_type = excluded.card_type, "
                "last_four = excluded.last_four, expiry = excluded.expiry, issue_number = excluded.issue_number, "
                "start_date = excluded.start_date, number_sealed = excluded.number_sealed, updated_at = excluded.updated_at")
        .bind(1, client_id).bind(2, card.type).bind(3, number.substr(number.size() - 4)).bind(4, expiry).bind(5, card.issue_number)
        .bind(6, start).bind(7, vault.seal(number)).bind(8, now)
        .run();
    sodium_memzero(number.data(), number.size());
}

std::optional<StoredCard> Cards::get(int64_t client_id) {
    auto q = db_.prepare("SELECT client_id, card_type, last_four, expiry, issue_number, start_date, updated_at FROM client_cards "
                         "WHERE client_id = ?1");
    q.bind(1, client_id);
    if (!q.step()) return std::nullopt;
    return StoredCard{q.int64(0), q.text(1), q.text(2), q.text(3), q.text(4), q.text(5), q.text(6)};
}

std::string Cards::full_number(int64_t client_id, const CardVault &vault) {
    auto q = db_.prepare("SELECT number_sealed FROM client_cards WHERE client_id = ?1");
    q.bind(1, client_id);
    if (!q.step()) fail(ErrorKind::not_found, "client " + std::to_string(client_id) + " has no card stored");
    return vault.open(q.text(0));
}

bool Cards::clear(int64_t client_id, const std::string &) {
    require_client(db_, client_id);
    db_.prepare("DELETE FROM client_cards WHERE client_id = ?1").bind(1, client_id).run();
    return db_.changes() > 0;
}

int Cards::reseal_all(const CardVault &old_key, const CardVault &new_key) {
    auto q = db_.prepare("SELECT client_id, number_sealed FROM client_cards ORDER BY client_id");
    std::vector<std::pair<int64_t, std::string>> sealed;
    while (q.step()) sealed.emplace_back(q.int64(0), q.text(1));
    for (auto &[client, value] : sealed) {
        std::string number = old_key.open(value);
        db_.prepare("UPDATE client_cards SET number_sealed = ?2 WHERE client_id = ?1").bind(1, client).bind(2, new_key.seal(number)).run();
        sodium_memzero(number.data(), number.size());
    }
    return static_cast<int>(sealed.size());
}

}  // namespace provisio
