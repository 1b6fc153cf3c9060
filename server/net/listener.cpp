#include "listener.hpp"

#include <spdlog/spdlog.h>

#include "http_session.hpp"

namespace werkstatt::net {

listener::listener(asio::io_context& io, std::shared_ptr<ServerContext> context)
    : acceptor_(asio::make_strand(io)), retry_timer_(acceptor_.get_executor()), context_(std::move(context)) {}

bool listener::open(const tcp::endpoint& endpoint, std::string* error) {
  beast::error_code ec;
  const auto failed = [&](const char* what) {
    *error = std::string(what) + " " + endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) + ": " +
             ec.message();
    return false;
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return failed("cannot open a socket for");
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return failed("cannot set SO_REUSEADDR on");
  acceptor_.bind(endpoint, ec);
  if (ec) return failed("cannot bind");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return failed("cannot listen on");
  port_ = acceptor_.local_endpoint(ec).port();
  return true;
}

void listener::run() {
  asio::dispatch(acceptor_.get_executor(), beast::bind_front_handler(&listener::do_accept, shared_from_this()));
}

void listener::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    beast::error_code ec;
    self->acceptor_.close(ec);
    self->retry_timer_.cancel();
  });
}

void listener::do_accept() {
  const std::shared_ptr<IoShard>& shard = context_->shards.next();
  acceptor_.async_accept(shard->strand(), beast::bind_front_handler(&listener::on_accept, shared_from_this(), shard));
}

void listener::on_accept(const std::shared_ptr<IoShard>& shard, beast::error_code ec, IoShard::Socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // E.g. out of file descriptors: pause instead of spinning on the error.
    spdlog::warn("accepting a connection failed: {}; retrying in 100 ms", ec.message());
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([self = shared_from_this()](beast::error_code e) {
      if (!e) self->do_accept();
    });
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  const auto remote = socket.remote_endpoint(ec);
  if (!ec && context_->trusted.contains(remote.address())) {
    // A trusted proxy carries many clients: each one's WebSocket takes a
    // slot under the client's own address once it is known (http_session).
    std::make_shared<http_session>(std::move(socket), shard, context_, ConnectionLimiter::Ticket{})->run();
  } else if (!ec) {
    if (auto ticket = context_->limiter.try_acquire(remote.address().to_string())) {
      std::make_shared<http_session>(std::move(socket), shard, context_, std::move(*ticket))->run();
    } else {
      spdlog::warn("refused a connection from {}: it already has {} open (--max-connections-per-ip)",
                   remote.address().to_string(), context_->config.limits.max_connections_per_ip);
      socket.close(ec);
    }
  }
  do_accept();
}

}  // namespace werkstatt::net
