// Taxes as WHMCS has them: level 1 and level 2 rules by country and state, level 2 compound or
// not, prices inclusive or exclusive of tax, products taxable or not, clients exempt, and EU
// reverse charge for a business client with a VAT number outside the operator's country.
//
// An invoice is taxed once, when it is made: tax_for_client() picks its rates and mode, which the
// invoice keeps; compute_tax() turns its lines into tax amounts, again whenever its lines change
// (a late fee added, a cancelled service's lines removed) with the rates it kept.
//
// Rounding, to the currency's places, half away from zero:
//   per invoice (default): each level's tax is the taxed lines' sum × rate, rounded once;
//   per line: each taxed line's tax is rounded, then summed.
// Level 2 compound is charged on the net amount plus level 1's (rounded) tax. With inclusive
// prices the price is fixed: the net is price ÷ (1 + rates), rounded; level 1 is net × rate,
// rounded; level 2 takes what remains, so net + taxes is always exactly the price.
#pragma once

#include "money/money.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace provisio {

class Database;

// A percentage in millionths of a percent: 20% is 20'000'000.
struct TaxRate {
    int64_t micros = 0;
    // "20", "8.875", "0": at most 4 decimals, 0 to 100. Error(invalid_input) naming `what`.
    static TaxRate parse(std::string_view text, std::string_view what);
    std::string to_string() const;  // "20", "8.875"
    bool zero() const { return micros == 0; }
};

struct TaxRule {
    int64_t id = 0;
    int level = 1;            // 1 or 2
    std::string name;         // printed on invoices: "VAT"
    std::string country;      // ISO 3166 alpha-2; "" = every country
    std::string state;        // "" = every state
    TaxRate rate;
};

// The operator's tax policy (`provisio tax settings`); defaults as documented.
struct TaxSettings {
    bool inclusive = false;          // prices include tax
    bool compound = false;           // level 2 is charged on level 1's tax too
    bool per_line = false;           // rounding per line, else per invoice
    bool late_fees = true;           // late fees are taxed
    std::string home_country;        // the operator's own country (reverse charge needs it)
    bool eu_reverse_charge = true;   // exempt an EU business client outside home_country that gave a VAT number
};

TaxSettings load_tax_settings(Database &db);
void save_tax_settings(Database &db, const TaxSettings &settings);

std::vector<TaxRule> list_tax_rules(Database &db);
// Error(invalid_input) for a bad level, an empty name, a state without a country; Error(conflict)
// when a rule of that level covers the same country and state already.
int64_t add_tax_rule(Database &db, const std::string &now, TaxRule rule);
void remove_tax_rule(Database &db, int64_t id);

// A client's tax number. In an EU country, a VAT number: "DE123456789", the prefix the
// country's (Greece's is EL), then 2 to 13 letters or digits; elsewhere up to 20 letters or digits. Returns it normalised (upper case, no spaces or dots);
// Error(invalid_input) naming `what`. The number is not looked up in VIES: that needs the network.
std::string checked_vat_number(std::string_view number, std::string_view country, std::string_view what);
bool in_eu(std::string_view country);

// What an invoice keeps: the mode and rates it was taxed with, and its note.
struct InvoiceTax {
    bool inclusive = false;
    bool per_line = false;
    bool compound = false;
    std::string name1, name2;
    TaxRate rate1, rate2;
    std::string note;  // "Reverse charge: ..." for an exempt EU business; else ""
    bool any() const { return !rate1.zero() || !rate2.zero(); }
};

struct ClientTaxProfile {
    std::string country, state, tax_id;
    bool exempt = false;
};

// The rates a client's invoice is taxed with: for each level the most specific rule (country
// and state, then country, then every country); none for an exempt client or reverse charge.
InvoiceTax tax_for_client(const TaxSettings &settings, const std::vector<TaxRule> &rules, const ClientTaxProfile &client);

struct TaxedLine {
    Money amount;  // as the line says (gross when inclusive)
    bool taxed = false;
};

struct TaxTotals {
    Money lines;    // the lines' sum as written
    Money taxable;  // the taxed lines' net amount
    Money tax1, tax2;
    Money total;    // what the client owes
    Money net() const { return total - tax1 - tax2; }
};

// `decimals`: the currency's places. Error(invalid_input) if an amount overflows.
TaxTotals compute_tax(const InvoiceTax &tax, const std::vector<TaxedLine> &lines, int decimals);

}  // namespace provisio
