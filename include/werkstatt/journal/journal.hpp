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
// - After a failed append, the journal accepts no further append for that
//   workshop until reopened or until `retry_writes()` succeeds; callers
//   treat the workshop as read-only meanwhile (nothing unstored is acked).
// - Reads are synchronous and see every append whose `done` has run.
// - Crash guarantee (RocksDB journal): an appended record whose `done`
//   reported ok survives a process crash and a power loss; not the loss of
//   the disk (use `werkstatt backup`).
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
  enum class Code { ok, not_found, io_error, no_space, corruption, read_only, invalid_argument, closed };

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

class Journal {
 public:
  virtual ~Journal() = default;

  // Durably stores `records` (REQUIRES: non-empty, one workshop, consecutive
  // seqs continuing the last appended one). See the contract above.
  virtual void append(std::vector<v1::EventRecord> records, AppendDone done) = 0;

  // Stores workshop metadata (creation, join-code rotation). Durable on return when ok.
  [[nodiscard]] virtual Status put_workshop(const v1::WorkshopMeta& meta) = 0;
  // Stores a snapshot. Snapshots are an optimisation: losing one loses nothing.
  [[nodiscard]] virtual Status put_snapshot(const v1::Snapshot& snapshot) = 0;

  [[nodiscard]] virtual std::vector<v1::WorkshopMeta> workshops() const = 0;
  [[nodiscard]] virtual std::optional<v1::WorkshopMeta> workshop(std::string_view id) const = 0;

  // Events of `workshop_id` with from_seq <= seq <= to_seq, at most `limit`,
  // in seq order. A record that cannot be decoded is an error naming its key.
  [[nodiscard]] virtual Status read_events(std::string_view workshop_id, std::uint64_t from_seq,
                                           std::uint64_t to_seq, std::size_t limit,
                                           std::vector<v1::EventRecord>* out) const = 0;
  // The newest snapshot with seq <= at_or_before_seq; NotFound if none.
  [[nodiscard]] virtual Status latest_snapshot(std::string_view workshop_id, std::uint64_t at_or_before_seq,
                                               v1::Snapshot* out) const = 0;
  // The highest appended seq of the workshop (0 if none).
  [[nodiscard]] virtual std::uint64_t head_seq(std::string_view workshop_id) const = 0;

  // After a failed write: try again to accept appends (e.g. disk space freed).
  [[nodiscard]] virtual Status retry_writes() = 0;
};

}  // namespace werkstatt::journal
