#include "werkstatt/workshop/journal_health.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

namespace werkstatt::workshop {

JournalHealth::JournalHealth(journal::Journal& journal, std::chrono::milliseconds retry_interval)
    : journal_(journal), retry_interval_(retry_interval), thread_([this] {
        ::pthread_setname_np(::pthread_self(), "journal-health");
        run();
      }) {}

JournalHealth::~JournalHealth() { stop(); }

void JournalHealth::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    waiting_.clear();
  }
  wake_.notify_all();
  if (!thread_.joinable()) return;
  // The last owner may be a callback of the loop itself (a workshop released there).
  if (thread_.get_id() == std::this_thread::get_id()) thread_.detach();
  else thread_.join();
}

void JournalHealth::failed(const journal::Status& status) {
  {
    std::lock_guard lock(mutex_);
    if (failing_ || stopping_) return;
    failing_ = true;
  }
  spdlog::error("the journal refuses writes: {}. Every workshop is read-only until it recovers; free disk space or "
                "fix the storage, writes are retried every {} ms",
                status.message(), retry_interval_.count());
  wake_.notify_all();
}

void JournalHealth::when_writable(std::function<void()> resumed) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    // While failing, the retry loop answers; otherwise the journal is asked
    // now (a workshop may learn of a failure after the retry that ended it).
    if (failing_ || !journal_.write_failure().ok()) {
      waiting_.push_back(std::move(resumed));
      failing_ = true;  // perhaps a failure nobody reported yet: retry it
      wake_.notify_all();
      return;
    }
  }
  resumed();
}

std::uint64_t JournalHealth::retries() const {
  std::lock_guard lock(mutex_);
  return retries_;
}

void JournalHealth::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || failing_; });
    if (stopping_) return;
    // Wait one interval first: the write just failed, and a full disk is
    // not freed within microseconds.
    if (wake_.wait_for(lock, retry_interval_, [&] { return stopping_; })) return;
    ++retries_;
    lock.unlock();
    const journal::Status s = journal_.retry_writes();
    lock.lock();
    if (!s.ok()) {
      spdlog::warn("the journal still refuses writes: {}", s.message());
      continue;
    }
    failing_ = false;
    std::vector<std::function<void()>> resumed;
    resumed.swap(waiting_);
    lock.unlock();
    spdlog::info("the journal takes writes again; {} read-only workshop(s) resume", resumed.size());
    for (auto& r : resumed) r();
    lock.lock();
  }
}

}  // namespace werkstatt::workshop
