// The WebSocket connection to a workshop: hello, reconnect with backoff,
// liveness pings and the clock offset to the server.
//
// One *session* is one WebSocket. A session starts with Hello (protocol
// version, credential, the remembered participant identity, last seen seq)
// and is online once Welcome arrives. When it ends for any reason, the socket
// is orphaned (its handlers detached, so a late event from it is ignored),
// and a new session is attempted after a backoff delay. Callers see a new
// `session` number and a fresh Welcome; the board store decides what to
// resend (see BoardStore.takeUnsent).
//
// Everything the environment provides (WebSocket, timers, clock, randomness)
// is injectable, so tests drive the connection with a fake socket and a fake
// clock.
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  ErrorCode,
  type CredentialSchema,
  type Error as ServerError,
  type Pong,
  type ServerMessage,
  type Welcome,
} from "../gen/werkstatt/v1/protocol_pb";
import { CodecError, decodeServerFrame, encodeClientMessage, type ClientMessageInit } from "../protocol/codec";
import { CLIENT_NAME, PROTOCOL_VERSION } from "../protocol/version";
import { Listeners } from "../util/listeners";
import type { IdentityStore } from "./identity";

// ---------------------------------------------------------------- policy

/** First retry delay. Short, so a blip (Wi-Fi roaming, a phone waking up)
 *  heals before people notice; not zero, so a restarting server is not hit
 *  by every client in the same millisecond. */
export const RECONNECT_MIN_DELAY_MS = 500;
/** Longest wait between attempts. A laptop that was offline for an hour is
 *  back on the board at most this long after its network returns (the page
 *  also retries at once when the browser reports it is online again). */
export const RECONNECT_MAX_DELAY_MS = 30_000;
/** Each failed attempt multiplies the delay: 0.5 s, 1 s, 2 s … 30 s. */
export const RECONNECT_FACTOR = 2;
/** Up to this fraction of each delay is removed at random, so the 150
 *  clients a server restart disconnects do not come back in lockstep. */
export const RECONNECT_JITTER = 0.5;
/** An attempt that has not reached Welcome by then is abandoned. Generous:
 *  Welcome may carry the snapshot of a full board over a weak phone link. */
export const ATTEMPT_TIMEOUT_MS = 15_000;
/** A session that stayed online this long counts as healthy: the next drop
 *  starts the backoff from the minimum again. A server that accepts and then
 *  drops us at once keeps backing off instead of being hammered. */
export const STABLE_SESSION_MS = 10_000;
/** How often an online session pings (and measures the clock offset).
 *  Below the idle timeouts of common proxies and NAT tables (≥ 30 s). */
export const PING_INTERVAL_MS = 15_000;
/** No frame at all (not even a Pong) for this long: the socket is dead even
 *  if the browser has not noticed (a phone that changed networks). */
export const SILENCE_TIMEOUT_MS = 40_000;
/** Immediate resyncs (see Connection.resync) closer together than this fall
 *  back to the backoff: a healthy client needs one every few minutes at most. */
export const IMMEDIATE_RESYNC_MIN_INTERVAL_MS = 2_000;
/** Clock samples kept; the one with the shortest round trip wins, since its
 *  midpoint is the most accurate (the idea of NTP's clock filter). */
export const CLOCK_SAMPLES = 8;

export interface ConnectionPolicy {
  minDelayMs: number;
  maxDelayMs: number;
  factor: number;
  jitter: number;
  attemptTimeoutMs: number;
  stableSessionMs: number;
  pingIntervalMs: number;
  silenceTimeoutMs: number;
}

export const DEFAULT_POLICY: Readonly<ConnectionPolicy> = {
  minDelayMs: RECONNECT_MIN_DELAY_MS,
  maxDelayMs: RECONNECT_MAX_DELAY_MS,
  factor: RECONNECT_FACTOR,
  jitter: RECONNECT_JITTER,
  attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
  stableSessionMs: STABLE_SESSION_MS,
  pingIntervalMs: PING_INTERVAL_MS,
  silenceTimeoutMs: SILENCE_TIMEOUT_MS,
};

/** Delay before the next attempt after `failures` consecutive failures
 *  (≥ 1). `random` returns a number in [0, 1). */
export function reconnectDelay(failures: number, random: () => number, policy: ConnectionPolicy = DEFAULT_POLICY): number {
  const exponent = Math.max(0, failures - 1);
  const base = Math.min(policy.maxDelayMs, policy.minDelayMs * policy.factor ** exponent);
  return Math.round(base * (1 - policy.jitter * random()));
}

// ---------------------------------------------------------------- environment

/** The part of the browser WebSocket this module uses. */
export interface WebSocketLike {
  binaryType: BinaryType;
  readonly readyState: number;
  onopen: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Wall clock, ms since the Unix epoch (Ping.client_time_ms). */
  now(): number;
}

const WS_OPEN = 1;

export const browserTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
  now: () => Date.now(),
};

export const browserWebSocket: WebSocketFactory = (url) => new WebSocket(url);

// ---------------------------------------------------------------- connection

/**
 * offline      not trying: before start(), after stop(), or after an error
 *              that retrying cannot fix (see `lastError`)
 * connecting   the first attempt, before the first Welcome
 * online       Welcome received; messages flow
 * reconnecting the connection was lost (or an attempt failed); waiting for
 *              the backoff delay or attempting again
 */
export type ConnectionStatus = "offline" | "connecting" | "online" | "reconnecting";

export type CredentialInit = MessageInitShape<typeof CredentialSchema>;

/** Why the connection is not online, for the user and the log. */
export interface ConnectionProblem {
  /** The server's ErrorCode, or undefined for a local cause (closed, timeout). */
  code: ErrorCode | undefined;
  message: string;
}

/** Server errors that retrying cannot fix: the user must act (reload the
 *  page, use another link). The board shows them on its final screen. */
export const FINAL_ERRORS: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.PROTOCOL_VERSION,
  ErrorCode.UNKNOWN_WORKSHOP,
  ErrorCode.BAD_CREDENTIAL,
  // Not until an operator acts: retrying cannot help.
  ErrorCode.WORKSHOP_DAMAGED,
  ErrorCode.WORKSHOP_DELETED,
  // This identity was erased: coming back as it is impossible.
  ErrorCode.PARTICIPANT_ERASED,
]);

export interface ConnectionOptions {
  /** ws: or wss: URL of the server's WebSocket endpoint. */
  url: string;
  workshopId: string;
  credential: CredentialInit;
  displayName?: string;
  identity: IdentityStore;
  /** Read at each Hello: the last seq the board store has applied. */
  lastSeenSeq: () => bigint;
  /** Read at each Hello: Welcome.history_id of the history lastSeenSeq
   *  belongs to ("" if none), so the server can tell a replaced history. */
  historyId?: () => string;
  createSocket?: WebSocketFactory;
  timers?: Timers;
  random?: () => number;
  policy?: Partial<ConnectionPolicy>;
}

export class Connection {
  readonly statusChanges = new Listeners<ConnectionStatus>();
  /** Every server message except Pong, batches unwrapped, in order. Welcome
   *  is delivered after the status has become "online". */
  readonly messages = new Listeners<ServerMessage>();

  private currentStatus: ConnectionStatus = "offline";
  private currentSession = 0;
  private socket: WebSocketLike | undefined;
  private failures = 0;
  private problem: ConnectionProblem | undefined;
  private helloSentAt = 0;
  private helloHadIdentity = false;
  /** The next Hello goes without the remembered identity (which stays stored). */
  private skipIdentity = false;
  private lastReceivedAt = 0;
  private clockSamples: { rtt: number; offset: number }[] = [];
  private lastImmediateResync = Number.NEGATIVE_INFINITY;
  private retryTimer: unknown;
  private attemptTimer: unknown;
  private pingTimer: unknown;
  private stableTimer: unknown;

  private readonly createSocket: WebSocketFactory;
  private readonly timers: Timers;
  private readonly random: () => number;
  private readonly policy: ConnectionPolicy;

  constructor(private readonly options: ConnectionOptions) {
    this.createSocket = options.createSocket ?? browserWebSocket;
    this.timers = options.timers ?? browserTimers;
    this.random = options.random ?? Math.random;
    this.policy = { ...DEFAULT_POLICY, ...options.policy };
  }

  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  /** Increments with every socket. Ops are resent once per session. */
  get session(): number {
    return this.currentSession;
  }

  /** Why the connection last failed; cleared by the next Welcome. */
  get lastError(): ConnectionProblem | undefined {
    return this.problem;
  }

  /** Consecutive failed attempts (drives the backoff). */
  get failedAttempts(): number {
    return this.failures;
  }

  /** The estimated server clock, ms since the epoch (the local clock until
   *  the first Welcome). */
  serverNow(): number {
    return this.timers.now() + (this.clockOffsetMs ?? 0);
  }

  /** server clock − client clock in ms (add it to Date.now() to get server
   *  time), or undefined before the first Welcome. */
  get clockOffsetMs(): number | undefined {
    let best: { rtt: number; offset: number } | undefined;
    for (const s of this.clockSamples) if (!best || s.rtt < best.rtt) best = s;
    return best?.offset;
  }

  start(): void {
    if (this.currentStatus !== "offline") return;
    this.failures = 0;
    this.setStatus("connecting");
    this.connect();
  }

  /** Closes the connection for good (leaving the page, switching workshop). */
  stop(): void {
    this.dropSocket(1000, "client stopped");
    this.clearTimer("retryTimer");
    this.setStatus("offline");
  }

  /** Sends `message` if online. Returns false (and sends nothing) otherwise;
   *  ops are not lost by that, the store resends them in the next session. */
  send(message: ClientMessageInit): boolean {
    if (this.currentStatus !== "online" || !this.socket || this.socket.readyState !== WS_OPEN) return false;
    this.socket.send(encodeClientMessage(message));
    return true;
  }

  /** Ends the session and starts a new one (with backoff), e.g. when the
   *  board store detected a gap and needs the server to resend from its
   *  last seen seq. `immediate`: an expected, healthy restart (to fetch the
   *  server's copy of an own op, or a new view after a role change): the
   *  next attempt starts at once and does not count as a failure, unless
   *  such restarts come faster than IMMEDIATE_RESYNC_MIN_INTERVAL_MS (a loop
   *  must not hammer the server), in which case the backoff applies. */
  resync(reason: string, immediate = false): void {
    if (this.currentStatus === "offline") return;
    const now = this.timers.now();
    if (immediate && now - this.lastImmediateResync >= IMMEDIATE_RESYNC_MIN_INTERVAL_MS) {
      this.lastImmediateResync = now;
      this.dropSocket(4000, "resynchronising");
      this.problem = { code: undefined, message: `resynchronising: ${reason}` };
      this.setStatus("reconnecting");
      this.clearTimer("retryTimer");
      this.connect();
      return;
    }
    this.fail({ code: undefined, message: `resynchronising: ${reason}` });
  }

  /** Skips the remaining backoff delay (the browser is back online, the tab
   *  became visible). Does nothing while an attempt is running or online. */
  reconnectNow(): void {
    if (this.currentStatus !== "reconnecting" || this.socket) return;
    this.clearTimer("retryTimer");
    this.connect();
  }

  // ------------------------------------------------------------ internals

  private connect(): void {
    this.currentSession += 1;
    const session = this.currentSession;
    let socket: WebSocketLike;
    try {
      socket = this.createSocket(this.options.url);
    } catch (e) {
      // An invalid URL or a blocked scheme: retrying may not help, but the
      // backoff keeps it cheap and the message reaches the user.
      this.socket = undefined;
      this.fail({ code: undefined, message: `could not open a WebSocket: ${(e as Error).message}` });
      return;
    }
    this.socket = socket;
    socket.binaryType = "arraybuffer";
    const current = () => this.socket === socket && this.currentSession === session;

    socket.onopen = () => {
      if (!current()) return;
      this.sendHello();
    };
    socket.onmessage = (ev) => {
      if (!current()) return;
      this.lastReceivedAt = this.timers.now();
      let messages: ServerMessage[];
      try {
        messages = decodeServerFrame(ev.data);
      } catch (e) {
        this.fail({ code: undefined, message: e instanceof CodecError ? e.message : String(e) });
        return;
      }
      for (const message of messages) {
        if (!current()) return; // a message before this one ended the session
        this.handle(message);
      }
    };
    socket.onclose = (ev) => {
      if (!current()) return;
      this.fail({ code: undefined, message: `connection closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ""})` });
    };
    // A close event always follows an error event; the close handles it.
    socket.onerror = () => {};

    this.attemptTimer = this.timers.setTimeout(() => {
      if (current() && this.currentStatus !== "online") {
        this.fail({ code: undefined, message: "the server did not answer in time" });
      }
    }, this.policy.attemptTimeoutMs);
  }

  private sendHello(): void {
    const identity = this.skipIdentity ? undefined : this.options.identity.load();
    this.skipIdentity = false;
    this.helloHadIdentity = identity !== undefined;
    this.helloSentAt = this.timers.now();
    this.socket?.send(
      encodeClientMessage({
        body: {
          case: "hello",
          value: {
            protocolVersion: PROTOCOL_VERSION,
            workshopId: this.options.workshopId,
            displayName: this.options.displayName ?? "",
            credential: this.options.credential,
            participantId: identity?.participantId ?? "",
            participantSecret: identity?.participantSecret ?? "",
            lastSeenSeq: this.options.lastSeenSeq(),
            historyId: this.options.historyId?.() ?? "",
            client: CLIENT_NAME,
          },
        },
      }),
    );
  }

  private handle(message: ServerMessage): void {
    switch (message.body.case) {
      case "welcome":
        this.onWelcome(message.body.value);
        if (this.currentStatus === "online") this.messages.emit(message);
        return;
      case "pong":
        this.onPong(message.body.value);
        return;
      case "error":
        this.messages.emit(message);
        this.onServerError(message.body.value);
        return;
      default:
        this.messages.emit(message);
    }
  }

  private onWelcome(welcome: Welcome): void {
    if (welcome.protocolVersion !== PROTOCOL_VERSION) {
      this.giveUp({
        code: ErrorCode.PROTOCOL_VERSION,
        message: `the server speaks protocol version ${welcome.protocolVersion}, this page ${PROTOCOL_VERSION}: reload the page`,
      });
      return;
    }
    // A second Welcome on one socket comes when this person's role changed
    // (the view starts over): it must not start a second ping loop.
    this.clearTimer("attemptTimer");
    this.clearTimer("pingTimer");
    this.clearTimer("stableTimer");
    // A new identity comes with its secret; a resumed one without (the
    // server never repeats a secret): keep the one this client already has.
    const known = this.options.identity.load();
    const secret = welcome.participantSecret || (known?.participantId === welcome.participantId ? known.participantSecret : "");
    this.options.identity.save({ participantId: welcome.participantId, participantSecret: secret });
    this.addClockSample(this.helloSentAt, this.timers.now(), Number(welcome.serverTimeMs));
    this.problem = undefined;
    this.setStatus("online");
    this.schedulePing();
    this.stableTimer = this.timers.setTimeout(() => {
      this.failures = 0;
    }, this.policy.stableSessionMs);
  }

  private onPong(pong: Pong): void {
    this.addClockSample(Number(pong.clientTimeMs), this.timers.now(), Number(pong.serverTimeMs));
  }

  private onServerError(error: ServerError): void {
    const problem = { code: error.code, message: error.message || ErrorCode[error.code] || "server error" };
    if (error.code === ErrorCode.BAD_CREDENTIAL && this.helloHadIdentity) {
      // The server resumes a known identity whatever happened to the join
      // code, so this identity itself was refused (removed, or the workshop
      // was reset): try once as someone new. The identity stays stored until
      // a Welcome brings a new one, so a refusal never makes a person lose it.
      this.skipIdentity = true;
      this.fail(problem);
    } else if (FINAL_ERRORS.has(error.code)) this.giveUp(problem);
    else if (error.fatal) this.fail(problem); // the server is closing this socket anyway
  }

  private addClockSample(sentAt: number, receivedAt: number, serverTime: number): void {
    const rtt = receivedAt - sentAt;
    if (!Number.isFinite(rtt) || rtt < 0 || !Number.isFinite(serverTime) || serverTime === 0) return;
    this.clockSamples.push({ rtt, offset: serverTime - (sentAt + receivedAt) / 2 });
    if (this.clockSamples.length > CLOCK_SAMPLES) this.clockSamples.shift();
  }

  private schedulePing(): void {
    this.pingTimer = this.timers.setTimeout(() => {
      if (this.currentStatus !== "online") return;
      const now = this.timers.now();
      if (now - this.lastReceivedAt >= this.policy.silenceTimeoutMs) {
        this.fail({ code: undefined, message: `no answer from the server for ${Math.round((now - this.lastReceivedAt) / 1000)} s` });
        return;
      }
      this.send({ body: { case: "ping", value: { clientTimeMs: BigInt(Math.round(now)) } } });
      this.schedulePing();
    }, this.policy.pingIntervalMs);
  }

  /** Ends the current session and schedules the next attempt. */
  private fail(problem: ConnectionProblem): void {
    this.dropSocket(4000, "reconnecting");
    this.problem = problem;
    this.failures += 1;
    this.setStatus("reconnecting");
    this.clearTimer("retryTimer");
    this.retryTimer = this.timers.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.currentStatus === "reconnecting" && !this.socket) this.connect();
    }, reconnectDelay(this.failures, this.random, this.policy));
  }

  /** Ends the current session and stops trying. */
  private giveUp(problem: ConnectionProblem): void {
    this.dropSocket(1000, "giving up");
    this.clearTimer("retryTimer");
    this.problem = problem;
    this.setStatus("offline");
  }

  /** Orphans the current socket: no handler of it runs again. */
  private dropSocket(code: number, reason: string): void {
    this.clearTimer("attemptTimer");
    this.clearTimer("pingTimer");
    this.clearTimer("stableTimer");
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close(code, reason);
    } catch {
      // Already closed or never opened.
    }
  }

  private clearTimer(name: "retryTimer" | "attemptTimer" | "pingTimer" | "stableTimer"): void {
    if (this[name] !== undefined) {
      this.timers.clearTimeout(this[name]);
      this[name] = undefined;
    }
  }

  private setStatus(status: ConnectionStatus): void {
    if (status === this.currentStatus) return;
    this.currentStatus = status;
    this.statusChanges.emit(status);
  }
}
