#include "url.hpp"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>
// Boost.URL's own implementation, compiled once here (Debian's Boost 1.81
// ships no libboost_url): the library used header-only.
#include <boost/url/src.hpp>

namespace werkstatt::net {

namespace urls = boost::urls;

bool percent_decode(std::string_view in, std::string& out) {
  out.clear();
  const auto encoded = urls::make_pct_string_view(in);
  if (!encoded) return false;
  out = encoded->decode();
  return out.find('\0') == std::string::npos;  // a raw NUL is copied, a %00 decoded: both end here
}

std::optional<Query> parse_query(std::string_view target) {
  Query q;
  const auto mark = target.find('?');
  if (mark == std::string_view::npos) return q;
  // A NUL-terminated copy: Boost.URL 1.81's parse_query hands s.data() to a
  // string_view constructor that runs strlen on it (impl/parse_query.ipp),
  // which read past the end of a target inside Beast's buffer (found by the
  // asan preset). The grammar refuses a NUL, so strlen ends exactly here.
  const std::string query(target.substr(mark + 1));
  const auto params = urls::parse_query(query);
  if (!params) return std::nullopt;
  const urls::encoding_opts plus_is_space{true, false, false};
  for (const urls::param_pct_view p : *params)
    q.emplace(p.key.decode(plus_is_space), p.has_value ? p.value.decode(plus_is_space) : std::string());
  return q;
}

}  // namespace werkstatt::net
