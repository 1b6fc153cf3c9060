#pragma once
// The RocksDB journal: one database under the data folder, shared by all
// workshops of this node.
//
// Layout (column families; values are the proto records of journal.proto, so
// `ldb scan` + `protoc --decode` read them):
//   events     workshop id, 0x00, big-endian uint64 seq  → EventRecord
//   snapshots  workshop id, 0x00, big-endian uint64 seq  → Snapshot
//   workshops  workshop id                                → WorkshopMeta
//   client_ops workshop id, 0x00, author id, 0x00, client_op_id → big-endian uint64 seq
//              (the idempotency index; written in the same batch as its event)
//   default    "incarnation" → this journal's history identity (random, hex);
//              "erasing", 0x00, workshop id → an erasure not yet finished
//              "erasing-participant", 0x00, workshop id, 0x00, participant id
//                → the pseudonym of a person's erasure not yet finished
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
// (backup()).
//
// Damage: RocksDB verifies block checksums on every read; every iterator's
// status is checked and every value decoded, so a flipped byte is reported
// as Code::corruption with the workshop and key, never skipped. The WAL is
// recovered with kTolerateCorruptedTailRecords: a torn last record (power
// lost while it was being written, so it was never acknowledged) is
// dropped, but damage in the middle of the log makes open() fail with
// corruption instead of silently dropping everything after it (RocksDB's
// default, kPointInTimeRecovery, would do that). A clean close flushes the
// memtables, so after a clean stop no event lives only in the WAL, and then
// records what the database is (RocksDB's last sequence number, every live
// SST file with its family and size) in <dir>/WERKSTATT-CLEAN-STOP. The
// next open() refuses (corruption) a database that is not that: one
// RocksDB silently recovered to an older version (a MANIFEST cut short
// makes it take the version before its last records and delete the newer
// SST files as obsolete). A writable open checks through a read-only view
// first, so nothing is changed, and removes the mark before it writes (so
// a crash leaves none to mislead the open after it). An existing database
// whose MANIFEST names no events/snapshots/workshops family is refused
// too, never given fresh empty families.
//
// Failure: if a write fails (disk full, I/O error), that batch's completions
// report the error and every later write (appends, metadata, snapshots)
// fails fast until retry_writes() succeeds (RocksDB's DB::Resume) or the
// journal is reopened. Nothing is reported durable that was not stored.
//
// One writer thread stores everything (appends, metadata, snapshots) in
// the order it was queued, as group commits: one synced WriteBatch per
// round (unsynced when it carries snapshots only).
//
// Thread safety: every method may be called concurrently from any thread.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
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
  // One WriteBatch: the events and the metadata, or neither.
  void append_with_meta(std::vector<v1::EventRecord> records, v1::WorkshopMeta meta, AppendDone done) override;
  void store_workshop(v1::WorkshopMeta meta, AppendDone done) override;
  void store_snapshot(v1::Snapshot snapshot, AppendDone done) override;
  Status write_failure() const override;
  Status workshops(std::vector<v1::WorkshopMeta>* out, std::vector<DamagedWorkshop>* damaged) const override;
  Status workshop(std::string_view id, v1::WorkshopMeta* out) const override;
  Status read_events(std::string_view workshop_id, std::uint64_t from_seq, std::uint64_t to_seq, std::size_t limit,
                     std::vector<v1::EventRecord>* out) const override;
  Status latest_snapshot(std::string_view workshop_id, std::uint64_t at_or_before_seq, v1::Snapshot* out) const override;
  Status read_head(std::string_view workshop_id, std::uint64_t* out) const override;
  Status client_ops(std::string_view workshop_id, std::vector<ClientOp>* out) const override;
  std::string incarnation() const override;
  Status retry_writes() override;
  Status erase_workshop(std::string_view workshop_id) override;
  Status erase_participant(std::string_view workshop_id, std::string_view participant_id,
                           std::string_view display_name) override;

  // Erasures that were started and not finished (the process died halfway).
  // open() finishes them on a writable journal; a read-only one lists them.
  [[nodiscard]] Status pending_erasures(std::vector<std::string>* out) const;
  // Erasures of one person that were started and not finished.
  struct PendingParticipantErasure {
    std::string workshop_id, participant_id, display_name;
  };
  [[nodiscard]] Status pending_participant_erasures(std::vector<PendingParticipantErasure>* out) const;
  // The interrupted erasures this open() finished.
  [[nodiscard]] const std::vector<std::string>& erasures_finished_at_open() const { return finished_at_open_; }
  // Gives this journal a new incarnation: after a backup was restored into
  // place, so clients that saw the replaced history are told (history_reset).
  [[nodiscard]] Status renew_incarnation();
  // Reads every record of every family, checking checksums and decoding each
  // value: what `werkstatt inspect` reports. One finding per damaged record
  // or unreadable range (the scan of a family stops at an unreadable block).
  struct Finding {
    std::string workshop_id;  // empty when the key cannot be attributed
    std::string what;         // a sentence: the family, the key, the error
  };
  [[nodiscard]] Status verify(std::vector<Finding>* findings) const;
  // A consistent, openable copy of the whole database in `dir` (which must
  // not exist), taken while serving (RocksDB checkpoint: hard links + WAL).
  // Hard links copy a damaged block unseen, and RocksDB 7.8 logs two WARN
  // lines about its own nested DisableFileDeletions on every checkpoint:
  // backup() does not use it.
  // REQUIRES: not read-only.
  [[nodiscard]] Status checkpoint(const std::string& dir);
  // A consistent copy record by record into a new database in `dir` (absent
  // or an empty folder); works on a read-only journal too. Every block read
  // is checksum-verified: damage fails the copy (corruption), never copied.
  [[nodiscard]] Status copy_to(const std::string& dir) const;
  // Backs up the database in `db_dir` to `target_dir` (must not exist): a
  // copy_to() through a read-only view, consistent as of the moment it was
  // opened, whether or not a server holds the journal. Never writes to
  // `db_dir`.
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
  // One queued write: events of one workshop, or a metadata record, or a
  // snapshot (exactly one of the three).
  struct Pending {
    std::vector<v1::EventRecord> records;
    AppendDone done;
    Status rejected;  // not ok: completed with this error, nothing written
    std::optional<v1::WorkshopMeta> meta;
    std::optional<v1::Snapshot> snapshot;
    [[nodiscard]] std::size_t bytes() const;
  };
  // Queues a write that is not an append (in order with the appends).
  void enqueue(Pending pending);
  // Queues an append (with the metadata to store in its batch, if any),
  // checked against the queued head first.
  void queue_append(std::vector<v1::EventRecord> records, std::optional<v1::WorkshopMeta> meta, AppendDone done);
  RocksJournal() = default;
  void run_writer();
  Status write_group(std::deque<Pending>& group);
  // The last queued seq (for append continuity), reading the stored head if unknown.
  Status queued_head_locked(std::string_view workshop_id, std::uint64_t* out) const;
  // The head as stored on disk, value decoded and checked.
  Status stored_head(std::string_view workshop_id, std::uint64_t* out) const;
  Status finish_erasure(const std::string& workshop_id);
  // Flushes every column family (retiring the WAL files that held erased
  // values) and force-compacts [begin, end) of `ranged`, and all of the others
  // if `compact_others`: erased values are then gone from the SST files too,
  // not just shadowed by tombstones. Blocks; the erasures' last step.
  Status flush_and_compact(std::string_view begin, std::string_view end,
                           std::initializer_list<rocksdb::ColumnFamilyHandle*> ranged, bool compact_others);
  Status finish_participant_erasure(const std::string& workshop_id, const std::string& participant_id,
                                    const std::string& display_name);

  RocksJournalOptions options_;
  std::string dir_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* events_ = nullptr;     // owned by db_ (destroyed before it)
  rocksdb::ColumnFamilyHandle* snapshots_ = nullptr;
  rocksdb::ColumnFamilyHandle* workshops_ = nullptr;
  rocksdb::ColumnFamilyHandle* default_ = nullptr;
  rocksdb::ColumnFamilyHandle* client_ops_ = nullptr;  // null: an older journal opened read-only
  std::string incarnation_;  // under mutex_
  std::vector<std::string> finished_at_open_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  Status failure_;  // sticky write failure; ok when writable
  // The last seq appended (queued) per workshop, to check each append continues it.
  mutable std::map<std::string, std::uint64_t, std::less<>> last_queued_seq_;
  // The last durable seq per workshop (written, synced): what read_head() reports.
  mutable std::map<std::string, std::uint64_t, std::less<>> durable_head_;
  std::atomic<std::uint64_t> group_commits_{0};
  std::atomic<std::uint64_t> events_written_{0};
  std::thread writer_;
};

}  // namespace werkstatt::journal
