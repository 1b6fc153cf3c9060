#pragma once
// The board core: a pure, deterministic state machine over board ops.
//
// Contract
// - apply() validates an op from an author, and either rejects it (state
//   unchanged) or applies it as the event with seq = seq() + 1 and returns
//   that event. The returned op is normalised (defaults filled in, unmasked
//   fields cleared, unknown fields dropped), so replaying returned events on
//   an empty board reproduces the state byte for byte, whatever the defaults
//   of a later version are.
// - Properties are last-writer-wins in seq order: the server orders, the
//   board applies in that order.
// - state()/serialize() list every collection sorted by id, so equal boards
//   have equal bytes; restore(state()) gives an equal board.
// - The author of a client op must be a participant who joined (the role is
//   taken from the board, never from the caller). The system author (empty
//   id) alone may issue joins, leaves and timer expiry.
// - Facilitation (phases, private collection, voting rounds, timer, roles)
//   is board state like any other: journaled, replayed, permission-checked
//   here. What a viewer may *see* is decided here too (views_of, view_for):
//   an unrevealed note's text, colour and position, another's ballots and a
//   facilitator-only join code never appear in what a viewer is sent.
//
// Thread safety: none. A Board is owned by one workshop strand.
// Dependencies: std and the generated protobuf only (no I/O of any kind).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "werkstatt/board/permissions.hpp"
#include "werkstatt/v1/board.pb.h"
#include "werkstatt/v1/protocol.pb.h"

namespace werkstatt::board {

// The author id of events the server itself issues (joins, leaves).
inline constexpr std::string_view kSystemAuthor = "";

// Either the applied event or why the op was rejected.
class ApplyResult {
 public:
  explicit ApplyResult(v1::Event event) : value_(std::move(event)) {}
  explicit ApplyResult(Rejection rejection) : value_(std::move(rejection)) {}

  [[nodiscard]] bool ok() const { return std::holds_alternative<v1::Event>(value_); }
  // REQUIRES: ok()
  [[nodiscard]] const v1::Event& event() const { return std::get<v1::Event>(value_); }
  [[nodiscard]] v1::Event& event() { return std::get<v1::Event>(value_); }
  // REQUIRES: !ok()
  [[nodiscard]] const Rejection& rejection() const { return std::get<Rejection>(value_); }

 private:
  std::variant<v1::Event, Rejection> value_;
};

// How one applied event reaches each viewer: most events reach everyone as
// they are; some reach some viewers only as a Redacted op with the same seq.
struct EventViews {
  v1::Event full;
  std::vector<std::string> full_viewers;        // participant ids that get `full` whatever their role
  std::optional<v1::Event> for_facilitators;    // nullopt: facilitators get `full`
  std::optional<v1::Event> for_others;          // participants and observers; nullopt: `full`

  [[nodiscard]] bool uniform() const { return !for_facilitators && !for_others; }
  // Refers into this object: not callable on a temporary.
  [[nodiscard]] const v1::Event& for_viewer(std::string_view participant_id, v1::Role role) const&;
  void for_viewer(std::string_view, v1::Role) const&& = delete;
};

// What the record may show organisers (replay API, exports, downloads),
// decided on the workshop's current (head) board: counts per note and per
// round, never a voter; nothing of a note that is still private to its author.
struct RecordPolicy {
  // Unrevealed notes facilitators may not see (hidden_from_facilitators at
  // the head): left out of every state and event, whatever the seq.
  std::vector<std::string> private_notes;  // sorted
  // A round with hidden counts that is still open at the head: its counts and
  // vote events stay withheld until it closes. Empty: none.
  std::string withheld_round;
  std::uint64_t withheld_after_seq = 0;  // the round's opened_seq
  [[nodiscard]] bool is_private(std::string_view note_id) const;
};

class Board {
 public:
  Board();

  // Rebuilds a board from a snapshot (state() of an earlier board).
  // Returns nullopt and sets `error` if the state breaks an invariant.
  [[nodiscard]] static std::optional<Board> restore(const v1::BoardState& state, std::string* error = nullptr);

  // Applies `op` by `author_id` at server time `time_ms` (ms since epoch).
  [[nodiscard]] ApplyResult apply(const v1::Op& op, std::string_view author_id, std::int64_t time_ms);

  // Re-applies a journaled event (replay, recovery). Fails if the event's seq
  // is not seq() + 1 or the board rejects it: either means a corrupt journal.
  [[nodiscard]] std::optional<Rejection> replay(const v1::Event& event);

  [[nodiscard]] std::uint64_t seq() const { return seq_; }
  [[nodiscard]] v1::BoardState state() const;
  // Deterministic bytes of state().
  [[nodiscard]] std::string serialize() const;

  // Lookups; nullptr when absent. Deleted objects are returned (check deleted()).
  [[nodiscard]] const v1::Note* note(std::string_view id) const;
  [[nodiscard]] const v1::Area* area(std::string_view id) const;
  [[nodiscard]] const v1::Cluster* cluster(std::string_view id) const;
  [[nodiscard]] const v1::Participant* participant(std::string_view id) const;
  // Identities that were not removed.
  [[nodiscard]] std::size_t active_participants() const;
  // What limits::kMaxParticipants bounds: identities in the participant role
  // that were not removed and are online or had an op accepted. One that
  // never had an op accepted holds no place once it is offline (throw-away
  // identities made with the public join code free their places); it may
  // come back while there is room (ParticipantJoined then takes a place
  // again), else LIMIT_REACHED. Facilitators and observers hold none: they
  // come with secret tokens, and a full room must not lock its facilitator out.
  [[nodiscard]] std::size_t holding_participants() const;
  [[nodiscard]] static bool holds_place(const v1::Participant& p);
  // Whether ForgetParticipants may forget `p`: offline, never had an op
  // accepted (so no note, ballot, hand or op id refers to it), not a
  // facilitator, and never online while a voting round was open. The last
  // keeps forgetting a function of what everyone sees: every op but a ballot
  // names its author, so only a possible unseen ballot could tell the
  // forgotten from the kept. What limits::kMaxIdentities bounds is all
  // identities the board knows; these are the ones it can let go of.
  [[nodiscard]] static bool forgettable(const v1::Participant& p);
  // The forgettable identities, oldest join first, at most `max`.
  [[nodiscard]] std::vector<std::string> forgettable_participants(std::size_t max) const;
  [[nodiscard]] const v1::WorkshopSettings& settings() const { return settings_; }
  // Dots in the open voting round (0 when none is open).
  [[nodiscard]] std::uint32_t dots_of(std::string_view voter_id) const;
  [[nodiscard]] std::uint32_t dots_on(std::string_view note_id) const;
  [[nodiscard]] const v1::Agenda& agenda() const { return agenda_; }
  [[nodiscard]] const v1::Phase* current_phase() const;
  [[nodiscard]] const v1::Timer& timer() const { return timer_; }
  [[nodiscard]] const v1::VotingRound* open_round() const;
  [[nodiscard]] bool closed() const { return closed_; }
  [[nodiscard]] const std::string& join_code() const { return join_code_; }
  // True while the current phase collects privately: the server then also
  // withholds participants' cursors from each other.
  [[nodiscard]] bool private_phase() const;

  // What `viewer_id` may see (REQUIRES: a participant of this board): the
  // state without others' unrevealed notes (counted in hidden_notes instead),
  // with only the viewer's own ballots, tallies where visible, the join code
  // for facilitators only, and pseudonyms when the board is pseudonymous.
  [[nodiscard]] v1::BoardState view_for(std::string_view viewer_id) const;
  // The views of `event`. REQUIRES: `event` is the event apply() returned last
  // (the views are computed from the state right after it).
  [[nodiscard]] EventViews views_of(const v1::Event& event) const;
  // The record's policy, taken on the head board (see RecordPolicy).
  [[nodiscard]] RecordPolicy record_policy() const;
  // The state for organisers: ballots summed per round and note with no
  // voter (Ballot.voter_id empty), the withheld round's ballots dropped,
  // private notes left out (counted in hidden_notes). The join code stays.
  [[nodiscard]] v1::BoardState record_view(const RecordPolicy& policy) const;
  // A journaled event for organisers: a vote without its voter (or Redacted
  // in the withheld round), an event about a private note as Redacted.
  [[nodiscard]] static v1::Event record_event(const v1::Event& event, const RecordPolicy& policy);
  // Whether `viewer_id` (a participant of this board) may see note `note_id`;
  // false for a note that does not exist.
  [[nodiscard]] bool note_visible_to(std::string_view note_id, std::string_view viewer_id) const;
  // The name `viewer_id` sees for `participant_id` ("Person N" when pseudonymous).
  [[nodiscard]] std::string visible_name(std::string_view participant_id, std::string_view viewer_id) const;

  // Checks every invariant; returns the first broken one. For tests and fuzzers.
  [[nodiscard]] std::optional<std::string> check_invariants() const;

 private:
  struct Author {
    std::string id;
    v1::Role role = v1::ROLE_UNSPECIFIED;
  };
  using Outcome = std::optional<Rejection>;  // nullopt: applied

  Outcome apply_create_note(v1::CreateNote& op, const Author& a);
  Outcome apply_update_note(v1::UpdateNote& op, const Author& a);
  Outcome apply_create_area(v1::CreateArea& op, const Author& a);
  Outcome apply_update_area(v1::UpdateArea& op, const Author& a);
  Outcome apply_create_cluster(v1::CreateCluster& op, const Author& a);
  Outcome apply_update_cluster(v1::UpdateCluster& op, const Author& a);
  Outcome apply_move(v1::Move& op, const Author& a);
  Outcome apply_delete(const v1::Delete& op, const Author& a);
  Outcome apply_restore(const v1::Restore& op, const Author& a);
  Outcome apply_add_to_cluster(const v1::AddToCluster& op, const Author& a);
  Outcome apply_remove_from_cluster(const v1::RemoveFromCluster& op, const Author& a);
  Outcome apply_merge_notes(v1::MergeNotes& op, const Author& a);
  Outcome apply_cast_vote(const v1::CastVote& op, const Author& a);
  Outcome apply_retract_vote(const v1::RetractVote& op, const Author& a);
  Outcome apply_update_settings(v1::UpdateSettings& op, const Author& a);
  Outcome apply_participant_joined(v1::ParticipantJoined& op, const Author& a);
  Outcome apply_participant_left(const v1::ParticipantLeft& op, const Author& a);
  Outcome apply_forget_participants(v1::ForgetParticipants& op, const Author& a);
  // facilitation.cpp
  Outcome apply_set_agenda(v1::SetAgenda& op, const Author& a);
  Outcome apply_set_phase_notes(const v1::SetPhaseNotes& op, const Author& a);
  Outcome apply_go_to_phase(const v1::GoToPhase& op, const Author& a, std::int64_t time_ms);
  Outcome apply_reveal(v1::Reveal& op, const Author& a);
  Outcome apply_timer(v1::TimerControl& op, const Author& a, std::int64_t time_ms);
  Outcome apply_open_voting_round(v1::OpenVotingRound& op, const Author& a);
  Outcome apply_close_voting_round(v1::CloseVotingRound& op, const Author& a);
  Outcome apply_set_role(const v1::SetRole& op, const Author& a);
  Outcome apply_rename_participant(const v1::RenameParticipant& op, const Author& a);
  Outcome apply_remove_participant(const v1::RemoveParticipant& op, const Author& a);
  Outcome apply_erase_participant(const v1::EraseParticipant& op, const Author& a);
  Outcome apply_rotate_join_code(const v1::RotateJoinCode& op, const Author& a);
  Outcome apply_set_follow_me(const v1::SetFollowMe& op, const Author& a);
  Outcome apply_bring_everyone_here(const v1::BringEveryoneHere& op, const Author& a);
  Outcome apply_raise_hand(const Author& a);
  Outcome apply_lower_hand(const v1::LowerHand& op, const Author& a);
  Outcome apply_close_workshop(const Author& a);

  // Finds the object `id` in the wanted state, or says why not (UNKNOWN_OBJECT,
  // OBJECT_DELETED, NOT_DELETED). Notes the author may not see do not exist.
  enum class Want { live, deleted };
  [[nodiscard]] Outcome find_note(const std::string& id, const Author& a, Want want, v1::Note** out);
  [[nodiscard]] Outcome find_area(const std::string& id, Want want, v1::Area** out);
  [[nodiscard]] Outcome find_cluster(const std::string& id, Want want, v1::Cluster** out);

  // What a dot goes on (CastVote/RetractVote): a note or a cluster.
  struct VoteTarget {
    std::string id;          // the ballot's key: the note's or the cluster's id
    std::string area_id;     // for a round's area scope
    std::string cluster_id;  // for a round's cluster scope (a note's cluster, or the cluster itself)
  };
  [[nodiscard]] Outcome find_vote_target(const std::string& note_id, const std::string& cluster_id, const Author& a,
                                         VoteTarget* out);

  [[nodiscard]] bool can_see(const v1::Note& n, std::string_view viewer_id, v1::Role role) const;
  // Looks up a note the author may see; invisible notes do not exist for them.
  [[nodiscard]] v1::Note* visible_note(const std::string& id, const Author& a);
  [[nodiscard]] Outcome check_area_unlocked(const Author& a, const std::string& area_id) const;
  [[nodiscard]] std::size_t facilitator_count() const;
  [[nodiscard]] std::vector<v1::NoteTally> tallies_of(const std::string& round_id) const;
  // How many people have at least one dot in the round.
  [[nodiscard]] std::uint32_t voters_of(const std::string& round_id) const;
  [[nodiscard]] std::vector<v1::HiddenNotes> hidden_counts(std::string_view author_id) const;
  void drop_open_round_ballots_on(const std::string& note_id);
  void close_round(v1::VotingRound& round, std::vector<v1::NoteTally>* results);

  [[nodiscard]] PermissionContext context_of(const Author& a) const;
  [[nodiscard]] bool id_taken(std::string_view id) const;
  [[nodiscard]] Outcome check_area_ref(const std::string& area_id) const;
  [[nodiscard]] Outcome check_note_permission(const Author& a, const v1::Note& n, Permission own, Permission others) const;
  [[nodiscard]] std::uint64_t next_seq() const { return seq_ + 1; }

  std::uint64_t seq_ = 0;
  v1::WorkshopSettings settings_;
  v1::Agenda agenda_;
  v1::Timer timer_;
  std::vector<v1::VotingRound> rounds_;  // in opening order; at most one open
  std::vector<std::string> raised_hands_;
  bool closed_ = false;
  v1::FollowMe follow_me_;
  std::string join_code_;
  std::map<std::string, v1::Note, std::less<>> notes_;
  std::map<std::string, v1::Area, std::less<>> areas_;
  std::map<std::string, v1::Cluster, std::less<>> clusters_;
  std::map<std::string, v1::Participant, std::less<>> participants_;
  std::uint32_t pseudonyms_issued_ = 0;  // "Person N": the last N handed out, never reused
  // (round, voter, note) → dots; ordered so state() lists ballots
  // deterministically and a voter's ballots in a round are one range.
  using BallotKey = std::tuple<std::string, std::string, std::string>;
  std::map<BallotKey, std::uint32_t, std::less<>> ballots_;
};

}  // namespace werkstatt::board
