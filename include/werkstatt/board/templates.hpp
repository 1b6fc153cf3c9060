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

}  // namespace werkstatt::board
