// What the views of the board page share: the board as this client sees it,
// who "I" am, the means to change the board, texts and notices.
import type { Role } from "../gen/werkstatt/v1/board_pb";
import type { ConnectionStatus } from "../net/connection";
import type { BoardView } from "../state/board-model";
import type { OpInit } from "../state/board-store";
import type { PresenceStore } from "../sync/presence";
import type { LanguageState, TextKey } from "./i18n";
import type { Toasts } from "./overlays";

export interface AppContext {
  readonly lang: LanguageState;
  t(key: TextKey, params?: Record<string, string | number>): string;
  /** The board with this client's pending ops on top. */
  board(): BoardView;
  selfId(): string;
  role(): Role;
  /** The server's clock as this client estimates it (ms since the epoch). */
  serverNow(): number;
  readonly presence: PresenceStore;
  /** Sends `op` (applied at once); `undo` takes it back on Ctrl+Z. */
  propose(op: OpInit, undo?: OpInit): string;
  deleteNote(noteId: string): void;
  readonly toasts: Toasts;
  readonly workshopId: string;
  /** The facilitator link's token (exports, replay), if this page has one. */
  readonly facilitatorToken: string | undefined;
  readonly origin: string;
  /** The name this viewer sees for a participant (pseudonyms applied). */
  name(participantId: string): string;
  /** Nothing may be changed (observer, closed workshop). */
  readOnly(): boolean;
  connectionStatus(): ConnectionStatus;
  unsentCount(): number;
  /** The part of the board on screen (for "bring everyone here"). */
  currentViewport(): { x: number; y: number; width: number; height: number } | undefined;
  /** Re-render soon. */
  invalidate(): void;
  /** Facilitators: lay out one area ("" or undefined: every area) in a grid. */
  tidy?(areaId: string | undefined): void;
  /** The area on screen ("" for none / "show all"). */
  currentArea?(): string;
  /** "Merge with duplicate…" for `noteId` (it absorbs the note picked). */
  mergeDuplicate?(noteId: string): void;
  /** Facilitators: what the projector and phones show (SettingsField.PROJECTOR). */
  setProjector?(view: import("../gen/werkstatt/v1/board_pb").ProjectorView): void;
}
