#pragma once
// Who may do what: the single place where the board decides permissions.
// The facilitation layer supplies a PermissionSet per phase; the core applies
// it. Facilitators may always act; observers never change the board; the
// system actor alone issues joins and leaves.
#include <cstdint>
#include <optional>
#include <string>

#include "werkstatt/v1/board.pb.h"

namespace werkstatt::board {

// What a participant may do, as bits so a phase can carry a set compactly.
enum class Permission : std::uint32_t {
  create_notes = 1u << 0,
  edit_own_notes = 1u << 1,
  edit_others_notes = 1u << 2,
  move_notes = 1u << 3,  // includes moving clusters
  delete_own_notes = 1u << 4,
  delete_others_notes = 1u << 5,
  cluster = 1u << 6,  // create/rename/delete clusters, add/remove members
  vote = 1u << 7,
};

class PermissionSet {
 public:
  constexpr PermissionSet() = default;
  constexpr explicit PermissionSet(std::uint32_t bits) : bits_(bits) {}
  [[nodiscard]] constexpr bool has(Permission p) const { return (bits_ & static_cast<std::uint32_t>(p)) != 0; }
  [[nodiscard]] constexpr PermissionSet with(Permission p) const { return PermissionSet(bits_ | static_cast<std::uint32_t>(p)); }
  [[nodiscard]] constexpr PermissionSet without(Permission p) const { return PermissionSet(bits_ & ~static_cast<std::uint32_t>(p)); }
  [[nodiscard]] constexpr std::uint32_t bits() const { return bits_; }
  friend constexpr bool operator==(PermissionSet, PermissionSet) = default;

 private:
  std::uint32_t bits_ = 0;
};

// Outside any phase: an open brainstorm. Participants write, edit and delete
// their own notes, move and cluster everything, and vote; editing or deleting
// someone else's words is left to facilitators.
inline constexpr PermissionSet kOpenBoardPermissions = PermissionSet()
    .with(Permission::create_notes).with(Permission::edit_own_notes)
    .with(Permission::move_notes).with(Permission::delete_own_notes)
    .with(Permission::cluster).with(Permission::vote);

// Phases carry their permission sets on the wire as PhasePermissions.
[[nodiscard]] PermissionSet from_proto(const v1::PhasePermissions& p);
[[nodiscard]] v1::PhasePermissions to_proto(PermissionSet p);
// What participants may do in a phase of `kind` unless the facilitator says
// otherwise: collect = write (and arrange one's own notes); cluster = sort
// and group everything; vote = dots only; check-in, discuss, close = watch.
[[nodiscard]] PermissionSet default_permissions(v1::PhaseKind kind);

// Everything that is not a participant permission.
enum class FacilitatorAction {
  manage_areas,     // create, change, lock, delete areas
  change_settings,  // title, language, lock, pseudonymity
  run_session,      // agenda, phases, reveal, timer, voting rounds, follow-me
  manage_people,    // roles, renaming others, removing, join code
};

struct Rejection {
  v1::RejectCode code = v1::REJECT_CODE_UNSPECIFIED;
  std::string reason;
};

// Who is acting and in what situation.
struct PermissionContext {
  v1::Role role = v1::ROLE_UNSPECIFIED;
  PermissionSet granted = kOpenBoardPermissions;  // for participants
  bool board_locked = false;
};

// nullopt: permitted. Otherwise NOT_PERMITTED or BOARD_LOCKED with a reason.
[[nodiscard]] std::optional<Rejection> check(const PermissionContext& ctx, Permission p);
[[nodiscard]] std::optional<Rejection> check(const PermissionContext& ctx, FacilitatorAction a);

}  // namespace werkstatt::board
