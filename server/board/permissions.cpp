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
    // The server itself puts content on a new board (a copy of a workshop
    // with its notes, which then have no author); it changes nobody's notes
    // and never votes: a ballot is a person's.
    case v1::ROLE_SYSTEM:
      if (p == Permission::create_notes || p == Permission::cluster) return std::nullopt;
      return not_permitted("the server only sets up a board's content");
    default: return not_permitted("only participants and facilitators can change the board");
  }
  if (ctx.board_locked) return Rejection{v1::REJECT_CODE_BOARD_LOCKED, "the board is locked by the facilitator"};
  if (!ctx.granted.has(p)) return not_permitted(std::string("participants may not ") + describe(p) + " right now");
  return std::nullopt;
}

std::optional<Rejection> check(const PermissionContext& ctx, FacilitatorAction a) {
  // The system sets up templates on the facilitator's behalf.
  if (ctx.role == v1::ROLE_FACILITATOR || ctx.role == v1::ROLE_SYSTEM) return std::nullopt;
  switch (a) {
    case FacilitatorAction::manage_areas: return not_permitted("only facilitators can change areas");
    case FacilitatorAction::change_settings: return not_permitted("only facilitators can change workshop settings");
    case FacilitatorAction::run_session: return not_permitted("only facilitators can run the session");
    case FacilitatorAction::manage_people: return not_permitted("only facilitators can manage participants");
  }
  return not_permitted("only facilitators can do this");
}

PermissionSet from_proto(const v1::PhasePermissions& p) {
  PermissionSet s;
  if (p.create_notes()) s = s.with(Permission::create_notes);
  if (p.edit_own_notes()) s = s.with(Permission::edit_own_notes);
  if (p.edit_others_notes()) s = s.with(Permission::edit_others_notes);
  if (p.move_notes()) s = s.with(Permission::move_notes);
  if (p.delete_own_notes()) s = s.with(Permission::delete_own_notes);
  if (p.delete_others_notes()) s = s.with(Permission::delete_others_notes);
  if (p.cluster()) s = s.with(Permission::cluster);
  if (p.vote()) s = s.with(Permission::vote);
  return s;
}

v1::PhasePermissions to_proto(PermissionSet s) {
  v1::PhasePermissions p;
  p.set_create_notes(s.has(Permission::create_notes));
  p.set_edit_own_notes(s.has(Permission::edit_own_notes));
  p.set_edit_others_notes(s.has(Permission::edit_others_notes));
  p.set_move_notes(s.has(Permission::move_notes));
  p.set_delete_own_notes(s.has(Permission::delete_own_notes));
  p.set_delete_others_notes(s.has(Permission::delete_others_notes));
  p.set_cluster(s.has(Permission::cluster));
  p.set_vote(s.has(Permission::vote));
  return p;
}

PermissionSet default_permissions(v1::PhaseKind kind) {
  const PermissionSet write = PermissionSet()
                                  .with(Permission::create_notes)
                                  .with(Permission::edit_own_notes)
                                  .with(Permission::delete_own_notes)
                                  .with(Permission::move_notes);
  switch (kind) {
    case v1::PHASE_KIND_COLLECT: return write;
    case v1::PHASE_KIND_CLUSTER: return write.with(Permission::cluster);
    case v1::PHASE_KIND_VOTE: return PermissionSet().with(Permission::vote);
    default: return PermissionSet();  // check-in, discuss, close: the facilitator drives
  }
}

}  // namespace werkstatt::board
