#pragma once
// A Journal kept in memory: for tests and for `werkstatt serve --journal=memory`.
// It honours the asynchronous contract of journal.hpp (completions run on its
// own thread, in order; metadata and snapshots through the same queue) but
// stores nothing on disk. `fail_writes(true)`
// simulates a full disk so callers' read-only handling can be tested.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "werkstatt/journal/journal.hpp"

namespace werkstatt::journal {

class MemoryJournal final : public Journal {
 public:
  MemoryJournal();
  ~MemoryJournal() override;  // completes every pending append first
  MemoryJournal(const MemoryJournal&) = delete;
  MemoryJournal& operator=(const MemoryJournal&) = delete;

  void append(std::vector<v1::EventRecord> records, AppendDone done) override;
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

  // Test hook: while true, every write fails with Code::no_space (and the
  // failure stays until retry_writes() succeeds, as on a real disk).
  void fail_writes(bool fail);
  // Test hook: how often retry_writes() was called.
  [[nodiscard]] std::size_t retries() const;

 private:
  struct Pending {  // events, or a metadata record, or a snapshot
    std::vector<v1::EventRecord> records;
    AppendDone done;
    std::optional<v1::WorkshopMeta> meta;
    std::optional<v1::Snapshot> snapshot;
  };
  void enqueue(Pending pending);
  void run();
  Status store_locked(Pending& p);

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  bool fail_writes_ = false;
  bool failed_ = false;  // sticky until retry_writes()
  std::size_t retries_ = 0;
  std::map<std::string, std::vector<v1::EventRecord>, std::less<>> events_;
  std::map<std::string, std::map<std::uint64_t, v1::Snapshot>, std::less<>> snapshots_;
  std::map<std::string, v1::WorkshopMeta, std::less<>> workshops_;
  std::map<std::string, std::map<std::pair<std::string, std::string>, std::uint64_t>, std::less<>> client_ops_;
  // A memory journal's history dies with the process: a fresh identity per instance.
  const std::string incarnation_ = "memory-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + "-" +
                                   std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  std::thread worker_;  // last: starts after every member above exists
};

}  // namespace werkstatt::journal
