#include "werkstatt/history/session_cache.hpp"

#include <algorithm>
#include <limits>

#include "werkstatt/history/replay.hpp"

namespace werkstatt::history {

template <class List, class Match>
typename List::value_type* SessionCache::use(List& list, Match match) {
  const auto it = std::find_if(list.begin(), list.end(), match);
  if (it == list.end()) {
    ++misses_;
    return nullptr;
  }
  list.splice(list.begin(), list, it);  // most recently used first
  ++hits_;
  return &*it;
}

SessionCache& SessionCache::shared() {
  static SessionCache cache;
  return cache;
}

std::shared_ptr<const SessionRecord> SessionCache::get(const journal::Journal& journal, std::string_view workshop_id,
                                                       std::uint64_t up_to_seq, journal::Status* status) {
  std::uint64_t head = 0;
  if (journal::Status s = journal.read_head(workshop_id, &head); !s.ok()) {
    if (status) *status = s;
    return nullptr;
  }
  const std::uint64_t seq = std::min(up_to_seq, head);
  const std::string incarnation = journal.incarnation();
  {
    std::lock_guard lock(mutex_);
    if (const Entry* e = use(entries_, [&](const Entry& x) {
          return x.seq == seq && x.head == head && x.workshop_id == workshop_id && x.incarnation == incarnation;
        })) {
      if (status) *status = {};
      return e->session;
    }
  }
  auto loaded = load_session(journal, workshop_id, seq, status);
  if (!loaded) return nullptr;
  // An event may have come in meanwhile: the replay read to the head it
  // found, which is newer; keyed by the head read first, the entry is
  // simply never asked for again.
  auto session = std::make_shared<const SessionRecord>(std::move(*loaded));
  std::lock_guard lock(mutex_);
  entries_.push_front({incarnation, std::string(workshop_id), seq, head, session});
  while (entries_.size() > capacity_) entries_.pop_back();
  return session;
}

std::optional<board::RecordPolicy> SessionCache::head_policy(const journal::Journal& journal, std::string_view workshop_id,
                                                              journal::Status* status) {
  std::uint64_t head = 0;
  if (journal::Status s = journal.read_head(workshop_id, &head); !s.ok()) {
    if (status) *status = s;
    return std::nullopt;
  }
  const std::string incarnation = journal.incarnation();
  {
    std::lock_guard lock(mutex_);
    if (const PolicyEntry* e = use(policies_, [&](const PolicyEntry& x) {
          return x.head == head && x.workshop_id == workshop_id && x.incarnation == incarnation;
        })) {
      if (status) *status = {};
      return e->policy;
    }
  }
  // As in get(): an event may come in meanwhile, so the policy may be a
  // newer head's (the record as it stands now); later requests read that
  // newer head and never ask for this key again.
  const auto board = rebuild(journal, workshop_id, std::numeric_limits<std::uint64_t>::max(), status);
  if (!board) return std::nullopt;
  board::RecordPolicy policy = board->record_policy();
  std::lock_guard lock(mutex_);
  policies_.push_front({incarnation, std::string(workshop_id), head, policy});
  while (policies_.size() > capacity_) policies_.pop_back();
  return policy;
}

void SessionCache::forget(std::string_view workshop_id) {
  std::lock_guard lock(mutex_);
  entries_.remove_if([&](const Entry& e) { return e.workshop_id == workshop_id; });
  policies_.remove_if([&](const PolicyEntry& e) { return e.workshop_id == workshop_id; });
}

std::uint64_t SessionCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

std::uint64_t SessionCache::misses() const {
  std::lock_guard lock(mutex_);
  return misses_;
}

}  // namespace werkstatt::history
