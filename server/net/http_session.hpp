#pragma once
// One HTTP connection: serves the web client's files and the REST API, and
// hands a WebSocket upgrade of /ws (or /api/ws) to a websocket_session after
// checking the Origin header.
//
// Every response carries the security headers (a strict Content-Security-
// Policy, nosniff, no referrer, no framing). Requests are bounded: headers
// 8 KiB, bodies ServerLimits::max_request_body, and ServerLimits::http_timeout
// to send a request.
//
// Thread safety: runs on its I/O shard's strand; shutdown_now() from any thread.
#include <memory>
#include <optional>

#include "beast.hpp"
#include "server_context.hpp"

namespace werkstatt::net {

// The Content-Security-Policy of every response: scripts, styles and
// connections only from the server itself (WebSockets included), no inline
// code, no plugins, no framing (clickjacking), no <base> rewriting.
inline constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

// True if a WebSocket upgrade with this Origin may proceed: no Origin (not a
// browser), the server's own origin (same host as the Host header), or one
// of `allowed`.
[[nodiscard]] bool origin_allowed(std::string_view origin, std::string_view host,
                                  const std::vector<std::string>& allowed);

class http_session : public std::enable_shared_from_this<http_session>, public Closable {
 public:
  http_session(IoShard::Socket&& socket, std::shared_ptr<IoShard> shard, std::shared_ptr<ServerContext> context,
               ConnectionLimiter::Ticket ticket);
  ~http_session() override;
  void run();
  void shutdown_now() override;

 private:
  void do_read();
  void on_read(beast::error_code ec, std::size_t bytes);
  void reply(http::message_generator message, bool keep_alive);
  void on_write(bool keep_alive, beast::error_code ec, std::size_t bytes);
  void do_close();
  void count_request();  // werkstatt_http_requests_total{route_, status_}
  [[nodiscard]] http::message_generator handle(http::request<http::string_body>&& request);
  [[nodiscard]] http::message_generator answer(http::request<http::string_body>&& request);  // handle(), or 500

  beast::basic_stream<tcp, IoShard::Strand> stream_;
  const std::shared_ptr<IoShard> shard_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const std::shared_ptr<ServerContext> context_;
  ConnectionLimiter::Ticket ticket_;
  const std::uint64_t id_;
  bool from_loopback_ = false;
  std::string remote_;  // the peer's IP address
  // The request being answered, for the metrics: a route label (never an id) and the status.
  std::string_view route_ = "unparsed";
  unsigned status_ = 0;
};

}  // namespace werkstatt::net
