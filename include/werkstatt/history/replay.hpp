#pragma once
// Rebuilding board state from the journal: recovery at start, replay for
// organisers ("state at seq N"), exports at any moment. One implementation so
// that all three agree byte for byte.
#include <cstdint>
#include <optional>
#include <string_view>

#include "werkstatt/board/board.hpp"
#include "werkstatt/journal/journal.hpp"

namespace werkstatt::history {

// Events are read in pages of this many records: bounds memory during a
// replay of a long session without costing many iterator seeks.
inline constexpr std::size_t kReplayPageSize = 4096;

// The board of `workshop_id` after the event with seq `up_to_seq` (use
// UINT64_MAX for the head): the newest snapshot at or before it, plus the
// events after it. Fails with corruption if a stored event does not apply or
// a seq is missing (never silently skips a record).
[[nodiscard]] std::optional<board::Board> rebuild(const journal::Journal& journal, std::string_view workshop_id,
                                                  std::uint64_t up_to_seq, journal::Status* status);

// The last seq whose event happened at or before `time_ms` (0: none), found
// by binary search over the stored events' times: about log2(head) point
// reads, no replay, so "the state at 14:05" costs a lookup plus rebuild()
// from the snapshot before it. Exact because the server stamps a workshop's
// events in non-decreasing time (Workshop::event_time_ms); in a journal
// written before that, a clock stepped back makes it one of the seqs whose
// time is <= time_ms and whose successor's is later. Fails with corruption
// if a seq in 1..head is missing.
[[nodiscard]] std::optional<std::uint64_t> seq_at_time(const journal::Journal& journal, std::string_view workshop_id,
                                                       std::int64_t time_ms, journal::Status* status);

// The Event a client receives for a journaled record.
[[nodiscard]] v1::Event to_event(const v1::EventRecord& record);

}  // namespace werkstatt::history
