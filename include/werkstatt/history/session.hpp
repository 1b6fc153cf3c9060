#pragma once
// A recorded session read back from the journal: the state at a moment plus
// the times and markers that replay and exports show. Read-only.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "werkstatt/journal/journal.hpp"
#include "werkstatt/v1/board.pb.h"

namespace werkstatt::history {

// A point of interest on the replay timeline.
struct TimelineMarker {
  enum class Kind { join, leave, phase };
  Kind kind = Kind::join;
  std::uint64_t seq = 0;
  std::int64_t time_ms = 0;
  std::string label;  // participant name or phase name
};

struct ActivityBucket {
  std::int64_t minute_start_ms = 0;  // UTC, floored to the minute
  std::uint32_t events = 0;          // board edits in that minute (not joins/leaves)
};

struct Timeline {
  std::uint64_t head_seq = 0;
  std::int64_t first_ms = 0;
  std::int64_t last_ms = 0;
  std::vector<TimelineMarker> markers;
  std::vector<ActivityBucket> activity;  // only minutes with activity
};

struct SessionRecord {
  std::string workshop_id;
  // At `state.seq()`, as the record shows it (Board::record_view): counts
  // per round and note but no voter, no note still private to its author.
  v1::BoardState state;
  std::vector<std::int64_t> seq_time_ms;   // [seq] → server time of that event; [0] unused
  Timeline timeline;                       // up to state.seq()
};

// Reads the workshop's events 1..up_to_seq (UINT64_MAX: the head), replaying
// them into state, times and timeline. Fails on a missing or corrupt record.
[[nodiscard]] std::optional<SessionRecord> load_session(const journal::Journal& journal, std::string_view workshop_id,
                                                        std::uint64_t up_to_seq, journal::Status* status);

}  // namespace werkstatt::history
