#include "billing/taxes.hpp"

#include "domain/records.hpp"
#include "foundation/error.hpp"
#include "foundation/text.hpp"
#include "store/database.hpp"

#include <cctype>
#include <limits>

namespace provisio {

namespace {

constexpr int64_t hundred_percent = 100 * Money::micros_per_unit;

// amount × numerator ÷ denominator, rounded half away from zero to `decimals` places, exactly
// (one rounding, in 128 bits: rounding to the micro-unit first could move a half-cent).
Money share(Money amount, __int128 numerator, __int128 denominator, int decimals) {
    __int128 unit = 1;
    for (int i = decimals; i < Money::max_decimals; ++i) unit *= 10;
    const __int128 n = static_cast<__int128>(amount.micros()) * numerator;
    const __int128 d = denominator * unit;
    __int128 q = n / d;
    const __int128 r = n % d;
    if (2 * (r < 0 ? -r : r) >= d) q += (n < 0) ? -1 : 1;
    const __int128 micros = q * unit;
    if (micros > std::numeric_limits<int64_t>::max() || micros < std::numeric_limits<int64_t>::min())
        fail(ErrorKind::invalid_input, "a tax amount is out of range");
    return Money::from_micros(static_cast<int64_t>(micros));
}

struct LevelTaxes {
    Money net, tax1, tax2;
};

// One amount's taxes. Exclusive: the amount is net. Inclusive: the amount is the price.
LevelTaxes taxes_of(const InvoiceTax &t, Money amount, int decimals) {
    const __int128 r1 = t.rate1.micros, r2 = t.rate2.micros, h = hundred_percent;
    LevelTaxes out;
    if (!t.inclusive) {
        out.net = amount;
        out.tax1 = share(amount, r1, h, decimals);
        out.tax2 = share(t.compound ? amount + out.tax1 : amount, r2, h, decimals);
        return out;
    }
    out.net = t.compound ? share(amount, h * h, (h + r1) * (h + r2), decimals) : share(amount, h, h + r1 + r2, decimals);
    if (t.rate2.zero()) {
        out.tax1 = amount - out.net;
    } else {
        out.tax1 = share(out.net, r1, h, decimals);
        out.tax2 = amount - out.net - out.tax1;
    }
    return out;
}

const char *bool_text(bool b) { return b ? "yes" : "no"; }

}  // namespace

TaxRate TaxRate::parse(std::string_view text, std::string_view what) {
    if (!text.empty() && (text.front() == '+' || text.front() == '-'))
        fail(ErrorKind::invalid_input, std::string(what) + " '" + std::string(text) + "' must be a percentage from 0 to 100, such as 20 or 8.875");
    Money m;
    try {
        m = Money::parse(text, what, 4);
    } catch (const Error &) {
        fail(ErrorKind::invalid_input, std::string(what) + " '" + std::string(text) +
                                           "' must be a percentage from 0 to 100 with at most 4 decimals, such as 20 or 8.875");
    }
    if (m.micros() > hundred_percent)
        fail(ErrorKind::invalid_input, std::string(what) + " '" + std::string(text) + "' is more than 100 percent");
    return TaxRate{m.micros()};
}

std::string TaxRate::to_string() const { return Money::from_micros(micros).to_string(0); }

TaxSettings load_tax_settings(Database &db) {
    TaxSettings s;
    auto q = db.prepare("SELECT key, value FROM tax_settings");
    while (q.step()) {
        const std::string key = q.text(0), value = q.text(1);
        const bool yes = value == "yes";
        if (key == "prices") s.inclusive = value == "inclusive";
        else if (key == "compound") s.compound = yes;
        else if (key == "rounding") s.per_line = value == "per-line";
        else if (key == "late_fees") s.late_fees = yes;
        else if (key == "home_country") s.home_country = value;
        else if (key == "eu_reverse_charge") s.eu_reverse_charge = yes;
    }
    return s;
}

void save_tax_settings(Database &db, const TaxSettings &s) {
    Transaction tx(db);
    auto put = [&](const char *key, const std::string &value) {
        db.prepare("INSERT INTO tax_settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(1, key).bind(2, value).run();
    };
    put("prices", s.inclusive ? "inclusive" : "exclusive");
    put("compound", bool_text(s.compound));
    put("rounding", s.per_line ? "per-line" : "per-invoice");
    put("late_fees", bool_text(s.late_fees));
    put("home_country", s.home_country);
    put("eu_reverse_charge", bool_text(s.eu_reverse_charge));
    tx.commit();
}

std::vector<TaxRule> list_tax_rules(Database &db) {
    auto q = db.prepare("SELECT id, level, name, country, state, rate_micros FROM tax_rules ORDER BY level, country, state, id");
    std::vector<TaxRule> out;
    while (q.step()) out.push_back({q.int64(0), static_cast<int>(q.int64(1)), q.text(2), q.text(3), q.text(4), TaxRate{q.int64(5)}});
    return out;
}

int64_t add_tax_rule(Database &db, const std::string &now, TaxRule r) {
    if (r.level != 1 && r.level != 2) fail(ErrorKind::invalid_input, "--level " + std::to_string(r.level) + " is not 1 or 2");
    if (r.name.empty()) fail(ErrorKind::invalid_input, "a tax rule needs --name, which invoices print (e.g. VAT)");
    r.country = checked_country(r.country, "--country");
    if (!r.state.empty() && r.country.empty()) fail(ErrorKind::invalid_input, "--state " + r.state + " needs --country");
    auto q = db.prepare("SELECT id, name FROM tax_rules WHERE level = ?1 AND country = ?2 AND lower(state) = lower(?3)");
    q.bind(1, int64_t{r.level}).bind(2, r.country).bind(3, r.state);
    if (q.step())
        fail(ErrorKind::conflict, "tax rule " + std::to_string(q.int64(0)) + " (" + q.text(1) + ") covers level " + std::to_string(r.level) +
                                      " for " + (r.country.empty() ? std::string("every country") : r.country) +
                                      (r.state.empty() ? "" : " state " + r.state) + " already; remove it first");
    db.prepare("INSERT INTO tax_rules (level, name, country, state, rate_micros, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .bind(1, int64_t{r.level}).bind(2, r.name).bind(3, r.country).bind(4, r.state).bind(5, r.rate.micros).bind(6, now)
        .run();
    return db.last_insert_id();
}

void remove_tax_rule(Database &db, int64_t id) {
    db.prepare("DELETE FROM tax_rules WHERE id = ?1").bind(1, id).run();
    if (db.changes() == 0) fail(ErrorKind::not_found, "tax rule " + std::to_string(id) + " does not exist");
}

bool in_eu(std::string_view country) {
    static constexpr std::string_view members = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK ";
    return country.size() == 2 && members.find(std::string(country) + ' ') != std::string_view::npos;
}

std::string checked_vat_number(std::string_view number, std::string_view country, std::string_view what) {
    std::string n;
    for (char c : ascii_upper(number))
        if (c != ' ' && c != '.' && c != '-') n += c;
    if (n.empty()) return n;
    const std::string prefix = country == "GR" ? "EL" : std::string(country);
    const std::string shown = "'" + std::string(number) + "'";
    if (n.size() > 20) fail(ErrorKind::invalid_input, std::string(what) + " " + shown + " is longer than any tax number");
    for (char c : n)
        if (!std::isalnum(static_cast<unsigned char>(c)))
            fail(ErrorKind::invalid_input, std::string(what) + " " + shown + " has '" + std::string(1, c) + "', which no tax number has");
    if (!in_eu(country)) return n;  // other countries' tax numbers vary; letters and digits are all we ask
    if (n.size() < 4 || n.size() > 15 || !std::isalpha(static_cast<unsigned char>(n[0])) || !std::isalpha(static_cast<unsigned char>(n[1])))
        fail(ErrorKind::invalid_input, std::string(what) + " " + shown + " is not a VAT number: two letters, then 2 to 13 letters or digits (DE123456789)");
    if (n.substr(0, 2) != prefix)
        fail(ErrorKind::invalid_input, std::string(what) + " " + shown + " does not start with " + prefix + ", the client's country's prefix");
    return n;
}

InvoiceTax tax_for_client(const TaxSettings &s, const std::vector<TaxRule> &rules, const ClientTaxProfile &c) {
    InvoiceTax t;
    t.inclusive = s.inclusive;
    t.per_line = s.per_line;
    t.compound = s.compound;
    if (c.exempt) return t;
    if (s.eu_reverse_charge && !s.home_country.empty() && !c.tax_id.empty() && in_eu(c.country) && c.country != s.home_country) {
        t.note = "Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC). "
                 "Customer VAT number: " + c.tax_id;
        return t;
    }
    const std::string state = ascii_upper(c.state);
    for (int level = 1; level <= 2; ++level) {
        const TaxRule *best = nullptr;
        int best_rank = 0;
        for (const TaxRule &r : rules) {
            if (r.level != level) continue;
            int rank = 0;
            if (r.country.empty()) rank = 1;
            else if (r.country == c.country && r.state.empty()) rank = 2;
            else if (r.country == c.country && ascii_upper(r.state) == state) rank = 3;
            if (rank > best_rank) best = &r, best_rank = rank;
        }
        if (!best) continue;
        (level == 1 ? t.name1 : t.name2) = best->name;
        (level == 1 ? t.rate1 : t.rate2) = best->rate;
    }
    return t;
}

TaxTotals compute_tax(const InvoiceTax &t, const std::vector<TaxedLine> &lines, int decimals) {
    TaxTotals out;
    Money taxed_sum;
    for (const TaxedLine &l : lines) {
        out.lines += l.amount;
        if (!l.taxed || !t.any()) continue;
        taxed_sum += l.amount;
        if (t.per_line) {
            const LevelTaxes x = taxes_of(t, l.amount, decimals);
            out.taxable += x.net;
            out.tax1 += x.tax1;
            out.tax2 += x.tax2;
        }
    }
    if (!t.per_line && t.any()) {
        const LevelTaxes x = taxes_of(t, taxed_sum, decimals);
        out.taxable = x.net;
        out.tax1 = x.tax1;
        out.tax2 = x.tax2;
    }
    out.total = t.inclusive ? out.lines : out.lines + out.tax1 + out.tax2;
    return out;
}

}  // namespace provisio
