#include "werkstatt/journal/memory_journal.hpp"

#include <algorithm>

namespace werkstatt::journal {

MemoryJournal::MemoryJournal() : worker_([this] { run(); }) {}

MemoryJournal::~MemoryJournal() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void MemoryJournal::append(std::vector<v1::EventRecord> records, AppendDone done) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back({std::move(records), std::move(done)});
  }
  wake_.notify_one();
}

void MemoryJournal::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to complete
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    Status status;
    if (fail_writes_ || failed_) {
      failed_ = true;
      status = Status(Status::Code::no_space, "simulated: no space left on device");
    } else {
      auto& log = events_[p.records.front().workshop_id()];
      const std::uint64_t expected = log.empty() ? 1 : log.back().seq() + 1;
      if (p.records.front().seq() != expected) {
        status = Status(Status::Code::invalid_argument, "append does not continue the workshop's seq");
      } else {
        for (auto& r : p.records) log.push_back(std::move(r));
      }
    }
    lock.unlock();
    p.done(status);
    lock.lock();
  }
}

Status MemoryJournal::put_workshop(const v1::WorkshopMeta& meta) {
  std::lock_guard lock(mutex_);
  workshops_[meta.id()] = meta;
  return {};
}

Status MemoryJournal::put_snapshot(const v1::Snapshot& snapshot) {
  std::lock_guard lock(mutex_);
  snapshots_[snapshot.workshop_id()][snapshot.seq()] = snapshot;
  return {};
}

std::vector<v1::WorkshopMeta> MemoryJournal::workshops() const {
  std::lock_guard lock(mutex_);
  std::vector<v1::WorkshopMeta> out;
  for (const auto& [id, meta] : workshops_) out.push_back(meta);
  return out;
}

std::optional<v1::WorkshopMeta> MemoryJournal::workshop(std::string_view id) const {
  std::lock_guard lock(mutex_);
  const auto it = workshops_.find(id);
  if (it == workshops_.end()) return std::nullopt;
  return it->second;
}

Status MemoryJournal::read_events(std::string_view workshop_id, std::uint64_t from_seq, std::uint64_t to_seq,
                                  std::size_t limit, std::vector<v1::EventRecord>* out) const {
  std::lock_guard lock(mutex_);
  const auto it = events_.find(workshop_id);
  if (it == events_.end()) return {};
  // Seqs are gapless from 1, so seq s sits at index s - 1.
  const auto& log = it->second;
  for (std::uint64_t s = std::max<std::uint64_t>(from_seq, 1); s <= to_seq && s <= log.size() && limit > 0; ++s, --limit)
    out->push_back(log[s - 1]);
  return {};
}

Status MemoryJournal::latest_snapshot(std::string_view workshop_id, std::uint64_t at_or_before_seq,
                                      v1::Snapshot* out) const {
  std::lock_guard lock(mutex_);
  const auto it = snapshots_.find(workshop_id);
  if (it == snapshots_.end()) return {Status::Code::not_found, "no snapshot"};
  const auto s = it->second.upper_bound(at_or_before_seq);
  if (s == it->second.begin()) return {Status::Code::not_found, "no snapshot at or before that seq"};
  *out = std::prev(s)->second;
  return {};
}

std::uint64_t MemoryJournal::head_seq(std::string_view workshop_id) const {
  std::lock_guard lock(mutex_);
  const auto it = events_.find(workshop_id);
  return it == events_.end() || it->second.empty() ? 0 : it->second.back().seq();
}

Status MemoryJournal::retry_writes() {
  std::lock_guard lock(mutex_);
  if (fail_writes_) return {Status::Code::no_space, "simulated: no space left on device"};
  failed_ = false;
  return {};
}

void MemoryJournal::fail_writes(bool fail) {
  std::lock_guard lock(mutex_);
  fail_writes_ = fail;
}

}  // namespace werkstatt::journal
