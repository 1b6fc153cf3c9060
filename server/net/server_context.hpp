#pragma once
// What every connection of one Server shares: the configuration, the
// workshops, the per-address connection limit and the set of open sessions
// (for shutdown).
//
// Thread safety: everything here may be used from any thread.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "rest.hpp"
#include "werkstatt/net/server.hpp"
#include "werkstatt/workshop/workshop_registry.hpp"

namespace werkstatt::net {

// Counts open connections per client address. A Ticket is held by the
// connection (HTTP, then WebSocket) and gives its slot back when destroyed.
class ConnectionLimiter {
 public:
  class Ticket {
   public:
    Ticket() = default;
    Ticket(ConnectionLimiter* owner, std::string address) : owner_(owner), address_(std::move(address)) {}
    Ticket(Ticket&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)), address_(std::move(other.address_)) {}
    Ticket& operator=(Ticket&& other) noexcept {
      if (this != &other) {
        release();
        owner_ = std::exchange(other.owner_, nullptr);
        address_ = std::move(other.address_);
      }
      return *this;
    }
    ~Ticket() { release(); }

   private:
    void release() {
      if (owner_) owner_->release(address_);
      owner_ = nullptr;
    }
    ConnectionLimiter* owner_ = nullptr;
    std::string address_;
  };

  explicit ConnectionLimiter(std::size_t per_address) : per_address_(per_address) {}
  // A ticket, or nullopt if `address` already has the maximum open.
  [[nodiscard]] std::optional<Ticket> try_acquire(const std::string& address);

 private:
  void release(const std::string& address);
  const std::size_t per_address_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> open_;
};

// A session the server can end at shutdown.
class Closable {
 public:
  virtual ~Closable() = default;
  virtual void shutdown_now() = 0;  // thread-safe
};

class SessionSet {
 public:
  void add(std::uint64_t id, std::weak_ptr<Closable> session);
  void remove(std::uint64_t id);
  void shutdown_all();
  // Runs `done` once no session is left (at once if none is), on the thread
  // that removed the last one.
  void when_empty(std::function<void()> done);

 private:
  std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::weak_ptr<Closable>> sessions_;
  std::function<void()> on_empty_;
};

struct ServerContext {
  ServerContext(ServerConfig c, workshop::WorkshopRegistry& r)
      : config(std::move(c)),
        registry(r),
        api{config.admin_token, config.public_url},
        limiter(config.limits.max_connections_per_ip) {}

  const ServerConfig config;
  workshop::WorkshopRegistry& registry;
  const ApiConfig api;
  ConnectionLimiter limiter;
  SessionSet sessions;
  std::atomic<bool> shutting_down{false};
  // Set when the Server is destroyed: the io_context is stopped and about to
  // destroy the handlers it still holds, so sessions must not post to
  // workshops any more.
  std::atomic<bool> stopped{false};
  // The limiter must outlive every ticket: sessions hold the context.
};

}  // namespace werkstatt::net
