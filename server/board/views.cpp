// What each viewer may see of the board and of each event, and what the
// record shows organisers.
#include <algorithm>

#include "werkstatt/board/board.hpp"

namespace werkstatt::board {
namespace {

std::string pseudonym(const v1::Participant& p) { return "Person " + std::to_string(p.pseudonym_number()); }

// The same seq, time and author, but an op that tells nothing.
v1::Event redacted(const v1::Event& e) {
  v1::Event r;
  r.set_seq(e.seq());
  r.set_server_time_ms(e.server_time_ms());
  r.set_author_id(e.author_id());
  r.mutable_op()->mutable_redacted();
  return r;
}

// The note an op is about, if it is about one.
std::string note_of(const v1::Op& op) {
  switch (op.kind_case()) {
    case v1::Op::kCreateNote: return op.create_note().id();
    case v1::Op::kUpdateNote: return op.update_note().id();
    case v1::Op::kMove: return op.move().target().kind() == v1::OBJECT_KIND_NOTE ? op.move().target().id() : "";
    case v1::Op::kDelete: return op.delete_().target().kind() == v1::OBJECT_KIND_NOTE ? op.delete_().target().id() : "";
    case v1::Op::kRestore: return op.restore().target().kind() == v1::OBJECT_KIND_NOTE ? op.restore().target().id() : "";
    default: return "";
  }
}

// The notes `shown` lets through as they are; of the others only a count per
// (author, area), deleted ones not at all (the view and the record alike).
template <class Notes, class Shown>
void put_notes(v1::BoardState& s, const Notes& notes, const Shown& shown) {
  s.clear_notes();
  std::map<std::pair<std::string, std::string>, std::uint32_t> hidden;  // (author, area) → count
  for (const auto& [id, n] : notes) {
    if (shown(n)) *s.add_notes() = n;
    else if (!n.deleted()) ++hidden[{n.author_id(), n.area_id()}];
  }
  for (const auto& [key, count] : hidden) {
    auto* h = s.add_hidden_notes();
    h->set_author_id(key.first);
    h->set_area_id(key.second);
    h->set_count(count);
  }
}

}  // namespace

const v1::Event& EventViews::for_viewer(std::string_view participant_id, v1::Role role) const& {
  if (uniform() || std::find(full_viewers.begin(), full_viewers.end(), participant_id) != full_viewers.end())
    return full;
  if (role == v1::ROLE_FACILITATOR) return for_facilitators ? *for_facilitators : full;
  return for_others ? *for_others : full;
}

bool Board::note_visible_to(std::string_view note_id, std::string_view viewer_id) const {
  const v1::Note* n = note(note_id);
  if (!n) return false;
  const v1::Participant* viewer = participant(viewer_id);
  return can_see(*n, viewer_id, viewer ? viewer->role() : v1::ROLE_OBSERVER);
}

std::string Board::visible_name(std::string_view participant_id, std::string_view viewer_id) const {
  const v1::Participant* p = participant(participant_id);
  if (!p) return {};
  const v1::Participant* viewer = participant(viewer_id);
  const bool sees_names = viewer && viewer->role() == v1::ROLE_FACILITATOR;
  if (settings_.pseudonymous() && !sees_names && participant_id != viewer_id) return pseudonym(*p);
  return p->display_name();
}

v1::BoardState Board::view_for(std::string_view viewer_id) const {
  const v1::Participant* viewer = participant(viewer_id);
  const v1::Role role = viewer ? viewer->role() : v1::ROLE_OBSERVER;
  v1::BoardState s = state();
  // Whether someone had an op accepted is server-side only: it would tell
  // who voted or wrote a private note.
  for (auto& p : *s.mutable_participants()) {
    p.clear_acted();
    p.clear_saw_open_round();
  }
  s.clear_pseudonyms_issued();

  put_notes(s, notes_, [&](const v1::Note& n) { return can_see(n, viewer_id, role); });

  // Nobody learns who voted for what: each viewer gets their own ballots,
  // and everyone alike the counts of the open round if it shows them live
  // (hidden counts: nobody, facilitators included, until the round closes).
  std::vector<v1::Ballot> own;
  for (const auto& b : s.ballots())
    if (b.voter_id() == viewer_id) own.push_back(b);
  s.clear_ballots();
  for (auto& b : own) *s.add_ballots() = std::move(b);
  if (const v1::VotingRound* round = open_round(); round && round->live_counts()) {
    for (auto& t : tallies_of(round->id())) *s.add_tallies() = std::move(t);
    s.set_open_round_voters(voters_of(round->id()));
  }

  if (role != v1::ROLE_FACILITATOR) s.clear_join_code();
  if (settings_.pseudonymous() && role != v1::ROLE_FACILITATOR)
    for (auto& p : *s.mutable_participants())
      if (p.id() != viewer_id) p.set_display_name(pseudonym(p));
  return s;
}

EventViews Board::views_of(const v1::Event& e) const {
  EventViews v;
  v.full = e;
  const v1::Op& op = e.op();

  if (const std::string note_id = note_of(op); !note_id.empty()) {
    const v1::Note* n = note(note_id);
    if (n && n->hidden()) {
      // An unrevealed note: its author (and whoever acted on it) see it;
      // the others learn only how many notes its author has per area.
      v.full_viewers.push_back(n->author_id());
      if (!e.author_id().empty() && e.author_id() != n->author_id()) v.full_viewers.push_back(e.author_id());
      v1::Event counts = redacted(e);
      counts.mutable_op()->mutable_redacted()->set_hidden_author_id(n->author_id());
      for (auto& h : hidden_counts(n->author_id())) *counts.mutable_op()->mutable_redacted()->add_hidden_notes() = std::move(h);
      if (n->hidden_from_facilitators()) v.for_facilitators = counts;
      v.for_others = std::move(counts);
    }
    return v;
  }

  if (op.has_cast_vote() || op.has_retract_vote()) {
    // A ballot: only the voter's own connections learn who cast it. Everyone
    // else (facilitators included) gets one and the same anonymous event:
    // no author, and the complete counts only when the round shows them live.
    // A hidden-count round tells nobody anything until it closes.
    v.full_viewers.push_back(e.author_id());
    v1::Event anonymous = redacted(e);
    anonymous.clear_author_id();
    const v1::VotingRound* round = open_round();
    if (round && round->live_counts()) {
      v1::Redacted& r = *anonymous.mutable_op()->mutable_redacted();
      r.set_tallies_replaced(true);
      for (auto& t : tallies_of(round->id())) *r.add_tallies() = std::move(t);
      r.set_voters(voters_of(round->id()));
    }
    v.for_facilitators = anonymous;
    v.for_others = std::move(anonymous);
    return v;
  }

  if (op.has_rotate_join_code()) {
    v.for_others = redacted(e);
    return v;
  }

  if (settings_.pseudonymous() && (op.has_participant_joined() || op.has_rename_participant())) {
    const std::string& id =
        op.has_participant_joined() ? op.participant_joined().participant().id() : op.rename_participant().participant_id();
    const v1::Participant* p = participant(id);
    if (!p) return v;
    v.full_viewers.push_back(id);
    v1::Event masked = e;
    if (masked.mutable_op()->has_participant_joined())
      masked.mutable_op()->mutable_participant_joined()->mutable_participant()->set_display_name(pseudonym(*p));
    else
      masked.mutable_op()->mutable_rename_participant()->set_display_name(pseudonym(*p));
    v.for_others = std::move(masked);
  }
  return v;
}

// ---------------------------------------------------------------- the record

bool RecordPolicy::is_private(std::string_view note_id) const {
  return std::binary_search(private_notes.begin(), private_notes.end(), note_id);
}

RecordPolicy Board::record_policy() const {
  RecordPolicy p;
  for (const auto& [id, n] : notes_)
    if (n.hidden() && n.hidden_from_facilitators()) p.private_notes.push_back(id);  // notes_ is sorted
  if (const v1::VotingRound* round = open_round(); round && !round->live_counts()) {
    p.withheld_round = round->id();
    p.withheld_after_seq = round->opened_seq();
  }
  return p;
}

v1::BoardState Board::record_view(const RecordPolicy& policy) const {
  v1::BoardState s = state();
  for (auto& p : *s.mutable_participants()) {  // server-side only
    p.clear_acted();
    p.clear_saw_open_round();
  }
  s.clear_pseudonyms_issued();
  put_notes(s, notes_, [&](const v1::Note& n) { return !policy.is_private(n.id()); });
  // Counts per round and note: the voter is never part of the record shown.
  std::map<std::pair<std::string, std::string>, std::uint32_t> counts;  // (round, note) → dots
  for (const auto& [key, dots] : ballots_) {
    const auto& [round_id, voter, note_id] = key;
    if (round_id == policy.withheld_round || policy.is_private(note_id)) continue;
    counts[{round_id, note_id}] += dots;
  }
  s.clear_ballots();
  for (const auto& [key, dots] : counts) {
    auto* b = s.add_ballots();
    b->set_round_id(key.first);
    b->set_note_id(key.second);
    b->set_dots(dots);
  }
  return s;
}

v1::Event Board::record_event(const v1::Event& e, const RecordPolicy& policy) {
  const v1::Op& op = e.op();
  if (op.has_cast_vote() || op.has_retract_vote()) {
    v1::Event anonymous = e;
    anonymous.clear_author_id();
    if (!policy.withheld_round.empty() && e.seq() > policy.withheld_after_seq) anonymous.mutable_op()->mutable_redacted();
    return anonymous;
  }
  if (const std::string note_id = note_of(op); !note_id.empty() && policy.is_private(note_id)) return redacted(e);
  return e;
}

}  // namespace werkstatt::board
