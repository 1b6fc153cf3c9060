// What this client may do right now, as the server will judge it
// (server/board/permissions.cpp and the checks in board.cpp). The UI uses it
// to offer only what will be accepted; the server stays the authority and
// rejects anything else.
import { PhaseKind, Role, type Cluster, type Note, type PhasePermissions } from "../gen/werkstatt/v1/board_pb";
import { currentPhase, openRound, type BoardView } from "./board-model";

export type Permission = keyof Omit<PhasePermissions, "$typeName" | "$unknown">;

/** Outside any phase: an open brainstorm (kOpenBoardPermissions). */
export const OPEN_BOARD: Readonly<Record<Permission, boolean>> = {
  createNotes: true,
  editOwnNotes: true,
  editOthersNotes: false,
  moveNotes: true,
  deleteOwnNotes: true,
  deleteOthersNotes: false,
  cluster: true,
  vote: true,
};

export function roleOf(board: BoardView, participantId: string): Role {
  return board.participants.get(participantId)?.role ?? Role.UNSPECIFIED;
}

export function isFacilitator(board: BoardView, participantId: string): boolean {
  return roleOf(board, participantId) === Role.FACILITATOR;
}

/** May `participantId` do `p` at all right now (ignoring area locks)? */
export function may(board: BoardView, participantId: string, p: Permission): boolean {
  if (board.closed) return false;
  const role = roleOf(board, participantId);
  if (role === Role.FACILITATOR) return true;
  if (role !== Role.PARTICIPANT) return false;
  if (board.settings.locked) return false;
  const phase = currentPhase(board);
  const granted = phase ? phase.permissions : OPEN_BOARD;
  return !!granted?.[p];
}

function areaUnlocked(board: BoardView, participantId: string, areaId: string): boolean {
  if (areaId === "" || isFacilitator(board, participantId)) return true;
  return !board.areas.get(areaId)?.locked;
}

export function mayCreateIn(board: BoardView, participantId: string, areaId: string): boolean {
  return may(board, participantId, "createNotes") && areaUnlocked(board, participantId, areaId);
}

export function mayEdit(board: BoardView, participantId: string, note: Readonly<Note>): boolean {
  const own = note.authorId === participantId;
  return may(board, participantId, own ? "editOwnNotes" : "editOthersNotes") && areaUnlocked(board, participantId, note.areaId);
}

export function mayDelete(board: BoardView, participantId: string, note: Readonly<Note>): boolean {
  const own = note.authorId === participantId;
  return may(board, participantId, own ? "deleteOwnNotes" : "deleteOthersNotes") && areaUnlocked(board, participantId, note.areaId);
}

export function mayMove(board: BoardView, participantId: string, note: Readonly<Note>): boolean {
  return may(board, participantId, "moveNotes") && areaUnlocked(board, participantId, note.areaId);
}

export function mayCluster(board: BoardView, participantId: string, note: Readonly<Note>): boolean {
  return !note.hidden && may(board, participantId, "cluster") && areaUnlocked(board, participantId, note.areaId);
}

/** May `participantId` put a dot on `note` in the open round (budget aside)? */
export function mayVoteOn(board: BoardView, participantId: string, note: Readonly<Note>): boolean {
  const round = openRound(board);
  if (!round || note.hidden || note.deleted || !may(board, participantId, "vote")) return false;
  const scoped = round.scopeAreaIds.length > 0 || round.scopeClusterIds.length > 0;
  if (!scoped) return true;
  return round.scopeAreaIds.includes(note.areaId) || (note.clusterId !== "" && round.scopeClusterIds.includes(note.clusterId));
}

/** May `participantId` put a dot on the cluster itself in the open round
 *  (budget aside)? In a scoped round its area or the cluster must be in scope. */
export function mayVoteOnCluster(board: BoardView, participantId: string, cluster: Readonly<Cluster>): boolean {
  const round = openRound(board);
  if (!round || cluster.deleted || !may(board, participantId, "vote")) return false;
  const scoped = round.scopeAreaIds.length > 0 || round.scopeClusterIds.length > 0;
  if (!scoped) return true;
  return round.scopeAreaIds.includes(cluster.areaId) || round.scopeClusterIds.includes(cluster.id);
}

/** Whether the current phase collects privately. */
export function privatePhase(board: BoardView): boolean {
  return !!currentPhase(board)?.privateCollection;
}

export function isVotePhase(board: BoardView): boolean {
  return currentPhase(board)?.kind === PhaseKind.VOTE;
}
