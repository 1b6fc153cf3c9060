#include "werkstatt/history/replay.hpp"

#include <limits>
#include <vector>

namespace werkstatt::history {

v1::Event to_event(const v1::EventRecord& record) {
  v1::Event e;
  e.set_seq(record.seq());
  e.set_server_time_ms(record.time_ms());
  e.set_author_id(record.author_id());
  *e.mutable_op() = record.op();
  return e;
}

std::optional<board::Board> rebuild(const journal::Journal& journal, std::string_view workshop_id, std::uint64_t up_to_seq,
                                    journal::Status* status) {
  const auto fail = [&](journal::Status s) -> std::optional<board::Board> {
    if (status) *status = std::move(s);
    return std::nullopt;
  };
  board::Board board;
  v1::Snapshot snapshot;
  const journal::Status found = journal.latest_snapshot(workshop_id, up_to_seq, &snapshot);
  if (found.ok()) {
    std::string why;
    auto restored = board::Board::restore(snapshot.state(), &why);
    if (!restored)
      return fail({journal::Status::Code::corruption, "snapshot of " + std::string(workshop_id) + " at seq " +
                                                 std::to_string(snapshot.seq()) + " is invalid: " + why});
    board = std::move(*restored);
  } else if (found.code() != journal::Status::Code::not_found) {
    return fail(found);
  }

  std::vector<v1::EventRecord> page;
  while (board.seq() < up_to_seq) {
    page.clear();
    if (journal::Status s = journal.read_events(workshop_id, board.seq() + 1, up_to_seq, kReplayPageSize, &page); !s.ok())
      return fail(s);
    if (page.empty()) break;  // the head is below up_to_seq
    for (const auto& record : page) {
      if (auto rejected = board.replay(to_event(record)))
        return fail({journal::Status::Code::corruption, "event " + std::string(workshop_id) + "/" + std::to_string(record.seq()) +
                                                   " does not replay: " + rejected->reason});
    }
  }
  if (status) *status = {};
  return board;
}

std::optional<std::uint64_t> seq_at_time(const journal::Journal& journal, std::string_view workshop_id, std::int64_t time_ms,
                                         journal::Status* status) {
  const auto fail = [&](journal::Status s) -> std::optional<std::uint64_t> {
    if (status) *status = std::move(s);
    return std::nullopt;
  };
  std::uint64_t head = 0;
  if (journal::Status s = journal.read_head(workshop_id, &head); !s.ok()) return fail(s);
  // Invariant: time(lo) <= time_ms < time(hi), with time(0) = -inf and
  // time(head + 1) = +inf.
  std::uint64_t lo = 0;
  std::uint64_t hi = head + 1;
  std::vector<v1::EventRecord> one;
  while (hi - lo > 1) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    one.clear();
    if (journal::Status s = journal.read_events(workshop_id, mid, mid, 1, &one); !s.ok()) return fail(s);
    if (one.empty() || one.front().seq() != mid)
      return fail({journal::Status::Code::corruption,
                   "event " + std::string(workshop_id) + "/" + std::to_string(mid) + " is missing below the head"});
    (one.front().time_ms() <= time_ms ? lo : hi) = mid;
  }
  if (status) *status = {};
  return lo;
}

}  // namespace werkstatt::history
