// Facilitation ops of the board: agenda and phases, private collection and
// reveal, timer, voting rounds, roles and people, follow-me, hands, closing.
#include <algorithm>
#include <cmath>
#include <set>

#include "werkstatt/board/board.hpp"
#include "werkstatt/board/limits.hpp"
#include "werkstatt/board/text.hpp"
#include "rejections.hpp"

namespace werkstatt::board {
namespace {

using Outcome = std::optional<Rejection>;
using detail::check_string;
using detail::reject;

// An agenda is a plan for a few hours, not a project plan.
constexpr int kMaxPhases = 20;
// A round per question asked of the room; more than this is a survey.
constexpr std::size_t kMaxRounds = 50;
// No phase or timer runs longer than a (very long) workshop day.
constexpr std::int64_t kMaxDurationMs = 24LL * 60 * 60 * 1000;

bool valid_join_code(const std::string& code) {
  if (code.size() < 4 || code.size() > 16) return false;
  return std::all_of(code.begin(), code.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

Outcome check_name(const std::string& name, std::size_t max, const char* what) {
  if (name.empty()) return reject(v1::REJECT_CODE_INVALID_FIELD, std::string(what) + " must not be empty");
  switch (check_text(name, max, false)) {
    case TextCheck::ok: return std::nullopt;
    case TextCheck::too_long:
      return reject(v1::REJECT_CODE_TEXT_TOO_LONG, std::string(what) + " is longer than " + std::to_string(max) + " characters");
    default: return reject(v1::REJECT_CODE_INVALID_FIELD, std::string(what) + " is not valid text");
  }
}

}  // namespace

// ---------------------------------------------------------------- helpers

bool Board::can_see(const v1::Note& n, std::string_view viewer_id, v1::Role role) const {
  if (!n.hidden() || role == v1::ROLE_SYSTEM || n.author_id() == viewer_id) return true;
  return role == v1::ROLE_FACILITATOR && !n.hidden_from_facilitators();
}

v1::Note* Board::visible_note(const std::string& id, const Author& a) {
  const auto it = notes_.find(id);
  if (it == notes_.end() || !can_see(it->second, a.id, a.role)) return nullptr;
  return &it->second;
}

Outcome Board::check_area_unlocked(const Author& a, const std::string& area_id) const {
  if (a.role == v1::ROLE_FACILITATOR || a.role == v1::ROLE_SYSTEM || area_id.empty()) return std::nullopt;
  const v1::Area* area_ptr = area(area_id);
  if (area_ptr && area_ptr->locked())
    return reject(v1::REJECT_CODE_BOARD_LOCKED, "the area \"" + area_ptr->title() + "\" is locked by the facilitator");
  return std::nullopt;
}

std::size_t Board::facilitator_count() const {
  return static_cast<std::size_t>(std::count_if(participants_.begin(), participants_.end(), [](const auto& p) {
    return p.second.role() == v1::ROLE_FACILITATOR && !p.second.removed();
  }));
}

std::vector<v1::NoteTally> Board::tallies_of(const std::string& round_id) const {
  std::map<std::string, std::uint32_t> dots;
  for (const auto& [key, n] : ballots_)
    if (std::get<0>(key) == round_id) dots[std::get<2>(key)] += n;
  std::vector<v1::NoteTally> out;
  for (const auto& [note_id, n] : dots) {
    v1::NoteTally t;
    t.set_note_id(note_id);
    t.set_dots(n);
    out.push_back(std::move(t));
  }
  // Most dots first; ties by note id so the order is deterministic.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.dots() > b.dots(); });
  return out;
}

std::vector<v1::HiddenNotes> Board::hidden_counts(std::string_view author_id) const {
  std::map<std::string, std::uint32_t> per_area;
  for (const auto& [id, n] : notes_)
    if (n.hidden() && !n.deleted() && n.author_id() == author_id) ++per_area[n.area_id()];
  std::vector<v1::HiddenNotes> out;
  for (const auto& [area_id, count] : per_area) {
    v1::HiddenNotes h;
    h.set_author_id(std::string(author_id));
    h.set_area_id(area_id);
    h.set_count(count);
    out.push_back(std::move(h));
  }
  return out;
}

std::uint32_t Board::voters_of(const std::string& round_id) const {
  std::set<std::string_view> voters;
  for (const auto& [key, n] : ballots_)
    if (std::get<0>(key) == round_id) voters.insert(std::get<1>(key));
  return static_cast<std::uint32_t>(voters.size());
}

void Board::close_round(v1::VotingRound& round, std::vector<v1::NoteTally>* results) {
  std::vector<v1::NoteTally> tallies = tallies_of(round.id());
  round.set_voters(voters_of(round.id()));
  round.set_open(false);
  round.set_closed_seq(next_seq());
  round.clear_results();
  for (const auto& t : tallies) *round.add_results() = t;
  if (results) *results = std::move(tallies);
}

// ---------------------------------------------------------------- agenda and phases

Outcome Board::apply_set_agenda(v1::SetAgenda& op, const Author& a) {
  if (auto r = check(context_of(a), FacilitatorAction::run_session)) return r;
  if (op.phases_size() > kMaxPhases)
    return reject(v1::REJECT_CODE_LIMIT_REACHED, "an agenda has at most " + std::to_string(kMaxPhases) + " phases");
  std::set<std::string> ids;
  for (auto& phase : *op.mutable_phases()) {
    if (!valid_id(phase.id())) return reject(v1::REJECT_CODE_INVALID_ID, "phase ids must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'");
    if (!ids.insert(phase.id()).second) return reject(v1::REJECT_CODE_DUPLICATE_ID, "phase id " + phase.id() + " is used twice");
    if (auto r = check_name(phase.name(), limits::kMaxTitleChars, "a phase name")) return r;
    if (!v1::PhaseKind_IsValid(phase.kind()) || phase.kind() == v1::PHASE_KIND_UNSPECIFIED)
      return reject(v1::REJECT_CODE_INVALID_FIELD, "phase " + phase.id() + " needs a kind");
    if (phase.planned_seconds() > kMaxDurationMs / 1000)
      return reject(v1::REJECT_CODE_INVALID_FIELD, "phase " + phase.id() + " is planned for more than a day");
    if (phase.private_collection() && phase.kind() != v1::PHASE_KIND_COLLECT)
      return reject(v1::REJECT_CODE_INVALID_FIELD, "only collect phases can collect privately");
    if (!phase.private_collection()) phase.set_facilitators_see_private(false);
    if (auto r = check_string(phase.instructions(), limits::kMaxPhaseInstructionsChars, true, "phase instructions"))
      return r;
    phase.DiscardUnknownFields();
  }
  if (!agenda_.current_phase_id().empty() && !ids.contains(agenda_.current_phase_id()))
    return reject(v1::REJECT_CODE_INVALID_FIELD, "the current phase must stay in the agenda");
  // The record of a phase survives editing the agenda: notes are set by
  // SetPhaseNotes only, so a client that edits an older copy of the agenda
  // cannot overwrite what the facilitator wrote meanwhile.
  for (auto& phase : *op.mutable_phases()) {
    const auto stored_it = std::find_if(agenda_.phases().begin(), agenda_.phases().end(),
                                        [&](const v1::Phase& p) { return p.id() == phase.id(); });
    const v1::Phase* stored = stored_it == agenda_.phases().end() ? nullptr : &*stored_it;
    if (stored) phase.set_notes(stored->notes());
    else phase.clear_notes();
  }
  agenda_.mutable_phases()->CopyFrom(op.phases());
  return std::nullopt;
}

Outcome Board::apply_set_phase_notes(const v1::SetPhaseNotes& op, const Author& a) {
  if (auto r = check(context_of(a), FacilitatorAction::run_session)) return r;
  v1::Phase* phase = nullptr;
  for (auto& p : *agenda_.mutable_phases())
    if (p.id() == op.phase_id()) phase = &p;
  if (!phase) return reject(v1::REJECT_CODE_UNKNOWN_OBJECT, "no phase with id " + op.phase_id());
  if (auto r = check_string(op.text(), limits::kMaxPhaseNotesChars, true, "phase notes")) return r;
  phase->set_notes(op.text());
  return std::nullopt;
}

Outcome Board::apply_go_to_phase(const v1::GoToPhase& op, const Author& a, std::int64_t time_ms) {
  if (auto r = check(context_of(a), FacilitatorAction::run_session)) return r;
  int target = -1;
  int current = -1;
  for (int i = 0; i < agenda_.phases_size(); ++i) {
    if (agenda_.phases(i).id() == op.phase_id()) target = i;
    if (agenda_.phases(i).id() == agenda_.current_phase_id()) current = i;
  }
  if (target < 0) return reject(v1::REJECT_CODE_UNKNOWN_OBJECT, "no phase with id " + op.phase_id());
  if (target == current) return reject(v1::REJECT_CODE_WRONG_PHASE, "this phase is already running");
  if (target > current + 1) return reject(v1::REJECT_CODE_WRONG_PHASE, "phases go forward one at a time (or back to any earlier one)");
  const v1::Phase& phase = agenda_.phases(target);
  agenda_.set_current_phase_id(phase.id());
  agenda_.set_phase_started_seq(next_seq());
  agenda_.set_phase_started_ms(time_ms);
  if (op.start_timer() && phase.planned_seconds() > 0) {
    timer_.Clear();
    timer_.set_state(v1::Timer::STATE_RUNNING);
    timer_.set_duration_ms(static_cast<std::int64_t>(phase.planned_seconds()) * 1000);
    timer_.set_deadline_ms(time_ms + timer_.duration_ms());
  }
  return std::nullopt;
}

Outcome Board::apply_reveal(v1::Reveal& op, const Author& a) {
  if (auto r = check(context_of(a), FacilitatorAction::run_session)) return r;
  const auto matches = [&](const v1::Note& n) {
    switch (op.scope_case()) {
      case v1::Reveal::kAll: return op.all();
      case v1::Reveal::kAreaId: return n.area_id() == op.area_id();
      case v1::Reveal::kParticipantId: return n.author_id() == op.participant_id();
      case v1::Reveal::SCOPE_NOT_SET: return false;
    }
    return false;
  };
  if (op.scope_case() == v1::Reveal::SCOPE_NOT_SET || (op.has_all() && !op.all()))
    return reject(v1::REJECT_CODE_INVALID_FIELD, "reveal all, an area or a participant");
  // Find first, change after: a rejected reveal must leave the board as it was.
  // A note its author withdrew (deleted) while it was private stays private:
  // it was never shown, so it is not revealed. Restored, it is unrevealed
  // again (counted for the others) until a reveal in its scope.
  std::vector<v1::Note*> revealed;
  for (auto& [id, n] : notes_)
    if (n.hidden() && !n.deleted() && matches(n)) revealed.push_back(&n);
  if (revealed.empty()) return reject(v1::REJECT_CODE_INVALID_FIELD, "there is nothing to reveal there");
  op.clear_notes();
  for (v1::Note* n : revealed) {
    n->set_hidden(false);
    n->set_hidden_from_facilitators(false);
    n->set_updated_seq(next_seq());
    *op.add_notes() = *n;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- timer

Outcome Board::apply_timer(v1::TimerControl& op, const Author& a, std::int64_t time_ms) {
  if (op.action() == v1::TimerControl::ACTION_EXPIRE) {
    if (a.role != v1::ROLE_SYSTEM) return reject(v1::REJECT_CODE_NOT_PERMITTED, "only the server's clock expires a timer");
    if (timer_.state() != v1::Timer::STATE_RUNNING) return reject(v1::REJECT_CODE_INVALID_FIELD, "the timer is not running");
    if (time_ms < timer_.deadline_ms()) return reject(v1::REJECT_CODE_INVALID_FIELD, "the timer has time left");
    timer_.set_state(v1::Timer::STATE_EXPIRED);
    if (timer_.lock_on_expiry()) settings_.set_locked(true);
    return std::nullopt;
  }
  if (auto r = check(context_of(a), FacilitatorAction::run_session)) return r;
  switch (op.action()) {
    case v1::TimerControl::ACTION_START:
      if (op.duration_ms() <= 0 || op.duration_ms() > kMaxDurationMs)
        return reject(v1::REJECT_CODE_INVALID_FIELD, "a timer runs between one millisecond and a day");
      timer_.Clear();
      timer_.set_state(v1::Timer::STATE_RUNNING);
      timer_.set_duration_ms(op.duration_ms());
      timer_.set_deadline_ms(time_ms + op.duration_ms());
      timer_.set_lock_on_expiry(op.lock_on_expiry());
      return std::nullopt;
    case v1::TimerControl::ACTION_PAUSE:
      if (timer_.state() != v1::Timer::STATE_RUNNING) return reject(v1::REJECT_CODE_INVALID_FIELD, "the timer is not running");
      timer_.set_state(v1::Timer::STATE_PAUSED);
      timer_.set_remaining_ms(std::max<std::int64_t>(0, timer_.deadline_ms() - time_ms));
      timer_.set_deadline_ms(0);
      return std::nullopt;
    case v1::TimerControl::ACTION_RESUME:
      if (timer_.state() != v1::Timer::STATE_PAUSED) return reject(v1::REJECT_CODE_INVALID_FIELD, "the timer is not paused");
      timer_.set_state(v1::Timer::STATE_RUNNING);
      timer_.set_deadline_ms(time_ms + timer_.remaining_ms());
      timer_.set_remaining_ms(0);
      return std::nullopt;
    case v1::TimerControl::ACTION_ADJUST: {
      if (op.delta_ms() == 0 || std::abs(op.delta_ms()) > kMaxDurationMs)
        return reject(v1::REJECT_CODE_INVALID_FIELD, "adjust by up to a day, and not by nothing");
      if (timer_.state() == v1::Timer::STATE_RUNNING) {
        // Never into the past: taking away more than is left ends it now.
        timer_.set_deadline_ms(std::max(time_ms, timer_.deadline_ms() + op.delta_ms()));
      } else if (timer_.state() == v1::Timer::STATE_PAUSED) {
        timer_.set_remaining_ms(std::max<std::int64_t>(0, timer_.remaining_ms() + op.delta_ms()));
      } else {
        return reject(v1::REJECT_CODE_INVALID_FIELD, "only a running or paused timer can be adjusted");
      }
      timer_.set_duration_ms(std::max<std::int64_t>(0, timer_.duration_ms() + op.delta_ms()));
      return std::nullopt;
    }
    case v1::TimerControl::ACTION_STOP:
      if (timer_.state() == v1::Timer::STATE_STOPPED) return reject(v1::REJECT_CODE_INVALID_FIELD, "the timer is not running");
      timer_.Clear();
      return std::nullopt;
    default: return reject(v1::REJECT_CODE_INVALID_FIELD, "unknown timer action");
  }
}

// ---------------------------------------------------------------- voting rounds

Outcome Board::apply_open_voting_round(v1::OpenVotingRound& op, const Author& a) {
  if (auto r = check(context_of(a), FacilitatorAction::run_session)) return r;
  if (open_round()) return reject(v1::REJECT_CODE_INVALID_FIELD, "close the open voting round first");
  if (rounds_.size() >= kMaxRounds)
    return reject(v1::REJECT_CODE_LIMIT_REACHED, "a workshop has at most " + std::to_string(kMaxRounds) + " voting rounds");
  v1::VotingRound& round = *op.mutable_round();
  if (!valid_id(round.id())) return reject(v1::REJECT_CODE_INVALID_ID, "round ids must be 1-64 characters of A-Z, a-z, 0-9, '_' or '-'");
  if (std::any_of(rounds_.begin(), rounds_.end(), [&](const auto& r) { return r.id() == round.id(); }))
    return reject(v1::REJECT_CODE_DUPLICATE_ID, "round id " + round.id() + " is already in use");
  if (check_text(round.title(), limits::kMaxTitleChars, false) != TextCheck::ok)
    return reject(v1::REJECT_CODE_INVALID_FIELD, "the round's title is not valid (at most 120 characters, one line)");
  if (round.dots_per_participant() < 1 || round.dots_per_participant() > limits::kMaxDotsPerParticipant)
    return reject(v1::REJECT_CODE_INVALID_FIELD, "dots per participant must be 1 to " + std::to_string(limits::kMaxDotsPerParticipant));
  if (round.max_dots_per_note() < 1 || round.max_dots_per_note() > round.dots_per_participant())
    return reject(v1::REJECT_CODE_INVALID_FIELD, "dots per note must be 1 to the dots per participant");
  for (const auto& id : round.scope_area_ids())
    if (auto r = check_area_ref(id)) return r;
  for (const auto& id : round.scope_cluster_ids()) {
    const v1::Cluster* c = cluster(id);
    if (!c || c->deleted()) return reject(v1::REJECT_CODE_UNKNOWN_OBJECT, "no cluster with id " + id);
  }
  round.set_open(true);
  round.set_opened_seq(next_seq());
  round.set_closed_seq(0);
  round.clear_results();
  round.clear_voters();
  round.DiscardUnknownFields();
  rounds_.push_back(round);
  // Whoever is online now may vote unseen (see Participant.saw_open_round).
  for (auto& [id, p] : participants_)
    if (p.online()) p.set_saw_open_round(true);
  return std::nullopt;
}

Outcome Board::apply_close_voting_round(v1::CloseVotingRound& op, const Author& a) {
  if (auto r = check(context_of(a), FacilitatorAction::run_session)) return r;
  const auto it = std::find_if(rounds_.begin(), rounds_.end(), [&](const auto& r) { return r.id() == op.round_id(); });
  if (it == rounds_.end()) return reject(v1::REJECT_CODE_UNKNOWN_OBJECT, "no voting round with id " + op.round_id());
  if (!it->open()) return reject(v1::REJECT_CODE_VOTING_CLOSED, "this voting round is already closed");
  std::vector<v1::NoteTally> results;
  close_round(*it, &results);
  op.clear_results();
  for (auto& t : results) *op.add_results() = std::move(t);
  op.set_voters(it->voters());
  return std::nullopt;
}

// ---------------------------------------------------------------- people

Outcome Board::apply_set_role(const v1::SetRole& op, const Author& a) {
  if (auto r = check(context_of(a), FacilitatorAction::manage_people)) return r;
  const auto it = participants_.find(op.participant_id());
  if (it == participants_.end() || it->second.removed())
    return reject(v1::REJECT_CODE_UNKNOWN_OBJECT, "no participant with id " + op.participant_id());
  if (op.role() != v1::ROLE_FACILITATOR && op.role() != v1::ROLE_PARTICIPANT && op.role() != v1::ROLE_OBSERVER)
    return reject(v1::REJECT_CODE_INVALID_FIELD, "a role must be facilitator, participant or observer");
  if (it->second.role() == op.role()) return reject(v1::REJECT_CODE_INVALID_FIELD, "the participant has that role already");
  if (it->second.role() == v1::ROLE_FACILITATOR && facilitator_count() == 1)
    return reject(v1::REJECT_CODE_INVALID_FIELD, "a workshop needs a facilitator: promote someone else first");
  v1::Participant as_participant = it->second;  // would it hold a place in the participant role?
  as_participant.set_role(v1::ROLE_PARTICIPANT);
  if (op.role() == v1::ROLE_PARTICIPANT && holds_place(as_participant) &&
      holding_participants() >= limits::kMaxParticipants)
    return reject(v1::REJECT_CODE_LIMIT_REACHED,
                  "this workshop has reached its limit of " + std::to_string(limits::kMaxParticipants) + " participants");
  it->second.set_role(op.role());
  if (op.role() != v1::ROLE_FACILITATOR && follow_me_.facilitator_id() == op.participant_id()) follow_me_.Clear();
  return std::nullopt;
}

Outcome Board::apply_rename_participant(const v1::RenameParticipant& op, const Author& a) {
  if (op.participant_id() != a.id)
    if (auto r = check(context_of(a), FacilitatorAction::manage_people)) return r;
  if (a.role == v1::ROLE_OBSERVER && op.participant_id() == a.id)
    return reject(v1::REJECT_CODE_NOT_PERMITTED, "observers cannot rename themselves");
  const auto it = participants_.find(op.participant_id());
  if (it == participants_.end() || it->second.removed())
    return reject(v1::REJECT_CODE_UNKNOWN_OBJECT, "no participant with id " + op.participant_id());
  if (auto r = check_name(op.display_name(), limits::kMaxDisplayNameChars, "a display name")) return r;
  it->second.set_display_name(op.display_name());
  return std::nullopt;
}

Outcome Board::apply_remove_participant(const v1::RemoveParticipant& op, const Author& a) {
  if (auto r = check(context_of(a), FacilitatorAction::manage_people)) return r;
  const auto it = participants_.find(op.participant_id());
  if (it == participants_.end() || it->second.removed())
    return reject(v1::REJECT_CODE_UNKNOWN_OBJECT, "no participant with id " + op.participant_id());
  if (op.participant_id() == a.id) return reject(v1::REJECT_CODE_INVALID_FIELD, "facilitators cannot remove themselves");
  if (it->second.role() == v1::ROLE_FACILITATOR && facilitator_count() == 1)
    return reject(v1::REJECT_CODE_INVALID_FIELD, "a workshop needs a facilitator");
  // Their notes stay: they are part of the session's record.
  it->second.set_removed(true);
  it->second.set_online(false);
  std::erase(raised_hands_, op.participant_id());
  if (follow_me_.facilitator_id() == op.participant_id()) follow_me_.Clear();
  return std::nullopt;
}

Outcome Board::apply_erase_participant(const v1::EraseParticipant& op, const Author& a) {
  if (a.role != v1::ROLE_SYSTEM)
    return reject(v1::REJECT_CODE_NOT_PERMITTED, "only the server erases a person (organisers ask it over REST)");
  const auto it = participants_.find(op.participant_id());
  if (it == participants_.end()) return reject(v1::REJECT_CODE_UNKNOWN_OBJECT, "no participant with id " + op.participant_id());
  if (it->second.erased()) return reject(v1::REJECT_CODE_INVALID_FIELD, "that person is erased already");
  if (auto r = check_name(op.display_name(), limits::kMaxDisplayNameChars, "a display name")) return r;
  // The identity goes (name replaced, never again resumable); the notes stay
  // as the workshop's content under the pseudonym; ballots stay counted.
  it->second.set_display_name(op.display_name());
  it->second.set_removed(true);
  it->second.set_online(false);
  it->second.set_erased(true);
  std::erase(raised_hands_, op.participant_id());
  if (follow_me_.facilitator_id() == op.participant_id()) follow_me_.Clear();
  return std::nullopt;
}

Outcome Board::apply_rotate_join_code(const v1::RotateJoinCode& op, const Author& a) {
  if (auto r = check(context_of(a), FacilitatorAction::manage_people)) return r;
  if (!valid_join_code(op.join_code()))
    return reject(v1::REJECT_CODE_INVALID_FIELD, "a join code is 4-16 characters of A-Z and 0-9");
  if (op.join_code() == join_code_) return reject(v1::REJECT_CODE_INVALID_FIELD, "that is the current join code");
  join_code_ = op.join_code();
  return std::nullopt;
}

// ---------------------------------------------------------------- control

Outcome Board::apply_set_follow_me(const v1::SetFollowMe& op, const Author& a) {
  if (auto r = check(context_of(a), FacilitatorAction::run_session)) return r;
  if (a.role != v1::ROLE_FACILITATOR) return reject(v1::REJECT_CODE_NOT_PERMITTED, "only a facilitator can be followed");
  follow_me_.Clear();
  if (op.active()) {
    follow_me_.set_active(true);
    follow_me_.set_facilitator_id(a.id);
  }
  return std::nullopt;
}

Outcome Board::apply_bring_everyone_here(const v1::BringEveryoneHere& op, const Author& a) {
  if (auto r = check(context_of(a), FacilitatorAction::run_session)) return r;
  const v1::Rect& v = op.viewport();
  const auto finite_on_board = [](double x) { return std::isfinite(x) && std::abs(x) <= 2 * limits::kBoardExtent; };
  if (!finite_on_board(v.x()) || !finite_on_board(v.y()) || !(v.width() > 0) || !(v.height() > 0) ||
      !finite_on_board(v.width()) || !finite_on_board(v.height()))
    return reject(v1::REJECT_CODE_INVALID_FIELD, "the viewport must be a finite rectangle on the board");
  return std::nullopt;
}

Outcome Board::apply_raise_hand(const Author& a) {
  if (a.role != v1::ROLE_PARTICIPANT && a.role != v1::ROLE_FACILITATOR)
    return reject(v1::REJECT_CODE_NOT_PERMITTED, "observers do not raise hands");
  if (std::find(raised_hands_.begin(), raised_hands_.end(), a.id) != raised_hands_.end())
    return reject(v1::REJECT_CODE_INVALID_FIELD, "your hand is already raised");
  raised_hands_.push_back(a.id);
  return std::nullopt;
}

Outcome Board::apply_lower_hand(const v1::LowerHand& op, const Author& a) {
  if (op.participant_id() != a.id)
    if (auto r = check(context_of(a), FacilitatorAction::run_session)) return r;
  const auto it = std::find(raised_hands_.begin(), raised_hands_.end(), op.participant_id());
  if (it == raised_hands_.end()) return reject(v1::REJECT_CODE_INVALID_FIELD, "that hand is not raised");
  raised_hands_.erase(it);
  return std::nullopt;
}

Outcome Board::apply_close_workshop(const Author& a) {
  if (auto r = check(context_of(a), FacilitatorAction::run_session)) return r;
  // Closing freezes everything as it stands: an open round is counted.
  for (auto& round : rounds_)
    if (round.open()) close_round(round, nullptr);
  timer_.Clear();
  follow_me_.Clear();
  raised_hands_.clear();
  closed_ = true;
  return std::nullopt;
}

}  // namespace werkstatt::board
