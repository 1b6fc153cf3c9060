#pragma once
// The PostgreSQL journal: the journal of nodes that must fail over
// (`werkstatt serve --journal postgres --postgres-url …`). Several nodes
// share one database; each serves the workshops it holds (Journal::acquire_workshop).
//
// Schema (created and migrated by open(), versioned in werkstatt_schema;
// values are the proto records of journal.proto, as in the RocksDB journal):
//   werkstatt_events     (workshop_id, seq) → record bytea      primary key: the fence
//   werkstatt_snapshots  (workshop_id, seq) → snapshot bytea
//   werkstatt_workshops  workshop_id → meta bytea, join_code
//   werkstatt_client_ops (workshop_id, author_id, client_op_id) → seq   the idempotency index
//   werkstatt_owners     workshop_id → node_id, epoch, expires_at      the leases
//   werkstatt_meta       'incarnation' → this database's history identity
// A database with a newer schema version than this binary knows is refused.
//
// Group commit: append() only queues. One writer thread takes everything
// queued and stores it as one transaction in two round trips (libpq
// pipelines): first it locks and extends the lease row of every workshop
// the group writes to, checking it still holds the epoch it acquired; then
// the rows and COMMIT. Completions run after the COMMIT returned, in queue
// order. With synchronous_commit on and a synchronous standby, a completed
// append survives the loss of the primary.
//
// Ownership: acquire_workshop() takes a workshop's lease row when it is free,
// already this node's, or expired (epoch + 1). The lease lasts `lease`
// (PostgreSQL's clock) and a renewal thread extends every held lease each
// lease / 3. A lease row locked by a group commit cannot be taken over until
// that commit ends, so no two nodes write one workshop: a node that lost the
// lease gets `moved` for its next write, and the event primary key fences
// any writer that bypasses the leases. Renewal finding a lease taken over
// reports it through on_hand_over().
//
// Hand-over on request: an acquire_workshop() that finds another live node
// holding the workshop asks that node for it (NOTIFY werkstatt_handover,
// the workshop id); the holder's renewal thread LISTENs and passes the
// request to on_hand_over() (within lease / 3) once it has held the
// workshop for a lease at least (so two nodes that both get its clients,
// while a proxy's hash ring changes, cannot toss it back and forth faster
// than that). So after the proxy re-routes
// a workshop (a node came back, the hash ring changed) its clients follow
// without waiting for its idle unloading.
//
// Failure: a connection lost, a standby promoted, a full disk: that group's
// completions report the error (io_error, read_only, no_space) and every
// later write fails fast until retry_writes() reconnects (to whichever host
// of a multi-host URL is writable). A COMMIT whose answer was lost may have
// been stored: it is reported failed and its resend is deduplicated by the
// idempotency index. A `moved` completion is per workshop, not journal-wide.
//
// Erasure: erase_workshop() deletes the rows in one transaction;
// erase_participant() rewrites the records in one transaction; both then
// VACUUM the tables. PostgreSQL still keeps old row versions in its WAL
// and in base backups until those are recycled (docs/DATENSCHUTZ.md).
//
// Thread safety: every method may be called concurrently from any thread.
// Reads, acquire_workshop() and erasures share one connection (one at a time), the
// writer and the renewal thread have their own.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "werkstatt/journal/journal.hpp"

namespace werkstatt::journal {

namespace pg {
class Connection;
class Result;
struct Statement;
}  // namespace pg

struct PostgresJournalOptions {
  // A libpq connection string or URL, e.g.
  // postgresql://werkstatt@db1,db2/werkstatt?target_session_attrs=read-write
  std::string url;
  // Names this process in the lease rows (with a random suffix, so a
  // restarted node waits out its predecessor's leases rather than sharing
  // them with a process that may still run).
  std::string node_name = "werkstatt";
  // How long a lease outlives its last renewal. 3 s: a node that stopped is
  // replaced within the proxy's health check plus this; a node must renew
  // within it (a pause longer than that loses its workshops).
  std::chrono::milliseconds lease{3000};
  // Upper bound of one group commit (as RocksJournalOptions').
  std::size_t max_batch_bytes = 4u << 20;
};

class PostgresJournal final : public Journal {
 public:
  // Connects, creates or migrates the schema. nullptr and `status` on failure.
  [[nodiscard]] static std::unique_ptr<PostgresJournal> open(const PostgresJournalOptions& options, Status* status);
  ~PostgresJournal() override;  // completes every queued write, releases every lease, disconnects
  PostgresJournal(const PostgresJournal&) = delete;
  PostgresJournal& operator=(const PostgresJournal&) = delete;

  void append(std::vector<v1::EventRecord> records, AppendDone done) override;
  void append_with_meta(std::vector<v1::EventRecord> records, v1::WorkshopMeta meta, AppendDone done) override;
  void store_workshop(v1::WorkshopMeta meta, AppendDone done) override;
  void store_snapshot(v1::Snapshot snapshot, AppendDone done) override;
  Status write_failure() const override;
  Status workshops(std::vector<v1::WorkshopMeta>* out, std::vector<DamagedWorkshop>* damaged) const override;
  Status workshop(std::string_view id, v1::WorkshopMeta* out) const override;
  Status workshop_by_join_code(std::string_view code, std::string* workshop_id) const override;
  Status read_events(std::string_view workshop_id, std::uint64_t from_seq, std::uint64_t to_seq, std::size_t limit,
                     std::vector<v1::EventRecord>* out) const override;
  Status latest_snapshot(std::string_view workshop_id, std::uint64_t at_or_before_seq, v1::Snapshot* out) const override;
  Status read_head(std::string_view workshop_id, std::uint64_t* out) const override;
  Status client_ops(std::string_view workshop_id, std::vector<ClientOp>* out) const override;
  std::string incarnation() const override;
  Status erase_workshop(std::string_view workshop_id) override;
  Status erase_participant(std::string_view workshop_id, std::string_view participant_id,
                           std::string_view display_name) override;
  Status retry_writes() override;
  Status acquire_workshop(std::string_view workshop_id) override;
  void release_workshop(std::string_view workshop_id) override;
  void on_hand_over(std::function<void(const std::string& workshop_id)> hand_over) override;
  bool shared() const override { return true; }

  // This process's name in the lease rows.
  [[nodiscard]] const std::string& node_id() const { return node_id_; }
  // The schema version this binary creates and reads.
  static constexpr int kSchemaVersion = 1;
  // Committed group commits so far, the events they carried, leases taken
  // (acquire_workshop() that took a workshop from another node or a free row), and
  // leases lost to another node.
  [[nodiscard]] std::uint64_t group_commits() const { return group_commits_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t events_written() const { return events_written_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t leases_taken() const { return leases_taken_.load(std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t leases_lost() const { return leases_lost_.load(std::memory_order_relaxed); }

 private:
  // One queued write: events of one workshop (with their metadata, if any),
  // or a metadata record, or a snapshot, or a release.
  struct Pending {
    std::vector<v1::EventRecord> records;
    AppendDone done;
    Status rejected;  // not ok: completed with this error, nothing written
    std::optional<v1::WorkshopMeta> meta;
    std::optional<v1::Snapshot> snapshot;
    std::optional<std::string> release;
    std::uint64_t release_epoch = 0;  // set by the writer: the lease row it deletes
    [[nodiscard]] std::size_t bytes() const;
    [[nodiscard]] const std::string* fenced_workshop() const;  // the workshop whose lease this write needs
  };
  PostgresJournal() = default;
  void queue_append(std::vector<v1::EventRecord> records, std::optional<v1::WorkshopMeta> meta, AppendDone done);
  void enqueue(Pending pending);
  void run_writer();
  void run_renewal();
  // Writes the group as one transaction; a pending whose lease is gone gets
  // `moved` in its `rejected`. The result is the transaction's.
  Status write_group(std::deque<Pending>& group);
  Status queued_head_locked(std::string_view workshop_id, std::uint64_t* out) const;
  Status stored_head(std::string_view workshop_id, std::uint64_t* out) const;
  // Forgets workshops another node took over and tells on_hand_over().
  void lose(const std::vector<std::string>& workshops);
  // A statement on the reader connection (reconnecting once if it broke).
  Status read(std::string_view what, const pg::Statement& statement, pg::Result* out) const;
  Status vacuum(const char* tables);
  [[nodiscard]] std::string lease_interval() const;

  PostgresJournalOptions options_;
  std::string node_id_;
  std::string incarnation_;
  std::unique_ptr<pg::Connection> writer_conn_;   // the writer thread's
  std::unique_ptr<pg::Connection> renewal_conn_;  // the renewal thread's
  mutable std::mutex reader_mutex_;               // guards reader_conn_
  std::unique_ptr<pg::Connection> reader_conn_;   // reads, acquire, erasures

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  Status failure_;  // sticky write failure; ok when writable
  mutable std::map<std::string, std::uint64_t, std::less<>> last_queued_seq_;
  mutable std::map<std::string, std::uint64_t, std::less<>> durable_head_;
  std::map<std::string, std::uint64_t, std::less<>> held_;  // workshop → the epoch this node holds
  std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> held_since_;  // acquired at
  std::set<std::string, std::less<>> releasing_;  // release_workshop() queued, not yet written (renewal skips them)
  std::set<std::string, std::less<>> releases_in_flight_;  // releases in the group being written
  std::condition_variable group_written_;                  // a group completed: durable heads, releases
  std::function<void(const std::string&)> hand_over_;
  std::condition_variable renewal_wake_;
  std::set<std::string, std::less<>> asked_;  // renewal thread only: hand-over requests not yet honoured
  std::atomic<std::uint64_t> group_commits_{0};
  std::atomic<std::uint64_t> events_written_{0};
  std::atomic<std::uint64_t> leases_taken_{0};
  std::atomic<std::uint64_t> leases_lost_{0};
  std::thread writer_;
  std::thread renewal_;
};

}  // namespace werkstatt::journal
