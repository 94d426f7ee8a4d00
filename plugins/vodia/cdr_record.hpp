// One record of a Vodia tenant's CDR list, read strictly. Vodia writes a record as
//   {"id": 20753, "call_id": "…", "from": "\"Ann\" <sip:8300@t>", "to": "…",
//    "start": "1595572559.444", "connect": "1595572559.445", "end": "1595572656.860", …}
// — times are text: seconds since 1970 with a fraction (docs/modules/vodia.md, "Checked
// against"). Older simulators and Vodia's ACD lists write them as JSON numbers; both are read,
// and the form is reported so the module can log which one the PBX used. A time that cannot be
// read is an error naming the record and the field: never 0, never a skipped call.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vodia {

// How the PBX wrote a record's times; a collection reports the forms it met.
struct TimeForms {
    bool text = false;    // "1595572559.444" (what Vodia's API returns)
    bool number = false;  // 1595572559.444 or 1595572559 as a JSON number
    std::string describe() const;  // "text with fractions", "JSON numbers", "both …", "none"
};

// "1595572559.444" → milliseconds since 1970. Digits, then optionally '.' and 1..9 digits
// (beyond milliseconds truncated); no sign, exponent or blank; years before 10000. nullopt
// for anything else.
std::optional<int64_t> millis_of(std::string_view text);

// The parts of a record the module bills from.
struct CdrRecord {
    std::string id;                    // digits, as the PBX numbers its CDRs
    std::string from, to;              // SIP addresses
    int64_t start_ms = 0, end_ms = 0;  // milliseconds since 1970
    std::optional<int64_t> connect_ms; // none: not answered
};

// Reads `record` (found at `where`, e.g. "page 2, record 5"); throws std::runtime_error naming
// the record and the field when id, start, connect or end cannot be read or do not fit
// together (connect outside start..end, end before start).
CdrRecord read_cdr(const nlohmann::json &record, const std::string &where, TimeForms &forms);

// Milliseconds since 1970 → "2026-11-28T10:00:00Z", or "…:00.444Z" when there is a fraction.
std::string iso_utc_millis(int64_t ms);

// Whole seconds from a span in milliseconds, a started second counting as one (the PBX's
// fractions never make a call shorter than it was).
inline int64_t seconds_rounded_up(int64_t ms) { return ms <= 0 ? 0 : (ms + 999) / 1000; }

}  // namespace vodia
