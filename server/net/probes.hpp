#pragma once
// The operator's endpoints, independent of Beast (tested without sockets):
//
//   GET /livez    200 {"status":"alive"} while the process answers HTTP at all
//   GET /readyz   200 {"status":"ready"}; 503 {"status":"starting"|"draining"|
//                 "read-only"} while the server starts, shuts down or the
//                 journal refuses writes (a load balancer sends no one here)
//   GET /healthz  {"status":…,"workshops":N}: the same status, 200 or 503
//   GET /metrics  Prometheus text format 0.0.4 (metrics::Metrics::render)
//
// Reserved paths never fall through to the web client: anything else under
// /api/, /livez, /readyz, /healthz, /metrics or a plain GET of /ws answers
// JSON (404, 405 or 426), so a monitor or probe with a typo fails loudly
// instead of getting index.html with 200.
//
// Thread safety: pure functions of their arguments (and the global metrics).
#include <cstddef>
#include <optional>
#include <string_view>

#include "rest.hpp"

namespace werkstatt::net {

struct ProbeState {
  bool started = false;   // start-up finished (Server::set_ready)
  bool draining = false;  // shutting down
  bool read_only = false; // the journal refuses writes
  std::size_t workshops_loaded = 0;
};

[[nodiscard]] bool is_ready(const ProbeState& state);

// Answers /livez, /readyz, /healthz and /metrics; nullopt for other paths.
[[nodiscard]] std::optional<HttpReply> handle_probe(std::string_view method, std::string_view target,
                                                    const ProbeState& state);

// For paths no handler took: a JSON 404/426 if `target` is reserved for the
// API, the probes or the WebSocket; nullopt if it belongs to the web client.
[[nodiscard]] std::optional<HttpReply> reserved_path_reply(std::string_view target);

// The route label of a request in werkstatt_http_requests_total: a small
// fixed set (never an id), e.g. "/api/workshops/{id}/export".
[[nodiscard]] std::string_view route_label(std::string_view target);

}  // namespace werkstatt::net
