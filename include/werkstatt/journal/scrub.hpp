#pragma once
// The rewrite behind Journal::erase_participant (DSGVO Art. 17), shared by
// the journals: a person's name replaced by their erased pseudonym and their
// resume secret's digest dropped, in every stored record that holds them.
// Pure functions over stored records; thread safety: none needed.

#include <cstdint>
#include <string>
#include <string_view>

#include "werkstatt/v1/journal.pb.h"

namespace werkstatt::journal {

// The pseudonym an erased person is shown under: "Gelöschte Person N" /
// "Erased person N" in the workshop's language (N: their pseudonym number).
[[nodiscard]] std::string erased_participant_name(std::string_view language, std::uint32_t pseudonym_number);

// The rewrite of Journal::erase_participant, for the journals: puts
// `display_name` in place of the person's name and drops their secret
// digest. True if the record changed.
bool scrub_participant(v1::EventRecord& record, std::string_view participant_id, std::string_view display_name);
bool scrub_participant(v1::Snapshot& snapshot, std::string_view participant_id, std::string_view display_name);

}  // namespace werkstatt::journal
