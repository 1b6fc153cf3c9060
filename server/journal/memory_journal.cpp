#include "werkstatt/journal/memory_journal.hpp"

#include <algorithm>

#include "werkstatt/journal/scrub.hpp"

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
  Pending p;
  p.records = std::move(records);
  p.done = std::move(done);
  enqueue(std::move(p));
}

void MemoryJournal::store_workshop(v1::WorkshopMeta meta, AppendDone done) {
  Pending p;
  p.meta = std::move(meta);
  p.done = std::move(done);
  enqueue(std::move(p));
}

void MemoryJournal::store_snapshot(v1::Snapshot snapshot, AppendDone done) {
  Pending p;
  p.snapshot = std::move(snapshot);
  p.done = std::move(done);
  enqueue(std::move(p));
}

void MemoryJournal::enqueue(Pending pending) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(pending));
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
    const Status status = store_locked(p);
    lock.unlock();
    p.done(status);
    lock.lock();
  }
}

Status MemoryJournal::store_locked(Pending& p) {
  if (fail_writes_ || failed_) {
    failed_ = true;
    return {Status::Code::no_space, "simulated: no space left on device"};
  }
  if (p.meta) {
    workshops_[p.meta->id()] = std::move(*p.meta);
    return {};
  }
  if (p.snapshot) {
    const std::string id = p.snapshot->workshop_id();
    snapshots_[id][p.snapshot->seq()] = std::move(*p.snapshot);
    return {};
  }
  if (p.records.empty()) return {Status::Code::invalid_argument, "append of no records"};
  auto& log = events_[p.records.front().workshop_id()];
  const std::uint64_t expected = log.empty() ? 1 : log.back().seq() + 1;
  if (p.records.front().seq() != expected)
    return {Status::Code::invalid_argument, "append does not continue the workshop's seq"};
  auto& index = client_ops_[p.records.front().workshop_id()];
  for (auto& r : p.records) {
    if (!r.client_op_id().empty()) {
      index[{r.author_id(), r.client_op_id()}] = r.seq();
      if (!r.evicts_client_op_id().empty()) index.erase({r.author_id(), r.evicts_client_op_id()});
    }
    log.push_back(std::move(r));
  }
  return {};
}

Status MemoryJournal::write_failure() const {
  std::lock_guard lock(mutex_);
  if (failed_) return {Status::Code::no_space, "simulated: no space left on device"};
  return {};
}

Status MemoryJournal::workshops(std::vector<v1::WorkshopMeta>* out, std::vector<DamagedWorkshop>*) const {
  std::lock_guard lock(mutex_);
  for (const auto& [id, meta] : workshops_) out->push_back(meta);
  return {};
}

Status MemoryJournal::workshop(std::string_view id, v1::WorkshopMeta* out) const {
  std::lock_guard lock(mutex_);
  const auto it = workshops_.find(id);
  if (it == workshops_.end()) return {Status::Code::not_found, "there is no workshop " + std::string(id)};
  *out = it->second;
  return {};
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

Status MemoryJournal::read_head(std::string_view workshop_id, std::uint64_t* out) const {
  std::lock_guard lock(mutex_);
  const auto it = events_.find(workshop_id);
  *out = it == events_.end() || it->second.empty() ? 0 : it->second.back().seq();
  return {};
}

Status MemoryJournal::client_ops(std::string_view workshop_id, std::vector<ClientOp>* out) const {
  std::lock_guard lock(mutex_);
  const auto it = client_ops_.find(workshop_id);
  if (it == client_ops_.end()) return {};
  for (const auto& [key, seq] : it->second) out->push_back({key.first, key.second, seq});
  return {};
}

std::string MemoryJournal::incarnation() const { return incarnation_; }

Status MemoryJournal::erase_workshop(std::string_view workshop_id) {
  std::lock_guard lock(mutex_);
  const std::string id(workshop_id);
  events_.erase(id);
  snapshots_.erase(id);
  workshops_.erase(id);
  client_ops_.erase(id);
  return {};
}

Status MemoryJournal::erase_participant(std::string_view workshop_id, std::string_view participant_id,
                                        std::string_view display_name) {
  std::lock_guard lock(mutex_);
  if (const auto it = events_.find(workshop_id); it != events_.end())
    for (v1::EventRecord& r : it->second) scrub_participant(r, participant_id, display_name);
  if (const auto it = snapshots_.find(workshop_id); it != snapshots_.end())
    for (auto& [seq, s] : it->second) scrub_participant(s, participant_id, display_name);
  return {};
}

Status MemoryJournal::retry_writes() {
  std::lock_guard lock(mutex_);
  ++retries_;
  if (fail_writes_) return {Status::Code::no_space, "simulated: no space left on device"};
  failed_ = false;
  return {};
}

std::size_t MemoryJournal::retries() const {
  std::lock_guard lock(mutex_);
  return retries_;
}

void MemoryJournal::fail_writes(bool fail) {
  std::lock_guard lock(mutex_);
  fail_writes_ = fail;
}

}  // namespace werkstatt::journal
