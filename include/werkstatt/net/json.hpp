#pragma once
// The little JSON the REST API needs: string escaping for responses (by
// hand, for the escapes Boost.JSON does not make: '<', '>' and invalid
// UTF-8), and a reader for flat objects of string values (request bodies)
// on Boost.JSON's tokenizer, used header-only (compiled in json.cpp).
//
// Thread safety: pure functions.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace werkstatt::net::json {

// Appends `s` as a JSON string literal. Control characters, quotes and
// backslashes are escaped; '<' and '>' too, so a response is inert even if
// someone renders it as HTML. Invalid UTF-8 becomes U+FFFD (JSON is UTF-8).
void append_string(std::string& out, std::string_view s);

// Builds one flat object: {"a":"x","n":1,"b":true}.
class Object {
 public:
  Object& field(std::string_view key, std::string_view value);
  Object& field(std::string_view key, const char* value) { return field(key, std::string_view(value)); }
  Object& field(std::string_view key, std::uint64_t value);
  Object& field(std::string_view key, std::int64_t value);
  Object& field(std::string_view key, bool value);
  // `json` must already be valid JSON (e.g. an array built by the caller).
  Object& raw(std::string_view key, std::string_view json);
  [[nodiscard]] std::string str() const { return out_ + "}"; }

 private:
  void key(std::string_view k);
  std::string out_ = "{";
};

// Parses `{"key": "value", ...}` (whitespace allowed, string values only,
// \u escapes including surrogate pairs). nullopt and `error` on anything
// else, e.g. a number where a string belongs or a duplicate key.
// With `integers`: a value that is a non-negative integer literal (at most
// 18 digits, no sign, fraction or exponent) is accepted too and goes there
// instead; keys stay unique across both maps.
[[nodiscard]] std::optional<std::map<std::string, std::string>> parse_string_object(
    std::string_view text, std::string* error, std::map<std::string, std::uint64_t>* integers = nullptr);

}  // namespace werkstatt::net::json
