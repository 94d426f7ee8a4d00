// Where the next usage collection of a Vodia service starts. Vodia writes a CDR when the call
// ends, so calls are handed over in the order they ended — (end, record number) — and a long
// call that started before the last collection but ended after it is still collected. The
// cursor is that key as text which sorts byte-wise in key order, as the host requires:
//   "2026-11-28T10:00:00Z|444|00000000000000020753"   (end second, its milliseconds, record)
// Cursors written by earlier versions of the module ("START|ID", or the bare `since` time) are
// read as "everything that ended at or after that second"; the host skips calls it stored
// already, so that overlap costs nothing.
#pragma once

#include <cstdint>
#include <string>

namespace vodia {

struct CdrKey {
    int64_t end_ms = 0;
    std::string id;  // the record number, zero-padded to 20 digits
};

// Where a collection resumes: records whose key is after it (or, `inclusive`, ending at or
// after `end_ms`).
struct CdrFloor {
    CdrKey key;
    bool inclusive = false;
    bool after(const CdrKey &k) const;
};

// The key of a record; throws when the record number has more than 20 digits.
CdrKey key_of(int64_t end_ms, const std::string &id);
std::string cursor_text(const CdrKey &k);
// Throws std::runtime_error naming the cursor when it is none of the forms above.
CdrFloor floor_of(const std::string &cursor);

}  // namespace vodia
