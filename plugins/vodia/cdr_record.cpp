#include "cdr_record.hpp"

#include "plugin_support.hpp"

namespace vodia {

namespace {

using nlohmann::json;

// The first 120 characters of a value as JSON, for an error message.
std::string quoted(const json &v) {
    std::string text = v.dump();
    if (text.size() > 120) text = text.substr(0, 120) + "…";
    return text;
}

// A time field: nullopt when the field is absent, null or "" (the caller decides whether that
// is allowed); throws when it is present but not a time.
std::optional<int64_t> time_field(const json &record, const char *field, const std::string &where, TimeForms &forms) {
    if (!record.contains(field) || record[field].is_null()) return std::nullopt;
    const json &v = record[field];
    std::optional<int64_t> ms;
    if (v.is_string()) {
        if (v.get<std::string>().empty()) return std::nullopt;
        forms.text = true;
        ms = millis_of(v.get<std::string>());
    } else if (v.is_number()) {
        // A JSON number is read from its shortest decimal text, so 1595572559.444 stays exactly
        // 444 ms (no binary fraction in between).
        forms.number = true;
        ms = millis_of(v.dump());
    }
    if (!ms)
        throw std::runtime_error("CDR " + where + ": field '" + field + "' is " + quoted(v) +
                                 ", not a time in seconds since 1970 (Vodia writes e.g. \"1595572559.444\")");
    return ms;
}

}  // namespace

std::string TimeForms::describe() const {
    if (text && number) return "both text and JSON numbers";
    if (text) return "text with fractions";
    if (number) return "JSON numbers";
    return "none";
}

std::optional<int64_t> millis_of(std::string_view text) {
    const size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    if (!provisio::plugin::is_digits(whole) || whole.size() > 11) return std::nullopt;
    if (dot != std::string_view::npos && (fraction.empty() || fraction.size() > 9 || !provisio::plugin::is_digits(fraction)))
        return std::nullopt;
    int64_t seconds = 0;
    for (char ch : whole) seconds = seconds * 10 + (ch - '0');
    if (seconds >= 253402300800) return std::nullopt;  // 10000-01-01: beyond what ISO 8601 UTC prints
    int64_t ms = 0;
    for (size_t i = 0; i < 3; ++i) ms = ms * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
    return seconds * 1000 + ms;
}

CdrRecord read_cdr(const json &record, const std::string &at, TimeForms &forms) {
    if (!record.is_object()) throw std::runtime_error("CDR " + at + " is " + quoted(record) + ", not a record");
    CdrRecord r;
    if (record.contains("id") && record["id"].is_number_unsigned()) r.id = record["id"].dump();
    else if (record.contains("id") && record["id"].is_string() && provisio::plugin::is_digits(record["id"].get<std::string>()))
        r.id = record["id"].get<std::string>();
    else
        throw std::runtime_error("CDR " + at + ": field 'id' is " + (record.contains("id") ? quoted(record["id"]) : "missing") +
                                 ", not the record number Vodia gives every CDR");
    const std::string where = r.id + " (" + at + ")";
    for (auto [field, into] : {std::pair{"from", &r.from}, std::pair{"to", &r.to}}) {
        if (!record.contains(field) || !record[field].is_string())
            throw std::runtime_error("CDR " + where + ": field '" + field + "' is " +
                                     (record.contains(field) ? quoted(record[field]) : "missing") + ", not a SIP address");
        *into = record[field].get<std::string>();
    }
    const auto start = time_field(record, "start", where, forms);
    const auto end = time_field(record, "end", where, forms);
    if (!start || *start == 0) throw std::runtime_error("CDR " + where + ": field 'start' is missing or empty");
    if (!end || *end == 0) throw std::runtime_error("CDR " + where + ": field 'end' is missing or empty");
    r.start_ms = *start;
    r.end_ms = *end;
    if (r.end_ms < r.start_ms)
        throw std::runtime_error("CDR " + where + ": field 'end' (" + iso_utc_millis(r.end_ms) + ") is before 'start' (" +
                                 iso_utc_millis(r.start_ms) + ")");
    // Not answered: the PBX leaves connect out, empty or 0.
    if (auto connect = time_field(record, "connect", where, forms); connect && *connect != 0) {
        if (*connect < r.start_ms || *connect > r.end_ms)
            throw std::runtime_error("CDR " + where + ": field 'connect' (" + iso_utc_millis(*connect) + ") is outside the call, " +
                                     iso_utc_millis(r.start_ms) + " to " + iso_utc_millis(r.end_ms));
        r.connect_ms = connect;
    }
    return r;
}

std::string iso_utc_millis(int64_t ms) {
    std::string text = provisio::plugin::iso_utc(ms / 1000);
    if (ms % 1000 == 0) return text;
    char fraction[6];
    std::snprintf(fraction, sizeof fraction, ".%03d", static_cast<int>(ms % 1000));
    return text.insert(text.size() - 1, fraction);
}

}  // namespace vodia
