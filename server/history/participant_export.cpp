#include "werkstatt/history/participant_export.hpp"

#include <limits>
#include <map>
#include <set>

#include "werkstatt/history/replay.hpp"

namespace werkstatt::history {
namespace {

// The op's name as the protocol spells it ("create_note", …).
std::string op_name(const v1::Op& op) {
  if (op.kind_case() == v1::Op::KIND_NOT_SET) return "none";
  const auto* field = v1::Op::descriptor()->FindFieldByNumber(op.kind_case());
  return field ? std::string(field->name()) : "op " + std::to_string(op.kind_case());
}

bool is_ballot(const v1::Op& op) { return op.has_cast_vote() || op.has_retract_vote(); }

}  // namespace

journal::Status export_participant(const journal::Journal& journal, std::string_view workshop_id, std::string_view participant_id,
                          ExportScope scope, std::int64_t now_ms, v1::ParticipantExport* out) {
  const std::string id(workshop_id);
  const std::string pid(participant_id);
  v1::WorkshopMeta meta;
  if (journal::Status s = journal.workshop(id, &meta); !s.ok()) return s;
  journal::Status status;
  auto board = rebuild(journal, id, std::numeric_limits<std::uint64_t>::max(), &status);
  if (!board) return status;
  const v1::Participant* p = board->participant(pid);
  if (!p) return {journal::Status::Code::not_found, "workshop " + id + " has no participant " + pid};
  const bool facilitator_scope = scope == ExportScope::facilitator;
  const board::RecordPolicy policy = board->record_policy();

  out->Clear();
  out->set_workshop_id(id);
  out->set_workshop_title(board->settings().title());
  out->set_exported_ms(now_ms);
  out->set_scope(facilitator_scope ? "facilitator" : "operator");
  *out->mutable_participant() = *p;
  out->mutable_participant()->clear_acted();  // the server's bookkeeping, never shown (it tells who voted)

  // The notes they wrote, as they stand now (deleted ones too: they are stored).
  std::set<std::string> shown_notes;
  const v1::BoardState state = board->state();
  for (const v1::Note& n : state.notes()) {
    if (n.author_id() != pid) continue;
    if (facilitator_scope && policy.is_private(n.id())) {
      out->set_withheld_notes(out->withheld_notes() + 1);
      continue;
    }
    shown_notes.insert(n.id());
    *out->add_notes() = n;
  }
  if (!facilitator_scope)
    for (const v1::Ballot& b : state.ballots())
      if (b.voter_id() == pid) *out->add_ballots() = b;

  // One pass over the history: names, joins, leaves, note texts, authorship.
  std::map<std::string, v1::ParticipantExport::Authored> authored;
  std::string last_name;
  bool secret = false;
  std::vector<v1::EventRecord> page;
  std::uint64_t next = 1;
  for (;;) {
    page.clear();
    if (journal::Status s = journal.read_events(id, next, std::numeric_limits<std::uint64_t>::max(), kReplayPageSize, &page);
        !s.ok())
      return s;
    if (page.empty()) break;
    for (const v1::EventRecord& r : page) {
      next = r.seq() + 1;
      const v1::Op& op = r.op();
      const auto name_used = [&](const std::string& name) {
        if (name == last_name) return;
        last_name = name;
        auto* n = out->add_display_names();
        n->set_seq(r.seq());
        n->set_time_ms(r.time_ms());
        n->set_display_name(name);
      };
      if (op.has_participant_joined() && op.participant_joined().participant().id() == pid) {
        auto* m = out->add_joins();
        m->set_seq(r.seq());
        m->set_time_ms(r.time_ms());
        name_used(op.participant_joined().participant().display_name());
        if (!r.participant_secret_sha256().empty()) secret = true;
      } else if (op.has_participant_left() && op.participant_left().participant_id() == pid) {
        auto* m = out->add_leaves();
        m->set_seq(r.seq());
        m->set_time_ms(r.time_ms());
      } else if (op.has_rename_participant() && op.rename_participant().participant_id() == pid) {
        name_used(op.rename_participant().display_name());
      } else if (op.has_erase_participant() && op.erase_participant().participant_id() == pid) {
        name_used(op.erase_participant().display_name());
      }
      if (r.author_id() != pid) continue;
      if (facilitator_scope && is_ballot(op)) continue;  // who voted stays secret from organisers
      const auto note_text = [&](const std::string& note_id, const std::string& text) {
        if (!shown_notes.contains(note_id)) return;
        auto* t = out->add_note_texts();
        t->set_note_id(note_id);
        t->set_seq(r.seq());
        t->set_time_ms(r.time_ms());
        t->set_text(text);
      };
      if (op.has_create_note()) note_text(op.create_note().id(), op.create_note().text());
      if (op.has_update_note())
        for (const int field : op.update_note().mask())
          if (field == v1::NOTE_FIELD_TEXT) note_text(op.update_note().id(), op.update_note().text());
      auto& a = authored[op_name(op)];
      if (a.count() == 0) {
        a.set_op(op_name(op));
        a.set_first_ms(r.time_ms());
      }
      a.set_count(a.count() + 1);
      a.set_last_ms(r.time_ms());
    }
  }
  // Whether the identity can still be resumed with a secret (never the digest).
  out->set_resume_secret_stored(secret);
  for (auto& [name, a] : authored) *out->add_events() = std::move(a);
  return {};
}

}  // namespace werkstatt::history
