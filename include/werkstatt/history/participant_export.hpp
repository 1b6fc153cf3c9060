#pragma once
// One person's data in one workshop, for access requests (DSGVO Art. 15):
// what the journal holds about an identity — its names over time, role,
// joins and leaves, the notes it wrote with every text they had, its
// ballots, and per kind of op how many events it authored and when.
//
// Two scopes, because a facilitator must not learn from an export what the
// record withholds from organisers everywhere else (README, "What the record
// shows"):
// - operator (the CLI on the server, or the admin token): everything stored,
//   the person's own ballots and notes still private to them included;
// - facilitator (the workshop's facilitator token): what the record shows
//   organisers — no ballot and no vote event, notes still private to the
//   person left out and only counted (withheld_notes).
// A resume secret is never exported, only whether a digest is stored.
//
// Reads the journal synchronously (a rebuild at the head plus one pass over
// the events): never on an I/O thread or a workshop strand.
// Thread safety: pure functions over a journal::Journal (whose reads are thread-safe).
#include <cstdint>
#include <string>
#include <string_view>

#include "werkstatt/journal/journal.hpp"

namespace werkstatt::history {

enum class ExportScope { operator_record, facilitator };

// not_found if the workshop or the participant is unknown; corruption if
// the history cannot be read (never a partial export).
[[nodiscard]] journal::Status export_participant(const journal::Journal& journal, std::string_view workshop_id,
                                        std::string_view participant_id, ExportScope scope, std::int64_t now_ms,
                                        v1::ParticipantExport* out);

// As JSON: history::to_download_json(data) (exports.hpp), as every JSON download.

}  // namespace werkstatt::history
