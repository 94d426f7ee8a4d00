// A streaming CSV reader (RFC 4180: comma separated, double quotes around fields that hold
// commas, quotes or line breaks, "" for a quote inside them; CRLF or LF line ends). It reads any
// file size in constant memory: one record at a time, each at most `max_record_bytes`.
//
// A malformed record (an unterminated quote, a record that is too long, bytes that are not
// UTF-8, a NUL byte, a field count other than the header's) is reported through error() with
// its line number and skipped, so an importer keeps the good records around it. The first
// record is the header: every later record must have as many fields (a blank line is let
// through for the caller to skip), because a stray comma in an unquoted "0,01" would otherwise
// shift every field after it and price a call from the wrong column. A UTF-8 byte-order mark
// (Excel's "CSV UTF-8") before the header is skipped.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace provisio {

class CsvReader {
public:
    // Error(invalid_input) when the file cannot be opened.
    explicit CsvReader(const std::filesystem::path &file, size_t max_record_bytes = 64 * 1024);
    // Reads `text` (which must outlive the reader) as it would a file holding it.
    struct FromText {};
    CsvReader(FromText, std::string_view text, size_t max_record_bytes = 64 * 1024);
    ~CsvReader();
    CsvReader(const CsvReader &) = delete;
    CsvReader &operator=(const CsvReader &) = delete;

    // Reads the next record: false at the end of the file. When the record is malformed, true
    // with error() saying why and fields() empty.
    bool next();
    const std::vector<std::string_view> &fields() const { return fields_; }
    const std::string &error() const { return error_; }
    int64_t line() const { return line_; }  // where the current record starts, from 1
    // True when the current record is an empty line (one field holding only spaces or tabs).
    bool blank() const;

private:
    bool fill();  // more bytes into buf_; false at end of file
    // Moves past the rest of the physical line (after a record too long to keep).
    void skip_line();

    std::FILE *file_ = nullptr;
    size_t max_bytes_;
    std::vector<char> buf_;
    size_t pos_ = 0, end_ = 0;
    bool eof_ = false;
    int64_t next_line_ = 1, line_ = 0;
    size_t header_fields_ = 0;          // 0 until the header has been read
    std::string storage_;               // the current record's unquoted field text
    std::vector<size_t> bounds_;        // field boundaries in storage_
    std::vector<std::string_view> fields_;
    std::string error_;
};

// A field without the spaces and tabs around it.
std::string_view trimmed(std::string_view field);

}  // namespace provisio
