#pragma once
// The network front of werkstatt: one port for HTTP (the web client's files,
// the REST API) and the WebSocket endpoint /ws (also /api/ws).
//
// Contract
// - start() binds and listens; port() then tells the bound port (bind port 0
//   in tests for an ephemeral one).
// - Every limit below is enforced per connection; a client that breaks one
//   gets a typed Error (or Reject) and, where it says so, a close code from
//   workshop::CloseCode. Nothing one client does changes what the others see.
// - shutdown() stops accepting, closes connections that have not joined a
//   workshop, lets every workshop finish its ops in flight and close its
//   connections with 1001 (going away), then calls `done`.
//
// Thread safety: start() and port() from one thread before the io_context
// runs; shutdown() from any thread, once.
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "werkstatt/net/audit_log.hpp"
#include "werkstatt/workshop/worker_pool.hpp"
#include "werkstatt/workshop/workshop_registry.hpp"

namespace werkstatt::net {

struct LegalPages;  // server/net/legal.hpp

struct ServerLimits {
  // Largest WebSocket message a client may send. The largest legitimate one
  // is an op with a 500-character note (≤ 2 KiB of UTF-8) plus ids; 64 KiB
  // leaves margin and bounds what one read can make the server buffer.
  // Beast closes an oversize message with 1009 before the server sees it.
  std::size_t max_message_bytes = 64 * 1024;
  // Outgoing queue per connection, in bytes (in flight included). ~5,000
  // typical events: a client this far behind is better served by resuming
  // than by a growing queue, and the server's memory stays bounded by
  // connections × this. Over it: Error SLOW_CONSUMER, close 4008. It bounds
  // backlog, what waits behind the write in flight: frames sent while
  // nothing waits are always taken, so a Welcome larger than this (a board of
  // thousands of long notes) still goes out, and events arriving while it is
  // written queue behind it; memory stays below connections × (this + one
  // board snapshot).
  std::size_t max_queue_bytes = 1024 * 1024;
  // After going over max_queue_bytes, how long the write in flight may still
  // take (the client gets Error SLOW_CONSUMER and 4008 after it) before the
  // TCP connection is cut without a close frame. Long enough for a phone on a
  // bad link to take its last write, short enough that a client that never
  // reads does not hold a socket and its buffers for long.
  std::chrono::seconds slow_consumer_grace{5};
  // Ops per second per connection (token bucket). People type and drag a few
  // ops per second and the client throttles drags; 30/s with a burst of 60
  // leaves room for a facilitator's bulk actions. Excess ops get Reject
  // RATE_LIMITED; after 5 seconds' worth of rejections the connection is
  // closed with Error RATE_LIMITED (1008).
  double ops_per_second = 30;
  double ops_burst = 60;
  // Presence messages per second per connection; excess ones are dropped
  // silently (the workshop forwards at most 20/s per participant anyway).
  double presence_per_second = 30;
  // Open connections per real client address (behind a trusted proxy: per
  // client, not per proxy). A venue behind one NAT address has 150 people
  // with a laptop and a phone each (300), whose reconnects overlap with the
  // old connections for up to the idle timeout, sometimes two workshops at
  // once: 600. That still stops one host from taking more than a small
  // share of the server's file descriptors. Raise it for load tests.
  std::size_t max_connections_per_ip = 600;
  // Wrong join codes per (client address, workshop) — and unknown codes at
  // /api/join or unknown workshop ids per address: a burst, then a rate per
  // minute; beyond them that address waits for that workshop (Error
  // RATE_LIMITED / 429) until a token refills (2 s at 30/min). Right codes,
  // resumes and tokens cost nothing and are never held back by others'
  // guesses (see net/admission.hpp); guessing a code takes millions of minutes.
  double wrong_credentials_burst = 60;
  double wrong_credentials_per_minute = 30;
  // WebSocket idle timeout: the server pings after half of it and closes a
  // connection that stays silent for all of it. 60 s takes a vanished phone
  // off the online list within a minute and keeps NAT mappings alive.
  std::chrono::seconds idle_timeout{60};
  // How long the server waits for the client's answer to its close frame
  // (and for the opening handshake's response to be taken) before it cuts
  // the TCP connection. The client has the close frame and the final Error
  // by then; waiting longer (Beast's suggested 30 s) only holds a shutdown or
  // an erasure for every client that stopped reading.
  std::chrono::seconds close_timeout{3};
  // Time to send a complete HTTP request (slowloris) or to read a response.
  std::chrono::seconds http_timeout{30};
  // REST request bodies are a few hundred bytes.
  std::size_t max_request_body = 64 * 1024;
};

struct ServerConfig {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 8080;
  std::filesystem::path static_dir;  // the built web client (client-web/dist)
  std::string admin_token;           // empty: creating workshops is loopback-only
  std::string public_url;            // base of links in REST answers; empty: the Host header
  // Origins allowed to open a WebSocket besides the server's own (the Host
  // header). A request without Origin (native clients) is allowed: the
  // check protects browsers from other sites, not the server from clients.
  std::vector<std::string> allowed_origins;
  // Peers whose forwarding headers (Forwarded, X-Forwarded-For,
  // X-Forwarded-Proto) or PROXY protocol header are believed: addresses or
  // CIDR networks (see net/client_address.hpp). Empty: every peer is the
  // client itself. Requests through a trusted proxy are never "loopback".
  std::vector<std::string> trusted_proxies;
  // Connections from trusted proxies start with a PROXY protocol header (v1
  // or v2, HAProxy's send-proxy / send-proxy-v2); one without is closed.
  bool proxy_protocol = false;
  // Host names this server answers to besides IP literals, localhost and
  // the public URL's host (DNS rebinding protection, see net/rest.hpp).
  std::vector<std::string> allowed_hosts;
  // Security events (net/audit_log.hpp); null: none are written.
  std::shared_ptr<AuditLog> audit;
  // Connections are spread over this many I/O shards (strands); match the
  // number of threads running the io_context. 0: one per core.
  std::size_t io_shards = 0;
  ServerLimits limits;
  // The worker pool for REST calls that read or write history (replay,
  // exports, timeline, state?at=, creation): see workshop/worker_pool.hpp.
  workshop::WorkerPoolOptions background;
  // Imprint, privacy notice, accessibility statement, feedback link: what
  // GET /api/legal answers (see server/net/legal.hpp). Loaded by `serve`.
  std::shared_ptr<const LegalPages> legal;
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerConfig config, workshop::WorkshopRegistry& registry);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts accepting. False and `error` if the address
  // cannot be bound (e.g. the port is taken).
  [[nodiscard]] bool start(std::string* error);
  [[nodiscard]] std::uint16_t port() const;
  // http://<address>:<port>, with a wildcard address shown as 127.0.0.1.
  [[nodiscard]] std::string local_url() const;

  // Start-up is complete (recovery, demo workshop): /readyz answers 200
  // from now on unless draining or read-only. Until then it answers 503
  // "starting", so a load balancer sends nobody to a server still recovering.
  void set_ready();

  void shutdown(std::function<void()> done);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace werkstatt::net
