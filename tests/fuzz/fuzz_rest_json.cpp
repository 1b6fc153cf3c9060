// The REST API's JSON reader (request bodies) and writer (responses),
// server/net/json.hpp. Checks, for any input:
// - parse_string_object() either gives a map or an error message, never both;
// - what it accepts, written back with json::Object and parsed again, gives
//   the same map (the writer escapes what the reader unescapes);
// - any string written with append_string() parses back as itself when it is
//   valid UTF-8, and the output never holds a raw '<', '>' or control byte.
#include <cstdint>
#include <string>

#include "chunks.hpp"
#include "werkstatt/net/json.hpp"
#include "werkstatt/board/text.hpp"

using namespace werkstatt;
namespace json = werkstatt::net::json;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto parsed = json::parse_string_object(text, &error);
  if (parsed) {
    json::Object o;
    for (const auto& [k, v] : *parsed) o.field(k, v);
    const std::string written = o.str();
    std::string again_error;
    const auto again = json::parse_string_object(written, &again_error);
    if (!again) fuzz::fail("the writer's output does not parse: " + again_error + " in " + written);
    if (*again != *parsed) fuzz::fail("write + parse changed the object: " + written);
  } else if (error.empty()) {
    fuzz::fail("a refused body comes without an error message");
  }

  std::string literal;
  json::append_string(literal, text);
  for (const unsigned char c : literal)
    if (c < 0x20 || c == '<' || c == '>') fuzz::fail("append_string left a raw control character or angle bracket");
  const std::string object = "{\"k\":" + literal + "}";
  const auto back = json::parse_string_object(object, &error);
  if (!back) fuzz::fail("append_string's output does not parse: " + error);
  if (board::utf8_length(text) && back->at("k") != text) fuzz::fail("append_string + parse changed valid UTF-8");
  return 0;
}
