#include "werkstatt/board/text.hpp"

#include "werkstatt/board/limits.hpp"

namespace werkstatt::board {
namespace {

// Decodes one code point starting at s[i]; advances i. Returns -1 if malformed.
long decode_one(std::string_view s, std::size_t& i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) { ++i; return b0; }
  int extra = 0;
  long cp = 0;
  long min = 0;
  if ((b0 & 0xE0) == 0xC0) { extra = 1; cp = b0 & 0x1F; min = 0x80; }
  else if ((b0 & 0xF0) == 0xE0) { extra = 2; cp = b0 & 0x0F; min = 0x800; }
  else if ((b0 & 0xF8) == 0xF0) { extra = 3; cp = b0 & 0x07; min = 0x10000; }
  else return -1;
  if (i + static_cast<std::size_t>(extra) >= s.size()) return -1;  // truncated sequence
  for (int k = 1; k <= extra; ++k) {
    const unsigned char b = byte(i + static_cast<std::size_t>(k));
    if ((b & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;  // overlong, too big, surrogate
  i += static_cast<std::size_t>(extra) + 1;
  return cp;
}

}  // namespace

std::optional<std::size_t> utf8_length(std::string_view s) noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++n) {
    if (decode_one(s, i) < 0) return std::nullopt;
  }
  return n;
}

TextCheck check_text(std::string_view s, std::size_t max_chars, bool allow_newlines) noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++n) {
    const long cp = decode_one(s, i);
    if (cp < 0) return TextCheck::invalid_utf8;
    const bool c0_or_del = cp < 0x20 || cp == 0x7F;
    const bool c1 = cp >= 0x80 && cp < 0xA0;
    if ((c0_or_del || c1) && !(allow_newlines && (cp == '\n' || cp == '\t'))) return TextCheck::control_character;
  }
  return n > max_chars ? TextCheck::too_long : TextCheck::ok;
}

bool valid_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > limits::kMaxIdBytes) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace werkstatt::board
