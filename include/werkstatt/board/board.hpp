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
//   id) alone may issue joins and leaves.
//
// Thread safety: none. A Board is owned by one workshop strand.
// Dependencies: std and the generated protobuf only (no I/O of any kind).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

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
  [[nodiscard]] const v1::WorkshopSettings& settings() const { return settings_; }
  [[nodiscard]] std::uint32_t dots_of(std::string_view voter_id) const;
  [[nodiscard]] std::uint32_t dots_on(std::string_view note_id) const;

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
  Outcome apply_cast_vote(const v1::CastVote& op, const Author& a);
  Outcome apply_retract_vote(const v1::RetractVote& op, const Author& a);
  Outcome apply_update_settings(v1::UpdateSettings& op, const Author& a);
  Outcome apply_participant_joined(v1::ParticipantJoined& op, const Author& a);
  Outcome apply_participant_left(const v1::ParticipantLeft& op, const Author& a);

  [[nodiscard]] PermissionContext context_of(const Author& a) const;
  [[nodiscard]] bool id_taken(std::string_view id) const;
  [[nodiscard]] Outcome check_area_ref(const std::string& area_id) const;
  [[nodiscard]] Outcome check_note_permission(const Author& a, const v1::Note& n, Permission own, Permission others) const;
  [[nodiscard]] std::uint64_t next_seq() const { return seq_ + 1; }

  std::uint64_t seq_ = 0;
  v1::WorkshopSettings settings_;
  std::map<std::string, v1::Note, std::less<>> notes_;
  std::map<std::string, v1::Area, std::less<>> areas_;
  std::map<std::string, v1::Cluster, std::less<>> clusters_;
  std::map<std::string, v1::Participant, std::less<>> participants_;
  // (voter, note) → dots; ordered so state() lists ballots deterministically
  // and a voter's ballots are one contiguous range.
  std::map<std::pair<std::string, std::string>, std::uint32_t, std::less<>> ballots_;
};

}  // namespace werkstatt::board
