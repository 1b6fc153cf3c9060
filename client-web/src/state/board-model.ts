// The client's model of a board and how each board op changes it.
//
// applyOp mirrors the server's board core (server/board/board.cpp and
// facilitation.cpp) for every op in board.proto, so that the client applies
// events from the server and its own pending ops with the result the server
// gets. Differences from the server by design:
// - No validation beyond what keeps the model consistent: the server has
//   already accepted every event, and a pending op the server would refuse is
//   answered with a Reject that rolls it back. An op naming a missing object,
//   or editing a deleted one, changes nothing (it never throws).
// - Defaults are filled in as the server normalises ops (unset note size,
//   COLOR_UNSPECIFIED → COLOR_YELLOW, a note written by a participant in a
//   private collect phase is hidden), because the client applies its own op
//   from its local copy when the server acknowledges it.
// - The model is one viewer's view (Board::view_for): others' unrevealed
//   notes are only counted (hiddenNotes), ballots are the viewer's own, and
//   the open round's counts (tallies) arrive where the viewer may see them.
//   A replay model (`full`) holds the whole journaled state instead: every
//   note, every ballot, tallies computed from the ballots.
// - Values only the server can know are filled in from what the client
//   knows: the time of an own op (the caller's estimate of server time), the
//   results of an own CloseVotingRound (the tallies, which facilitators see,
//   ordered as the server orders them). RotateJoinCode and Reveal carry
//   server-made data; board-store.ts waits for the server's copy of those.
// Checked against server/board/*.cpp; keep in step.
//
// Objects stored in a BoardModel are never mutated; applyOp replaces them.
// copyBoard() can therefore copy the maps only, which keeps recomputing the
// optimistic view (confirmed state + pending ops) cheap.
import { create } from "@bufbuild/protobuf";
import {
  AgendaSchema,
  BoardStateSchema,
  AreaField,
  AreaSchema,
  BallotSchema,
  ClusterField,
  ClusterSchema,
  Color,
  FollowMeSchema,
  NoteField,
  NoteSchema,
  NoteTallySchema,
  ObjectKind,
  ParticipantSchema,
  PointSchema,
  RectSchema,
  Role,
  SettingsField,
  SizeSchema,
  Timer_State,
  TimerControl_Action,
  TimerSchema,
  VotingRoundSchema,
  WorkshopSettingsSchema,
  HiddenNotesSchema,
  type Agenda,
  type Area,
  type Ballot,
  type Redacted,
  type BoardState,
  type Cluster,
  type FollowMe,
  type HiddenNotes,
  type Note,
  type NoteTally,
  type Op,
  type Participant,
  type Phase,
  type Point,
  type Reveal,
  type Timer,
  type VotingRound,
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
  /** A replay model: the full journaled state, not one viewer's view. */
  full: boolean;
  settings: WorkshopSettings;
  notes: Map<string, Note>;
  areas: Map<string, Area>;
  clusters: Map<string, Cluster>;
  /** Keyed by ballotKey(round, voter, note). */
  ballots: Map<string, Ballot>;
  participants: Map<string, Participant>;
  agenda: Agenda;
  timer: Timer;
  /** In the order they were opened; at most one is open. */
  rounds: VotingRound[];
  raisedHands: string[];
  closed: boolean;
  followMe: FollowMe;
  /** Facilitators' views only. */
  joinCode: string;
  /** Others' unrevealed notes, counted per author and area. */
  hiddenNotes: HiddenNotes[];
  /** Dots per note in the open round, where this viewer may see them. */
  tallies: Map<string, number>;
  /** How many people have a dot in the open round (live counts only; 0 otherwise). */
  openRoundVoters: number;
}

/** What readers (UI, tests) get: the same data without the means to change it. */
export interface BoardView {
  readonly seq: bigint;
  readonly full: boolean;
  readonly settings: Readonly<WorkshopSettings>;
  readonly notes: ReadonlyMap<string, Readonly<Note>>;
  readonly areas: ReadonlyMap<string, Readonly<Area>>;
  readonly clusters: ReadonlyMap<string, Readonly<Cluster>>;
  readonly ballots: ReadonlyMap<string, Readonly<Ballot>>;
  readonly participants: ReadonlyMap<string, Readonly<Participant>>;
  readonly agenda: Readonly<Agenda>;
  readonly timer: Readonly<Timer>;
  readonly rounds: readonly Readonly<VotingRound>[];
  readonly raisedHands: readonly string[];
  readonly closed: boolean;
  readonly followMe: Readonly<FollowMe>;
  readonly joinCode: string;
  readonly hiddenNotes: readonly Readonly<HiddenNotes>[];
  readonly tallies: ReadonlyMap<string, number>;
  readonly openRoundVoters: number;
}

export interface ApplyContext {
  /** The event's seq; 0n for an optimistic (not yet confirmed) op. */
  seq: bigint;
  /** The participant the op is applied for (note author, voter); "" for the
   *  server itself (joins, leaves, timer expiry). */
  authorId: string;
  /** Server time of the event, ms since the epoch (for an own op: the
   *  client's estimate of it). Phase starts and timers depend on it. */
  timeMs?: number;
  /** Whose view this model is ("" or absent: nobody in particular). Decides
   *  whether the counts of the open round are kept up to date. */
  viewerId?: string;
}

// Ids are [A-Za-z0-9_-], so a space cannot occur inside one.
export function ballotKey(roundId: string, voterId: string, noteId: string): string {
  return `${roundId} ${voterId} ${noteId}`;
}

export function emptyBoard(): BoardModel {
  return {
    seq: 0n,
    full: false,
    settings: create(WorkshopSettingsSchema, DEFAULT_SETTINGS),
    notes: new Map(),
    areas: new Map(),
    clusters: new Map(),
    ballots: new Map(),
    participants: new Map(),
    agenda: create(AgendaSchema),
    timer: create(TimerSchema),
    rounds: [],
    raisedHands: [],
    closed: false,
    followMe: create(FollowMeSchema),
    joinCode: "",
    hiddenNotes: [],
    tallies: new Map(),
    openRoundVoters: 0,
  };
}

/** A model of `state`. `full`: the journal's whole state (replay), where
 *  the open round's counts are computed from every ballot. */
export function boardFromState(state: BoardState, options: { full?: boolean } = {}): BoardModel {
  const board = emptyBoard();
  board.seq = state.seq;
  board.full = options.full ?? false;
  if (state.settings) board.settings = state.settings;
  for (const a of state.areas) board.areas.set(a.id, a);
  for (const n of state.notes) board.notes.set(n.id, n);
  for (const c of state.clusters) board.clusters.set(c.id, c);
  for (const b of state.ballots) board.ballots.set(ballotKey(b.roundId, b.voterId, b.noteId), b);
  for (const p of state.participants) board.participants.set(p.id, p);
  if (state.agenda) board.agenda = state.agenda;
  if (state.timer) board.timer = state.timer;
  board.rounds = [...state.rounds];
  board.raisedHands = [...state.raisedHands];
  board.closed = state.closed;
  if (state.followMe) board.followMe = state.followMe;
  board.joinCode = state.joinCode;
  board.hiddenNotes = [...state.hiddenNotes];
  for (const t of state.tallies) board.tallies.set(t.noteId, t.dots);
  board.openRoundVoters = state.openRoundVoters;
  if (board.full) {
    board.tallies.clear();
    const round = openRound(board);
    if (round) for (const t of talliesFromBallots(board, round.id)) board.tallies.set(t.noteId, t.dots);
  }
  return board;
}

export function copyBoard(board: BoardView): BoardModel {
  return {
    seq: board.seq,
    full: board.full,
    settings: board.settings as WorkshopSettings,
    notes: new Map(board.notes) as Map<string, Note>,
    areas: new Map(board.areas) as Map<string, Area>,
    clusters: new Map(board.clusters) as Map<string, Cluster>,
    ballots: new Map(board.ballots) as Map<string, Ballot>,
    participants: new Map(board.participants) as Map<string, Participant>,
    agenda: board.agenda as Agenda,
    timer: board.timer as Timer,
    rounds: [...board.rounds] as VotingRound[],
    raisedHands: [...board.raisedHands],
    closed: board.closed,
    followMe: board.followMe as FollowMe,
    joinCode: board.joinCode,
    hiddenNotes: [...board.hiddenNotes] as HiddenNotes[],
    tallies: new Map(board.tallies),
    openRoundVoters: board.openRoundVoters,
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
  const time = BigInt(Math.round(ctx.timeMs ?? 0));
  switch (kind.case) {
    case "createNote": {
      const o = kind.value;
      if (o.id === "" || idTaken(board, o.id)) return false;
      // Participants' notes in a private collect phase stay with their author.
      const phase = currentPhase(board);
      const hidden = !!phase?.privateCollection && roleOf(board, ctx.authorId) === Role.PARTICIPANT;
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
          hidden,
          hiddenFromFacilitators: hidden && !phase?.facilitatorsSeePrivate,
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
        else if (field === AreaField.LOCKED) next.locked = o.locked;
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
    case "castVote":
    case "retractVote": {
      // A dot goes on a note or on a cluster (exactly one id is set); ballots
      // and tallies name either in their note_id (ids are unique across kinds).
      const noteId = kind.value.noteId || kind.value.clusterId;
      const round = openRound(board);
      const target = kind.value.noteId ? live(board.notes, noteId) : live(board.clusters, noteId);
      if (!round || !target) return false;
      const key = ballotKey(round.id, ctx.authorId, noteId);
      const had = board.ballots.get(key)?.dots ?? 0;
      const delta = kind.case === "castVote" ? 1 : -1;
      if (had + delta < 0) return false;
      const ownBefore = ctx.authorId === ctx.viewerId ? dotsOf(board, ctx.authorId) : 0;
      if (had + delta === 0) board.ballots.delete(key);
      else board.ballots.set(key, create(BallotSchema, { roundId: round.id, voterId: ctx.authorId, noteId, dots: had + delta }));
      if (tracksTallies(board, round, ctx.viewerId)) {
        addTally(board, noteId, delta);
        // Others' votes come as counts with the number of voters; our own
        // as the op: its first dot makes us a voter, its last retract not.
        if (ctx.authorId === ctx.viewerId) {
          const ownAfter = ownBefore + delta;
          if (ownBefore === 0 && ownAfter > 0) board.openRoundVoters += 1;
          if (ownBefore > 0 && ownAfter === 0) board.openRoundVoters = Math.max(0, board.openRoundVoters - 1);
        }
      }
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
        else if (field === SettingsField.PROJECTOR) next.projector = from.projector;
      }
      board.settings = next;
      return true;
    }
    case "participantJoined": {
      const p = kind.value.participant;
      if (!p || p.id === "") return false;
      const known = board.participants.get(p.id);
      // The server journals the join normalised (role kept on a rejoin,
      // joined_seq and pseudonym number of the first join); older events
      // may lack those, so they are kept from what is known.
      board.participants.set(
        p.id,
        create(ParticipantSchema, {
          id: p.id,
          displayName: p.displayName,
          role: p.role,
          online: true,
          removed: false,
          joinedSeq: known ? known.joinedSeq : p.joinedSeq || ctx.seq,
          pseudonymNumber: p.pseudonymNumber || known?.pseudonymNumber || board.participants.size + (known ? 0 : 1),
        }),
      );
      return true;
    }
    case "forgetParticipants": {
      // Identities nothing refers to (offline, never acted): gone for good.
      let changed = false;
      for (const id of kind.value.participantIds) changed = board.participants.delete(id) || changed;
      return changed;
    }
    case "participantLeft": {
      const id = kind.value.participantId;
      const known = board.participants.get(id);
      if (!known) return false;
      board.participants.set(id, { ...known, online: false });
      return true;
    }
    case "setAgenda": {
      // Notes are set only by SetPhaseNotes: a phase that keeps its id keeps
      // its notes, whatever the op carries; a new phase starts without.
      const stored = new Map(board.agenda.phases.map((p) => [p.id, p.notes]));
      const phases = kind.value.phases.map((p) => ({
        ...p,
        facilitatorsSeePrivate: p.privateCollection && p.facilitatorsSeePrivate,
        notes: stored.get(p.id) ?? "",
      }));
      board.agenda = { ...board.agenda, phases };
      return true;
    }
    case "setPhaseNotes": {
      const { phaseId, text } = kind.value;
      const index = board.agenda.phases.findIndex((p) => p.id === phaseId);
      if (index < 0) return false;
      board.agenda = { ...board.agenda, phases: board.agenda.phases.map((p, i) => (i === index ? { ...p, notes: text } : p)) };
      return true;
    }
    case "mergeNotes": {
      const merged = mergeNotes(board, kind.value.intoNoteId, kind.value.fromNoteId, kind.value.text, ctx.seq);
      // In a live-count round the server sends the counts after the merge
      // (MergeNotes.tallies): exact, whoever's dots the per-note cap gave back.
      if (merged && kind.value.tallies.length > 0) board.tallies = new Map(kind.value.tallies.map((t) => [t.noteId, t.dots]));
      return merged;
    }
    case "goToPhase": {
      const { phaseId, startTimer } = kind.value;
      const phase = board.agenda.phases.find((p) => p.id === phaseId);
      if (!phase) return false;
      board.agenda = { ...board.agenda, currentPhaseId: phase.id, phaseStartedSeq: ctx.seq, phaseStartedMs: time };
      if (startTimer && phase.plannedSeconds > 0) {
        const duration = BigInt(phase.plannedSeconds) * 1000n;
        board.timer = create(TimerSchema, { state: Timer_State.RUNNING, durationMs: duration, deadlineMs: time + duration });
      }
      return true;
    }
    case "reveal":
      return reveal(board, kind.value, ctx.seq);
    case "timer":
      return applyTimer(board, kind.value.action, kind.value, time);
    case "openVotingRound": {
      const r = kind.value.round;
      if (!r || openRound(board)) return false;
      board.rounds = [...board.rounds, create(VotingRoundSchema, { ...r, open: true, openedSeq: ctx.seq, closedSeq: 0n, results: [], voters: 0 })];
      board.tallies = new Map();
      board.openRoundVoters = 0;
      return true;
    }
    case "closeVotingRound": {
      const { roundId, results, voters } = kind.value;
      const index = board.rounds.findIndex((r) => r.id === roundId && r.open);
      if (index < 0) return false;
      closeRound(board, index, ctx.seq, results.length > 0 ? results : undefined, voters);
      return true;
    }
    case "setRole": {
      const { participantId, role } = kind.value;
      const p = board.participants.get(participantId);
      if (!p) return false;
      board.participants.set(participantId, { ...p, role });
      if (role !== Role.FACILITATOR && board.followMe.facilitatorId === participantId) board.followMe = create(FollowMeSchema);
      return true;
    }
    case "renameParticipant": {
      const { participantId, displayName } = kind.value;
      const p = board.participants.get(participantId);
      if (!p) return false;
      board.participants.set(participantId, { ...p, displayName });
      return true;
    }
    case "removeParticipant": {
      const id = kind.value.participantId;
      const p = board.participants.get(id);
      if (!p) return false;
      // Their notes stay: they are part of the session's record.
      board.participants.set(id, { ...p, removed: true, online: false });
      board.raisedHands = board.raisedHands.filter((h) => h !== id);
      if (board.followMe.facilitatorId === id) board.followMe = create(FollowMeSchema);
      return true;
    }
    case "eraseParticipant": {
      // Erased on request: the name is replaced by the server's pseudonym,
      // the identity is gone for good; the notes stay under the pseudonym.
      const { participantId, displayName } = kind.value;
      const p = board.participants.get(participantId);
      if (!p) return false;
      board.participants.set(participantId, { ...p, displayName, removed: true, online: false, erased: true });
      board.raisedHands = board.raisedHands.filter((h) => h !== participantId);
      if (board.followMe.facilitatorId === participantId) board.followMe = create(FollowMeSchema);
      return true;
    }
    case "rotateJoinCode":
      board.joinCode = kind.value.joinCode;
      return true;
    case "setFollowMe":
      board.followMe = kind.value.active
        ? create(FollowMeSchema, { active: true, facilitatorId: ctx.authorId })
        : create(FollowMeSchema);
      return true;
    case "bringEveryoneHere":
      return false; // moves viewports, not the board (the UI reacts to the event)
    case "raiseHand":
      if (board.raisedHands.includes(ctx.authorId)) return false;
      board.raisedHands = [...board.raisedHands, ctx.authorId];
      return true;
    case "lowerHand": {
      const id = kind.value.participantId;
      if (!board.raisedHands.includes(id)) return false;
      board.raisedHands = board.raisedHands.filter((h) => h !== id);
      return true;
    }
    case "closeWorkshop":
      // Closing freezes everything as it stands: an open round is counted.
      board.rounds.forEach((r, i) => {
        if (r.open) closeRound(board, i, ctx.seq, undefined);
      });
      board.timer = create(TimerSchema);
      board.followMe = create(FollowMeSchema);
      board.raisedHands = [];
      board.closed = true;
      return true;
    case "redacted":
      return applyRedacted(board, kind.value);
    case undefined:
      return false;
  }
}

// ---------------------------------------------------------------- helpers

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

function roleOf(board: BoardView, participantId: string): Role {
  return board.participants.get(participantId)?.role ?? Role.UNSPECIFIED;
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
      // A deleted note's dots in the open round go back to their voters;
      // restoring the note does not bring them back. Closed rounds keep
      // their ballots: they are the record of that vote.
      if (deleted) dropOpenRoundDots(board, id);
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
      // Its dots in the open round go back to their voters, as a note's do.
      if (deleted) dropOpenRoundDots(board, id);
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

/**
 * MergeNotes as Board::apply_merge_notes: the into-note takes `text` (empty:
 * keeps its own), the from-note is deleted, and every ballot on it, in every
 * round, moves to the into-note; a voter's dots on both add up, in the open
 * round at most to max_dots_per_note (the rest goes back to their budget).
 * The open round's counts move with them. A viewer who sees counts but not
 * the others' ballots cannot know whose dots were capped: the counts add up
 * uncapped except for the viewer's own, and the event's own tallies (a
 * live-count round) replace them at once.
 */
function mergeNotes(board: BoardModel, intoId: string, fromId: string, text: string, seq: bigint): boolean {
  const into = live(board.notes, intoId);
  const from = live(board.notes, fromId);
  if (!into || !from || intoId === fromId) return false;
  board.notes.set(intoId, { ...into, text: text === "" ? into.text : text, updatedSeq: seq });
  board.notes.set(fromId, { ...from, deleted: true, updatedSeq: seq });
  const round = openRound(board);
  const cap = round?.maxDotsPerNote ?? 0;
  let lostToCap = 0;
  const moved: Ballot[] = [];
  for (const [key, ballot] of board.ballots) {
    if (ballot.noteId !== fromId) continue;
    board.ballots.delete(key);
    moved.push(ballot);
  }
  for (const ballot of moved) {
    const key = ballotKey(ballot.roundId, ballot.voterId, intoId);
    let dots = (board.ballots.get(key)?.dots ?? 0) + ballot.dots;
    if (round && ballot.roundId === round.id && cap > 0 && dots > cap) {
      lostToCap += dots - cap;
      dots = cap;
    }
    board.ballots.set(key, create(BallotSchema, { roundId: ballot.roundId, voterId: ballot.voterId, noteId: intoId, dots }));
  }
  if (board.full && round) {
    board.tallies = new Map(talliesFromBallots(board, round.id).map((t) => [t.noteId, t.dots]));
  } else if (board.tallies.has(fromId)) {
    const next = new Map(board.tallies);
    const dots = (next.get(intoId) ?? 0) + (next.get(fromId) ?? 0) - lostToCap;
    next.delete(fromId);
    if (dots > 0) next.set(intoId, dots);
    else next.delete(intoId);
    board.tallies = next;
  }
  return true;
}

/** The open round's dots on a deleted note or cluster go back to their voters. */
function dropOpenRoundDots(board: BoardModel, id: string): void {
  const round = openRound(board);
  if (round) {
    for (const [key, ballot] of board.ballots) {
      if (ballot.noteId === id && ballot.roundId === round.id) board.ballots.delete(key);
    }
  }
  if (board.tallies.has(id)) {
    board.tallies = new Map(board.tallies);
    board.tallies.delete(id);
  }
}

function reveal(board: BoardModel, op: Reveal, seq: bigint): boolean {
  const scope = op.scope;
  if (scope.case === undefined || (scope.case === "all" && !scope.value)) return false;
  const matches = (n: { areaId: string; authorId: string }) =>
    scope.case === "all" || (scope.case === "areaId" ? n.areaId === scope.value : n.authorId === scope.value);
  let changed = false;
  for (const note of board.notes.values()) {
    if (note.hidden && matches(note)) {
      board.notes.set(note.id, { ...note, hidden: false, hiddenFromFacilitators: false, updatedSeq: seq });
      changed = true;
    }
  }
  // The server sends the revealed notes, so viewers who never saw them get them.
  for (const note of op.notes) {
    board.notes.set(note.id, { ...note, hidden: false, hiddenFromFacilitators: false });
    changed = true;
  }
  const before = board.hiddenNotes.length;
  board.hiddenNotes = board.hiddenNotes.filter((h) => !matches(h));
  return changed || board.hiddenNotes.length !== before;
}

function applyTimer(board: BoardModel, action: TimerControl_Action, o: { durationMs: bigint; deltaMs: bigint; lockOnExpiry: boolean }, time: bigint): boolean {
  const t = board.timer;
  const max = (a: bigint, b: bigint) => (a > b ? a : b);
  switch (action) {
    case TimerControl_Action.EXPIRE:
      if (t.state !== Timer_State.RUNNING) return false;
      board.timer = { ...t, state: Timer_State.EXPIRED };
      if (t.lockOnExpiry) board.settings = { ...board.settings, locked: true };
      return true;
    case TimerControl_Action.START:
      board.timer = create(TimerSchema, {
        state: Timer_State.RUNNING,
        durationMs: o.durationMs,
        deadlineMs: time + o.durationMs,
        lockOnExpiry: o.lockOnExpiry,
      });
      return true;
    case TimerControl_Action.PAUSE:
      if (t.state !== Timer_State.RUNNING) return false;
      board.timer = { ...t, state: Timer_State.PAUSED, remainingMs: max(0n, t.deadlineMs - time), deadlineMs: 0n };
      return true;
    case TimerControl_Action.RESUME:
      if (t.state !== Timer_State.PAUSED) return false;
      board.timer = { ...t, state: Timer_State.RUNNING, deadlineMs: time + t.remainingMs, remainingMs: 0n };
      return true;
    case TimerControl_Action.ADJUST: {
      let next: Timer;
      // Never into the past: taking away more than is left ends it now.
      if (t.state === Timer_State.RUNNING) next = { ...t, deadlineMs: max(time, t.deadlineMs + o.deltaMs) };
      else if (t.state === Timer_State.PAUSED) next = { ...t, remainingMs: max(0n, t.remainingMs + o.deltaMs) };
      else return false;
      board.timer = { ...next, durationMs: max(0n, t.durationMs + o.deltaMs) };
      return true;
    }
    case TimerControl_Action.STOP:
      if (t.state === Timer_State.STOPPED) return false;
      board.timer = create(TimerSchema);
      return true;
    default:
      return false;
  }
}

function closeRound(board: BoardModel, index: number, seq: bigint, results: NoteTally[] | undefined, voters = 0): void {
  const round = board.rounds[index];
  if (!round) return;
  const frozen =
    results ??
    sortTallies([...board.tallies].filter(([, dots]) => dots > 0).map(([noteId, dots]) => create(NoteTallySchema, { noteId, dots })));
  board.rounds = board.rounds.map((r, i) => (i === index ? { ...round, open: false, closedSeq: seq, results: frozen, voters } : r));
  board.tallies = new Map();
  board.openRoundVoters = 0;
}

/** Most dots first; ties by note id (as Board::tallies_of orders them). */
function sortTallies(tallies: NoteTally[]): NoteTally[] {
  return tallies.sort((a, b) => b.dots - a.dots || (a.noteId < b.noteId ? -1 : a.noteId > b.noteId ? 1 : 0));
}

function tracksTallies(board: BoardView, round: VotingRound, viewerId: string | undefined): boolean {
  if (board.full) return true;
  if (viewerId === undefined || viewerId === "") return false;
  // Hidden counts are hidden from facilitators too (the server sends none
  // until the round closes): nobody adds up dots then, not even their own.
  return round.liveCounts;
}

function addTally(board: BoardModel, noteId: string, delta: number): void {
  const next = new Map(board.tallies);
  const dots = (next.get(noteId) ?? 0) + delta;
  if (dots > 0) next.set(noteId, dots);
  else next.delete(noteId);
  board.tallies = next;
}

/**
 * A Redacted op stands for an op this viewer may not see. It carries the
 * author's unrevealed notes, counted (they replace what was known of that
 * author), and the open round's counts where the viewer may see them (they
 * replace the tallies).
 *
 * An empty Redacted is ambiguous on the wire: it stands for a RotateJoinCode,
 * a vote whose counts the viewer may not see, a vote that left no dots at
 * all, or an op on a hidden note after which its author has none left. The
 * last two are told apart from what the model knows: one dot left on the
 * board, or one hidden note of the event's author.
 */
// What a viewer may know instead of an op it may not see (see board.proto's
// Redacted): an author's complete unrevealed-note counts, and/or the open
// round's complete tallies. Both replace what the client had.
function applyRedacted(board: BoardModel, redacted: Redacted): boolean {
  let changed = false;
  if (redacted.hiddenAuthorId !== "") {
    const author = redacted.hiddenAuthorId;
    board.hiddenNotes = [
      ...board.hiddenNotes.filter((h) => h.authorId !== author),
      ...redacted.hiddenNotes.map((h) => create(HiddenNotesSchema, h)),
    ];
    changed = true;
  }
  if (redacted.talliesReplaced) {
    board.tallies = new Map(redacted.tallies.map((t) => [t.noteId, t.dots]));
    board.openRoundVoters = redacted.voters;
    changed = true;
  }
  return changed;
}

// ---------------------------------------------------------------- queries

export function currentPhase(board: BoardView): Readonly<Phase> | undefined {
  const id = board.agenda.currentPhaseId;
  return id === "" ? undefined : board.agenda.phases.find((p) => p.id === id);
}

export function openRound(board: BoardView): Readonly<VotingRound> | undefined {
  return board.rounds.find((r) => r.open);
}

/** Dots `voterId` has spent in the open round. */
export function dotsOf(board: BoardView, voterId: string): number {
  const round = openRound(board);
  if (!round) return 0;
  let dots = 0;
  for (const b of board.ballots.values()) if (b.roundId === round.id && b.voterId === voterId) dots += b.dots;
  return dots;
}

/** Dots `voterId` has on `noteId` in the open round. */
export function ownDotsOn(board: BoardView, voterId: string, noteId: string): number {
  const round = openRound(board);
  if (!round) return 0;
  return board.ballots.get(ballotKey(round.id, voterId, noteId))?.dots ?? 0;
}

/** Dots on `noteId` in the open round, as far as this view knows them:
 *  the tallies where visible, else only the viewer's own ballots. */
export function dotsOn(board: BoardView, noteId: string): number {
  const tally = board.tallies.get(noteId);
  if (tally !== undefined) return tally;
  const round = openRound(board);
  if (!round) return 0;
  let dots = 0;
  for (const b of board.ballots.values()) if (b.roundId === round.id && b.noteId === noteId) dots += b.dots;
  return dots;
}

/** The open round's counts from every ballot (a replay's full state). */
export function talliesFromBallots(board: BoardView, roundId: string): NoteTally[] {
  const dots = new Map<string, number>();
  for (const b of board.ballots.values()) if (b.roundId === roundId) dots.set(b.noteId, (dots.get(b.noteId) ?? 0) + b.dots);
  return sortTallies([...dots].map(([noteId, d]) => create(NoteTallySchema, { noteId, dots: d })));
}

/** Live notes of a cluster, sorted by id. */
export function clusterMembers(board: BoardView, clusterId: string): Note[] {
  return sortedById([...board.notes.values()].filter((n) => n.clusterId === clusterId && !n.deleted));
}

/** Others' unrevealed notes in `areaId` ("" = the open board), summed. */
export function hiddenCountIn(board: BoardView, areaId: string): number {
  return board.hiddenNotes.filter((h) => h.areaId === areaId).reduce((a, h) => a + h.count, 0);
}

/** Others' unrevealed notes by `authorId`, summed. */
export function hiddenCountOf(board: BoardView, authorId: string): number {
  return board.hiddenNotes.filter((h) => h.authorId === authorId).reduce((a, h) => a + h.count, 0);
}

/** The name `viewerId` sees for `participantId`: "Person N" in pseudonymous
 *  workshops, except for facilitators and oneself (Board::visible_name). */
export function visibleName(board: BoardView, participantId: string, viewerId: string, personWord = "Person"): string {
  const p = board.participants.get(participantId);
  if (!p) return "";
  const viewer = board.participants.get(viewerId);
  const seesNames = board.full || viewer?.role === Role.FACILITATOR;
  if (board.settings.pseudonymous && !seesNames && participantId !== viewerId) return `${personWord} ${p.pseudonymNumber}`;
  return p.displayName;
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
    `settings ${JSON.stringify(s.title)} lang=${s.language || "-"}${s.locked ? " locked" : ""}${s.pseudonymous ? " pseudonymous" : ""}${board.closed ? " closed" : ""}`,
  ];
  const flags = (o: { deleted: boolean; createdSeq: bigint; updatedSeq: bigint }) =>
    `${o.deleted ? " deleted" : ""} @${o.createdSeq}/${o.updatedSeq}`;
  for (const a of sortedById(board.areas.values())) {
    const r = a.rect;
    lines.push(
      `area ${a.id} ${JSON.stringify(a.title)} ${Color[a.color]} [${r?.x},${r?.y} ${r?.width}x${r?.height}]${a.locked ? " locked" : ""}${flags(a)}`,
    );
  }
  for (const n of sortedById(board.notes.values())) {
    const hidden = n.hidden ? (n.hiddenFromFacilitators ? " hidden(all)" : " hidden") : "";
    lines.push(
      `note ${n.id} ${JSON.stringify(n.text)} ${Color[n.color]} (${n.position?.x},${n.position?.y}) ` +
        `${n.size?.width}x${n.size?.height} by ${n.authorId || "-"} area=${n.areaId || "-"} cluster=${n.clusterId || "-"}${hidden}${flags(n)}`,
    );
  }
  for (const c of sortedById(board.clusters.values())) {
    lines.push(`cluster ${c.id} ${JSON.stringify(c.title)} (${c.position?.x},${c.position?.y}) area=${c.areaId || "-"}${flags(c)}`);
  }
  const ballots = [...board.ballots.values()].map((b) => `ballot ${b.roundId} ${b.voterId} ${b.noteId} ${b.dots}`).sort();
  lines.push(...ballots);
  for (const p of sortedById(board.participants.values())) {
    lines.push(
      `participant ${p.id} ${JSON.stringify(p.displayName)} ${Role[p.role]}${p.online ? " online" : ""}${p.removed ? " removed" : ""} @${p.joinedSeq} #${p.pseudonymNumber}`,
    );
  }
  const a = board.agenda;
  if (a.phases.length > 0 || a.currentPhaseId !== "") {
    lines.push(`agenda ${a.phases.map((p) => p.id).join(",")} current=${a.currentPhaseId || "-"} @${a.phaseStartedSeq} t=${a.phaseStartedMs}`);
    for (const p of a.phases) {
      if (p.instructions !== "" || p.notes !== "") lines.push(`phase ${p.id} instructions=${JSON.stringify(p.instructions)} notes=${JSON.stringify(p.notes)}`);
    }
  }
  const t = board.timer;
  if (t.state !== Timer_State.STOPPED) {
    lines.push(`timer ${Timer_State[t.state]} duration=${t.durationMs} deadline=${t.deadlineMs} remaining=${t.remainingMs}${t.lockOnExpiry ? " lock" : ""}`);
  }
  for (const r of board.rounds) {
    lines.push(
      `round ${r.id} ${JSON.stringify(r.title)} ${r.dotsPerParticipant}/${r.maxDotsPerNote}${r.open ? " open" : ""} @${r.openedSeq}-${r.closedSeq}` +
        (r.results.length ? ` results=${r.results.map((x) => `${x.noteId}:${x.dots}`).join(",")}` : ""),
    );
  }
  if (board.raisedHands.length) lines.push(`hands ${board.raisedHands.join(",")}`);
  if (board.followMe.active) lines.push(`follow ${board.followMe.facilitatorId}`);
  if (board.joinCode) lines.push(`join-code ${board.joinCode}`);
  const hidden = [...board.hiddenNotes].map((h) => `hidden ${h.authorId} area=${h.areaId || "-"} ${h.count}`).sort();
  lines.push(...hidden);
  const tallies = [...board.tallies].map(([id, d]) => `tally ${id} ${d}`).sort();
  lines.push(...tallies);
  return lines.join("\n");
}

/** The model as a BoardState (replay tests, debugging). Collections sorted
 *  by id, as the server lists them. */
export function stateOf(board: BoardView): BoardState {
  return create(BoardStateSchema, {
    seq: board.seq,
    settings: board.settings,
    areas: sortedById(board.areas.values()),
    notes: sortedById(board.notes.values()),
    clusters: sortedById(board.clusters.values()),
    ballots: [...board.ballots.values()],
    participants: sortedById(board.participants.values()),
    agenda: board.agenda,
    timer: board.timer,
    rounds: [...board.rounds],
    raisedHands: [...board.raisedHands],
    closed: board.closed,
    followMe: board.followMe,
    joinCode: board.joinCode,
    hiddenNotes: [...board.hiddenNotes],
    tallies: [...board.tallies].map(([noteId, dots]) => create(NoteTallySchema, { noteId, dots })),
    openRoundVoters: board.openRoundVoters,
  });
}
