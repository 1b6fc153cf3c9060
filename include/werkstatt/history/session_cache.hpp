#pragma once
// Recently read sessions (load_session) and head policies, so that an
// export loop, a replay page, its timeline and its event pages do not replay
// a workshop on every request.
//
// Contract
// - get() answers what load_session() would: the session up to `up_to_seq`
//   (UINT64_MAX: the head) as the record shows it at the current head. An
//   entry is keyed by the journal's incarnation, the workshop, the seq it
//   describes and the head it was read at: a new event makes a new head, so
//   nothing stale is ever served, and nothing needs invalidating on append.
// - forget() drops a workshop's entries. Whoever rewrites or erases stored
//   records (an erasure of a person or a workshop) calls it afterwards:
//   those change what an older (seq, head) shows.
// - At most `capacity` sessions are kept, the least recently used go first.
//
// Thread safety: every method may be called from any thread; the replay of
// a miss runs outside the lock (two threads missing the same key both
// replay; the result is the same).
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "werkstatt/board/board.hpp"
#include "werkstatt/history/session.hpp"

namespace werkstatt::history {

class SessionCache {
 public:
  explicit SessionCache(std::size_t capacity = 8) : capacity_(capacity) {}

  // The process's cache (the REST routes and the registry's erasures share it).
  static SessionCache& shared();

  [[nodiscard]] std::shared_ptr<const SessionRecord> get(const journal::Journal& journal, std::string_view workshop_id,
                                                         std::uint64_t up_to_seq, journal::Status* status);
  // The record policy at the workshop's current head (what a record may
  // show: Board::record_policy), rebuilt from the latest snapshot on a miss.
  // The events route asks it once per page; the head rarely moves between.
  [[nodiscard]] std::optional<board::RecordPolicy> head_policy(const journal::Journal& journal, std::string_view workshop_id,
                                                               journal::Status* status);
  void forget(std::string_view workshop_id);

  // Sessions answered from the cache / replayed, so far (tests, metrics).
  [[nodiscard]] std::uint64_t hits() const;
  [[nodiscard]] std::uint64_t misses() const;

 private:
  struct Entry {
    std::string incarnation;
    std::string workshop_id;
    std::uint64_t seq = 0;
    std::uint64_t head = 0;
    std::shared_ptr<const SessionRecord> session;
  };
  struct PolicyEntry {
    std::string incarnation;
    std::string workshop_id;
    std::uint64_t head = 0;
    board::RecordPolicy policy;
  };
  // The entry of `list` that `match`es, moved to the front, counted as a
  // hit; nullptr (a miss) if none. REQUIRES: mutex_ held.
  template <class List, class Match>
  typename List::value_type* use(List& list, Match match);

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  std::list<PolicyEntry> policies_;  // most recently used first
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace werkstatt::history
