#pragma once
// The links that open the web client on a workshop, in the format the client
// reads (client-web/src/app/launch.ts):
//   participants  <base>/?w=<id>&code=<join code>
//   facilitators  <base>/#w=<id>&t=<facilitator token>
//   observers     <base>/#w=<id>&o=<observer token>
// Tokens go in the fragment: browsers never send it to a server, so the
// secrets stay out of access logs and proxies. Ids, codes and tokens use
// URL-safe alphabets only (secrets.hpp), so nothing needs escaping.
#include <string>
#include <string_view>

namespace werkstatt::net {

struct WorkshopLinks {
  std::string participant;
  std::string facilitator;
  std::string observer;
};

// `base` is scheme://host[:port] without a trailing slash.
[[nodiscard]] inline WorkshopLinks workshop_links(std::string_view base, std::string_view id,
                                                  std::string_view join_code, std::string_view facilitator_token,
                                                  std::string_view observer_token) {
  const std::string b(base);
  const std::string w(id);
  return {b + "/?w=" + w + "&code=" + std::string(join_code), b + "/#w=" + w + "&t=" + std::string(facilitator_token),
          b + "/#w=" + w + "&o=" + std::string(observer_token)};
}

}  // namespace werkstatt::net
