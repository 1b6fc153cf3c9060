// Remembers the participant identity (id + resume secret from Welcome) per
// workshop, so that a reload or a reconnect resumes as the same participant
// instead of joining as a new one.
//
// The key also names the kind of credential: a facilitator who opens the
// participant link in another tab of the same browser gets a separate
// identity, instead of the participant link resuming the facilitator.
//
// Storage may be missing or throw (private browsing, storage disabled, quota);
// the identity then lives only as long as the page, which costs a resume
// across reloads but never breaks joining.
export interface Identity {
  participantId: string;
  participantSecret: string;
}

/** The part of the Web Storage API used here (localStorage in the browser). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const IDENTITY_KEY_PREFIX = "werkstatt.identity.v1";

export class IdentityStore {
  private memory: Identity | undefined;
  private readonly key: string;

  constructor(
    private readonly storage: KeyValueStorage | undefined,
    workshopId: string,
    credentialKind: string,
  ) {
    this.key = `${IDENTITY_KEY_PREFIX}.${workshopId}.${credentialKind}`;
  }

  load(): Identity | undefined {
    try {
      const raw = this.storage?.getItem(this.key);
      if (raw) {
        const parsed: unknown = JSON.parse(raw);
        if (isIdentity(parsed)) return parsed;
      }
    } catch {
      // Unreadable storage or a corrupt entry: fall back to memory.
    }
    return this.memory;
  }

  save(identity: Identity): void {
    this.memory = { participantId: identity.participantId, participantSecret: identity.participantSecret };
    try {
      this.storage?.setItem(this.key, JSON.stringify(this.memory));
    } catch {
      // Kept in memory only; see the module comment.
    }
  }

  clear(): void {
    this.memory = undefined;
    try {
      this.storage?.removeItem(this.key);
    } catch {
      // Nothing more to do.
    }
  }
}

function isIdentity(value: unknown): value is Identity {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.participantId === "string" && v.participantId !== "" && typeof v.participantSecret === "string";
}

/** localStorage if the page may use it, else undefined. */
export function browserStorage(): KeyValueStorage | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined; // accessing localStorage itself throws when it is blocked
  }
}
