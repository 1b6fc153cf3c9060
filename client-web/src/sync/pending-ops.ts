// Keeps this client's unanswered ops in local storage, so that an edit made
// while offline survives a reload or a phone discarding the tab: the next
// page load puts them back into the store, and they are resent with their
// original client op ids once the connection is up (the server answers an
// id it already applied with its original seq, so nothing is applied twice).
//
// Ops belong to one participant: they are restored only for the identity
// that made them (another identity would send them as someone else).
// Bounded: at most MAX_STORED_OPS ops / MAX_STORED_CHARS of JSON; beyond
// that the newest are kept in memory only. Storage that is missing or
// throws costs only this safety net, never the session.
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { OpSchema } from "../gen/werkstatt/v1/board_pb";
import type { KeyValueStorage } from "../net/identity";
import type { PendingOp } from "../state/board-store";

export const PENDING_KEY_PREFIX = "werkstatt.pending.v1";
export const MAX_STORED_OPS = 500;
export const MAX_STORED_CHARS = 512 * 1024;

interface Stored {
  participantId: string;
  ops: { id: string; op: string }[]; // op: base64 of the binary Op
}

export class PendingOpStore {
  private readonly key: string;
  private lastSaved: string | undefined; // undefined: the first save always writes

  constructor(
    private readonly storage: KeyValueStorage | undefined,
    workshopId: string,
    credentialKind: string,
  ) {
    this.key = `${PENDING_KEY_PREFIX}.${workshopId}.${credentialKind}`;
  }

  /** The ops `participantId` left unanswered last time, oldest first. */
  load(participantId: string): PendingOp[] {
    try {
      const raw = this.storage?.getItem(this.key);
      if (!raw) return [];
      const parsed = JSON.parse(raw) as Partial<Stored>;
      if (parsed.participantId !== participantId || !Array.isArray(parsed.ops)) return [];
      const out: PendingOp[] = [];
      for (const entry of parsed.ops.slice(0, MAX_STORED_OPS)) {
        if (typeof entry?.id !== "string" || entry.id === "" || typeof entry.op !== "string") continue;
        out.push({ clientOpId: entry.id, op: fromBinary(OpSchema, base64ToBytes(entry.op)) });
      }
      return out;
    } catch {
      return []; // a corrupt entry is dropped, not retried forever
    }
  }

  /** Replaces what is stored with `ops` (none: removes the entry). */
  save(participantId: string, ops: readonly PendingOp[]): void {
    try {
      let value = "";
      if (ops.length > 0) {
        const stored: Stored = { participantId, ops: [] };
        let chars = 0;
        for (const p of ops.slice(0, MAX_STORED_OPS)) {
          const op = bytesToBase64(toBinary(OpSchema, p.op));
          chars += op.length + p.clientOpId.length + 16;
          if (chars > MAX_STORED_CHARS) break;
          stored.ops.push({ id: p.clientOpId, op });
        }
        value = JSON.stringify(stored);
      }
      if (value === this.lastSaved) return;
      if (value) this.storage?.setItem(this.key, value);
      else this.storage?.removeItem(this.key);
      this.lastSaved = value;
    } catch {
      // Quota, disabled storage or an op that does not encode: the ops
      // still live in memory.
    }
  }
}

function bytesToBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function base64ToBytes(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
