#pragma once
// The journal: the durable history of every workshop.
//
// Contract (every implementation)
// - append(): records of one workshop, in seq order, continuing that
//   workshop's last appended seq. `done` runs exactly once, on a journal
//   thread (never inside append()), after the records are durable — for the
//   RocksDB journal: written with sync = true — or after storing them failed.
//   Completions for one workshop arrive in append order. A caller may ack or
//   broadcast an event only after its `done` reported ok.
// - After a failed write, the journal accepts no further write (of any
//   workshop: the state is journal-wide, write_failure()) until reopened or
//   until `retry_writes()` succeeds; callers treat their workshops as
//   read-only meanwhile (nothing unstored is acked).
// - Reads are synchronous and see every append whose `done` has run.
// - Crash guarantee (RocksDB journal): an appended record whose `done`
//   reported ok survives a process crash and a power loss; not the loss of
//   the disk (use `werkstatt backup`).
// - Damage is never silent: every read checks what it read (RocksDB block
//   checksums, iterator status, record decoding) and reports a damaged
//   record with its workshop and key as Code::corruption. Nothing is ever
//   skipped, and a head that cannot be read is an error, never 0. An append
//   to a workshop whose head cannot be read is refused (nothing is written
//   over a damaged history).
// - Heads are durable: head_seq()/read_head() count only events whose
//   append completed ok, never ones merely queued.
// - Idempotency index: every appended record with a client_op_id stores
//   (workshop, author, client_op_id) → seq in the same write as the event,
//   and drops the author's `evicts_client_op_id` in that write too, so the
//   index survives restarts and stays bounded as the workshop bounds it.
//
// Thread safety: all methods may be called from any thread concurrently.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "werkstatt/v1/journal.pb.h"

namespace werkstatt::journal {

class Status {
 public:
  // moved: another node serves the workshop now (journals shared by
  // several nodes); the caller stops serving it and sends its clients on.
  enum class Code { ok, not_found, io_error, no_space, corruption, read_only, invalid_argument, closed, moved };

  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}
  static Status ok_status() { return {}; }

  [[nodiscard]] bool ok() const { return code_ == Code::ok; }
  [[nodiscard]] Code code() const { return code_; }
  [[nodiscard]] const std::string& message() const { return message_; }

 private:
  Code code_ = Code::ok;
  std::string message_;
};

using AppendDone = std::function<void(const Status&)>;

// A workshop whose metadata record is damaged: it exists, but cannot be read.
struct DamagedWorkshop {
  std::string workshop_id;
  Status status;  // what and where (the key)
};

// One entry of the idempotency index.
struct ClientOp {
  std::string participant_id;
  std::string client_op_id;
  std::uint64_t seq = 0;
};

class Journal {
 public:
  virtual ~Journal() = default;

  // Durably stores `records` (REQUIRES: non-empty, one workshop, consecutive
  // seqs continuing the last appended one). See the contract above.
  virtual void append(std::vector<v1::EventRecord> records, AppendDone done) = 0;

  // Stores workshop metadata (creation, join-code rotation, new links)
  // through the same ordered writer as append(): written after everything
  // queued before it and before everything queued after it, synced, and
  // `done` runs as append()'s does (a journal thread, never inside the
  // call). After a write failure it fails like an append until
  // retry_writes() succeeds. So two rotations store their metadata in the
  // order they were made, and no I/O thread waits for a sync.
  virtual void store_workshop(v1::WorkshopMeta meta, AppendDone done) = 0;
  // append() and store_workshop() as one write: the events and the metadata
  // they change (a rotated join code, a closing) are stored together or not
  // at all, so a crash never leaves the catalog finding a workshop by a code
  // its board no longer has, or missing the code it has. `done` once, with
  // the write's result. This default issues the two writes in order (fine
  // for a journal with no crash to survive); RocksJournal makes one batch.
  virtual void append_with_meta(std::vector<v1::EventRecord> records, v1::WorkshopMeta meta, AppendDone done);
  // Stores a snapshot through the writer, as store_workshop() (it may be
  // written unsynced: snapshots are an optimisation, losing one loses nothing).
  virtual void store_snapshot(v1::Snapshot snapshot, AppendDone done) = 0;
  // store_workshop() / store_snapshot() waiting for `done`: for callers off
  // the I/O threads and strands (creation on the worker pool, the CLI,
  // tests). REQUIRES: not called from a journal completion (it would wait
  // for itself).
  [[nodiscard]] Status put_workshop(const v1::WorkshopMeta& meta);
  [[nodiscard]] Status put_snapshot(const v1::Snapshot& snapshot);

  // The journal-wide write state: ok while writes are accepted, otherwise
  // the failure that stopped them (sticky until retry_writes() succeeds).
  // One state for every workshop: a full disk is full for all of them.
  [[nodiscard]] virtual Status write_failure() const = 0;

  // Every workshop: the readable ones in `out`, those whose metadata is
  // damaged in `damaged` (never silently left out). Not ok if the listing
  // itself cannot be completed (then neither list is complete).
  [[nodiscard]] virtual Status workshops(std::vector<v1::WorkshopMeta>* out,
                                         std::vector<DamagedWorkshop>* damaged) const = 0;
  // One workshop's metadata: ok, not_found, or corruption (naming the key).
  [[nodiscard]] virtual Status workshop(std::string_view id, v1::WorkshopMeta* out) const = 0;

  // Events of `workshop_id` with from_seq <= seq <= to_seq, at most `limit`,
  // in seq order. A record that cannot be decoded is an error naming its key.
  [[nodiscard]] virtual Status read_events(std::string_view workshop_id, std::uint64_t from_seq,
                                           std::uint64_t to_seq, std::size_t limit,
                                           std::vector<v1::EventRecord>* out) const = 0;
  // The newest snapshot with seq <= at_or_before_seq; NotFound if none.
  [[nodiscard]] virtual Status latest_snapshot(std::string_view workshop_id, std::uint64_t at_or_before_seq,
                                               v1::Snapshot* out) const = 0;
  // The highest durable seq of the workshop (0: it has no events). Not ok
  // (e.g. corruption) when it cannot be read; `out` is then untouched.
  [[nodiscard]] virtual Status read_head(std::string_view workshop_id, std::uint64_t* out) const = 0;
  // read_head() for callers that only need the number: nullopt when unreadable.
  [[nodiscard]] std::optional<std::uint64_t> head_seq(std::string_view workshop_id) const {
    std::uint64_t head = 0;
    if (!read_head(workshop_id, &head).ok()) return std::nullopt;
    return head;
  }
  // The idempotency index of a workshop, in no particular order.
  [[nodiscard]] virtual Status client_ops(std::string_view workshop_id, std::vector<ClientOp>* out) const = 0;
  // The identity of this journal's history: new when a journal is created
  // and when a backup is restored into place. Workshops' history ids derive
  // from it (Welcome.history_id).
  [[nodiscard]] virtual std::string incarnation() const = 0;

  // Erases every record of the workshop for good (events, snapshots,
  // metadata, idempotency index). Idempotent; the RocksDB journal makes it
  // resumable (a synced marker first; an interrupted erasure is finished by
  // the next call or the next writable open) and leaves no trace in its
  // files (flush + forced compaction). Blocks for the compaction: never call
  // it on an I/O thread or a workshop strand.
  // REQUIRES: no appends in flight for the workshop (while serving, use
  // WorkshopRegistry::erase, which stops the workshop first).
  [[nodiscard]] virtual Status erase_workshop(std::string_view workshop_id) = 0;

  // Erases one person's identity from a workshop's stored history (DSGVO
  // Art. 17): every record that carries their display name or resume
  // secret — their ParticipantJoined events (name and
  // participant_secret_sha256), their RenameParticipant events, the
  // participants list of every snapshot — is rewritten with `display_name`
  // (the pseudonym of the EraseParticipant event) in its place and no
  // digest; nothing else changes. The RocksDB journal then flushes and
  // force-compacts, as erase_workshop does, so the old versions are gone
  // from its files too, and makes it resumable (a synced marker first; an
  // interrupted one is finished by the next call or writable open).
  // Idempotent. Blocks for the compaction: never on an I/O thread or a
  // workshop strand.
  // REQUIRES: the EraseParticipant event is durable (no later record can
  // carry the old name) and no older snapshot is still being stored.
  // Journals that cannot rewrite records (test doubles) refuse with
  // invalid_argument.
  [[nodiscard]] virtual Status erase_participant(std::string_view workshop_id, std::string_view participant_id,
                                                 std::string_view display_name) {
    (void)workshop_id;
    (void)participant_id;
    (void)display_name;
    return {Status::Code::invalid_argument, "this journal cannot rewrite records"};
  }

  // After a failed write: try again to accept appends (e.g. disk space freed).
  [[nodiscard]] virtual Status retry_writes() = 0;

  // Ownership, for a journal that several nodes share (PostgreSQL): a node
  // serves a workshop only while it holds it. acquire_workshop() before loading it:
  // ok when this node holds it now (it was free, already this node's, or
  // its holder's lease ran out), moved when another live node holds it; it
  // returns once the appends this node queued for the workshop are stored,
  // so what the caller loads is the head its next append continues.
  // Appends and snapshots of a workshop this node does not hold complete
  // with moved, and so does every one after another node took it over (the
  // fence), so a node that lost a workshop never acknowledges an event of
  // it. release_workshop() hands it back (after the writes queued before it).
  // `hand_over` (set before serving) runs on a journal thread for each
  // workshop this node must stop serving: another node took it over, or
  // asks for it because the proxy sends the workshop's clients there (the
  // caller then sends its own clients on and calls release_workshop()).
  // A journal of one node (RocksDB, memory) holds every workshop: acquire_workshop()
  // is ok and nothing is ever lost.
  [[nodiscard]] virtual Status acquire_workshop(std::string_view workshop_id) {
    (void)workshop_id;
    return {};
  }
  virtual void release_workshop(std::string_view workshop_id) { (void)workshop_id; }
  virtual void on_hand_over(std::function<void(const std::string& workshop_id)> hand_over) { (void)hand_over; }
  // True when other nodes share this journal: the catalog is read from it
  // when asked for a workshop this node has not seen (created elsewhere).
  [[nodiscard]] virtual bool shared() const { return false; }
  // A shared journal: the open workshop whose join code is `code` (as
  // stored: normalised), for a join code typed on a node that has not seen
  // the workshop. not_found when none has it (always, when not shared).
  [[nodiscard]] virtual Status workshop_by_join_code(std::string_view code, std::string* workshop_id) const {
    (void)code;
    (void)workshop_id;
    return {Status::Code::not_found, "no workshop has this join code"};
  }
};

}  // namespace werkstatt::journal
