#include "werkstatt/history/session.hpp"

#include <algorithm>
#include <limits>

#include "werkstatt/board/board.hpp"
#include "werkstatt/history/replay.hpp"

namespace werkstatt::history {
namespace {

constexpr std::int64_t kMinuteMs = 60'000;

std::int64_t floor_minute(std::int64_t ms) { return ms - ((ms % kMinuteMs) + kMinuteMs) % kMinuteMs; }

void note_in_timeline(Timeline& t, const v1::EventRecord& r, const board::Board& after) {
  if (t.first_ms == 0) t.first_ms = r.time_ms();
  t.last_ms = r.time_ms();
  t.head_seq = r.seq();
  if (r.op().has_participant_joined()) {
    t.markers.push_back({TimelineMarker::Kind::join, r.seq(), r.time_ms(), r.op().participant_joined().participant().display_name()});
    return;
  }
  if (r.op().has_participant_left()) {
    const v1::Participant* p = after.participant(r.op().participant_left().participant_id());
    t.markers.push_back({TimelineMarker::Kind::leave, r.seq(), r.time_ms(), p ? p->display_name() : std::string()});
    return;
  }
  if (r.op().has_forget_participants()) return;  // bookkeeping at the identity cap, nobody's activity
  if (r.op().has_go_to_phase()) {
    const v1::Phase* phase = after.current_phase();
    t.markers.push_back({TimelineMarker::Kind::phase, r.seq(), r.time_ms(), phase ? phase->name() : r.op().go_to_phase().phase_id()});
    return;
  }
  const std::int64_t minute = floor_minute(r.time_ms());
  if (t.activity.empty() || t.activity.back().minute_start_ms != minute) t.activity.push_back({minute, 0});
  ++t.activity.back().events;
}

}  // namespace

std::optional<SessionRecord> load_session(const journal::Journal& journal, std::string_view workshop_id, std::uint64_t up_to_seq,
                                          journal::Status* status) {
  const auto fail = [&](journal::Status s) -> std::optional<SessionRecord> {
    if (status) *status = std::move(s);
    return std::nullopt;
  };
  SessionRecord session;
  session.workshop_id = std::string(workshop_id);
  session.seq_time_ms.push_back(0);
  board::Board board;
  std::vector<v1::EventRecord> page;
  // Exports need the time of every seq (a note's creation may be long ago),
  // so this replays from the start rather than from a snapshot.
  while (board.seq() < up_to_seq) {
    page.clear();
    if (journal::Status s = journal.read_events(workshop_id, board.seq() + 1, up_to_seq, kReplayPageSize, &page); !s.ok())
      return fail(s);
    if (page.empty()) break;
    for (const auto& r : page) {
      if (auto rejected = board.replay(to_event(r)))
        return fail({journal::Status::Code::corruption, "event " + std::string(workshop_id) + "/" + std::to_string(r.seq()) +
                                                   " does not replay: " + rejected->reason});
      session.seq_time_ms.push_back(r.time_ms());
      note_in_timeline(session.timeline, r, board);
    }
  }
  if (board.seq() == 0) {
    v1::WorkshopMeta meta;
    if (journal::Status s = journal.workshop(workshop_id, &meta); !s.ok()) {
      if (s.code() == journal::Status::Code::not_found) return fail({journal::Status::Code::not_found, "no workshop " + std::string(workshop_id)});
      return fail(s);
    }
  }
  // What the record may show is decided on the head board (a note still
  // private there, a hidden-count round still open there), so a session
  // before the head reads on to it.
  board::Board head = board;
  while (true) {
    page.clear();
    if (journal::Status s = journal.read_events(workshop_id, head.seq() + 1, std::numeric_limits<std::uint64_t>::max(),
                                       kReplayPageSize, &page);
        !s.ok())
      return fail(s);
    if (page.empty()) break;
    for (const auto& r : page)
      if (auto rejected = head.replay(to_event(r)))
        return fail({journal::Status::Code::corruption, "event " + std::string(workshop_id) + "/" + std::to_string(r.seq()) +
                                                   " does not replay: " + rejected->reason});
  }
  session.state = board.record_view(head.record_policy());
  if (status) *status = {};
  return session;
}

}  // namespace werkstatt::history
