#pragma once
// Accepts TCP connections and starts an http_session for each, after the
// per-address connection limit, on the next I/O shard (round-robin).
// TCP_NODELAY is set on every connection: events are small and latency
// matters more than packet count (the sessions coalesce writes themselves).
//
// Thread safety: open() before the io_context runs; stop() from any thread.
#include <memory>
#include <string>

#include "beast.hpp"
#include "server_context.hpp"

namespace werkstatt::net {

class listener : public std::enable_shared_from_this<listener> {
 public:
  listener(asio::io_context& io, std::shared_ptr<ServerContext> context);
  [[nodiscard]] bool open(const tcp::endpoint& endpoint, std::string* error);
  void run();
  void stop();
  [[nodiscard]] std::uint16_t port() const { return port_; }

 private:
  void do_accept();
  void on_accept(const std::shared_ptr<IoShard>& shard, beast::error_code ec, IoShard::Socket socket);

  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  const std::shared_ptr<ServerContext> context_;
  std::uint16_t port_ = 0;
};

}  // namespace werkstatt::net
