#include "werkstatt/journal/scrub.hpp"

namespace werkstatt::journal {

std::string erased_participant_name(std::string_view language, std::uint32_t pseudonym_number) {
  return (language == "en" ? "Erased person " : "Gelöschte Person ") + std::to_string(pseudonym_number);
}

bool scrub_participant(v1::EventRecord& r, std::string_view participant_id, std::string_view display_name) {
  v1::Op& op = *r.mutable_op();
  bool changed = false;
  if (op.has_participant_joined() && op.participant_joined().participant().id() == participant_id) {
    v1::Participant& p = *op.mutable_participant_joined()->mutable_participant();
    if (p.display_name() != display_name) {
      p.set_display_name(std::string(display_name));
      changed = true;
    }
    if (!r.participant_secret_sha256().empty()) {
      r.clear_participant_secret_sha256();
      changed = true;
    }
  }
  if (op.has_rename_participant() && op.rename_participant().participant_id() == participant_id &&
      op.rename_participant().display_name() != display_name) {
    op.mutable_rename_participant()->set_display_name(std::string(display_name));
    changed = true;
  }
  return changed;
}

bool scrub_participant(v1::Snapshot& snapshot, std::string_view participant_id, std::string_view display_name) {
  bool changed = false;
  for (v1::Participant& p : *snapshot.mutable_state()->mutable_participants()) {
    if (p.id() != participant_id || p.display_name() == display_name) continue;
    p.set_display_name(std::string(display_name));
    changed = true;
  }
  return changed;
}

}  // namespace werkstatt::journal
