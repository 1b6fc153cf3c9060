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
// Thread safety: pure functions over a Journal (whose reads are thread-safe).
#include <cstdint>
#include <string>
#include <string_view>

#include "werkstatt/journal/journal.hpp"

namespace werkstatt::journal {

enum class ExportScope { operator_record, facilitator };

// not_found if the workshop or the participant is unknown; corruption if
// the history cannot be read (never a partial export).
[[nodiscard]] Status export_participant(const Journal& journal, std::string_view workshop_id,
                                        std::string_view participant_id, ExportScope scope, std::int64_t now_ms,
                                        v1::ParticipantExport* out);

// The pseudonym an erased person is shown under: "Gelöschte Person N" /
// "Erased person N" in the workshop's language (N: their pseudonym number).
[[nodiscard]] std::string erased_participant_name(std::string_view language, std::uint32_t pseudonym_number);

// The rewrite of Journal::erase_participant, for the journals: puts
// `display_name` in place of the person's name and drops their secret
// digest. True if the record changed.
bool scrub_participant(v1::EventRecord& record, std::string_view participant_id, std::string_view display_name);
bool scrub_participant(v1::Snapshot& snapshot, std::string_view participant_id, std::string_view display_name);

// The export as indented JSON (proto field names, defaults printed).
[[nodiscard]] std::string participant_export_json(const v1::ParticipantExport& data);

}  // namespace werkstatt::journal
