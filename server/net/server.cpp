// The Server facade, the connection limiter and the session set.
#include "werkstatt/net/server.hpp"

#include <boost/asio/executor_work_guard.hpp>

#include <spdlog/spdlog.h>

#include <thread>

#include "listener.hpp"

namespace werkstatt::net {

void fail(beast::error_code ec, const char* what) {
  if (ec == asio::error::operation_aborted || ec == websocket::error::closed || ec == asio::error::eof ||
      ec == beast::error::timeout || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
      ec == http::error::end_of_stream)
    return;
  spdlog::debug("{}: {}", what, ec.message());
}

std::optional<ConnectionLimiter::Ticket> ConnectionLimiter::try_acquire(const std::string& address) {
  std::lock_guard lock(mutex_);
  std::size_t& n = open_[address];
  if (n >= per_address_) return std::nullopt;
  ++n;
  return Ticket(this, address);
}

void ConnectionLimiter::release(const std::string& address) {
  std::lock_guard lock(mutex_);
  const auto it = open_.find(address);
  if (it == open_.end()) return;
  if (--it->second == 0) open_.erase(it);
}

void SessionSet::add(std::uint64_t id, std::weak_ptr<Closable> session) {
  std::lock_guard lock(mutex_);
  sessions_[id] = std::move(session);
}

void SessionSet::remove(std::uint64_t id) {
  std::function<void()> done;
  {
    std::lock_guard lock(mutex_);
    sessions_.erase(id);
    // Only the last removal runs (and clears) the callback; clearing it on
    // every removal lost it whenever two or more sessions were left.
    if (sessions_.empty()) {
      done = std::move(on_empty_);
      on_empty_ = nullptr;
    }
  }
  if (done) done();
}

void SessionSet::when_empty(std::function<void()> done) {
  {
    std::lock_guard lock(mutex_);
    if (!sessions_.empty()) {
      on_empty_ = std::move(done);
      return;
    }
  }
  done();
}

void SessionSet::shutdown_all() {
  std::vector<std::shared_ptr<Closable>> alive;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, weak] : sessions_)
      if (auto s = weak.lock()) alive.push_back(std::move(s));
  }
  for (const auto& s : alive) s->shutdown_now();
}

namespace {
ServerConfig with_shards(ServerConfig config) {
  if (config.io_shards == 0) config.io_shards = std::max(1u, std::thread::hardware_concurrency());
  return config;
}
}  // namespace

struct Server::State {
  asio::io_context& io;
  std::shared_ptr<ServerContext> context;
  std::shared_ptr<listener> acceptor;
  std::string address;
  std::unique_ptr<workshop::WorkerPool> pool;
};

Server::Server(asio::io_context& io, ServerConfig config, workshop::WorkshopRegistry& registry)
    : state_(std::make_shared<State>(State{io, std::make_shared<ServerContext>(io, with_shards(std::move(config)), registry), nullptr, {}, nullptr})) {
  state_->pool = std::make_unique<workshop::WorkerPool>(state_->context->config.background);
  state_->context->pool = state_->pool.get();
}

Server::~Server() {
  state_->context->stopped = true;
  // Jobs still running finish here, on this thread, not after the registry
  // they use is gone; their answers go to the stopped io_context.
  state_->pool.reset();
}

bool Server::start(std::string* error) {
  const ServerConfig& config = state_->context->config;
  beast::error_code ec;
  const auto address = asio::ip::make_address(config.bind_address, ec);
  if (ec) {
    *error = "'" + config.bind_address + "' is not an IP address (use e.g. 127.0.0.1 or 0.0.0.0)";
    return false;
  }
  state_->acceptor = std::make_shared<listener>(state_->io, state_->context);
  if (!state_->acceptor->open(tcp::endpoint(address, config.port), error)) return false;
  state_->address = address.is_unspecified() ? (address.is_v6() ? "[::1]" : "127.0.0.1")
                    : address.is_v6()        ? "[" + address.to_string() + "]"
                                             : address.to_string();
  state_->acceptor->run();
  // Retention: due workshops are erased as delete-workshop does, and each
  // erasure leaves an audit line (never a title or a name).
  state_->context->registry.start_retention(
      [audit = config.audit](const workshop::WorkshopInfo& due, const journal::Status& result) {
        const std::string days = std::to_string(due.retention_days);
        const std::string last = std::to_string(due.last_activity_ms);
        net::audit(audit.get(), "workshop_erased", "server",
                   {{"workshop", due.id},
                    {"reason", "retention"},
                    {"retention_days", days},
                    {"last_activity_ms", last},
                    {"result", result.ok() ? "erased" : "failed"}});
      });
  return true;
}

std::uint16_t Server::port() const { return state_->acceptor ? state_->acceptor->port() : 0; }

std::string Server::local_url() const { return "http://" + state_->address + ":" + std::to_string(port()); }

void Server::set_ready() { state_->context->started = true; }

void Server::shutdown(std::function<void()> done) {
  // The io_context must not run out of work halfway: once the acceptor is
  // closed and the last session is gone, a workshop without timers has
  // nothing pending, run() returns, and the workshops' shutdown (posted to
  // their strands just after) would never run. Held until done.
  auto work = std::make_shared<asio::executor_work_guard<asio::io_context::executor_type>>(state_->io.get_executor());
  done = [work, done = std::move(done)] {
    work->reset();
    done();
  };
  state_->context->shutting_down = true;
  if (state_->acceptor) state_->acceptor->stop();
  // Keep-alive HTTP connections and WebSockets that never joined end now;
  // joined ones are closed by their workshop once its ops are acked.
  state_->context->sessions.shutdown_all();
  // Done when every workshop has finished and every session is gone (those
  // in a workshop close once it has acked what it took; the rest at once).
  state_->context->registry.shutdown([context = state_->context, done = std::move(done)]() mutable {
    context->sessions.when_empty(std::move(done));
  });
}

}  // namespace werkstatt::net
