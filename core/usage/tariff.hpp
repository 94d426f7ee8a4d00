// Rate cards: per-prefix rates read from a provider's CSV, and the longest-prefix table the
// rating engine looks numbers up in.
//
// CSV fields (header names, case-insensitive; a column map renames a provider's headers):
// Description, Prefix, RateValue (per minute), Increment ("6" = 6/6, or "30/6": the first 30 s as
// one block, then 6 s steps) — required; ConnectFee, MinimumDuration (the initial block, which
// then overrides Increment's first part), GracePeriod (seconds) — optional.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace provisio::usage {

struct Rate {
    std::string prefix;               // digits
    std::string description;
    int64_t per_minute_micros = 0;    // currency micro-units per minute
    int64_t connect_fee_micros = 0;
    int32_t initial_seconds = 1;      // the first block
    int32_t step_seconds = 1;         // then whole steps
    int32_t grace_seconds = 0;        // a call this short or shorter costs nothing
};

// "6" → {6, 6}; "30/6" → {30, 6}; Error(invalid_input) naming `what` otherwise (1..3600 s).
std::pair<int32_t, int32_t> parse_increment(std::string_view text, std::string_view what);
std::string increment_text(const Rate &r);  // "6" or "30/6"

// The fields a rate card has, as they are named in our own exports.
inline constexpr const char *tariff_fields[] = {"Description", "Prefix",          "RateValue", "Increment",
                                                "ConnectFee",  "MinimumDuration", "GracePeriod"};

struct ParsedCard {
    std::vector<Rate> rates;
    std::vector<std::string> errors;  // "line 7: RateValue '-1' is negative"; any error rejects the card
};

// Reads a rate card. `column_map` maps a header in the file to one of tariff_fields (a header
// already named like a field needs no entry). A missing required field is one error naming
// the file; bad rows are each reported with their line number.
ParsedCard read_rate_card(const std::filesystem::path &file, const std::map<std::string, std::string> &column_map);
// The same from the card's text; `source` names it in errors ("the upload").
ParsedCard read_rate_card_text(std::string_view csv, const std::string &source, const std::map<std::string, std::string> &column_map);

// Longest-prefix lookup over digit prefixes: a ten-way trie, a few array steps per digit.
class PrefixTable {
public:
    // False when `prefix` is already present.
    bool add(std::string_view prefix, uint32_t value);
    // The value of the longest prefix of `number` in the table; -1 when none. Stops at the
    // first character that is not a digit.
    int64_t match(std::string_view number) const;
    size_t size() const { return count_; }

private:
    struct Node {
        int32_t child[10];
        int64_t value;
    };
    // Where a number's first `jump_digits` digits lead, so a match starts there instead of
    // walking four nodes scattered through a table of megabytes (a cache miss each).
    static constexpr size_t jump_digits = 4, jump_size = 10'000;
    struct Jump {
        int32_t node = 0;   // the node after the digits; -1 when the trie ends before them
        int64_t best = -1;  // the longest match among the digits' own prefixes
    };
    void refresh_jump(size_t key);
    // Prefixes longer than the jump, also in a hash table keyed by their digits and length: a
    // match looks each candidate length up at once, and the processor overlaps those loads,
    // where the trie's walk waits for one node before it can read the next.
    static constexpr size_t max_hashed_digits = 17;
    struct Slot {
        uint64_t key = 0;  // digits × 32 + length; 0: empty
        int64_t value = -1;
    };
    void hash_insert(uint64_t key, int64_t value);
    std::vector<Node> nodes_{Node{{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}, -1}};
    std::vector<Jump> jump_ = std::vector<Jump>(jump_size, Jump{-1, -1});
    std::vector<Slot> slots_ = std::vector<Slot>(64);
    size_t hashed_ = 0;
    size_t longest_ = 0;          // the longest prefix's length
    bool unhashed_ = false;       // some prefix is longer than max_hashed_digits: walk the trie
    size_t count_ = 0;
};

}  // namespace provisio::usage
