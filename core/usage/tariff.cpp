#include "usage/tariff.hpp"

#include "foundation/csv_reader.hpp"
#include "foundation/error.hpp"
#include "usage/rating.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <unordered_map>

namespace provisio::usage {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char &c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::optional<int32_t> seconds(std::string_view s) {
    int32_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || v < 0 || v > 3600) return std::nullopt;
    return v;
}

}  // namespace

std::pair<int32_t, int32_t> parse_increment(std::string_view text, std::string_view what) {
    const std::string_view t = trimmed(text);
    const size_t slash = t.find('/');
    const auto first = seconds(t.substr(0, slash));
    const auto step = slash == std::string_view::npos ? first : seconds(t.substr(slash + 1));
    if (!first || !step || *first == 0 || *step == 0)
        fail(ErrorKind::invalid_input, std::string(what) + " '" + std::string(text) +
                                           "' is not an increment (seconds, e.g. 6, or first/next, e.g. 30/6; 1 to 3600)");
    return {*first, *step};
}

std::string increment_text(const Rate &r) {
    return r.initial_seconds == r.step_seconds ? std::to_string(r.step_seconds)
                                               : std::to_string(r.initial_seconds) + "/" + std::to_string(r.step_seconds);
}

namespace {

ParsedCard read_card(CsvReader &csv, const std::string &source, const std::map<std::string, std::string> &column_map) {
    ParsedCard card;
    if (!csv.next()) {
        card.errors.push_back(source + " is empty: a rate card starts with a header row");
        return card;
    }
    if (!csv.error().empty()) {
        card.errors.push_back(source + " line 1: " + csv.error());
        return card;
    }
    // Which column holds each field.
    std::map<std::string, std::string> map_lower;
    for (const auto &[column, field] : column_map) map_lower[lower(column)] = lower(field);
    std::map<std::string, size_t> where;  // lower-case field → column index
    for (size_t i = 0; i < csv.fields().size(); ++i) {
        std::string name = lower(trimmed(csv.fields()[i]));
        if (auto m = map_lower.find(name); m != map_lower.end()) name = m->second;
        for (const char *f : tariff_fields)
            if (name == lower(f)) where.emplace(name, i);
    }
    std::vector<std::string> missing;
    for (const char *f : {"Description", "Prefix", "RateValue", "Increment"})
        if (!where.count(lower(f))) missing.push_back(f);
    if (!missing.empty()) {
        std::string list;
        for (const auto &m : missing) list += (list.empty() ? "" : ", ") + m;
        card.errors.push_back(source + " line 1: missing required column" + (missing.size() > 1 ? "s " : " ") + list +
                              " (rename a provider's column with --map 'THEIR NAME=FIELD')");
        return card;
    }
    auto column = [&](const char *field) -> std::optional<size_t> {
        auto it = where.find(lower(field));
        return it == where.end() ? std::nullopt : std::optional<size_t>(it->second);
    };
    const size_t c_desc = *column("Description"), c_prefix = *column("Prefix"), c_rate = *column("RateValue"),
                 c_inc = *column("Increment");
    const auto c_fee = column("ConnectFee"), c_min = column("MinimumDuration"), c_grace = column("GracePeriod");
    std::unordered_map<std::string, int64_t> seen;  // prefix → its line
    while (csv.next()) {
        const std::string at = "line " + std::to_string(csv.line());
        if (!csv.error().empty()) {
            card.errors.push_back(at + ": " + csv.error());
            continue;
        }
        const auto &f = csv.fields();
        if (csv.blank()) continue;
        auto field = [&](std::optional<size_t> c) { return c && *c < f.size() ? trimmed(f[*c]) : std::string_view{}; };
        try {
            Rate r;
            r.prefix = std::string(field(c_prefix));
            if (r.prefix.empty()) fail(ErrorKind::invalid_input, "Prefix is empty");
            if (r.prefix.find_first_not_of("0123456789") != std::string::npos)
                fail(ErrorKind::invalid_input, "Prefix '" + r.prefix + "' is not all digits");
            r.description = std::string(field(c_desc));
            r.per_minute_micros = parse_rate(field(c_rate), "RateValue");
            std::tie(r.initial_seconds, r.step_seconds) = parse_increment(field(c_inc), "Increment");
            if (const auto fee = field(c_fee); !fee.empty()) r.connect_fee_micros = parse_rate(fee, "ConnectFee");
            if (const auto min = field(c_min); !min.empty()) {
                const auto s = seconds(min);
                if (!s || *s == 0) fail(ErrorKind::invalid_input, "MinimumDuration '" + std::string(min) + "' is not 1 to 3600 seconds");
                r.initial_seconds = *s;
            }
            if (const auto grace = field(c_grace); !grace.empty()) {
                const auto s = seconds(grace);
                if (!s) fail(ErrorKind::invalid_input, "GracePeriod '" + std::string(grace) + "' is not 0 to 3600 seconds");
                r.grace_seconds = *s;
            }
            if (const auto [first, added] = seen.emplace(r.prefix, csv.line()); !added)
                fail(ErrorKind::invalid_input, "duplicate prefix " + r.prefix + " (first on line " + std::to_string(first->second) + ")");
            card.rates.push_back(std::move(r));
        } catch (const Error &e) {
            card.errors.push_back(at + ": " + e.what());
        }
    }
    if (card.rates.empty() && card.errors.empty()) card.errors.push_back(source + " has a header but no rates");
    return card;
}

}  // namespace

ParsedCard read_rate_card(const std::filesystem::path &file, const std::map<std::string, std::string> &column_map) {
    CsvReader csv(file);
    return read_card(csv, file.string(), column_map);
}

ParsedCard read_rate_card_text(std::string_view text, const std::string &source, const std::map<std::string, std::string> &column_map) {
    CsvReader csv(CsvReader::FromText{}, text);
    return read_card(csv, source, column_map);
}

bool PrefixTable::add(std::string_view prefix, uint32_t value) {
    size_t n = 0;
    for (char c : prefix) {
        const int d = c - '0';
        if (d < 0 || d > 9) fail(ErrorKind::internal, "prefix '" + std::string(prefix) + "' is not all digits");
        if (nodes_[n].child[d] < 0) {
            nodes_[n].child[d] = static_cast<int32_t>(nodes_.size());
            nodes_.push_back(Node{{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1}, -1});
        }
        n = static_cast<size_t>(nodes_[n].child[d]);
    }
    if (nodes_[n].value >= 0) return false;
    nodes_[n].value = value;
    ++count_;
    // The jump entries under this prefix: every one a prefix shorter than the jump covers, else
    // the one of its first digits.
    size_t key = 0, keys = 1;
    for (size_t i = 0; i < jump_digits; ++i) {
        if (i < prefix.size()) key = key * 10 + static_cast<size_t>(prefix[i] - '0');
        else {
            key *= 10;
            keys *= 10;
        }
    }
    for (size_t k = key; k < key + keys; ++k) refresh_jump(k);
    longest_ = std::max(longest_, prefix.size());
    if (prefix.size() > max_hashed_digits) unhashed_ = true;
    else if (prefix.size() > jump_digits) {
        uint64_t digits = 0;
        for (char c : prefix) digits = digits * 10 + static_cast<uint64_t>(c - '0');
        hash_insert(digits * 32 + prefix.size(), value);
    }
    return true;
}

namespace {
size_t slot_of(uint64_t key, size_t mask) { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> 17) & mask; }
}  // namespace

void PrefixTable::hash_insert(uint64_t key, int64_t value) {
    if ((hashed_ + 1) * 2 > slots_.size()) {  // at most half full
        std::vector<Slot> old(slots_.size() * 2);
        old.swap(slots_);
        hashed_ = 0;
        for (const Slot &s : old)
            if (s.key) hash_insert(s.key, s.value);
    }
    const size_t mask = slots_.size() - 1;
    size_t i = slot_of(key, mask);
    while (slots_[i].key) i = (i + 1) & mask;
    slots_[i] = {key, value};
    ++hashed_;
}

void PrefixTable::refresh_jump(size_t key) {
    Jump j{0, -1};
    size_t divisor = jump_size / 10;
    for (size_t i = 0; i < jump_digits; ++i, divisor /= 10) {
        const int32_t next = nodes_[static_cast<size_t>(j.node)].child[key / divisor % 10];
        if (next < 0) {
            j.node = -1;
            break;
        }
        j.node = next;
        if (nodes_[static_cast<size_t>(next)].value >= 0) j.best = nodes_[static_cast<size_t>(next)].value;
    }
    jump_[key] = j;
}

int64_t PrefixTable::match(std::string_view number) const {
    int64_t best = -1;
    size_t n = 0, at = 0;
    if (number.size() >= jump_digits) {
        size_t key = 0;
        for (; at < jump_digits; ++at) {
            const unsigned d = static_cast<unsigned>(number[at] - '0');
            if (d > 9) break;
            key = key * 10 + d;
        }
        if (at == jump_digits) {
            const Jump &j = jump_[key];
            if (j.node < 0) return j.best;
            best = j.best;
            n = static_cast<size_t>(j.node);
            if (!unhashed_) {
                // The candidate keys, longest first; every load is issued before any is needed.
                uint64_t keys[max_hashed_digits + 1];
                size_t len = jump_digits;
                uint64_t digits = key;
                const size_t last = std::min(number.size(), longest_);
                for (; len < last; ++len) {
                    const unsigned d = static_cast<unsigned>(number[len] - '0');
                    if (d > 9) break;
                    digits = digits * 10 + d;
                    keys[len + 1] = digits * 32 + len + 1;
                }
                const size_t mask = slots_.size() - 1;
                for (; len > jump_digits; --len) {
                    for (size_t i = slot_of(keys[len], mask); slots_[i].key; i = (i + 1) & mask)
                        if (slots_[i].key == keys[len]) return slots_[i].value;
                }
                return best;
            }
        } else {
            at = 0;  // not all digits: the walk below stops where they end
        }
    }
    for (; at < number.size(); ++at) {
        const unsigned d = static_cast<unsigned>(number[at] - '0');
        if (d > 9) break;
        const int32_t next = nodes_[n].child[d];
        if (next < 0) break;
        n = static_cast<size_t>(next);
        if (nodes_[n].value >= 0) best = nodes_[n].value;
    }
    return best;
}

}  // namespace provisio::usage
