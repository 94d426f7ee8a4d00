#include "foundation/error.hpp"
#include "foundation/text.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace std::string_literals;
using provisio::first_invalid_utf8;
using provisio::repair_utf8;
using provisio::require_utf8;
using provisio::require_utf8_file;

TEST_CASE("UTF-8 text is told from bytes that only look like it") {
    CHECK(first_invalid_utf8("") == std::string::npos);
    CHECK(first_invalid_utf8("Ada Lovelace") == std::string::npos);
    CHECK(first_invalid_utf8("Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\x9e") == std::string::npos);  // é € 📞
    CHECK(first_invalid_utf8("Caf\xe9") == 3);                 // Latin-1
    CHECK(first_invalid_utf8("ok\x80") == 2);                  // a lone continuation byte
    CHECK(first_invalid_utf8("x\xc3") == 1);                   // cut short
    CHECK(first_invalid_utf8("\xc0\xaf") == 0);                // overlong '/'
    CHECK(first_invalid_utf8("\xe0\x80\xaf") == 0);            // overlong, three bytes
    CHECK(first_invalid_utf8("\xed\xa0\x80") == 0);            // a UTF-16 surrogate
    CHECK(first_invalid_utf8("\xf4\x90\x80\x80") == 0);        // above U+10FFFF
    CHECK(first_invalid_utf8("a\0b"s) == 1);                   // NUL: not text
}

TEST_CASE("require_utf8 names the thing and the byte; a file names the line") {
    CHECK_NOTHROW(require_utf8("Grüße", "--first-name"));
    CHECK_THROWS_WITH(require_utf8("Bad\xffName", "--first-name"), "--first-name is not UTF-8 text (byte 4 is 0xFF)");
    CHECK_THROWS_WITH(require_utf8("a\0b"s, "state value"), "state value is not UTF-8 text (byte 2 is a NUL)");
    CHECK_THROWS_AS(require_utf8("\xff", "x"), provisio::Error);
    CHECK_THROWS_WITH(require_utf8_file("line one\nline \xa3two\n", "body.txt"),
                      "body.txt:2: not UTF-8 text (byte 6 of the line is 0xA3)");
    CHECK_NOTHROW(require_utf8_file("one\ntwo \xc2\xa3\n", "body.txt"));
}

TEST_CASE("repair_utf8 keeps UTF-8 and replaces each bad byte with U+FFFD") {
    CHECK(repair_utf8("Caf\xc3\xa9") == "Caf\xc3\xa9");
    CHECK(repair_utf8("Caf\xe9!") == "Caf\xef\xbf\xbd!");
    CHECK(repair_utf8("\xc0\xaf") == "\xef\xbf\xbd\xef\xbf\xbd");
    CHECK(repair_utf8("a\0b"s) == "a\xef\xbf\xbd" "b");
    CHECK(first_invalid_utf8(repair_utf8("\xff\xfe\xed\xa0\x80 x")) == std::string::npos);
}
