#pragma once
// Validation of client-supplied strings. Pure functions, no allocation.
#include <cstddef>
#include <optional>
#include <string_view>

namespace werkstatt::board {

// Number of code points in `s` if it is well-formed UTF-8 (no overlong forms,
// no surrogates, nothing above U+10FFFF); nullopt otherwise.
[[nodiscard]] std::optional<std::size_t> utf8_length(std::string_view s) noexcept;

// True if `s` is well-formed UTF-8 with no control characters other than
// newline and tab (when `allow_newlines`), and at most `max_chars` code points.
// Why no controls: they break rendering, CSV export and terminal logs.
enum class TextCheck { ok, invalid_utf8, control_character, too_long };
[[nodiscard]] TextCheck check_text(std::string_view s, std::size_t max_chars, bool allow_newlines) noexcept;

// Object and participant ids: 1..kMaxIdBytes bytes of [A-Za-z0-9_-]. Kept
// this narrow so ids are safe in URLs, journal keys, CSS selectors and logs.
[[nodiscard]] bool valid_id(std::string_view id) noexcept;

}  // namespace werkstatt::board
