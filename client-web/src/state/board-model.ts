// The client's model of a board and how each board op changes it.
//
// applyOp mirrors the server's board core (server/board) for every op in
// board.proto, so that the client can apply events from the server and its
// own pending ops with the same result the server gets. Differences from the
// server by design:
// - No validation beyond what keeps the model consistent: the server has
//   already accepted every event, and a pending op the server would refuse is
//   answered with a Reject that rolls it back. An op naming a missing object,
//   or editing a deleted one, changes nothing (it never throws).
// - Defaults are filled in as the server normalises ops (unset note size,
//   COLOR_UNSPECIFIED → COLOR_YELLOW), because the client applies its own op
//   from its local copy when the server acknowledges it.
// Checked against server/board/board.cpp (Board::apply_*); keep in step.
//
// Objects stored in a BoardModel are never mutated; applyOp replaces them.
// copyBoard() can therefore copy the maps only, which keeps recomputing the
// optimistic view (confirmed state + pending ops) cheap.
import { create } from "@bufbuild/protobuf";
import {
  AreaField,
  BallotSchema,
  ClusterField,
  ClusterSchema,
  Color,
  NoteField,
  NoteSchema,
  ObjectKind,
  ParticipantSchema,
  Role,
  SettingsField,
  WorkshopSettingsSchema,
  AreaSchema,
  PointSchema,
  RectSchema,
  SizeSchema,
  type Area,
  type Ballot,
  type BoardState,
  type Cluster,
  type Note,
  type Op,
  type Participant,
  type Point,
  type WorkshopSettings,
} from "../gen/werkstatt/v1/board_pb";

/** Side of a note created without a size, in board units. Must equal
 *  kDefaultNoteSide in include/werkstatt/board/limits.hpp. */
export const DEFAULT_NOTE_SIDE = 160;

/** Settings of a new board, as Board::Board() in server/board/board.cpp. */
export const DEFAULT_SETTINGS = { language: "de" } as const;

export interface BoardModel {
  /** The seq of the last event applied (for the optimistic view: of the
   *  confirmed state it was derived from). */
  seq: bigint;
  settings: WorkshopSettings;
  notes: Map<string, Note>;
  areas: Map<string, Area>;
  clusters: Map<string, Cluster>;
  /** Keyed by ballotKey(voter, note). */
  ballots: Map<string, Ballot>;
  participants: Map<string, Participant>;
}

/** What readers (UI, tests) get: the same data without the means to change it. */
export interface BoardView {
  readonly seq: bigint;
  readonly settings: Readonly<WorkshopSettings>;
  readonly notes: ReadonlyMap<string, Readonly<Note>>;
  readonly areas: ReadonlyMap<string, Readonly<Area>>;
  readonly clusters: ReadonlyMap<string, Readonly<Cluster>>;
  readonly ballots: ReadonlyMap<string, Readonly<Ballot>>;
  readonly participants: ReadonlyMap<string, Readonly<Participant>>;
}

export interface ApplyContext {
  /** The event's seq; 0n for an optimistic (not yet confirmed) op. */
  seq: bigint;
  /** The participant the op is applied for (note author, voter). */
  authorId: string;
}

// Ids are [A-Za-z0-9_-], so a space cannot occur inside one.
export function ballotKey(voterId: string, noteId: string): string {
  return `${voterId} ${noteId}`;
}

export function emptyBoard(): BoardModel {
  return {
    seq: 0n,
    settings: create(WorkshopSettingsSchema, DEFAULT_SETTINGS),
    notes: new Map(),
    areas: new Map(),
    clusters: new Map(),
    ballots: new Map(),
    participants: new Map(),
  };
}

export function boardFromState(state: BoardState): BoardModel {
  const board = emptyBoard();
  board.seq = state.seq;
  if (state.settings) board.settings = state.settings;
  for (const a of state.areas) board.areas.set(a.id, a);
  for (const n of state.notes) board.notes.set(n.id, n);
  for (const c of state.clusters) board.clusters.set(c.id, c);
  for (const b of state.ballots) board.ballots.set(ballotKey(b.voterId, b.noteId), b);
  for (const p of state.participants) board.participants.set(p.id, p);
  return board;
}

export function copyBoard(board: BoardView): BoardModel {
  return {
    seq: board.seq,
    settings: board.settings as WorkshopSettings,
    notes: new Map(board.notes) as Map<string, Note>,
    areas: new Map(board.areas) as Map<string, Area>,
    clusters: new Map(board.clusters) as Map<string, Cluster>,
    ballots: new Map(board.ballots) as Map<string, Ballot>,
    participants: new Map(board.participants) as Map<string, Participant>,
  };
}

/**
 * Applies `op` to `board` in place (replacing, never mutating, the objects it
 * changes). Returns false if the op changed nothing, e.g. because it names a
 * missing or deleted object. Does not touch board.seq: the caller decides
 * whether this is a confirmed event or an optimistic op.
 */
export function applyOp(board: BoardModel, op: Op, ctx: ApplyContext): boolean {
  const kind = op.kind;
  switch (kind.case) {
    case "createNote": {
      const o = kind.value;
      if (o.id === "" || idTaken(board, o.id)) return false;
      board.notes.set(
        o.id,
        create(NoteSchema, {
          id: o.id,
          text: o.text,
          color: normalColor(o.color),
          position: o.position ?? create(PointSchema),
          size: o.size ?? create(SizeSchema, { width: DEFAULT_NOTE_SIDE, height: DEFAULT_NOTE_SIDE }),
          areaId: o.areaId,
          authorId: ctx.authorId,
          createdSeq: ctx.seq,
          updatedSeq: ctx.seq,
        }),
      );
      return true;
    }
    case "updateNote": {
      const o = kind.value;
      const note = live(board.notes, o.id);
      if (!note || o.mask.length === 0) return false;
      const next: Note = { ...note, updatedSeq: ctx.seq };
      for (const field of o.mask) {
        if (field === NoteField.TEXT) next.text = o.text;
        else if (field === NoteField.COLOR) next.color = normalColor(o.color);
        else if (field === NoteField.SIZE && o.size) next.size = o.size;
      }
      board.notes.set(o.id, next);
      return true;
    }
    case "createArea": {
      const o = kind.value;
      if (o.id === "" || idTaken(board, o.id)) return false;
      board.areas.set(
        o.id,
        create(AreaSchema, {
          id: o.id,
          title: o.title,
          rect: o.rect ?? create(RectSchema),
          color: normalColor(o.color),
          createdSeq: ctx.seq,
          updatedSeq: ctx.seq,
        }),
      );
      return true;
    }
    case "updateArea": {
      const o = kind.value;
      const area = live(board.areas, o.id);
      if (!area || o.mask.length === 0) return false;
      const next: Area = { ...area, updatedSeq: ctx.seq };
      for (const field of o.mask) {
        if (field === AreaField.TITLE) next.title = o.title;
        else if (field === AreaField.RECT && o.rect) next.rect = o.rect;
        else if (field === AreaField.COLOR) next.color = normalColor(o.color);
      }
      board.areas.set(o.id, next);
      return true;
    }
    case "createCluster": {
      const o = kind.value;
      if (o.id === "" || idTaken(board, o.id)) return false;
      board.clusters.set(
        o.id,
        create(ClusterSchema, {
          id: o.id,
          title: o.title,
          position: o.position ?? create(PointSchema),
          areaId: o.areaId,
          createdSeq: ctx.seq,
          updatedSeq: ctx.seq,
        }),
      );
      // Initial members join atomically with the create.
      for (const noteId of o.noteIds) setNoteCluster(board, noteId, o.id, ctx.seq);
      return true;
    }
    case "updateCluster": {
      const o = kind.value;
      const cluster = live(board.clusters, o.id);
      if (!cluster || o.mask.length === 0) return false;
      const next: Cluster = { ...cluster, updatedSeq: ctx.seq };
      for (const field of o.mask) {
        if (field === ClusterField.TITLE) next.title = o.title;
      }
      board.clusters.set(o.id, next);
      return true;
    }
    case "move": {
      const { target, position, areaId } = kind.value;
      if (!target || !position) return false;
      return move(board, target.kind, target.id, position, areaId, ctx.seq);
    }
    case "delete": {
      const target = kind.value.target;
      if (!target) return false;
      return setDeleted(board, target.kind, target.id, true, ctx.seq);
    }
    case "restore": {
      const target = kind.value.target;
      if (!target) return false;
      return setDeleted(board, target.kind, target.id, false, ctx.seq);
    }
    case "addToCluster": {
      const { clusterId, noteId } = kind.value;
      if (!live(board.clusters, clusterId)) return false;
      return setNoteCluster(board, noteId, clusterId, ctx.seq);
    }
    case "removeFromCluster":
      return setNoteCluster(board, kind.value.noteId, "", ctx.seq);
    case "castVote": {
      const noteId = kind.value.noteId;
      if (!live(board.notes, noteId)) return false;
      const key = ballotKey(ctx.authorId, noteId);
      const dots = (board.ballots.get(key)?.dots ?? 0) + 1;
      board.ballots.set(key, create(BallotSchema, { voterId: ctx.authorId, noteId, dots }));
      return true;
    }
    case "retractVote": {
      const noteId = kind.value.noteId;
      const key = ballotKey(ctx.authorId, noteId);
      const ballot = board.ballots.get(key);
      if (!ballot) return false;
      if (ballot.dots <= 1) board.ballots.delete(key);
      else board.ballots.set(key, { ...ballot, dots: ballot.dots - 1 });
      return true;
    }
    case "updateSettings": {
      const { mask, settings } = kind.value;
      if (mask.length === 0) return false;
      const from = settings ?? create(WorkshopSettingsSchema);
      const next: WorkshopSettings = { ...board.settings };
      for (const field of mask) {
        if (field === SettingsField.TITLE) next.title = from.title;
        else if (field === SettingsField.LANGUAGE) next.language = from.language;
        else if (field === SettingsField.LOCKED) next.locked = from.locked;
        else if (field === SettingsField.PSEUDONYMOUS) next.pseudonymous = from.pseudonymous;
      }
      board.settings = next;
      return true;
    }
    case "participantJoined": {
      const p = kind.value.participant;
      if (!p || p.id === "") return false;
      const known = board.participants.get(p.id);
      // A rejoin takes name and role from the join (the credential used now
      // decides the role) and keeps the first joined_seq.
      board.participants.set(
        p.id,
        create(ParticipantSchema, {
          id: p.id,
          displayName: p.displayName,
          role: p.role,
          online: true,
          joinedSeq: known ? known.joinedSeq : p.joinedSeq || ctx.seq,
        }),
      );
      return true;
    }
    case "participantLeft": {
      const id = kind.value.participantId;
      const known = board.participants.get(id);
      if (!known) return false;
      board.participants.set(id, { ...known, online: false });
      return true;
    }
    case undefined:
      return false;
    default:
      // Facilitation ops (agenda, reveal, timer, rounds, roles, …) are not
      // modelled by the client yet: the seq still advances (the caller's job).
      return false;
  }
}

// Ids are unique across kinds, so an id alone names one object.
function idTaken(board: BoardView, id: string): boolean {
  return board.notes.has(id) || board.areas.has(id) || board.clusters.has(id);
}

function normalColor(color: Color): Color {
  return color === Color.UNSPECIFIED ? Color.YELLOW : color;
}

function live<T extends { deleted: boolean }>(map: ReadonlyMap<string, T>, id: string): T | undefined {
  const value = map.get(id);
  return value && !value.deleted ? value : undefined;
}

function setNoteCluster(board: BoardModel, noteId: string, clusterId: string, seq: bigint): boolean {
  const note = live(board.notes, noteId);
  if (!note || note.clusterId === clusterId) return false;
  board.notes.set(noteId, { ...note, clusterId, updatedSeq: seq });
  return true;
}

function move(
  board: BoardModel,
  kind: ObjectKind,
  id: string,
  position: Point,
  areaId: string | undefined,
  seq: bigint,
): boolean {
  switch (kind) {
    case ObjectKind.NOTE: {
      const note = live(board.notes, id);
      if (!note) return false;
      board.notes.set(id, { ...note, position, areaId: areaId ?? note.areaId, updatedSeq: seq });
      return true;
    }
    case ObjectKind.AREA: {
      const area = live(board.areas, id);
      if (!area) return false;
      const rect = create(RectSchema, {
        x: position.x,
        y: position.y,
        width: area.rect?.width ?? 0,
        height: area.rect?.height ?? 0,
      });
      board.areas.set(id, { ...area, rect, updatedSeq: seq });
      return true;
    }
    case ObjectKind.CLUSTER: {
      const cluster = live(board.clusters, id);
      if (!cluster) return false;
      // Like a note, a cluster is re-homed when area_id is present. Its
      // member notes keep their own positions.
      board.clusters.set(id, { ...cluster, position, areaId: areaId ?? cluster.areaId, updatedSeq: seq });
      return true;
    }
    default:
      return false;
  }
}

function setDeleted(board: BoardModel, kind: ObjectKind, id: string, deleted: boolean, seq: bigint): boolean {
  switch (kind) {
    case ObjectKind.NOTE: {
      const note = board.notes.get(id);
      if (!note || note.deleted === deleted) return false;
      board.notes.set(id, { ...note, deleted, updatedSeq: seq });
      // A deleted note's dots go back to their voters; restoring the note
      // does not bring them back.
      if (deleted) {
        for (const [key, ballot] of board.ballots) if (ballot.noteId === id) board.ballots.delete(key);
      }
      return true;
    }
    case ObjectKind.AREA: {
      const area = board.areas.get(id);
      if (!area || area.deleted === deleted) return false;
      board.areas.set(id, { ...area, deleted, updatedSeq: seq });
      return true;
    }
    case ObjectKind.CLUSTER: {
      const cluster = board.clusters.get(id);
      if (!cluster || cluster.deleted === deleted) return false;
      board.clusters.set(id, { ...cluster, deleted, updatedSeq: seq });
      // Deleting a cluster un-clusters its notes (deleted ones too, so that a
      // restored note never points at a deleted cluster); restoring the
      // cluster brings back the cluster alone.
      if (deleted) {
        for (const note of board.notes.values()) {
          if (note.clusterId === id) board.notes.set(note.id, { ...note, clusterId: "", updatedSeq: seq });
        }
      }
      return true;
    }
    default:
      return false;
  }
}

// ---------------------------------------------------------------- queries

/** Dots `voterId` has spent in total. */
export function dotsOf(board: BoardView, voterId: string): number {
  let dots = 0;
  for (const b of board.ballots.values()) if (b.voterId === voterId) dots += b.dots;
  return dots;
}

/** Dots on `noteId` from all voters. */
export function dotsOn(board: BoardView, noteId: string): number {
  let dots = 0;
  for (const b of board.ballots.values()) if (b.noteId === noteId) dots += b.dots;
  return dots;
}

/** Live notes of a cluster, sorted by id. */
export function clusterMembers(board: BoardView, clusterId: string): Note[] {
  return sortedById([...board.notes.values()].filter((n) => n.clusterId === clusterId && !n.deleted));
}

function sortedById<T extends { id: string }>(values: Iterable<T>): T[] {
  return [...values].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Renders the board as one line per object, sorted by id, so tests (and a
 * debugging human) compare whole states as one string.
 */
export function describeBoard(board: BoardView): string {
  const s = board.settings;
  const lines = [
    `seq ${board.seq}`,
    `settings ${JSON.stringify(s.title)} lang=${s.language || "-"}${s.locked ? " locked" : ""}${s.pseudonymous ? " pseudonymous" : ""}`,
  ];
  const flags = (o: { deleted: boolean; createdSeq: bigint; updatedSeq: bigint }) =>
    `${o.deleted ? " deleted" : ""} @${o.createdSeq}/${o.updatedSeq}`;
  for (const a of sortedById(board.areas.values())) {
    const r = a.rect;
    lines.push(`area ${a.id} ${JSON.stringify(a.title)} ${Color[a.color]} [${r?.x},${r?.y} ${r?.width}x${r?.height}]${flags(a)}`);
  }
  for (const n of sortedById(board.notes.values())) {
    lines.push(
      `note ${n.id} ${JSON.stringify(n.text)} ${Color[n.color]} (${n.position?.x},${n.position?.y}) ` +
        `${n.size?.width}x${n.size?.height} by ${n.authorId || "-"} area=${n.areaId || "-"} cluster=${n.clusterId || "-"}${flags(n)}`,
    );
  }
  for (const c of sortedById(board.clusters.values())) {
    lines.push(`cluster ${c.id} ${JSON.stringify(c.title)} (${c.position?.x},${c.position?.y}) area=${c.areaId || "-"}${flags(c)}`);
  }
  const ballots = [...board.ballots.values()].sort((a, b) =>
    a.voterId === b.voterId ? (a.noteId < b.noteId ? -1 : 1) : a.voterId < b.voterId ? -1 : 1,
  );
  for (const b of ballots) lines.push(`ballot ${b.voterId} ${b.noteId} ${b.dots}`);
  for (const p of sortedById(board.participants.values())) {
    lines.push(`participant ${p.id} ${JSON.stringify(p.displayName)} ${Role[p.role]}${p.online ? " online" : ""} @${p.joinedSeq}`);
  }
  return lines.join("\n");
}
