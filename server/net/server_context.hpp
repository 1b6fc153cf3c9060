#pragma once
// What every connection of one Server shares: the configuration, the
// workshops, the I/O shards, the per-address limits (connections, wrong
// credentials) and the set of open sessions (for shutdown).
//
// Thread safety: everything here may be used from any thread.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "beast.hpp"
#include "werkstatt/net/client_address.hpp"
#include "admission.hpp"
#include "guess_limiter.hpp"
#include "probes.hpp"
#include "rest.hpp"
#include "werkstatt/net/server.hpp"
#include "werkstatt/workshop/worker_pool.hpp"
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
    [[nodiscard]] bool held() const { return owner_ != nullptr; }

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

// One strand on which a share of the connections runs, HTTP and WebSocket
// alike (assigned round-robin at accept). Connections on the same shard
// never run concurrently, so a workshop's broadcast is one task per shard in
// which every member connection starts its write directly: two hand-offs per
// event on a two-core machine instead of one per recipient (see
// workshop::SendGroup).
class IoShard final : public workshop::SendGroup {
 public:
  using Strand = asio::strand<asio::io_context::executor_type>;
  // A TCP socket whose handlers run on the shard (a concrete executor type:
  // no type-erased executor on the hot path).
  using Socket = asio::basic_stream_socket<tcp, Strand>;

  explicit IoShard(asio::io_context& io) : strand_(asio::make_strand(io)) {}
  void post(std::function<void()> task) override { asio::post(strand_, std::move(task)); }
  [[nodiscard]] const Strand& strand() const { return strand_; }

 private:
  Strand strand_;
};

// The shards of one server: as many as it has worker threads, so a large
// workshop's fan-out uses every core.
class IoShards {
 public:
  IoShards(asio::io_context& io, std::size_t count) {
    for (std::size_t i = 0; i < std::max<std::size_t>(count, 1); ++i) shards_.push_back(std::make_shared<IoShard>(io));
  }
  // The shard for the next connection.
  [[nodiscard]] const std::shared_ptr<IoShard>& next() { return shards_[next_++ % shards_.size()]; }

 private:
  std::vector<std::shared_ptr<IoShard>> shards_;
  std::atomic<std::size_t> next_{0};
};

struct ServerContext {
  ServerContext(asio::io_context& io, ServerConfig c, workshop::WorkshopRegistry& r)
      : config(std::move(c)),
        registry(r),
        shards(io, config.io_shards),
        api{config.admin_token, config.public_url, config.allowed_origins, config.allowed_hosts, config.legal.get()},
        trusted(config.trusted_proxies),
        limiter(config.limits.max_connections_per_ip),
        guesses(GuessLimiter::Options{config.limits.wrong_credentials_burst,
                                      config.limits.wrong_credentials_per_minute}),
        admission(admission_options(config.limits)) {}

  static AdmissionOptions admission_options(const ServerLimits& limits) {
    AdmissionOptions o;
    o.codes_per_client.burst = limits.wrong_credentials_burst;
    o.codes_per_client.per_minute = limits.wrong_credentials_per_minute;
    return o;
  }

  const ServerConfig config;
  workshop::WorkshopRegistry& registry;
  // REST calls that touch history run here (owned by the Server, which
  // joins it before the context can go).
  workshop::WorkerPool* pool = nullptr;
  IoShards shards;
  const ApiConfig api;
  const TrustedProxies trusted;  // REQUIRES: config.trusted_proxies are valid (serve checks them)
  ConnectionLimiter limiter;
  GuessLimiter guesses;  // unknown join codes (/api/join) and workshop ids per client address
  Admission admission;   // join codes and new identities per (client address, workshop)
  SessionSet sessions;
  std::atomic<bool> shutting_down{false};
  std::atomic<bool> started{false};  // Server::set_ready(): start-up is complete
  // What /readyz, /healthz and /metrics report.
  [[nodiscard]] ProbeState probe_state() const {
    ProbeState s;
    s.started = started;
    s.draining = shutting_down;
    const auto workshops = registry.all();
    s.workshops_loaded = workshops.size();
    // Journal-wide: a failed write makes every workshop read-only, also
    // those that have not tried to write since (and a failed creation).
    s.read_only = registry.journal_health().read_only();
    for (const auto& w : workshops) s.read_only = s.read_only || w->info().read_only;
    return s;
  }
  // Set when the Server is destroyed: the io_context is stopped and about to
  // destroy the handlers it still holds, so sessions must not post to
  // workshops any more.
  std::atomic<bool> stopped{false};
  // The limiter must outlive every ticket: sessions hold the context.
};

}  // namespace werkstatt::net
