#pragma once
// Limits of one workshop board. Each bounds memory or abuse; the numbers are
// sized for the target workshops (20–150 people, a few hours) with wide margin.
#include <cstddef>
#include <cstdint>

namespace werkstatt::board::limits {

// 150 people writing 30 notes each is 4,500; deleted notes count too because
// they stay restorable. At ~1 KiB per note a full board stays under ~10 MiB.
inline constexpr std::size_t kMaxNotes = 10'000;
// A sticky note is a thought, not a document: 500 code points fits three long
// sentences and keeps a note readable on a projector.
inline constexpr std::size_t kMaxNoteTextChars = 500;
// Titles of areas, clusters and the workshop; display names.
inline constexpr std::size_t kMaxTitleChars = 120;
inline constexpr std::size_t kMaxDisplayNameChars = 60;
// A phase's instructions for participants: a few sentences at the top of a
// phone screen. Its notes (results and decisions for the minutes) may be a
// page: 20 phases x 4,000 stays well under the board's memory budget.
inline constexpr std::size_t kMaxPhaseInstructionsChars = 500;
inline constexpr std::size_t kMaxPhaseNotesChars = 4'000;
// Templates use 3–6 areas; 64 leaves room for breakout boards.
inline constexpr std::size_t kMaxAreas = 64;
// Clusters group several notes each, so far fewer than notes.
inline constexpr std::size_t kMaxClusters = 2'000;
// Identities, not connections: a person who joins from laptop and phone counts
// twice, and identities persist after leaving. 150 people × 3 devices + staff.
// Only active identities count: removed ones free their place.
inline constexpr std::size_t kMaxParticipants = 500;
// Identities kept in all, removed ones included (they stay for the record
// and the pseudonyms): bounds the board's memory when people are removed.
inline constexpr std::size_t kMaxIdentities = 4 * kMaxParticipants;
// Ids are chosen by clients; bounded so they cannot bloat every event.
inline constexpr std::size_t kMaxIdBytes = 64;
// Board coordinates: every position lies in [-kBoardExtent, kBoardExtent].
// 2·10^5 units is ~100 screens wide at zoom 1, and doubles stay exact there.
inline constexpr double kBoardExtent = 100'000.0;
// Note and area sizes in board units.
inline constexpr double kMinNoteSide = 40.0;
inline constexpr double kMaxNoteSide = 1'000.0;
inline constexpr double kDefaultNoteSide = 160.0;
inline constexpr double kMinAreaSide = 100.0;
inline constexpr double kMaxAreaSide = 50'000.0;
// The largest dot budget a voting round may give each participant: beyond
// this, dot voting stops being a ranking and becomes a survey.
inline constexpr std::uint32_t kMaxDotsPerParticipant = 100;

}  // namespace werkstatt::board::limits
