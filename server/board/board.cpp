#include "werkstatt/board/board.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "werkstatt/board/limits.hpp"
#include "werkstatt/board/text.hpp"
#include "rejections.hpp"

namespace werkstatt::board {
namespace {

using Outcome = std::optional<Rejection>;
using detail::check_string;
using detail::reject;

Outcome check_id(const std::string& id, const char* what) {
  if (valid_id(id)) return std::nullopt;
  return reject(v1::REJECT_CODE_INVALID_ID,
                std::string(what) + " id must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'");
}

bool on_board(double v) { return std::isfinite(v) && v >= -limits::kBoardExtent && v <= limits::kBoardExtent; }

Outcome check_point(const v1::Point& p, const char* what) {
  if (on_board(p.x()) && on_board(p.y())) return std::nullopt;
  return reject(v1::REJECT_CODE_INVALID_FIELD, std::string(what) + " must be finite and inside the board");
}

Outcome check_note_size(const v1::Size& s) {
  const auto ok = [](double v) { return std::isfinite(v) && v >= limits::kMinNoteSide && v <= limits::kMaxNoteSide; };
  if (ok(s.width()) && ok(s.height())) return std::nullopt;
  return reject(v1::REJECT_CODE_INVALID_FIELD, "note size must be between 40 and 1000 units");
}

Outcome check_rect(const v1::Rect& r) {
  const auto side_ok = [](double v) { return std::isfinite(v) && v >= limits::kMinAreaSide && v <= limits::kMaxAreaSide; };
  if (on_board(r.x()) && on_board(r.y()) && side_ok(r.width()) && side_ok(r.height()) &&
      on_board(r.x() + r.width()) && on_board(r.y() + r.height()))
    return std::nullopt;
  return reject(v1::REJECT_CODE_INVALID_FIELD, "area rectangle must lie inside the board with sides of 100 to 50000 units");
}

// Unspecified means the default colour; values outside the palette are errors
// (proto3 enums are open, so a client can send any number).
Outcome normalise_color(v1::Color& c) {
  if (!v1::Color_IsValid(c)) return reject(v1::REJECT_CODE_INVALID_FIELD, "colour is not in the palette");
  if (c == v1::COLOR_UNSPECIFIED) c = v1::COLOR_YELLOW;
  return std::nullopt;
}

// Sorts and de-duplicates a field mask; rejects empty masks and unknown fields.
template <typename Field, typename IsValid>
Outcome normalise_mask(google::protobuf::RepeatedField<int>* mask, IsValid is_valid) {
  std::set<int> fields(mask->begin(), mask->end());
  if (fields.empty()) return reject(v1::REJECT_CODE_INVALID_FIELD, "the update names no field (empty mask)");
  for (const int f : fields) {
    if (f == 0 || !is_valid(f)) return reject(v1::REJECT_CODE_INVALID_FIELD, "the update names an unknown field");
  }
  mask->Clear();
  for (const int f : fields) mask->Add(f);
  return std::nullopt;
}

template <typename Mask>
bool masked(const Mask& mask, int field) {
  return std::find(mask.begin(), mask.end(), field) != mask.end();
}

template <typename Map>
const typename Map::mapped_type* find_in(const Map& m, std::string_view id) {
  const auto it = m.find(id);
  return it == m.end() ? nullptr : &it->second;
}

}  // namespace

Board::Board() { settings_.set_language("de"); }

// ---------------------------------------------------------------- queries

const v1::Note* Board::note(std::string_view id) const { return find_in(notes_, id); }
const v1::Area* Board::area(std::string_view id) const { return find_in(areas_, id); }
const v1::Cluster* Board::cluster(std::string_view id) const { return find_in(clusters_, id); }
const v1::Participant* Board::participant(std::string_view id) const { return find_in(participants_, id); }

std::uint32_t Board::dots_of(std::string_view voter_id) const {
  const v1::VotingRound* round = open_round();
  if (!round) return 0;
  std::uint32_t total = 0;
  for (auto it = ballots_.lower_bound(BallotKey(round->id(), voter_id, ""));
       it != ballots_.end() && std::get<0>(it->first) == round->id() && std::get<1>(it->first) == voter_id; ++it)
    total += it->second;
  return total;
}

std::uint32_t Board::dots_on(std::string_view note_id) const {
  const v1::VotingRound* round = open_round();
  std::uint32_t total = 0;
  for (const auto& [key, dots] : ballots_)
    if (round && std::get<0>(key) == round->id() && std::get<2>(key) == note_id) total += dots;
  return total;
}

const v1::Phase* Board::current_phase() const {
  for (const auto& p : agenda_.phases())
    if (p.id() == agenda_.current_phase_id()) return &p;
  return nullptr;
}

const v1::VotingRound* Board::open_round() const {
  for (const auto& r : rounds_)
    if (r.open()) return &r;
  return nullptr;
}

bool Board::private_phase() const {
  const v1::Phase* p = current_phase();
  return p && p->private_collection();
}

v1::BoardState Board::state() const {
  v1::BoardState s;
  s.set_seq(seq_);
  *s.mutable_settings() = settings_;
  for (const auto& [id, a] : areas_) *s.add_areas() = a;
  for (const auto& [id, n] : notes_) *s.add_notes() = n;
  for (const auto& [id, c] : clusters_) *s.add_clusters() = c;
  for (const auto& [key, dots] : ballots_) {
    auto* b = s.add_ballots();
    b->set_round_id(std::get<0>(key));
    b->set_voter_id(std::get<1>(key));
    b->set_note_id(std::get<2>(key));
    b->set_dots(dots);
  }
  for (const auto& [id, p] : participants_) *s.add_participants() = p;
  s.set_pseudonyms_issued(pseudonyms_issued_);
  *s.mutable_agenda() = agenda_;
  *s.mutable_timer() = timer_;
  for (const auto& r : rounds_) *s.add_rounds() = r;
  for (const auto& h : raised_hands_) s.add_raised_hands(h);
  s.set_closed(closed_);
  *s.mutable_follow_me() = follow_me_;
  s.set_join_code(join_code_);
  return s;
}

std::string Board::serialize() const {
  const v1::BoardState s = state();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    s.SerializeToCodedStream(&out);
  }
  return bytes;
}

// ---------------------------------------------------------------- restore / replay

std::optional<Board> Board::restore(const v1::BoardState& state, std::string* error) {
  Board b;
  b.seq_ = state.seq();
  b.settings_ = state.settings();
  const auto fail = [&](std::string why) -> std::optional<Board> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  for (const auto& a : state.areas())
    if (!b.areas_.emplace(a.id(), a).second) return fail("duplicate area id " + a.id());
  for (const auto& n : state.notes())
    if (!b.notes_.emplace(n.id(), n).second) return fail("duplicate note id " + n.id());
  for (const auto& c : state.clusters())
    if (!b.clusters_.emplace(c.id(), c).second) return fail("duplicate cluster id " + c.id());
  for (const auto& p : state.participants())
    if (!b.participants_.emplace(p.id(), p).second) return fail("duplicate participant id " + p.id());
  // Snapshots from before the counter numbered every identity ever made, so
  // the highest number is the count handed out.
  b.pseudonyms_issued_ = state.pseudonyms_issued();
  for (const auto& p : state.participants()) b.pseudonyms_issued_ = std::max(b.pseudonyms_issued_, p.pseudonym_number());
  for (const auto& ballot : state.ballots())
    if (!b.ballots_.emplace(BallotKey(ballot.round_id(), ballot.voter_id(), ballot.note_id()), ballot.dots()).second)
      return fail("duplicate ballot of " + ballot.voter_id() + " on " + ballot.note_id());
  b.agenda_ = state.agenda();
  b.timer_ = state.timer();
  b.rounds_.assign(state.rounds().begin(), state.rounds().end());
  b.raised_hands_.assign(state.raised_hands().begin(), state.raised_hands().end());
  b.closed_ = state.closed();
  b.follow_me_ = state.follow_me();
  b.join_code_ = state.join_code();
  if (auto broken = b.check_invariants()) return fail(*broken);
  return b;
}

std::optional<Rejection> Board::replay(const v1::Event& event) {
  if (event.seq() != seq_ + 1)
    return reject(v1::REJECT_CODE_INVALID_FIELD,
                  "event seq " + std::to_string(event.seq()) + " does not follow " + std::to_string(seq_));
  ApplyResult r = apply(event.op(), event.author_id(), event.server_time_ms());
  if (!r.ok()) return r.rejection();
  return std::nullopt;
}

// ---------------------------------------------------------------- apply

ApplyResult Board::apply(const v1::Op& op_in, std::string_view author_id, std::int64_t time_ms) {
  Author author;
  if (author_id == kSystemAuthor) {
    author.role = v1::ROLE_SYSTEM;
  } else {
    const v1::Participant* p = participant(author_id);
    if (!p) return ApplyResult(reject(v1::REJECT_CODE_NOT_PERMITTED, "the author has not joined this workshop"));
    if (p->removed()) return ApplyResult(reject(v1::REJECT_CODE_REMOVED, "you were removed from this workshop"));
    author.id = p->id();
    author.role = p->role();
  }
  // Erasing a person (DSGVO Art. 17) must work in a closed workshop too.
  const bool membership =
      op_in.has_participant_joined() || op_in.has_participant_left() || op_in.has_erase_participant();
  if (closed_ && !membership)
    return ApplyResult(reject(v1::REJECT_CODE_WORKSHOP_CLOSED, "the workshop is closed; replay and export stay available"));

  // Work on a copy: the handlers normalise it into the op that is journaled.
  v1::Op op = op_in;
  op.DiscardUnknownFields();
  Outcome outcome;
  switch (op.kind_case()) {
    case v1::Op::kCreateNote: outcome = apply_create_note(*op.mutable_create_note(), author); break;
    case v1::Op::kUpdateNote: outcome = apply_update_note(*op.mutable_update_note(), author); break;
    case v1::Op::kCreateArea: outcome = apply_create_area(*op.mutable_create_area(), author); break;
    case v1::Op::kUpdateArea: outcome = apply_update_area(*op.mutable_update_area(), author); break;
    case v1::Op::kCreateCluster: outcome = apply_create_cluster(*op.mutable_create_cluster(), author); break;
    case v1::Op::kUpdateCluster: outcome = apply_update_cluster(*op.mutable_update_cluster(), author); break;
    case v1::Op::kMove: outcome = apply_move(*op.mutable_move(), author); break;
    case v1::Op::kDelete: outcome = apply_delete(op.delete_(), author); break;
    case v1::Op::kRestore: outcome = apply_restore(op.restore(), author); break;
    case v1::Op::kAddToCluster: outcome = apply_add_to_cluster(op.add_to_cluster(), author); break;
    case v1::Op::kRemoveFromCluster: outcome = apply_remove_from_cluster(op.remove_from_cluster(), author); break;
    case v1::Op::kMergeNotes: outcome = apply_merge_notes(*op.mutable_merge_notes(), author); break;
    case v1::Op::kCastVote: outcome = apply_cast_vote(op.cast_vote(), author); break;
    case v1::Op::kRetractVote: outcome = apply_retract_vote(op.retract_vote(), author); break;
    case v1::Op::kUpdateSettings: outcome = apply_update_settings(*op.mutable_update_settings(), author); break;
    case v1::Op::kParticipantJoined: outcome = apply_participant_joined(*op.mutable_participant_joined(), author); break;
    case v1::Op::kParticipantLeft: outcome = apply_participant_left(op.participant_left(), author); break;
    case v1::Op::kForgetParticipants: outcome = apply_forget_participants(*op.mutable_forget_participants(), author); break;
    case v1::Op::kSetAgenda: outcome = apply_set_agenda(*op.mutable_set_agenda(), author); break;
    case v1::Op::kSetPhaseNotes: outcome = apply_set_phase_notes(op.set_phase_notes(), author); break;
    case v1::Op::kGoToPhase: outcome = apply_go_to_phase(op.go_to_phase(), author, time_ms); break;
    case v1::Op::kReveal: outcome = apply_reveal(*op.mutable_reveal(), author); break;
    case v1::Op::kTimer: outcome = apply_timer(*op.mutable_timer(), author, time_ms); break;
    case v1::Op::kOpenVotingRound: outcome = apply_open_voting_round(*op.mutable_open_voting_round(), author); break;
    case v1::Op::kCloseVotingRound: outcome = apply_close_voting_round(*op.mutable_close_voting_round(), author); break;
    case v1::Op::kSetRole: outcome = apply_set_role(op.set_role(), author); break;
    case v1::Op::kRenameParticipant: outcome = apply_rename_participant(op.rename_participant(), author); break;
    case v1::Op::kRemoveParticipant: outcome = apply_remove_participant(op.remove_participant(), author); break;
    case v1::Op::kEraseParticipant: outcome = apply_erase_participant(op.erase_participant(), author); break;
    case v1::Op::kRotateJoinCode: outcome = apply_rotate_join_code(op.rotate_join_code(), author); break;
    case v1::Op::kSetFollowMe: outcome = apply_set_follow_me(op.set_follow_me(), author); break;
    case v1::Op::kBringEveryoneHere: outcome = apply_bring_everyone_here(op.bring_everyone_here(), author); break;
    case v1::Op::kRaiseHand: outcome = apply_raise_hand(author); break;
    case v1::Op::kLowerHand: outcome = apply_lower_hand(op.lower_hand(), author); break;
    case v1::Op::kCloseWorkshop: outcome = apply_close_workshop(author); break;
    case v1::Op::kRedacted: outcome = reject(v1::REJECT_CODE_NOT_PERMITTED, "redacted ops are sent by the server only"); break;
    case v1::Op::KIND_NOT_SET: outcome = reject(v1::REJECT_CODE_EMPTY_OP, "the message carries no op"); break;
  }
  if (outcome) return ApplyResult(std::move(*outcome));

  // An identity whose op was accepted holds its place for good (its notes,
  // ballots and op ids refer to it); replay sets this from the same events.
  if (author.role != v1::ROLE_SYSTEM)
    if (const auto p = participants_.find(author.id); p != participants_.end() && !p->second.acted())
      p->second.set_acted(true);

  ++seq_;
  v1::Event event;
  event.set_seq(seq_);
  event.set_server_time_ms(time_ms);
  event.set_author_id(author.id);
  *event.mutable_op() = std::move(op);
  return ApplyResult(std::move(event));
}

PermissionContext Board::context_of(const Author& a) const {
  PermissionContext ctx;
  ctx.role = a.role;
  ctx.board_locked = settings_.locked();
  // Before the agenda starts the board is open; then the current phase decides.
  const v1::Phase* phase = current_phase();
  ctx.granted = phase ? from_proto(phase->permissions()) : kOpenBoardPermissions;
  return ctx;
}

Outcome Board::check_area_ref(const std::string& area_id) const {
  if (area_id.empty()) return std::nullopt;
  const v1::Area* a = area(area_id);
  if (!a) return reject(v1::REJECT_CODE_UNKNOWN_OBJECT, "no area with id " + area_id);
  if (a->deleted()) return reject(v1::REJECT_CODE_OBJECT_DELETED, "area " + area_id + " is deleted");
  return std::nullopt;
}

Outcome Board::check_note_permission(const Author& a, const v1::Note& n, Permission own, Permission others) const {
  return check(context_of(a), n.author_id() == a.id ? own : others);
}

namespace {
// Whether `obj` (named `id`, of `kind`) exists and is in the wanted state.
template <typename T>
Outcome in_state(T* obj, const char* kind, const std::string& id, bool want_deleted, T** out) {
  if (!obj) return reject(v1::REJECT_CODE_UNKNOWN_OBJECT, std::string("no ") + kind + " with id " + id);
  if (obj->deleted() && !want_deleted) return reject(v1::REJECT_CODE_OBJECT_DELETED, std::string(kind) + " " + id + " is deleted");
  if (!obj->deleted() && want_deleted) return reject(v1::REJECT_CODE_NOT_DELETED, std::string(kind) + " " + id + " is not deleted");
  *out = obj;
  return std::nullopt;
}
}  // namespace

Outcome Board::find_note(const std::string& id, const Author& a, Want want, v1::Note** out) {
  return in_state(visible_note(id, a), "note", id, want == Want::deleted, out);
}

Outcome Board::find_area(const std::string& id, Want want, v1::Area** out) {
  const auto it = areas_.find(id);
  return in_state(it == areas_.end() ? nullptr : &it->second, "area", id, want == Want::deleted, out);
}

Outcome Board::find_cluster(const std::string& id, Want want, v1::Cluster** out) {
  const auto it = clusters_.find(id);
  return in_state(it == clusters_.end() ? nullptr : &it->second, "cluster", id, want == Want::deleted, out);
}

// Ids are unique across kinds, so an id alone names one object in logs and URLs.
bool Board::id_taken(std::string_view id) const {
  return notes_.contains(id) || areas_.contains(id) || clusters_.contains(id);
}

Outcome Board::apply_create_note(v1::CreateNote& op, const Author& a) {
  if (auto r = check(context_of(a), Permission::create_notes)) return r;
  if (auto r = check_id(op.id(), "note")) return r;
  if (id_taken(op.id())) return reject(v1::REJECT_CODE_DUPLICATE_ID, "id " + op.id() + " is already in use");
  if (notes_.size() >= limits::kMaxNotes)
    return reject(v1::REJECT_CODE_LIMIT_REACHED, "this board has reached its limit of " + std::to_string(limits::kMaxNotes) + " notes");
  if (auto r = check_string(op.text(), limits::kMaxNoteTextChars, true, "note text")) return r;
  v1::Color color = op.color();
  if (auto r = normalise_color(color)) return r;
  op.set_color(color);
  if (auto r = check_point(op.position(), "note position")) return r;
  if (!op.has_size()) {
    op.mutable_size()->set_width(limits::kDefaultNoteSide);
    op.mutable_size()->set_height(limits::kDefaultNoteSide);
  }
  if (auto r = check_note_size(op.size())) return r;
  if (auto r = check_area_ref(op.area_id())) return r;
  if (auto r = check_area_unlocked(a, op.area_id())) return r;

  v1::Note n;
  // Participants' notes in a private collect phase stay with their author.
  if (private_phase() && a.role == v1::ROLE_PARTICIPANT) {
    n.set_hidden(true);
    n.set_hidden_from_facilitators(!current_phase()->facilitators_see_private());
  }
  n.set_id(op.id());
  n.set_text(op.text());
  n.set_color(op.color());
  *n.mutable_position() = op.position();
  *n.mutable_size() = op.size();
  n.set_area_id(op.area_id());
  n.set_author_id(a.id);
  n.set_created_seq(next_seq());
  n.set_updated_seq(next_seq());
  notes_.emplace(n.id(), std::move(n));
  return std::nullopt;
}

Outcome Board::apply_update_note(v1::UpdateNote& op, const Author& a) {
  v1::Note* found = nullptr;
  if (auto r = find_note(op.id(), a, Want::live, &found)) return r;
  v1::Note& n = *found;
  if (auto r = check_note_permission(a, n, Permission::edit_own_notes, Permission::edit_others_notes)) return r;
  if (auto r = check_area_unlocked(a, n.area_id())) return r;
  if (auto r = normalise_mask<v1::NoteField>(op.mutable_mask(), v1::NoteField_IsValid)) return r;

  const bool text = masked(op.mask(), v1::NOTE_FIELD_TEXT);
  const bool color = masked(op.mask(), v1::NOTE_FIELD_COLOR);
  const bool size = masked(op.mask(), v1::NOTE_FIELD_SIZE);
  if (text) {
    if (auto r = check_string(op.text(), limits::kMaxNoteTextChars, true, "note text")) return r;
  } else {
    op.clear_text();
  }
  if (color) {
    v1::Color c = op.color();
    if (auto r = normalise_color(c)) return r;
    op.set_color(c);
  } else {
    op.clear_color();
  }
  if (size) {
    if (auto r = check_note_size(op.size())) return r;
  } else {
    op.clear_size();
  }

  if (text) n.set_text(op.text());
  if (color) n.set_color(op.color());
  if (size) *n.mutable_size() = op.size();
  n.set_updated_seq(next_seq());
  return std::nullopt;
}

Outcome Board::apply_create_area(v1::CreateArea& op, const Author& a) {
  if (auto r = check(context_of(a), FacilitatorAction::manage_areas)) return r;
  if (auto r = check_id(op.id(), "area")) return r;
  if (id_taken(op.id())) return reject(v1::REJECT_CODE_DUPLICATE_ID, "id " + op.id() + " is already in use");
  if (areas_.size() >= limits::kMaxAreas)
    return reject(v1::REJECT_CODE_LIMIT_REACHED, "this board has reached its limit of " + std::to_string(limits::kMaxAreas) + " areas");
  if (auto r = check_string(op.title(), limits::kMaxTitleChars, false, "area title")) return r;
  if (auto r = check_rect(op.rect())) return r;
  v1::Color color = op.color();
  if (auto r = normalise_color(color)) return r;
  op.set_color(color);

  v1::Area area;
  area.set_id(op.id());
  area.set_title(op.title());
  *area.mutable_rect() = op.rect();
  area.set_color(op.color());
  area.set_created_seq(next_seq());
  area.set_updated_seq(next_seq());
  areas_.emplace(area.id(), std::move(area));
  return std::nullopt;
}

Outcome Board::apply_update_area(v1::UpdateArea& op, const Author& a) {
  if (auto r = check(context_of(a), FacilitatorAction::manage_areas)) return r;
  v1::Area* obj = nullptr;
  if (auto r = find_area(op.id(), Want::live, &obj)) return r;
  v1::Area& area = *obj;
  if (auto r = normalise_mask<v1::AreaField>(op.mutable_mask(), v1::AreaField_IsValid)) return r;

  const bool title = masked(op.mask(), v1::AREA_FIELD_TITLE);
  const bool rect = masked(op.mask(), v1::AREA_FIELD_RECT);
  const bool color = masked(op.mask(), v1::AREA_FIELD_COLOR);
  const bool locked = masked(op.mask(), v1::AREA_FIELD_LOCKED);
  if (!locked) op.clear_locked();
  if (title) {
    if (auto r = check_string(op.title(), limits::kMaxTitleChars, false, "area title")) return r;
  } else {
    op.clear_title();
  }
  if (rect) {
    if (auto r = check_rect(op.rect())) return r;
  } else {
    op.clear_rect();
  }
  if (color) {
    v1::Color c = op.color();
    if (auto r = normalise_color(c)) return r;
    op.set_color(c);
  } else {
    op.clear_color();
  }

  if (title) area.set_title(op.title());
  if (rect) *area.mutable_rect() = op.rect();
  if (color) area.set_color(op.color());
  if (locked) area.set_locked(op.locked());
  area.set_updated_seq(next_seq());
  return std::nullopt;
}

Outcome Board::apply_create_cluster(v1::CreateCluster& op, const Author& a) {
  if (auto r = check(context_of(a), Permission::cluster)) return r;
  if (auto r = check_id(op.id(), "cluster")) return r;
  if (id_taken(op.id())) return reject(v1::REJECT_CODE_DUPLICATE_ID, "id " + op.id() + " is already in use");
  if (clusters_.size() >= limits::kMaxClusters)
    return reject(v1::REJECT_CODE_LIMIT_REACHED, "this board has reached its limit of " + std::to_string(limits::kMaxClusters) + " clusters");
  if (auto r = check_string(op.title(), limits::kMaxTitleChars, false, "cluster title")) return r;
  if (auto r = check_point(op.position(), "cluster position")) return r;
  if (auto r = check_area_ref(op.area_id())) return r;
  std::set<std::string_view> members;
  if (auto r = check_area_unlocked(a, op.area_id())) return r;
  for (const auto& note_id : op.note_ids()) {
    v1::Note* n = nullptr;
    if (auto r = find_note(note_id, a, Want::live, &n)) return r;
    if (n->hidden()) return reject(v1::REJECT_CODE_INVALID_FIELD, "note " + note_id + " is not revealed yet");
    if (auto r = check_area_unlocked(a, n->area_id())) return r;
    if (!members.insert(note_id).second) return reject(v1::REJECT_CODE_INVALID_FIELD, "note " + note_id + " is listed twice");
  }

  v1::Cluster c;
  c.set_id(op.id());
  c.set_title(op.title());
  *c.mutable_position() = op.position();
  c.set_area_id(op.area_id());
  c.set_created_seq(next_seq());
  c.set_updated_seq(next_seq());
  clusters_.emplace(c.id(), std::move(c));
  for (const auto& note_id : op.note_ids()) {
    v1::Note& n = notes_.find(note_id)->second;
    n.set_cluster_id(op.id());
    n.set_updated_seq(next_seq());
  }
  return std::nullopt;
}

Outcome Board::apply_update_cluster(v1::UpdateCluster& op, const Author& a) {
  if (auto r = check(context_of(a), Permission::cluster)) return r;
  v1::Cluster* obj = nullptr;
  if (auto r = find_cluster(op.id(), Want::live, &obj)) return r;
  v1::Cluster& c = *obj;
  if (auto r = normalise_mask<v1::ClusterField>(op.mutable_mask(), v1::ClusterField_IsValid)) return r;
  // TITLE is the only field; normalise_mask guarantees the mask names it.
  if (auto r = check_string(op.title(), limits::kMaxTitleChars, false, "cluster title")) return r;
  c.set_title(op.title());
  c.set_updated_seq(next_seq());
  return std::nullopt;
}

Outcome Board::apply_move(v1::Move& op, const Author& a) {
  const std::string& id = op.target().id();
  if (auto r = check_point(op.position(), "position")) return r;
  switch (op.target().kind()) {
    case v1::OBJECT_KIND_NOTE: {
      v1::Note* n = nullptr;
      if (auto r = find_note(id, a, Want::live, &n)) return r;
      if (auto r = check(context_of(a), Permission::move_notes)) return r;
      if (auto r = check_area_unlocked(a, n->area_id())) return r;
      if (op.has_area_id()) {
        if (auto r = check_area_ref(op.area_id())) return r;
        if (auto r = check_area_unlocked(a, op.area_id())) return r;
        n->set_area_id(op.area_id());
      }
      *n->mutable_position() = op.position();
      n->set_updated_seq(next_seq());
      return std::nullopt;
    }
    case v1::OBJECT_KIND_AREA: {
      v1::Area* obj = nullptr;
      if (auto r = find_area(id, Want::live, &obj)) return r;
      if (auto r = check(context_of(a), FacilitatorAction::manage_areas)) return r;
      if (op.has_area_id()) return reject(v1::REJECT_CODE_INVALID_FIELD, "an area cannot be moved into an area");
      v1::Rect moved = obj->rect();
      moved.set_x(op.position().x());
      moved.set_y(op.position().y());
      if (auto r = check_rect(moved)) return r;
      *obj->mutable_rect() = moved;
      obj->set_updated_seq(next_seq());
      return std::nullopt;
    }
    case v1::OBJECT_KIND_CLUSTER: {
      v1::Cluster* obj = nullptr;
      if (auto r = find_cluster(id, Want::live, &obj)) return r;
      if (auto r = check(context_of(a), Permission::move_notes)) return r;
      if (auto r = check_area_unlocked(a, obj->area_id())) return r;
      if (op.has_area_id()) {
        if (auto r = check_area_ref(op.area_id())) return r;
        if (auto r = check_area_unlocked(a, op.area_id())) return r;
        obj->set_area_id(op.area_id());
      }
      *obj->mutable_position() = op.position();
      obj->set_updated_seq(next_seq());
      return std::nullopt;
    }
    default: return reject(v1::REJECT_CODE_INVALID_FIELD, "move needs a target kind (note, area or cluster)");
  }
}

Outcome Board::apply_delete(const v1::Delete& op, const Author& a) {
  const std::string& id = op.target().id();
  switch (op.target().kind()) {
    case v1::OBJECT_KIND_NOTE: {
      v1::Note* n = nullptr;
      if (auto r = find_note(id, a, Want::live, &n)) return r;
      if (auto r = check_note_permission(a, *n, Permission::delete_own_notes, Permission::delete_others_notes)) return r;
      if (auto r = check_area_unlocked(a, n->area_id())) return r;
      n->set_deleted(true);
      n->set_updated_seq(next_seq());
      drop_open_round_ballots_on(id);
      return std::nullopt;
    }
    case v1::OBJECT_KIND_AREA: {
      v1::Area* obj = nullptr;
      if (auto r = find_area(id, Want::live, &obj)) return r;
      if (auto r = check(context_of(a), FacilitatorAction::manage_areas)) return r;
      // Notes keep their area id, so restoring the area brings its notes back into it.
      obj->set_deleted(true);
      obj->set_updated_seq(next_seq());
      return std::nullopt;
    }
    case v1::OBJECT_KIND_CLUSTER: {
      v1::Cluster* obj = nullptr;
      if (auto r = find_cluster(id, Want::live, &obj)) return r;
      if (auto r = check(context_of(a), Permission::cluster)) return r;
      obj->set_deleted(true);
      obj->set_updated_seq(next_seq());
      drop_open_round_ballots_on(id);  // a dot on the cluster goes back to its voter
      for (auto& [note_id, n] : notes_) {
        if (n.cluster_id() != id) continue;
        n.clear_cluster_id();
        n.set_updated_seq(next_seq());
      }
      return std::nullopt;
    }
    default: return reject(v1::REJECT_CODE_INVALID_FIELD, "delete needs a target kind (note, area or cluster)");
  }
}

Outcome Board::apply_restore(const v1::Restore& op, const Author& a) {
  const std::string& id = op.target().id();
  switch (op.target().kind()) {
    case v1::OBJECT_KIND_NOTE: {
      v1::Note* n = nullptr;
      if (auto r = find_note(id, a, Want::deleted, &n)) return r;
      if (auto r = check_note_permission(a, *n, Permission::delete_own_notes, Permission::delete_others_notes)) return r;
      if (auto r = check_area_unlocked(a, n->area_id())) return r;
      n->set_deleted(false);
      n->set_updated_seq(next_seq());
      return std::nullopt;
    }
    case v1::OBJECT_KIND_AREA: {
      v1::Area* obj = nullptr;
      if (auto r = find_area(id, Want::deleted, &obj)) return r;
      if (auto r = check(context_of(a), FacilitatorAction::manage_areas)) return r;
      obj->set_deleted(false);
      obj->set_updated_seq(next_seq());
      return std::nullopt;
    }
    case v1::OBJECT_KIND_CLUSTER: {
      v1::Cluster* obj = nullptr;
      if (auto r = find_cluster(id, Want::deleted, &obj)) return r;
      if (auto r = check(context_of(a), Permission::cluster)) return r;
      if (auto r = check_area_ref(obj->area_id())) return reject(r->code, "restore the cluster's area first: " + r->reason);
      obj->set_deleted(false);
      obj->set_updated_seq(next_seq());
      return std::nullopt;
    }
    default: return reject(v1::REJECT_CODE_INVALID_FIELD, "restore needs a target kind (note, area or cluster)");
  }
}

Outcome Board::apply_add_to_cluster(const v1::AddToCluster& op, const Author& a) {
  const v1::Cluster* c = cluster(op.cluster_id());
  if (!c) return reject(v1::REJECT_CODE_UNKNOWN_OBJECT, "no cluster with id " + op.cluster_id());
  if (c->deleted()) return reject(v1::REJECT_CODE_OBJECT_DELETED, "cluster " + op.cluster_id() + " is deleted");
  v1::Note* n = nullptr;
  if (auto r = find_note(op.note_id(), a, Want::live, &n)) return r;
  if (auto r = check(context_of(a), Permission::cluster)) return r;
  if (n->hidden()) return reject(v1::REJECT_CODE_INVALID_FIELD, "note " + op.note_id() + " is not revealed yet");
  if (auto r = check_area_unlocked(a, n->area_id())) return r;
  if (n->cluster_id() == op.cluster_id())
    return reject(v1::REJECT_CODE_INVALID_FIELD, "note " + op.note_id() + " is already in this cluster");
  n->set_cluster_id(op.cluster_id());
  n->set_updated_seq(next_seq());
  return std::nullopt;
}

Outcome Board::apply_remove_from_cluster(const v1::RemoveFromCluster& op, const Author& a) {
  v1::Note* n = nullptr;
  if (auto r = find_note(op.note_id(), a, Want::live, &n)) return r;
  if (auto r = check(context_of(a), Permission::cluster)) return r;
  if (auto r = check_area_unlocked(a, n->area_id())) return r;
  if (n->cluster_id().empty()) return reject(v1::REJECT_CODE_INVALID_FIELD, "note " + op.note_id() + " is not in a cluster");
  n->clear_cluster_id();
  n->set_updated_seq(next_seq());
  return std::nullopt;
}

Outcome Board::apply_merge_notes(v1::MergeNotes& op, const Author& a) {
  if (op.into_note_id() == op.from_note_id())
    return reject(v1::REJECT_CODE_INVALID_FIELD, "a note cannot be merged with itself");
  v1::Note* into = nullptr;
  v1::Note* from = nullptr;
  if (auto r = find_note(op.into_note_id(), a, Want::live, &into)) return r;
  if (auto r = find_note(op.from_note_id(), a, Want::live, &from)) return r;
  // Merging is sorting the room's notes, like clustering: the same permission.
  if (auto r = check(context_of(a), Permission::cluster)) return r;
  if (into->hidden() || from->hidden())
    return reject(v1::REJECT_CODE_INVALID_FIELD, "only revealed notes can be merged");
  if (auto r = check_area_unlocked(a, into->area_id())) return r;
  if (auto r = check_area_unlocked(a, from->area_id())) return r;
  if (auto r = check_string(op.text(), limits::kMaxNoteTextChars, true, "note text")) return r;

  if (!op.text().empty()) into->set_text(op.text());
  into->set_updated_seq(next_seq());
  from->set_deleted(true);
  from->set_updated_seq(next_seq());
  // Every dot on the duplicate, in every round, now counts for the note that
  // absorbed it: the room meant the same thing. A voter's dots on both add
  // up; in the open round at most to max_dots_per_note, and what is over goes
  // back to the voter's budget (the round's rules hold for every ballot).
  const v1::VotingRound* open = open_round();
  std::vector<std::pair<BallotKey, std::uint32_t>> moved;
  for (auto it = ballots_.begin(); it != ballots_.end();) {
    if (std::get<2>(it->first) != op.from_note_id()) {
      ++it;
      continue;
    }
    moved.emplace_back(BallotKey(std::get<0>(it->first), std::get<1>(it->first), op.into_note_id()), it->second);
    it = ballots_.erase(it);
  }
  for (auto& [key, dots] : moved) {
    std::uint32_t& merged = ballots_[key];
    merged += dots;
    if (open && std::get<0>(key) == open->id()) merged = std::min(merged, open->max_dots_per_note());
  }
  op.clear_tallies();
  if (open && open->live_counts())
    for (auto& t : tallies_of(open->id())) *op.add_tallies() = std::move(t);
  return std::nullopt;
}

// What a dot goes on: a live note the voter may see, or a live cluster.
Outcome Board::find_vote_target(const std::string& note_id, const std::string& cluster_id, const Author& a,
                                VoteTarget* out) {
  if (note_id.empty() == cluster_id.empty())
    return reject(v1::REJECT_CODE_INVALID_FIELD, "a dot goes on one note or one cluster");
  if (!cluster_id.empty()) {
    v1::Cluster* c = nullptr;
    if (auto r = find_cluster(cluster_id, Want::live, &c)) return r;
    *out = {c->id(), c->area_id(), c->id()};
    return std::nullopt;
  }
  v1::Note* n = nullptr;
  if (auto r = find_note(note_id, a, Want::live, &n)) return r;
  if (n->hidden()) return reject(v1::REJECT_CODE_INVALID_FIELD, "note " + note_id + " is not revealed yet");
  *out = {n->id(), n->area_id(), n->cluster_id()};
  return std::nullopt;
}

Outcome Board::apply_cast_vote(const v1::CastVote& op, const Author& a) {
  VoteTarget target;
  if (op.note_id().empty() == op.cluster_id().empty())
    return reject(v1::REJECT_CODE_INVALID_FIELD, "a dot goes on one note or one cluster");
  if (!op.note_id().empty()) {
    // (The note's own lookup first: another's unrevealed note does not exist for the voter.)
    v1::Note* n = nullptr;
    if (auto r = find_note(op.note_id(), a, Want::live, &n)) return r;
  }
  if (auto r = check(context_of(a), Permission::vote)) return r;
  const v1::VotingRound* round = open_round();
  if (!round) return reject(v1::REJECT_CODE_VOTING_CLOSED, "no voting round is open");
  if (auto r = find_vote_target(op.note_id(), op.cluster_id(), a, &target)) return r;
  const bool scoped = round->scope_area_ids_size() > 0 || round->scope_cluster_ids_size() > 0;
  const auto in = [](const auto& ids, const std::string& id) { return std::find(ids.begin(), ids.end(), id) != ids.end(); };
  if (scoped && !in(round->scope_area_ids(), target.area_id) &&
      !(target.cluster_id.size() && in(round->scope_cluster_ids(), target.cluster_id)))
    return reject(v1::REJECT_CODE_OUT_OF_SCOPE, "this round is about other notes");
  if (dots_of(a.id) >= round->dots_per_participant())
    return reject(v1::REJECT_CODE_LIMIT_REACHED, "all " + std::to_string(round->dots_per_participant()) + " of your dots are used");
  BallotKey key(round->id(), a.id, target.id);
  const auto it = ballots_.find(key);
  if (it != ballots_.end() && it->second >= round->max_dots_per_note())
    return reject(v1::REJECT_CODE_LIMIT_REACHED, "at most " + std::to_string(round->max_dots_per_note()) + " dots per note or cluster");
  if (it == ballots_.end()) ballots_.emplace(std::move(key), 1u);
  else ++it->second;
  return std::nullopt;
}

Outcome Board::apply_retract_vote(const v1::RetractVote& op, const Author& a) {
  VoteTarget target;
  if (op.note_id().empty() == op.cluster_id().empty())
    return reject(v1::REJECT_CODE_INVALID_FIELD, "a dot goes on one note or one cluster");
  if (!op.note_id().empty()) {
    v1::Note* n = nullptr;
    if (auto r = find_note(op.note_id(), a, Want::live, &n)) return r;
  }
  if (auto r = check(context_of(a), Permission::vote)) return r;
  const v1::VotingRound* round = open_round();
  if (!round) return reject(v1::REJECT_CODE_VOTING_CLOSED, "no voting round is open");
  if (auto r = find_vote_target(op.note_id(), op.cluster_id(), a, &target)) return r;
  const auto it = ballots_.find(BallotKey(round->id(), a.id, target.id));
  if (it == ballots_.end()) return reject(v1::REJECT_CODE_NO_VOTE, "you have no dot on " + target.id);
  if (--it->second == 0) ballots_.erase(it);
  return std::nullopt;
}

void Board::drop_open_round_ballots_on(const std::string& note_id) {
  // A deleted note has no votes: its dots go back to the voters' budgets.
  // Closed rounds keep their ballots: they are the record of that vote.
  const v1::VotingRound* round = open_round();
  if (!round) return;
  std::erase_if(ballots_, [&](const auto& b) { return std::get<0>(b.first) == round->id() && std::get<2>(b.first) == note_id; });
}

Outcome Board::apply_update_settings(v1::UpdateSettings& op, const Author& a) {
  if (auto r = check(context_of(a), FacilitatorAction::change_settings)) return r;
  if (auto r = normalise_mask<v1::SettingsField>(op.mutable_mask(), v1::SettingsField_IsValid)) return r;
  const auto has = [&](v1::SettingsField f) { return masked(op.mask(), f); };
  v1::WorkshopSettings next = settings_;
  v1::WorkshopSettings normalised;  // only the masked fields, as journaled
  const v1::WorkshopSettings& in = op.settings();
  if (has(v1::SETTINGS_FIELD_TITLE)) {
    if (auto r = check_string(in.title(), limits::kMaxTitleChars, false, "workshop title")) return r;
    next.set_title(in.title());
    normalised.set_title(in.title());
  }
  if (has(v1::SETTINGS_FIELD_LANGUAGE)) {
    if (in.language() != "de" && in.language() != "en") return reject(v1::REJECT_CODE_INVALID_FIELD, "language must be \"de\" or \"en\"");
    next.set_language(in.language());
    normalised.set_language(in.language());
  }
  if (has(v1::SETTINGS_FIELD_LOCKED)) {
    next.set_locked(in.locked());
    normalised.set_locked(in.locked());
  }
  if (has(v1::SETTINGS_FIELD_PSEUDONYMOUS)) {
    next.set_pseudonymous(in.pseudonymous());
    normalised.set_pseudonymous(in.pseudonymous());
  }
  if (has(v1::SETTINGS_FIELD_PROJECTOR)) {
    if (!v1::ProjectorView_IsValid(in.projector())) return reject(v1::REJECT_CODE_INVALID_FIELD, "unknown projector view");
    next.set_projector(in.projector());
    normalised.set_projector(in.projector());
  }
  settings_ = std::move(next);
  *op.mutable_settings() = std::move(normalised);
  return std::nullopt;
}

Outcome Board::apply_participant_joined(v1::ParticipantJoined& op, const Author& a) {
  if (a.role != v1::ROLE_SYSTEM) return reject(v1::REJECT_CODE_NOT_PERMITTED, "only the server announces joins");
  v1::Participant& p = *op.mutable_participant();
  if (auto r = check_id(p.id(), "participant")) return r;
  if (auto r = check_string(p.display_name(), limits::kMaxDisplayNameChars, false, "display name")) return r;
  if (p.role() != v1::ROLE_FACILITATOR && p.role() != v1::ROLE_PARTICIPANT && p.role() != v1::ROLE_OBSERVER)
    return reject(v1::REJECT_CODE_INVALID_FIELD, "a participant's role must be facilitator, participant or observer");
  const auto it = participants_.find(p.id());
  if (it != participants_.end() && it->second.removed())
    return reject(v1::REJECT_CODE_REMOVED, "this identity was removed from the workshop");
  // A new identity, or a known one that held no place (it never had an op
  // accepted and was offline), takes a place; one that holds its place can
  // always come back.
  // (A rejoin keeps the board's role, see below; only the participant role takes a place.)
  const v1::Role role = it == participants_.end() || p.role() == v1::ROLE_FACILITATOR ? p.role() : it->second.role();
  const bool takes_place = role == v1::ROLE_PARTICIPANT && (it == participants_.end() || !holds_place(it->second));
  if (takes_place && holding_participants() >= limits::kMaxParticipants)
    return reject(v1::REJECT_CODE_LIMIT_REACHED, "this workshop has reached its limit of " + std::to_string(limits::kMaxParticipants) + " participants");
  if (it == participants_.end() && participants_.size() >= limits::kMaxIdentities)
    return reject(v1::REJECT_CODE_LIMIT_REACHED, "this workshop has reached its limit of " + std::to_string(limits::kMaxIdentities) + " identities");

  p.set_online(true);
  p.set_removed(false);
  p.clear_acted();
  p.clear_saw_open_round();
  const bool round_open = open_round() != nullptr;  // it may vote unseen from now on
  if (it == participants_.end()) {
    p.set_joined_seq(next_seq());
    // The next number; a journaled join (replay, or a mirror restored from
    // a view, which lacks the counter) carries the one it was given.
    pseudonyms_issued_ = std::max(pseudonyms_issued_ + 1, p.pseudonym_number());
    p.set_pseudonym_number(pseudonyms_issued_);
    v1::Participant& stored = participants_.emplace(p.id(), p).first->second;
    if (round_open) stored.set_saw_open_round(true);
  } else {
    // A rejoin keeps the role the board knows (facilitators promote and
    // demote with SetRole), except that the facilitator token always makes
    // a facilitator.
    if (p.role() != v1::ROLE_FACILITATOR) p.set_role(it->second.role());
    p.set_joined_seq(it->second.joined_seq());
    p.set_pseudonym_number(it->second.pseudonym_number());
    const bool acted = it->second.acted();
    const bool saw_open_round = it->second.saw_open_round() || round_open;
    it->second = p;
    if (acted) it->second.set_acted(true);  // kept on the board, never in the event
    if (saw_open_round) it->second.set_saw_open_round(true);
  }
  return std::nullopt;
}

Outcome Board::apply_participant_left(const v1::ParticipantLeft& op, const Author& a) {
  if (a.role != v1::ROLE_SYSTEM) return reject(v1::REJECT_CODE_NOT_PERMITTED, "only the server announces leaves");
  const auto it = participants_.find(op.participant_id());
  if (it == participants_.end()) return reject(v1::REJECT_CODE_UNKNOWN_OBJECT, "no participant with id " + op.participant_id());
  if (!it->second.online()) return reject(v1::REJECT_CODE_INVALID_FIELD, "participant " + op.participant_id() + " is not online");
  it->second.set_online(false);
  return std::nullopt;
}

Outcome Board::apply_forget_participants(v1::ForgetParticipants& op, const Author& a) {
  if (a.role != v1::ROLE_SYSTEM) return reject(v1::REJECT_CODE_NOT_PERMITTED, "only the server forgets identities");
  auto& ids = *op.mutable_participant_ids();
  if (ids.empty()) return reject(v1::REJECT_CODE_INVALID_FIELD, "no identity to forget");
  std::sort(ids.begin(), ids.end());
  if (std::adjacent_find(ids.begin(), ids.end()) != ids.end())
    return reject(v1::REJECT_CODE_INVALID_FIELD, "an identity is named twice");
  for (const std::string& id : ids) {
    const auto it = participants_.find(id);
    if (it == participants_.end()) return reject(v1::REJECT_CODE_UNKNOWN_OBJECT, "no participant with id " + id);
    if (!forgettable(it->second))
      return reject(v1::REJECT_CODE_INVALID_FIELD, "participant " + id + " is online, has acted or facilitates");
  }
  // Nothing refers to them (forgettable() says why), so erasing them leaves
  // the board whole: all or none.
  for (const std::string& id : ids) participants_.erase(id);
  return std::nullopt;
}

// ---------------------------------------------------------------- invariants

std::size_t Board::active_participants() const {
  return static_cast<std::size_t>(std::count_if(participants_.begin(), participants_.end(),
                                                [](const auto& entry) { return !entry.second.removed(); }));
}

bool Board::holds_place(const v1::Participant& p) {
  return p.role() == v1::ROLE_PARTICIPANT && !p.removed() && (p.online() || p.acted());
}

bool Board::forgettable(const v1::Participant& p) {
  return !p.online() && !p.acted() && !p.saw_open_round() && p.role() != v1::ROLE_FACILITATOR;
}

std::vector<std::string> Board::forgettable_participants(std::size_t max) const {
  std::vector<const v1::Participant*> found;
  for (const auto& [id, p] : participants_)
    if (forgettable(p)) found.push_back(&p);
  std::sort(found.begin(), found.end(), [](const v1::Participant* x, const v1::Participant* y) {
    return x->joined_seq() != y->joined_seq() ? x->joined_seq() < y->joined_seq() : x->id() < y->id();
  });
  std::vector<std::string> ids;
  for (const v1::Participant* p : found) {
    if (ids.size() == max) break;
    ids.push_back(p->id());
  }
  return ids;
}

std::size_t Board::holding_participants() const {
  return static_cast<std::size_t>(std::count_if(participants_.begin(), participants_.end(),
                                                [](const auto& entry) { return holds_place(entry.second); }));
}

std::optional<std::string> Board::check_invariants() const {
  const auto seq_ok = [&](std::uint64_t created, std::uint64_t updated) {
    return created >= 1 && created <= updated && updated <= seq_;
  };
  if (notes_.size() > limits::kMaxNotes) return "too many notes";
  if (areas_.size() > limits::kMaxAreas) return "too many areas";
  if (clusters_.size() > limits::kMaxClusters) return "too many clusters";
  if (participants_.size() > limits::kMaxIdentities || holding_participants() > limits::kMaxParticipants)
    return "too many participants";

  for (const auto& [id, a] : areas_) {
    if (id != a.id() || !valid_id(id)) return "area key/id mismatch or invalid id " + id;
    if (notes_.contains(id) || clusters_.contains(id)) return "id used by two kinds: " + id;
    if (!seq_ok(a.created_seq(), a.updated_seq())) return "area " + id + " has bad seqs";
    if (check_rect(a.rect())) return "area " + id + " has a bad rect";
  }
  for (const auto& [id, c] : clusters_) {
    if (id != c.id() || !valid_id(id)) return "cluster key/id mismatch or invalid id " + id;
    if (notes_.contains(id)) return "id used by two kinds: " + id;
    if (!seq_ok(c.created_seq(), c.updated_seq())) return "cluster " + id + " has bad seqs";
    if (!c.area_id().empty() && !areas_.contains(c.area_id())) return "cluster " + id + " names a missing area";
  }
  for (const auto& [id, n] : notes_) {
    if (id != n.id() || !valid_id(id)) return "note key/id mismatch or invalid id " + id;
    if (!seq_ok(n.created_seq(), n.updated_seq())) return "note " + id + " has bad seqs";
    if (check_text(n.text(), limits::kMaxNoteTextChars, true) != TextCheck::ok) return "note " + id + " has bad text";
    if (!v1::Color_IsValid(n.color()) || n.color() == v1::COLOR_UNSPECIFIED) return "note " + id + " has no palette colour";
    if (!n.area_id().empty() && !areas_.contains(n.area_id())) return "note " + id + " names a missing area";
    if (!n.cluster_id().empty()) {
      const v1::Cluster* c = cluster(n.cluster_id());
      if (!c || c->deleted()) return "note " + id + " is in a missing or deleted cluster";
      if (n.hidden()) return "unrevealed note " + id + " is in a cluster";
    }
    if (n.hidden_from_facilitators() && !n.hidden()) return "note " + id + " is hidden from facilitators only";
    // No author: the workshop brought it (a copy of an earlier date's notes).
    if (!n.author_id().empty() && !participants_.contains(n.author_id())) return "note " + id + " has an unknown author";
  }
  const v1::VotingRound* open = nullptr;
  std::set<std::string> round_ids;
  for (const auto& r : rounds_) {
    if (!round_ids.insert(r.id()).second) return "duplicate round id " + r.id();
    if (r.open()) {
      if (open) return "two voting rounds are open";
      open = &r;
    }
    if (r.max_dots_per_note() < 1 || r.max_dots_per_note() > r.dots_per_participant()) return "round " + r.id() + " has bad budgets";
  }
  std::map<std::string, std::uint32_t> dots_by_voter;  // in the open round
  for (const auto& [key, dots] : ballots_) {
    const auto& [round_id, voter, note_id] = key;
    if (!round_ids.contains(round_id)) return "ballot in an unknown round " + round_id;
    if (!participants_.contains(voter)) return "ballot by an unknown voter " + voter;
    if (dots == 0) return "empty ballot kept";
    const v1::Note* n = note(note_id);
    const v1::Cluster* c = n ? nullptr : cluster(note_id);
    if (!n && !c) return "ballot on a missing note or cluster " + note_id;
    if (open && round_id == open->id()) {
      if (n && (n->deleted() || n->hidden())) return "open-round ballot on a deleted or hidden note " + note_id;
      if (c && c->deleted()) return "open-round ballot on a deleted cluster " + note_id;
      if (dots > open->max_dots_per_note()) return "ballot over the per-note maximum";
      dots_by_voter[voter] += dots;
    }
  }
  for (const auto& [voter, dots] : dots_by_voter)
    if (dots > open->dots_per_participant()) return "voter " + voter + " is over budget";
  std::size_t facilitators = 0;
  std::set<std::uint32_t> pseudonyms;
  for (const auto& [id, p] : participants_) {
    if (id != p.id() || !valid_id(id)) return "participant key/id mismatch or invalid id " + id;
    if (p.joined_seq() < 1 || p.joined_seq() > seq_) return "participant " + id + " has a bad joined seq";
    if (p.removed() && p.online()) return "removed participant " + id + " is online";
    if (p.pseudonym_number() < 1 || p.pseudonym_number() > pseudonyms_issued_)
      return "participant " + id + " has a pseudonym number that was never issued";
    if (!pseudonyms.insert(p.pseudonym_number()).second) return "two participants are Person " + std::to_string(p.pseudonym_number());
    if (p.role() == v1::ROLE_FACILITATOR && !p.removed()) ++facilitators;
  }
  std::set<std::string> hands;
  for (const auto& h : raised_hands_) {
    const v1::Participant* p = participant(h);
    if (!p || p->removed()) return "a raised hand of a missing or removed participant " + h;
    if (!hands.insert(h).second) return "a hand raised twice " + h;
  }
  if (!agenda_.current_phase_id().empty() && !current_phase()) return "the current phase is not in the agenda";
  if (timer_.state() == v1::Timer::STATE_RUNNING && timer_.deadline_ms() == 0) return "a running timer has no deadline";
  if (follow_me_.active()) {
    const v1::Participant* f = participant(follow_me_.facilitator_id());
    if (!f || f->role() != v1::ROLE_FACILITATOR) return "follow-me by a non-facilitator";
  }
  (void)facilitators;  // zero before the first join; SetRole/Remove keep it >= 1 afterwards
  return std::nullopt;
}

}  // namespace werkstatt::board
