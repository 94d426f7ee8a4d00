// Phone numbers as the rating engine sees them: the PBX records what was dialled ("+1 519…",
// "5192229000", "011 44 20…", "020 7946…"); rating wants the international form without '+'
// ("15192229000", "442079460000"). The package's number plan says how to get there.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace provisio::usage {

struct NumberPlan {
    std::string country_code = "1";           // the PBX's own country
    std::string national_prefix;              // trunk prefix replaced by the country code ("0"); NANP has none
    std::vector<std::string> exit_prefixes{"011"};  // international access codes, stripped
    // The usual plan for a country code: NANP ("1") dials 011 abroad and 10-digit numbers at
    // home; elsewhere 00 abroad and a national 0.
    static NumberPlan for_country(std::string_view country_code);
};

// The dialled text with separators (space - . ( ) /) removed; nullopt when anything else but
// digits, a leading '+', '*' and '#' remains (a number with letters).
std::optional<std::string> clean_number(std::string_view raw);

// The international digits for a cleaned number: '+' → as written; an exit prefix → stripped;
// NANP 10 digits → "1" + number; a national prefix → country code + the rest. Feature codes
// ('*', '#') and short numbers stay as they are.
std::string normalize(std::string_view cleaned, const NumberPlan &plan);

// A CDR filter pattern list: "1800xxxxxxx,911,*xx" — 'x' is any one digit, everything else
// literal, a pattern matches the whole number.
class NumberPatterns {
public:
    NumberPatterns() = default;
    // Error(invalid_input) naming `what` for an empty pattern or one with characters other than
    // digits, x, '*', '#' and '+'.
    static NumberPatterns parse(std::string_view list, std::string_view what);
    bool matches(std::string_view number) const;
    bool empty() const { return patterns_.empty(); }
    std::string text() const;

private:
    std::vector<std::string> patterns_;
};

}  // namespace provisio::usage
