#pragma once
// The journal's write state, one for every workshop of a server.
//
// When a write fails, the journal refuses every later write, of every
// workshop, until Journal::retry_writes() succeeds (journal.hpp): the
// failure is journal-wide. So one loop retries it, every retry_interval,
// for all of them (not one timer per read-only workshop), and tells each
// workshop that waits for it once writes are accepted again.
//
// The retry runs on a thread of its own: RocksDB's Resume() may flush and
// sync, which must not hold an I/O thread or a workshop strand.
//
// Thread safety: every method may be called from any thread. Callbacks
// given to when_writable() run on the health's thread (or the caller's, if
// the journal takes writes already): they should only post.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "werkstatt/journal/journal.hpp"

namespace werkstatt::workshop {

class JournalHealth {
 public:
  JournalHealth(journal::Journal& journal, std::chrono::milliseconds retry_interval);
  ~JournalHealth();  // stops retrying; callbacks still waiting are dropped
  JournalHealth(const JournalHealth&) = delete;
  JournalHealth& operator=(const JournalHealth&) = delete;

  // A write failed with `status`: retry until the journal takes writes again
  // (logged once per failure, not once per workshop).
  void failed(const journal::Status& status);
  // `resumed` runs once, when the journal takes writes again: at once if it
  // already does, else after the retry that succeeds.
  void when_writable(std::function<void()> resumed);
  // Whether the journal refuses writes now (probes, metrics, the admin page).
  [[nodiscard]] bool read_only() const { return !journal_.write_failure().ok(); }
  // Stops retrying and drops the callbacks still waiting (idempotent; the
  // journal may be destroyed afterwards). Later failures are not retried.
  void stop();
  // Retries so far (each one Journal::retry_writes() call).
  [[nodiscard]] std::uint64_t retries() const;

 private:
  void run();

  journal::Journal& journal_;
  const std::chrono::milliseconds retry_interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool failing_ = false;   // a failure was reported and no retry succeeded since
  bool stopping_ = false;
  std::uint64_t retries_ = 0;
  std::vector<std::function<void()>> waiting_;
  std::thread thread_;  // last: starts once every member above exists
};

}  // namespace werkstatt::workshop
