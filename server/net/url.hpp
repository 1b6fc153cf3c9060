#pragma once
// A request target's path and query, percent-decoded by Boost.URL (RFC 3986):
// one implementation for the static files' paths and the replay API's
// query instead of two hand-written decoders. Boost.URL is compiled in
// url.cpp only. Pure functions; thread safety: none needed.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace werkstatt::net {

// Percent-decodes a URL path; false on a malformed escape or a NUL (raw or
// decoded: the file system would cut the path there).
[[nodiscard]] bool percent_decode(std::string_view in, std::string& out);

// The query's key=value pairs ('+' is a space, a key without '=' has an
// empty value, a key given twice keeps its first value).
using Query = std::map<std::string, std::string, std::less<>>;
// The query of a request target (what follows its first '?'; none: empty);
// nullopt if the query is malformed (a bad escape, or a character RFC 3986
// does not allow in a query), so a caller can answer 400 instead of
// guessing what was meant.
[[nodiscard]] std::optional<Query> parse_query(std::string_view target);

}  // namespace werkstatt::net
