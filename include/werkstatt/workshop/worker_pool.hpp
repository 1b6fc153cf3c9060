#pragma once
// A bounded pool of background threads for everything that reads history or
// writes outside the live append: REST calls (replay, exports, timeline,
// state?at=, workshop creation), snapshots. The I/O shards and workshop
// strands hand such work here and get the result posted back, so a long
// export never delays a live event (DESIGN.md, "Never block the live path").
//
// - `threads` threads under Linux's SCHED_IDLE policy (`idle_policy`): an
//   I/O thread or the journal writer that wakes takes the CPU from them at
//   once, instead of waiting out their time slice as it does from a merely
//   niced thread (measured: bench/RESULTS.md, "History off the live path").
//   They still get a small share of a saturated CPU, so history is slowed
//   there, never stopped. Where SCHED_IDLE is refused, or with
//   idle_policy = false, they run at nice +`nice_increment` instead.
// - At most `max_queued` jobs wait or run; try_post() refuses more (the
//   caller answers 503 with Retry-After) instead of queueing without bound.
// - The destructor waits for the jobs that were taken.
//
// Thread safety: try_post() from any thread.
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>

namespace werkstatt::workshop {

struct WorkerPoolOptions {
  // Two threads: on the two-core machines werkstatt targets, one export may
  // run while a second request is served; more would only compete with the
  // I/O threads.
  std::size_t threads = 2;
  // Jobs waiting or running. A burst of organisers' downloads fits; beyond
  // it a client is better told to retry than made to wait behind 64 jobs.
  std::size_t max_queued = 64;
  bool idle_policy = true;
  int nice_increment = 5;
};

class WorkerPool {
 public:
  explicit WorkerPool(WorkerPoolOptions options = {});
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `job` on a pool thread; false (and `job` dropped) if max_queued
  // jobs are already waiting or running, or the pool is stopping.
  [[nodiscard]] bool try_post(std::function<void()> job);
  [[nodiscard]] std::size_t queued() const { return queued_.load(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  const std::size_t max_queued_;
  std::atomic<std::size_t> queued_{0};
};

}  // namespace werkstatt::workshop
