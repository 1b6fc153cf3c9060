#pragma once
// The RocksDB journal: one database under the data folder, shared by all
// workshops of this node.
//
// Layout (column families; values are the proto records of journal.proto, so
// `ldb scan` + `protoc --decode` read them):
//   events     workshop id, 0x00, big-endian uint64 seq  → EventRecord
//   snapshots  workshop id, 0x00, big-endian uint64 seq  → Snapshot
//   workshops  workshop id                                → WorkshopMeta
// Ids never contain 0x00 (board::valid_id), and 0x00 sorts below every id
// byte, so one workshop's keys are one contiguous range in seq order: replay
// is a Seek plus iterate_upper_bound = id, 0x01.
//
// Group commit: append() only queues. One writer thread takes everything
// queued (from all workshops), writes it as one WriteBatch with sync = true
// (WAL fdatasync), then runs the completions in queue order. Socket and
// workshop threads never wait for the disk.
//
// Crash guarantee: a record whose completion reported ok survives a process
// crash and a power loss (it was fdatasync'ed in the WAL before the
// completion ran). It does not survive the loss of the disk: take backups
// (checkpoint()).
//
// Failure: if a write fails (disk full, I/O error), that batch's completions
// report the error and every later append fails fast until retry_writes()
// succeeds (RocksDB's DB::Resume) or the journal is reopened. Nothing is
// reported durable that was not stored.
//
// Thread safety: every method may be called concurrently from any thread.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "werkstatt/journal/journal.hpp"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace werkstatt::journal {

struct RocksJournalOptions {
  // Upper bound of one group commit. Bounds the latency a huge burst adds to
  // the events queued behind it; 4 MiB is ~20k typical events.
  std::size_t max_batch_bytes = 4u << 20;
  // RocksDB block cache for replay reads. 64 MiB holds the recent history of
  // every live workshop on a small node.
  std::size_t block_cache_bytes = 64u << 20;
  // Read-only: for tools that read while a server holds the database
  // (export, inspect, backup). Sees the state as of opening; appends fail.
  bool read_only = false;
};

class RocksJournal final : public Journal {
 public:
  // Opens (creating if needed) the database in `dir`. nullptr and `status`
  // set on failure (e.g. the folder is locked by another werkstatt).
  [[nodiscard]] static std::unique_ptr<RocksJournal> open(const std::string& dir, const RocksJournalOptions& options,
                                                          Status* status);
  ~RocksJournal() override;  // completes every queued append, then closes
  RocksJournal(const RocksJournal&) = delete;
  RocksJournal& operator=(const RocksJournal&) = delete;

  void append(std::vector<v1::EventRecord> records, AppendDone done) override;
  Status put_workshop(const v1::WorkshopMeta& meta) override;
  Status put_snapshot(const v1::Snapshot& snapshot) override;
  std::vector<v1::WorkshopMeta> workshops() const override;
  std::optional<v1::WorkshopMeta> workshop(std::string_view id) const override;
  Status read_events(std::string_view workshop_id, std::uint64_t from_seq, std::uint64_t to_seq, std::size_t limit,
                     std::vector<v1::EventRecord>* out) const override;
  Status latest_snapshot(std::string_view workshop_id, std::uint64_t at_or_before_seq, v1::Snapshot* out) const override;
  std::uint64_t head_seq(std::string_view workshop_id) const override;
  Status retry_writes() override;

  // Erases every key of the workshop (events, snapshots, metadata), then
  // compacts those ranges so no trace remains in SST files.
  // REQUIRES: the workshop is not live (no appends in flight for it).
  [[nodiscard]] Status delete_workshop(std::string_view workshop_id);
  // A consistent, openable copy of the whole database in `dir` (which must
  // not exist), taken while serving (RocksDB checkpoint: hard links + WAL).
  // REQUIRES: not read-only.
  [[nodiscard]] Status checkpoint(const std::string& dir);
  // A consistent copy record by record into a new database in `dir`; works
  // on a read-only journal too.
  [[nodiscard]] Status copy_to(const std::string& dir) const;
  // Backs up the database in `db_dir` to `target_dir`: a checkpoint when no
  // server holds it, else a copy through a read-only view (consistent as of
  // the moment it was opened).
  [[nodiscard]] static Status backup(const std::string& db_dir, const std::string& target_dir);
  // Number of event records and their approximate on-disk bytes.
  struct WorkshopStats {
    std::uint64_t events = 0;
    std::uint64_t snapshots = 0;
    std::uint64_t approximate_bytes = 0;
  };
  [[nodiscard]] Status stats(std::string_view workshop_id, WorkshopStats* out) const;

  // Synced writes so far (each one a group commit), and the events they carried.
  [[nodiscard]] std::uint64_t group_commits() const { return group_commits_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t events_written() const { return events_written_.load(std::memory_order_relaxed); }

  // Key encoding, public for tests and the inspect tool.
  [[nodiscard]] static std::string event_key(std::string_view workshop_id, std::uint64_t seq);

 private:
  struct Pending {
    std::vector<v1::EventRecord> records;
    AppendDone done;
    Status rejected;  // not ok: completed with this error, nothing written
  };
  RocksJournal() = default;
  void run_writer();
  Status write_group(std::deque<Pending>& group);
  std::uint64_t head_seq_locked(std::string_view workshop_id) const;

  RocksJournalOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* events_ = nullptr;     // owned by db_ (destroyed before it)
  rocksdb::ColumnFamilyHandle* snapshots_ = nullptr;
  rocksdb::ColumnFamilyHandle* workshops_ = nullptr;
  rocksdb::ColumnFamilyHandle* default_ = nullptr;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  Status failure_;  // sticky write failure; ok when writable
  // The last seq appended (queued) per workshop, to check each append continues it.
  mutable std::map<std::string, std::uint64_t, std::less<>> last_queued_seq_;
  std::atomic<std::uint64_t> group_commits_{0};
  std::atomic<std::uint64_t> events_written_{0};
  std::thread writer_;
};

}  // namespace werkstatt::journal
