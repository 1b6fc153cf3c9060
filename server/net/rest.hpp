#pragma once
// The REST API (JSON over HTTP), independent of Beast so it is tested
// without sockets.
//
//   (/healthz, /livez, /readyz and /metrics: probes.hpp)
//   POST /api/workshops           create: body {"template","title","language"}
//                                 → 201 {id, title, join_code, participant_url,
//                                   facilitator_url, observer_url,
//                                   facilitator_token, observer_token}
//   GET  /api/workshops/{id}      {id, title, language, template, created_ms,
//                                  head_seq, participants_online, read_only}
//   GET  /api/workshops/{id}/…    the replay API: see replay_api.hpp
//   GET  /api/join/{code}         {"workshop_id":…} for a typed join code; 404 if
//                                 none; 429 + Retry-After after too many
//                                 unknown codes from one address (GuessLimiter)
//
// Creating a workshop hands out its facilitator secret, so it is allowed
// only from a loopback address (the organiser on the server itself, or a
// reverse proxy on the same host — which must then require its own login),
// or with `Authorization: Bearer <admin token>` when the server was started
// with --admin-token. Workshop info never contains a secret.
//
// Thread safety: handle_api() may be called from any thread.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "guess_limiter.hpp"
#include "werkstatt/workshop/workshop_registry.hpp"

namespace werkstatt::net {

struct HttpReply {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // beyond the common ones
};

struct ApiRequest {
  std::string_view method;  // "GET", "POST", …
  std::string_view target;  // path and query
  std::string_view body;
  std::string_view authorization;  // the Authorization header, if any
  std::string_view host;           // the Host header
  bool from_loopback = false;
  std::string_view client_address;  // the peer's IP address
  GuessLimiter* guesses = nullptr;  // counts unknown join codes; null: unlimited
};

struct ApiConfig {
  std::string admin_token;  // empty: creating is loopback-only
  std::string public_url;   // base of the links; empty: http://<Host header>
};

// Routes /api/…; nullopt for every other path.
[[nodiscard]] std::optional<HttpReply> handle_api(const ApiRequest& request, const ApiConfig& config,
                                                  workshop::WorkshopRegistry& registry);

[[nodiscard]] bool may_create_workshops(bool from_loopback, std::string_view admin_token,
                                        std::string_view authorization);

// scheme://host[:port] for links: the configured public URL, else the Host
// header if it looks like a host name, else http://localhost.
[[nodiscard]] std::string base_url_for(const ApiConfig& config, std::string_view host);

}  // namespace werkstatt::net
