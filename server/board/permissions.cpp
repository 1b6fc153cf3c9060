#include "werkstatt/board/permissions.hpp"

namespace werkstatt::board {
namespace {

const char* describe(Permission p) {
  switch (p) {
    case Permission::create_notes: return "create notes";
    case Permission::edit_own_notes: return "edit your notes";
    case Permission::edit_others_notes: return "edit other people's notes";
    case Permission::move_notes: return "move notes";
    case Permission::delete_own_notes: return "delete your notes";
    case Permission::delete_others_notes: return "delete other people's notes";
    case Permission::cluster: return "cluster notes";
    case Permission::vote: return "vote";
  }
  return "do this";
}

Rejection not_permitted(std::string what) {
  return {v1::REJECT_CODE_NOT_PERMITTED, std::move(what)};
}

}  // namespace

std::optional<Rejection> check(const PermissionContext& ctx, Permission p) {
  switch (ctx.role) {
    case v1::ROLE_FACILITATOR: return std::nullopt;
    case v1::ROLE_PARTICIPANT: break;
    case v1::ROLE_OBSERVER: return not_permitted("observers cannot change the board");
    default: return not_permitted("only participants and facilitators can change the board");
  }
  if (ctx.board_locked) return Rejection{v1::REJECT_CODE_BOARD_LOCKED, "the board is locked by the facilitator"};
  if (!ctx.granted.has(p)) return not_permitted(std::string("participants may not ") + describe(p) + " right now");
  return std::nullopt;
}

std::optional<Rejection> check(const PermissionContext& ctx, FacilitatorAction a) {
  // The system sets up templates and applies timer expiry on the facilitator's behalf.
  if (ctx.role == v1::ROLE_FACILITATOR || ctx.role == v1::ROLE_SYSTEM) return std::nullopt;
  return not_permitted(a == FacilitatorAction::manage_areas ? "only facilitators can change areas"
                                                            : "only facilitators can change workshop settings");
}

}  // namespace werkstatt::board
