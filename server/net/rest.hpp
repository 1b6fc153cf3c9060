#pragma once
// The REST API (JSON over HTTP), independent of Beast so it is tested
// without sockets.
//
//   (/healthz, /livez, /readyz and /metrics: probes.hpp)
//   POST /api/workshops           create: body {"template","title","language",
//                                 "retention_days": 0..36500 (a number; 0 keeps)}
//                                 → 201 {id, title, join_code, participant_url,
//                                   facilitator_url, observer_url,
//                                   facilitator_token, observer_token, retention_days}
//   GET  /api/workshops/{id}      {id, title, language, template, created_ms,
//                                  head_seq, participants_online, read_only,
//                                  closed, retention_days, last_activity_ms,
//                                  erase_after_ms (null: kept until deleted)}
//   GET  /api/workshops/{id}/participants/{pid}/export   one person's data (JSON)
//   DELETE /api/workshops/{id}/participants/{pid}        erase one person
//                                 (both: facilitator or admin token; rest.cpp)
//   GET  /api/workshops/{id}/…    the replay API: see replay_api.hpp
//   GET  /api/legal[/name]      imprint, privacy notice, accessibility statement
//                                 and feedback link the operator configured (legal.hpp)
//   GET  /api/join/{code}         {"workshop_id":…} for a typed join code; 404 if
//                                 none; 429 + Retry-After after too many
//                                 unknown codes from one address (GuessLimiter)
//
// Creating a workshop hands out its facilitator secret, so it is allowed
// only from a loopback address (the organiser on the server itself; never a
// request that came through a trusted proxy), or with
// `Authorization: Bearer <admin token>` when the server has one. A wrong
// Bearer is refused from anywhere, loopback included. Workshop info never
// contains a secret.
//
// Browser protections, checked before anything else for /api/…:
// - Host (DNS rebinding): the Host header must name this server: an IP
//   literal, localhost, the --public-url's host or an --allowed-host. A
//   rebound name reaches the server's address but never passes this.
// - CSRF: a state-changing request (POST /api/workshops; every future
//   write endpoint calls the same check first) needs
//   `Content-Type: application/json` (a cross-site form or a no-cors fetch
//   cannot send it without a preflight, which this server never grants) and,
//   when it carries an Origin, this server's own origin or an allowed one.
// Both answer 403 (415 for the content type) and change nothing.
//
// Thread safety: handle_api() may be called from any thread.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "guess_limiter.hpp"
#include "werkstatt/net/audit_log.hpp"
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
  std::string_view content_type;   // the Content-Type header
  std::string_view origin;         // the Origin header ("" if none)
  bool from_loopback = false;      // the client is on loopback and no proxy is involved
  std::string_view client_address;  // the real client's IP address (see client_address.hpp)
  std::string_view scheme;          // "https" if a trusted proxy said so, else 
  GuessLimiter* guesses = nullptr;  // counts unknown join codes; null: unlimited
  AuditLog* audit = nullptr;        // null: no audit log
};

struct LegalPages;  // legal.hpp

struct ApiConfig {
  std::string admin_token;  // empty: creating is loopback-only
  std::string public_url;   // base of the links; empty: <scheme>://<Host header> (Host checked first)
  std::vector<std::string> allowed_origins;  // besides the server's own
  std::vector<std::string> allowed_hosts;    // Host names besides IP literals, localhost and the public URL's
  const LegalPages* legal = nullptr;  // /api/legal (legal.hpp); null: nothing configured
};

// Whether the Host header names this server (see above). An empty Host
// (HTTP/1.0, a health check) is not a browser's and passes.
[[nodiscard]] bool host_allowed(std::string_view host, const ApiConfig& config);
// Whether a request with this Origin may proceed: no Origin (not a
// browser), the server's own origin (same host as the Host header, or the
// public URL), or one of `allowed` ("*": any).
[[nodiscard]] bool origin_allowed(std::string_view origin, std::string_view host,
                                  const std::vector<std::string>& allowed, std::string_view public_url = {});
// "application/json", with or without parameters, any case.
[[nodiscard]] bool is_json_content_type(std::string_view content_type);
// The Content-Security-Policy for a response to a request with this (checked)
// Host: connections only to the server's own origin(s), WebSockets included.
[[nodiscard]] std::string content_security_policy(std::string_view host, std::string_view public_url);

// Routes /api/…; nullopt for every other path.
[[nodiscard]] std::optional<HttpReply> handle_api(const ApiRequest& request, const ApiConfig& config,
                                                  workshop::WorkshopRegistry& registry);

// The token of an `Authorization: Bearer <token>` header; empty for no
// header or any other scheme.
[[nodiscard]] inline std::string_view bearer_token(std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  return authorization.starts_with(kBearer) ? authorization.substr(kBearer.size()) : std::string_view();
}

[[nodiscard]] bool may_create_workshops(bool from_loopback, std::string_view admin_token,
                                        std::string_view authorization);

// scheme://host[:port] for links: the configured public URL, else the Host
// header if it looks like a host name, else http://localhost. `scheme`:
// "https" when a trusted proxy terminated TLS.
[[nodiscard]] std::string base_url_for(const ApiConfig& config, std::string_view host, std::string_view scheme = {});

}  // namespace werkstatt::net
