#pragma once
// Workshop templates: the ops that set up a new board, applied by the system
// author right after creation (so a template is journaled like any edit).
#include <string_view>
#include <vector>

#include "werkstatt/v1/board.pb.h"

namespace werkstatt::board {

inline constexpr std::string_view kImpulsWerkstattTemplate = "impuls-werkstatt";
inline constexpr std::string_view kBlankTemplate = "blank";

// True if `id` names a known template.
[[nodiscard]] bool known_template(std::string_view id);

// The setup ops of template `id` with titles in `language` ("de" or "en";
// anything else falls back to "de"). REQUIRES: known_template(id).
[[nodiscard]] std::vector<v1::Op> template_ops(std::string_view id, std::string_view language, std::string_view title);

// The setup ops that give a new workshop the structure of `source` (a state
// as the record shows it, Board::record_view): its settings (language,
// pseudonymity), live areas with their titles, places and locks, and its
// agenda (phase names, kinds, durations, permissions, instructions; not the
// phase notes, not where it stood), under `title` (empty: the source's).
// With `with_notes` also its live, revealed notes and clusters (ids, texts,
// colours, places; no dots, no authors: the next date starts from the
// results, not from the people). Never a note still private to its author:
// the record holds none.
[[nodiscard]] std::vector<v1::Op> copy_ops(const v1::BoardState& source, std::string_view title, bool with_notes);

}  // namespace werkstatt::board
