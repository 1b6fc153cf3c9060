#include <catch2/catch.hpp>

#include "werkstatt/board/text.hpp"

using werkstatt::board::check_text;
using werkstatt::board::TextCheck;
using werkstatt::board::utf8_length;
using werkstatt::board::valid_id;

TEST_CASE("utf8_length counts code points of well-formed UTF-8 only", "[text]") {
  CHECK(utf8_length("") == 0u);
  CHECK(utf8_length("Lösungsansätze") == 14u);
  CHECK(utf8_length("\xF0\x9F\x92\xA1 Idee") == 6u);  // 💡 is one code point
  CHECK_FALSE(utf8_length("\xC3"));                     // truncated
  CHECK_FALSE(utf8_length("\xC0\xAF"));                 // overlong '/'
  CHECK_FALSE(utf8_length("\xED\xA0\x80"));             // UTF-16 surrogate
  CHECK_FALSE(utf8_length("\xF4\x90\x80\x80"));         // above U+10FFFF
  CHECK_FALSE(utf8_length("\x80"));                     // lone continuation byte
  CHECK_FALSE(utf8_length("\xFF"));
}

TEST_CASE("check_text: controls, newlines, length", "[text]") {
  CHECK(check_text("a\nb", 10, true) == TextCheck::ok);
  CHECK(check_text("a\nb", 10, false) == TextCheck::control_character);
  CHECK(check_text("a\x7F", 10, true) == TextCheck::control_character);
  CHECK(check_text("a\xC2\x85", 10, true) == TextCheck::control_character);  // U+0085 (C1)
  CHECK(check_text("äöü", 3, false) == TextCheck::ok);
  CHECK(check_text("äöüß", 3, false) == TextCheck::too_long);
  CHECK(check_text("\xE2\x82", 3, false) == TextCheck::invalid_utf8);
}

TEST_CASE("valid_id accepts URL-safe ids of 1-64 bytes", "[text]") {
  CHECK(valid_id("n-1_A"));
  CHECK(valid_id(std::string(64, 'z')));
  CHECK_FALSE(valid_id(""));
  CHECK_FALSE(valid_id(std::string(65, 'z')));
  CHECK_FALSE(valid_id("a/b"));
  CHECK_FALSE(valid_id("ä"));
  CHECK_FALSE(valid_id("a b"));
}
