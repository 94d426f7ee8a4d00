#include "foundation/csv_reader.hpp"

#include "foundation/error.hpp"
#include "foundation/text.hpp"

#include <cerrno>
#include <cstring>

namespace provisio {

namespace {

constexpr size_t chunk = 1 << 20;

}  // namespace

CsvReader::CsvReader(const std::filesystem::path &file, size_t max_record_bytes) : max_bytes_(max_record_bytes), buf_(chunk) {
    file_ = std::fopen(file.c_str(), "rb");
    if (!file_) fail(ErrorKind::invalid_input, "cannot read " + file.string() + ": " + std::strerror(errno));
}

CsvReader::CsvReader(FromText, std::string_view text, size_t max_record_bytes) : max_bytes_(max_record_bytes), buf_(chunk) {
    // fmemopen refuses a zero-sized buffer: empty text is a file at its end.
    if (text.empty()) {
        eof_ = true;
        return;
    }
    file_ = ::fmemopen(const_cast<char *>(text.data()), text.size(), "rb");
    if (!file_) fail(ErrorKind::internal, std::string("cannot read the text as CSV: ") + std::strerror(errno));
}

CsvReader::~CsvReader() {
    if (file_) std::fclose(file_);
}

bool CsvReader::fill() {
    if (eof_) return false;
    if (pos_ > 0) {  // keep the unread tail at the front
        std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
        end_ -= pos_;
        pos_ = 0;
    }
    if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
    const size_t got = std::fread(buf_.data() + end_, 1, buf_.size() - end_, file_);
    end_ += got;
    if (got == 0) eof_ = true;
    return got > 0;
}

void CsvReader::skip_line() {
    for (;;) {
        if (pos_ == end_ && !fill()) return;
        const void *nl = std::memchr(buf_.data() + pos_, '\n', end_ - pos_);
        if (nl) {
            pos_ = static_cast<size_t>(static_cast<const char *>(nl) - buf_.data()) + 1;
            ++next_line_;
            return;
        }
        pos_ = end_;
    }
}

bool CsvReader::next() {
    fields_.clear();
    bounds_.clear();
    storage_.clear();
    error_.clear();
    line_ = next_line_;
    if (pos_ == end_ && !fill()) return false;
    if (line_ == 1 && header_fields_ == 0 && pos_ == 0) {
        while (end_ < 3 && fill()) {
        }
        if (end_ >= 3 && std::memcmp(buf_.data(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
        if (pos_ == end_ && !fill()) return false;
    }

    bool quoted = false, field_was_quoted = false, done = false, too_long = false;
    while (!done) {
        if (pos_ == end_ && !fill()) {
            if (quoted) error_ = "a quoted field is not closed before the end of the file";
            break;
        }
        const char c = buf_[pos_++];
        if (quoted) {
            if (c == '"') {
                if (pos_ == end_) fill();
                if (pos_ < end_ && buf_[pos_] == '"') {
                    storage_ += '"';
                    ++pos_;
                } else {
                    quoted = false;
                }
            } else {
                if (c == '\n') ++next_line_;
                storage_ += c;
            }
        } else if (c == ',') {
            bounds_.push_back(storage_.size());
            field_was_quoted = false;
        } else if (c == '\n') {
            ++next_line_;
            done = true;
        } else if (c == '\r') {
            if (pos_ == end_) fill();
            if (pos_ < end_ && buf_[pos_] == '\n') continue;  // CRLF: the LF ends the record
            storage_ += c;
        } else if (c == '"' && !field_was_quoted &&
                   storage_.size() == (bounds_.empty() ? 0 : bounds_.back())) {
            quoted = field_was_quoted = true;
        } else {
            // An ordinary run: take it whole, up to the next byte that means something.
            size_t stop = pos_;
            while (stop < end_ && buf_[stop] != ',' && buf_[stop] != '\n' && buf_[stop] != '\r' && buf_[stop] != '"') ++stop;
            storage_ += c;
            storage_.append(buf_.data() + pos_, stop - pos_);
            pos_ = stop;
        }
        if (storage_.size() > max_bytes_) {
            too_long = true;
            break;
        }
    }
    if (too_long) {
        skip_line();  // inside a runaway quote too: only the rest of this physical line is lost
        error_ = "the record is longer than " + std::to_string(max_bytes_) + " bytes";
        storage_.clear();
        bounds_.clear();
        return true;
    }
    if (!error_.empty()) {
        storage_.clear();
        return true;
    }
    if (const size_t bad = first_invalid_utf8(storage_); bad != std::string_view::npos) {
        error_ = storage_[bad] == '\0' ? "a NUL byte (this does not look like a text file)"
                                       : "bytes that are not UTF-8 (at byte " + std::to_string(bad + 1) + " of the record)";
        storage_.clear();
        bounds_.clear();
        return true;
    }
    size_t start = 0;
    for (size_t b : bounds_) {
        fields_.emplace_back(storage_.data() + start, b - start);
        start = b;
    }
    fields_.emplace_back(storage_.data() + start, storage_.size() - start);
    if (header_fields_ == 0) {
        header_fields_ = fields_.size();
    } else if (fields_.size() != header_fields_ && !blank()) {
        error_ = "the record has " + std::to_string(fields_.size()) + " fields, the header has " + std::to_string(header_fields_) +
                 " (a value with a comma in it must be quoted)";
        fields_.clear();
    }
    return true;
}

bool CsvReader::blank() const { return fields_.size() == 1 && trimmed(fields_[0]).empty(); }

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace provisio
