#pragma once
// Reading one top-level field out of a REST answer in tests, without a JSON
// library: enough for the flat bodies werkstatt's REST routes return.
#include <string>

namespace werkstatt::test {

// The value of string field `name` (unescaped text up to the next quote), or "".
inline std::string json_string(const std::string& body, const std::string& name) {
  const std::string key = "\"" + name + "\":\"";
  const auto at = body.find(key);
  if (at == std::string::npos) return {};
  const auto from = at + key.size();
  return body.substr(from, body.find('"', from) - from);
}

// The raw text of a number/true/false/null field `name`, or "".
inline std::string json_raw(const std::string& body, const std::string& name) {
  const std::string key = "\"" + name + "\":";
  const auto at = body.find(key);
  if (at == std::string::npos) return {};
  const auto from = at + key.size();
  return body.substr(from, body.find_first_of(",}", from) - from);
}

}  // namespace werkstatt::test
