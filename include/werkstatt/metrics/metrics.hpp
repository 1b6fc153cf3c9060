#pragma once
// The process's operational metrics, rendered in the Prometheus text
// exposition format (version 0.0.4) for GET /metrics.
//
// Contract
// - One process-wide set (global()): every server, workshop and connection of
//   the process adds to the same counters. Counters only grow; tests compare
//   values before and after, never absolute ones.
// - No label carries a workshop id, a participant or an address: the label
//   sets are small and fixed (roles, close codes, reject codes, routes,
//   statuses), so the series count does not grow with the data.
// - What is a state rather than an event (workshops loaded, read-only,
//   readiness, process CPU/RSS/fds) is passed to render() by the caller or
//   read from /proc at render time.
//
// Thread safety: every method may be called from any thread. The hot path
// (ops acked, histograms, connection gauges) is lock-free; the labelled
// counters that change rarely (closes, rejects, HTTP requests) take a mutex.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace werkstatt::metrics {

class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double d) { value_.fetch_add(d, std::memory_order_relaxed); }
  [[nodiscard]] double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Cumulative buckets with fixed upper bounds (le), plus sum and count.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void observe(double value);
  void render(std::string& out, std::string_view name) const;
  [[nodiscard]] std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double> bounds_;
  std::vector<std::atomic<std::uint64_t>> buckets_;  // non-cumulative; +Inf is count_
  std::atomic<double> sum_{0};
  std::atomic<std::uint64_t> count_{0};
};

// Counters keyed by a rendered label set, e.g. `code="4008"`.
class LabeledCounter {
 public:
  void inc(const std::string& labels, std::uint64_t n = 1);
  [[nodiscard]] std::uint64_t value(const std::string& labels) const;
  void render(std::string& out, std::string_view name) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> values_;
};

// The role label of a connection's gauge.
enum class Role : std::uint8_t { participant, facilitator, observer };

// What the caller knows at render time.
struct LiveState {
  std::size_t workshops_loaded = 0;
  bool read_only = false;            // the journal refuses writes
  bool ready = false;                // /readyz would answer 200
};

class Metrics {
 public:
  Metrics();

  // WebSocket connections open (accepted, any state) and those joined, by role.
  Gauge websocket_connections;
  std::array<Gauge, 3> joined_by_role;
  void joined(Role role, int delta) { joined_by_role[static_cast<std::size_t>(role)].add(delta); }
  LabeledCounter closes;  // code="…" (server-sent close codes; 1006 when the TCP connection just ended)
  Counter slow_consumer_closes;
  LabeledCounter rate_limited;  // limit="ops|flood|wrong_credentials"

  // Ops: result="acked|duplicate|rejected", and rejects by code.
  Counter ops_acked;
  Counter ops_duplicate;
  Counter ops_rejected;
  LabeledCounter op_rejects;  // code="REJECT_CODE_…"
  Histogram ack_seconds;      // op received → Ack queued to the author

  Histogram journal_append_seconds;  // append() called → done ran
  Histogram journal_append_records;  // records per append (group commit batch)
  Counter journal_append_failures;

  LabeledCounter http_requests;  // route="…",status="…"

  // A shared (PostgreSQL) journal: event="taken|refused|handed_over" -
  // leases this node took, acquires refused because another node holds the
  // workshop, workshops it handed over (lost or asked for).
  LabeledCounter workshop_ownership;

  Gauge recovery_seconds;        // the last start-up recovery
  Histogram workshop_load_seconds;  // loading one workshop from the journal

  // The text exposition: every metric above, `live`, build info and the
  // process's CPU time, resident memory, open file descriptors and start time.
  [[nodiscard]] std::string render(const LiveState& live) const;

 private:
  const double start_time_seconds_;
};

[[nodiscard]] Metrics& global();

// Seconds since `start` on the steady clock (for the histograms).
[[nodiscard]] inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// `name="value"` with the value escaped as the exposition format requires.
[[nodiscard]] std::string label(std::string_view name, std::string_view value);

}  // namespace werkstatt::metrics
