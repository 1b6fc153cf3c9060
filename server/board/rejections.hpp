#pragma once
// Internal to the board library: how the op handlers in board.cpp and
// facilitation.cpp word a rejection, so the same mistake gets the same code
// and sentence whichever file checks it.
#include <string>

#include "werkstatt/board/board.hpp"
#include "werkstatt/board/text.hpp"

namespace werkstatt::board::detail {

inline Rejection reject(v1::RejectCode code, std::string reason) { return {code, std::move(reason)}; }

// Free text a person typed (note, title, instructions): valid UTF-8, no
// control characters (line breaks only if `multiline`), at most `max_chars`.
inline std::optional<Rejection> check_string(const std::string& s, std::size_t max_chars, bool multiline,
                                             const char* what) {
  switch (check_text(s, max_chars, multiline)) {
    case TextCheck::ok: return std::nullopt;
    case TextCheck::invalid_utf8: return reject(v1::REJECT_CODE_INVALID_FIELD, std::string(what) + " is not valid UTF-8");
    case TextCheck::control_character:
      return reject(v1::REJECT_CODE_INVALID_FIELD, std::string(what) + " contains a control character");
    case TextCheck::too_long:
      return reject(v1::REJECT_CODE_TEXT_TOO_LONG,
                    std::string(what) + " is longer than " + std::to_string(max_chars) + " characters");
  }
  return std::nullopt;
}

}  // namespace werkstatt::board::detail
