#include "werkstatt/journal/rocksdb_journal.hpp"

#include <rocksdb/db.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <cstdarg>
#include <filesystem>
#include <cstdio>
#include <limits>

namespace werkstatt::journal {
namespace {

constexpr const char* kEventsFamily = "events";
constexpr const char* kSnapshotsFamily = "snapshots";
constexpr const char* kWorkshopsFamily = "workshops";

// Every rocksdb::Status becomes a journal Status here, and only here.
Status convert(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return {};
  std::string message = std::string(context) + ": " + s.ToString();
  if (s.IsNotFound()) return {Status::Code::not_found, std::move(message)};
  if (s.IsNoSpace()) return {Status::Code::no_space, std::move(message)};
  if (s.IsCorruption()) return {Status::Code::corruption, std::move(message)};
  if (s.IsInvalidArgument()) return {Status::Code::invalid_argument, std::move(message)};
  return {Status::Code::io_error, std::move(message)};
}

void put_be64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

std::uint64_t get_be64(std::string_view bytes) {
  std::uint64_t v = 0;
  for (const char c : bytes) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

std::string workshop_prefix(std::string_view workshop_id) {
  std::string k(workshop_id);
  k.push_back('\0');
  return k;
}

// The first key after every key of the workshop.
std::string workshop_end(std::string_view workshop_id) {
  std::string k(workshop_id);
  k.push_back('\x01');
  return k;
}

std::string seq_key(std::string_view workshop_id, std::uint64_t seq) {
  std::string k = workshop_prefix(workshop_id);
  put_be64(k, seq);
  return k;
}

std::string printable_key(const rocksdb::Slice& key) {
  std::string out;
  static const char* hex = "0123456789abcdef";
  for (std::size_t i = 0; i < key.size(); ++i) {
    const auto c = static_cast<unsigned char>(key[i]);
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    }
  }
  return out;
}

// Recovery after a failed write is ours to drive (retry_writes → DB::Resume).
// RocksDB would otherwise start its own background recovery for a full disk,
// and a manual Resume meanwhile only answers Busy.
class ManualRecovery final : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status, bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

// RocksDB's info log goes to stderr (warnings and worse), not to a LOG file
// in the data folder: when that disk is full, Debian's RocksDB (built with
// assertions) aborts the process on the next LOG write after a failed one.
// A journal must survive a full disk, so its diagnostics live elsewhere.
class StderrLogger final : public rocksdb::Logger {
 public:
  StderrLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    char line[1024];
    std::vsnprintf(line, sizeof line, format, ap);
    std::fprintf(stderr, "rocksdb: %s\n", line);
  }
};

}  // namespace

std::string RocksJournal::event_key(std::string_view workshop_id, std::uint64_t seq) { return seq_key(workshop_id, seq); }

std::unique_ptr<RocksJournal> RocksJournal::open(const std::string& dir, const RocksJournalOptions& options,
                                                 Status* status) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  // Two cores: one background thread for flushes, one for compactions.
  db_options.IncreaseParallelism(2);
  // Bound the WAL so that a restart replays little of it.
  db_options.max_total_wal_size = 64u << 20;
  db_options.max_bgerror_resume_count = 0;  // see ManualRecovery
  db_options.listeners.push_back(std::make_shared<ManualRecovery>());
  db_options.info_log = std::make_shared<StderrLogger>();

  rocksdb::ColumnFamilyOptions cf_options;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, cf_options},
      {kEventsFamily, cf_options},
      {kSnapshotsFamily, cf_options},
      {kWorkshopsFamily, cf_options},
  };
  // Creating the folder first spares an alarming "[ERROR] … NotFound" in
  // the log of every first start.
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s = options.read_only
                                ? rocksdb::DB::OpenForReadOnly(db_options, dir, families, &handles, &raw)
                                : rocksdb::DB::Open(db_options, dir, families, &handles, &raw);
  if (!s.ok()) {
    if (status) *status = convert(s, "opening the journal in " + dir);
    return nullptr;
  }
  std::unique_ptr<RocksJournal> j(new RocksJournal());
  j->options_ = options;
  j->db_.reset(raw);
  j->default_ = handles[0];
  j->events_ = handles[1];
  j->snapshots_ = handles[2];
  j->workshops_ = handles[3];
  if (options.read_only) j->failure_ = {Status::Code::read_only, "the journal was opened read-only"};
  j->writer_ = std::thread([p = j.get()] { p->run_writer(); });
  if (status) *status = {};
  return j;
}

RocksJournal::~RocksJournal() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
  for (auto* h : {events_, snapshots_, workshops_, default_})
    if (h) db_->DestroyColumnFamilyHandle(h);
  if (db_) db_->Close();
}

void RocksJournal::append(std::vector<v1::EventRecord> records, AppendDone done) {
  Status rejected;
  {
    std::lock_guard lock(mutex_);
    if (records.empty()) {
      rejected = {Status::Code::invalid_argument, "append of no records"};
    } else {
      const std::string& workshop = records.front().workshop_id();
      std::uint64_t expected = head_seq_locked(workshop) + 1;
      for (const auto& r : records) {
        if (r.workshop_id() != workshop || r.seq() != expected) {
          rejected = {Status::Code::invalid_argument,
                      "append to " + workshop + " does not continue its seq at " + std::to_string(expected)};
          break;
        }
        ++expected;
      }
      if (rejected.ok()) last_queued_seq_[workshop] = expected - 1;
    }
    // A rejected append is completed by the writer too: in order, never inside append().
    queue_.push_back({std::move(records), std::move(done), std::move(rejected)});
  }
  wake_.notify_one();
}

void RocksJournal::run_writer() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and drained
    // Take what is queued, up to the batch bound: this is the group commit.
    std::deque<Pending> group;
    std::size_t bytes = 0;
    while (!queue_.empty() && (group.empty() || bytes < options_.max_batch_bytes)) {
      for (const auto& r : queue_.front().records) bytes += r.ByteSizeLong();
      group.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    const Status failure = failure_;
    lock.unlock();
    Status result = failure.ok() ? write_group(group) : failure;
    lock.lock();
    if (!result.ok() && failure_.ok()) failure_ = result;
    if (!result.ok()) last_queued_seq_.clear();  // reload heads from disk: what failed is not there
    lock.unlock();
    for (auto& p : group) p.done(p.rejected.ok() ? result : p.rejected);
    lock.lock();
  }
}

Status RocksJournal::write_group(std::deque<Pending>& group) {
  rocksdb::WriteBatch batch;
  std::string value;
  for (const auto& p : group) {
    if (!p.rejected.ok()) continue;
    for (const auto& r : p.records) {
      value.clear();
      r.SerializeToString(&value);
      const rocksdb::Status s = batch.Put(events_, seq_key(r.workshop_id(), r.seq()), value);
      if (!s.ok()) return convert(s, "batching events");
    }
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;  // the ack promise: fdatasync'ed before any completion runs
  Status written = convert(db_->Write(wo, &batch), "writing events");
  if (written.ok()) {
    group_commits_.fetch_add(1, std::memory_order_relaxed);
    events_written_.fetch_add(batch.Count(), std::memory_order_relaxed);
  }
  return written;
}

Status RocksJournal::put_workshop(const v1::WorkshopMeta& meta) {
  if (options_.read_only) return {Status::Code::read_only, "the journal was opened read-only"};
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return convert(db_->Put(wo, workshops_, meta.id(), meta.SerializeAsString()), "storing workshop " + meta.id());
}

Status RocksJournal::put_snapshot(const v1::Snapshot& snapshot) {
  if (options_.read_only) return {Status::Code::read_only, "the journal was opened read-only"};
  // Not synced: a snapshot lost in a crash is rebuilt from events.
  return convert(db_->Put(rocksdb::WriteOptions(), snapshots_, seq_key(snapshot.workshop_id(), snapshot.seq()),
                          snapshot.SerializeAsString()),
                 "storing a snapshot of " + snapshot.workshop_id());
}

std::vector<v1::WorkshopMeta> RocksJournal::workshops() const {
  std::vector<v1::WorkshopMeta> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), workshops_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::WorkshopMeta meta;
    if (meta.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) out.push_back(std::move(meta));
  }
  return out;
}

std::optional<v1::WorkshopMeta> RocksJournal::workshop(std::string_view id) const {
  std::string value;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), workshops_, rocksdb::Slice(id.data(), id.size()), &value);
  v1::WorkshopMeta meta;
  if (!s.ok() || !meta.ParseFromString(value)) return std::nullopt;
  return meta;
}

Status RocksJournal::read_events(std::string_view workshop_id, std::uint64_t from_seq, std::uint64_t to_seq,
                                 std::size_t limit, std::vector<v1::EventRecord>* out) const {
  if (from_seq > to_seq || limit == 0) return {};
  const std::string start = seq_key(workshop_id, from_seq);
  const std::string end = to_seq == std::numeric_limits<std::uint64_t>::max() ? workshop_end(workshop_id)
                                                                                : seq_key(workshop_id, to_seq + 1);
  rocksdb::Slice upper(end);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, events_));
  for (it->Seek(start); it->Valid() && limit > 0; it->Next(), --limit) {
    v1::EventRecord r;
    if (!r.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
      return {Status::Code::corruption, "undecodable event record at key " + printable_key(it->key())};
    out->push_back(std::move(r));
  }
  return convert(it->status(), "reading events of " + std::string(workshop_id));
}

Status RocksJournal::latest_snapshot(std::string_view workshop_id, std::uint64_t at_or_before_seq,
                                     v1::Snapshot* out) const {
  const std::string lower_key = workshop_prefix(workshop_id);
  rocksdb::Slice lower(lower_key);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, snapshots_));
  it->SeekForPrev(seq_key(workshop_id, at_or_before_seq));
  if (!it->Valid()) {
    if (!it->status().ok()) return convert(it->status(), "reading snapshots of " + std::string(workshop_id));
    return {Status::Code::not_found, "no snapshot of " + std::string(workshop_id) + " at or before that seq"};
  }
  if (!out->ParseFromArray(it->value().data(), static_cast<int>(it->value().size())))
    return {Status::Code::corruption, "undecodable snapshot at key " + printable_key(it->key())};
  return {};
}

std::uint64_t RocksJournal::head_seq_locked(std::string_view workshop_id) const {
  const auto cached = last_queued_seq_.find(workshop_id);
  if (cached != last_queued_seq_.end()) return cached->second;
  const std::string lower_key = workshop_prefix(workshop_id);
  rocksdb::Slice lower(lower_key);
  rocksdb::ReadOptions ro;
  ro.iterate_lower_bound = &lower;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, events_));
  it->SeekForPrev(seq_key(workshop_id, std::numeric_limits<std::uint64_t>::max()));
  std::uint64_t head = 0;
  if (it->Valid() && it->key().size() == lower_key.size() + 8 && it->key().starts_with(lower_key))
    head = get_be64(std::string_view(it->key().data() + lower_key.size(), 8));
  last_queued_seq_.emplace(std::string(workshop_id), head);
  return head;
}

std::uint64_t RocksJournal::head_seq(std::string_view workshop_id) const {
  std::lock_guard lock(mutex_);
  return head_seq_locked(workshop_id);
}

Status RocksJournal::retry_writes() {
  if (options_.read_only) return {Status::Code::read_only, "the journal was opened read-only"};
  {
    std::lock_guard lock(mutex_);
    if (failure_.ok()) return {};
  }
  // Resume clears RocksDB's background error if the cause is gone (space freed).
  const rocksdb::Status resumed = db_->Resume();
  if (!resumed.ok()) return convert(resumed, "resuming writes");
  std::lock_guard lock(mutex_);
  failure_ = {};
  last_queued_seq_.clear();
  return {};
}

Status RocksJournal::delete_workshop(std::string_view workshop_id) {
  if (options_.read_only) return {Status::Code::read_only, "the journal was opened read-only"};
  const std::string begin = workshop_prefix(workshop_id);
  const std::string end = workshop_end(workshop_id);
  rocksdb::WriteBatch batch;
  for (auto* cf : {events_, snapshots_}) {
    const rocksdb::Status s = batch.DeleteRange(cf, begin, end);
    if (!s.ok()) return convert(s, "deleting workshop");
  }
  batch.Delete(workshops_, rocksdb::Slice(workshop_id.data(), workshop_id.size()));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  if (auto s = convert(db_->Write(wo, &batch), "deleting workshop " + std::string(workshop_id)); !s.ok()) return s;
  {
    std::lock_guard lock(mutex_);
    last_queued_seq_.erase(std::string(workshop_id));
  }
  // Flush the memtables and compact the ranges, so that the erased values are
  // gone from the files too, not just shadowed by tombstones.
  rocksdb::CompactRangeOptions cro;
  cro.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  // Flushing every family also retires the WAL files that held the values.
  const rocksdb::Slice b(begin);
  const rocksdb::Slice e(end);
  for (auto* cf : {events_, snapshots_, workshops_, default_}) {
    if (auto s = convert(db_->Flush(rocksdb::FlushOptions(), cf), "flushing"); !s.ok()) return s;
    const bool ranged = cf == events_ || cf == snapshots_;
    if (auto s = convert(db_->CompactRange(cro, cf, ranged ? &b : nullptr, ranged ? &e : nullptr), "compacting");
        !s.ok())
      return s;
  }
  return {};
}

Status RocksJournal::checkpoint(const std::string& dir) {
  rocksdb::Checkpoint* raw = nullptr;
  if (auto s = convert(rocksdb::Checkpoint::Create(db_.get(), &raw), "preparing a checkpoint"); !s.ok()) return s;
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  return convert(cp->CreateCheckpoint(dir), "writing a checkpoint to " + dir);
}

Status RocksJournal::copy_to(const std::string& dir) const {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.error_if_exists = true;
  options.create_missing_column_families = true;
  options.info_log = std::make_shared<StderrLogger>();
  const std::vector<std::pair<const char*, rocksdb::ColumnFamilyHandle*>> families = {
      {rocksdb::kDefaultColumnFamilyName.c_str(), default_},
      {kEventsFamily, events_},
      {kSnapshotsFamily, snapshots_},
      {kWorkshopsFamily, workshops_}};
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& [name, handle] : families) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (auto s = convert(rocksdb::DB::Open(options, dir, descriptors, &handles, &raw), "creating the copy in " + dir);
      !s.ok())
    return s;
  std::unique_ptr<rocksdb::DB> target(raw);
  const auto close_target = [&] {
    for (auto* h : handles) target->DestroyColumnFamilyHandle(h);
    target->Close();
  };
  // One consistent view of the source for all families.
  const rocksdb::Snapshot* view = db_->GetSnapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = view;
  Status result;
  for (std::size_t i = 0; i < families.size() && result.ok(); ++i) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, families[i].second));
    rocksdb::WriteBatch batch;
    for (it->SeekToFirst(); it->Valid() && result.ok(); it->Next()) {
      batch.Put(handles[i], it->key(), it->value());
      if (batch.GetDataSize() >= (1u << 20)) {
        result = convert(target->Write(rocksdb::WriteOptions(), &batch), "copying");
        batch.Clear();
      }
    }
    if (result.ok()) result = convert(it->status(), "reading for the copy");
    if (result.ok()) result = convert(target->Write(rocksdb::WriteOptions(), &batch), "copying");
  }
  if (view) db_->ReleaseSnapshot(view);
  if (result.ok()) {
    rocksdb::FlushOptions fo;
    result = convert(target->Flush(fo, handles), "flushing the copy");
  }
  if (result.ok()) result = convert(target->SyncWAL(), "syncing the copy");
  close_target();
  return result;
}

Status RocksJournal::backup(const std::string& db_dir, const std::string& target_dir) {
  if (std::filesystem::exists(target_dir)) return {Status::Code::invalid_argument, target_dir + " already exists"};
  if (!std::filesystem::exists(db_dir)) return {Status::Code::not_found, "no journal in " + db_dir};
  Status opened;
  if (auto j = open(db_dir, {}, &opened)) return j->checkpoint(target_dir);
  // Held by a running server: read through a read-only view instead.
  RocksJournalOptions ro;
  ro.read_only = true;
  auto j = open(db_dir, ro, &opened);
  if (!j) return opened;
  return j->copy_to(target_dir);
}

Status RocksJournal::stats(std::string_view workshop_id, WorkshopStats* out) const {
  const std::string end = workshop_end(workshop_id);
  const std::string begin = workshop_prefix(workshop_id);
  rocksdb::Slice upper(end);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper;
  std::uint64_t bytes = 0;
  const auto count = [&](rocksdb::ColumnFamilyHandle* cf, std::uint64_t* n) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf));
    for (it->Seek(begin); it->Valid(); it->Next()) {
      ++*n;
      bytes += it->key().size() + it->value().size();
    }
    return convert(it->status(), "counting records");
  };
  *out = {};
  if (auto s = count(events_, &out->events); !s.ok()) return s;
  if (auto s = count(snapshots_, &out->snapshots); !s.ok()) return s;
  out->approximate_bytes = bytes;
  return {};
}

}  // namespace werkstatt::journal
