import { beforeEach, describe, expect, it } from "vitest";
import { ErrorCode } from "../gen/werkstatt/v1/protocol_pb";
import type { ServerMessageInit } from "../protocol/codec";
import { FakeClock } from "../test/fake-clock";
import { FakeSockets } from "../test/fake-socket";
import {
  ATTEMPT_TIMEOUT_MS,
  Connection,
  DEFAULT_POLICY,
  PING_INTERVAL_MS,
  RECONNECT_MAX_DELAY_MS,
  RECONNECT_MIN_DELAY_MS,
  SILENCE_TIMEOUT_MS,
  STABLE_SESSION_MS,
  reconnectDelay,
  type ConnectionStatus,
} from "./connection";
import { IdentityStore, type KeyValueStorage } from "./identity";

class MapStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  getItem = (k: string) => this.map.get(k) ?? null;
  setItem = (k: string, v: string) => void this.map.set(k, v);
  removeItem = (k: string) => void this.map.delete(k);
}

let clock: FakeClock;
let sockets: FakeSockets;
let storage: MapStorage;
let lastSeen: bigint;
let random: number;
let connection: Connection;
let statuses: ConnectionStatus[];
let received: (string | undefined)[];

function makeConnection(): Connection {
  const c = new Connection({
    url: "ws://board.example/ws",
    workshopId: "w1",
    credential: { kind: { case: "joinCode", value: "K7-42" } },
    displayName: "Anna",
    identity: new IdentityStore(storage, "w1", "joinCode"),
    lastSeenSeq: () => lastSeen,
    createSocket: sockets.factory,
    timers: clock,
    random: () => random,
  });
  c.statusChanges.add((s) => statuses.push(s));
  c.messages.add((m) => received.push(m.body.case));
  return c;
}

const welcome = (extra: Record<string, unknown> = {}): ServerMessageInit => ({
  body: {
    case: "welcome",
    value: {
      protocolVersion: 1,
      participantId: "p1",
      participantSecret: "secret-1",
      serverTimeMs: BigInt(clock.now() + 60_000),
      seq: 0n,
      ...extra,
    },
  },
});

/** Runs the pending backoff delay: the next attempt opens a socket. */
function retry(): void {
  clock.advance(clock.scheduled()[0] ?? 0);
}

/** Opens the current socket and answers its Hello with Welcome. */
function accept(extra: Record<string, unknown> = {}): void {
  sockets.last.open();
  sockets.last.receive(welcome(extra));
}

beforeEach(() => {
  clock = new FakeClock();
  sockets = new FakeSockets();
  storage = new MapStorage();
  lastSeen = 0n;
  random = 0;
  statuses = [];
  received = [];
  connection = makeConnection();
});

describe("reconnectDelay", () => {
  it("grows by the factor from the minimum up to the maximum", () => {
    const delays = Array.from({ length: 10 }, (_, i) => reconnectDelay(i + 1, () => 0));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
    expect(delays[0]).toBe(RECONNECT_MIN_DELAY_MS);
    expect(delays[9]).toBe(RECONNECT_MAX_DELAY_MS);
  });

  it("removes up to the jitter fraction at random", () => {
    expect(reconnectDelay(1, () => 0.999999)).toBe(250);
    expect(reconnectDelay(3, () => 0.5)).toBe(1500);
    expect(reconnectDelay(20, () => 0.5)).toBe(22500);
  });

  it("follows a custom policy", () => {
    const policy = { ...DEFAULT_POLICY, minDelayMs: 100, maxDelayMs: 1000, factor: 3, jitter: 0 };
    expect([1, 2, 3, 4].map((n) => reconnectDelay(n, () => 0.7, policy))).toEqual([100, 300, 900, 1000]);
  });
});

describe("hello and welcome", () => {
  it("sends Hello with version, credential and last seen seq on open", () => {
    lastSeen = 17n;
    connection.start();
    expect(statuses).toEqual(["connecting"]);
    expect(sockets.last.binaryType).toBe("arraybuffer");
    expect(sockets.last.url).toBe("ws://board.example/ws");
    expect(sockets.last.sent).toEqual([]);
    sockets.last.open();
    const hello = sockets.last.sent[0]?.body;
    expect(hello?.case).toBe("hello");
    if (hello?.case !== "hello") return;
    expect(hello.value).toMatchObject({
      protocolVersion: 1,
      workshopId: "w1",
      displayName: "Anna",
      participantId: "",
      participantSecret: "",
      lastSeenSeq: 17n,
    });
    expect(hello.value.credential?.kind).toEqual({ case: "joinCode", value: "K7-42" });
  });

  it("goes online on Welcome, remembers the identity and resumes with it next time", () => {
    connection.start();
    accept();
    expect(statuses).toEqual(["connecting", "online"]);
    expect(received).toEqual(["welcome"]);

    // A reload: a new Connection with the same storage.
    lastSeen = 42n;
    sockets.last.serverClose();
    connection.stop();
    const again = makeConnection();
    again.start();
    sockets.last.open();
    const hello = sockets.last.sent[0]?.body;
    expect(hello?.case === "hello" && hello.value).toMatchObject({
      participantId: "p1",
      participantSecret: "secret-1",
      lastSeenSeq: 42n,
    });
  });

  it("keeps the secret when a resumed Welcome carries none, so a later reload is still the same person", () => {
    connection.start();
    accept(); // a new identity: p1 with secret-1
    sockets.last.serverClose();
    clock.advance(clock.scheduled()[0] ?? 0);
    accept({ participantSecret: "" }); // the resume: the server does not repeat the secret
    connection.stop();
    const again = makeConnection(); // the page is reloaded
    again.start();
    sockets.last.open();
    const hello = sockets.last.sent[0]?.body;
    expect(hello?.case === "hello" && hello.value).toMatchObject({ participantId: "p1", participantSecret: "secret-1" });
  });

  it("delivers the messages of a batch in order, Welcome first", () => {
    connection.start();
    sockets.last.open();
    sockets.last.receive({
      body: {
        case: "batch",
        value: {
          messages: [
            welcome(),
            { body: { case: "event", value: { seq: 1n } } },
            { body: { case: "pong", value: { clientTimeMs: 1n, serverTimeMs: 2n } } },
            { body: { case: "ack", value: { seq: 2n } } },
          ],
        },
      },
    });
    expect(received).toEqual(["welcome", "event", "ack"]);
  });

  it("refuses to send before Welcome and after the connection is lost", () => {
    connection.start();
    sockets.last.open();
    expect(connection.send({ body: { case: "ping", value: {} } })).toBe(false);
    sockets.last.receive(welcome());
    expect(connection.send({ body: { case: "ping", value: {} } })).toBe(true);
    sockets.last.serverClose();
    expect(connection.send({ body: { case: "ping", value: {} } })).toBe(false);
    expect(sockets.all[0]?.sentCases()).toEqual(["hello", "ping"]);
  });
});

describe("reconnect", () => {
  it("backs off 0.5 s, 1 s, 2 s, 4 s between failed attempts", () => {
    connection.start();
    const gaps: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = sockets.all.length;
      const failedAt = clock.now();
      sockets.last.serverClose();
      // No new attempt a millisecond before the delay is over …
      const delay = clock.scheduled()[0] ?? -1;
      clock.advance(delay - 1);
      expect(sockets.all.length).toBe(before);
      // … and exactly one when it is.
      clock.advance(1);
      expect(sockets.all.length).toBe(before + 1);
      gaps.push(clock.now() - failedAt);
    }
    expect(gaps).toEqual([500, 1000, 2000, 4000]);
    expect(statuses).toEqual(["connecting", "reconnecting"]);
  });

  it("starts over from the minimum after a session that stayed online", () => {
    connection.start();
    for (let i = 0; i < 3; i++) {
      sockets.last.serverClose();
      retry();
    }
    expect(connection.failedAttempts).toBe(3);
    accept();
    clock.advance(STABLE_SESSION_MS);
    expect(connection.failedAttempts).toBe(0);
    sockets.last.serverClose();
    expect(clock.scheduled()[0]).toBe(500);
    expect(statuses).toEqual(["connecting", "reconnecting", "online", "reconnecting"]);
  });

  it("keeps backing off when the server drops us right after each Welcome", () => {
    connection.start();
    accept();
    sockets.last.serverClose();
    clock.advance(500);
    accept();
    sockets.last.serverClose();
    expect(clock.scheduled()[0]).toBe(1000);
  });

  it("orphans the old socket: its late events are ignored", () => {
    connection.start();
    accept();
    const old = sockets.last;
    const lateMessage = old.onmessage;
    const lateClose = old.onclose;
    connection.resync("gap");
    expect(old.closedByClient).toBeDefined();
    expect(old.onmessage).toBeNull();
    clock.advance(500);
    accept();
    const sessionsBefore = connection.session;
    received = [];
    lateMessage?.({ data: new ArrayBuffer(0) } as MessageEvent);
    lateClose?.({ code: 1006, reason: "" } as CloseEvent);
    expect(connection.status).toBe("online");
    expect(connection.session).toBe(sessionsBefore);
    expect(received).toEqual([]);
    expect(sockets.all).toHaveLength(2);
  });

  it("gives up an attempt that does not reach Welcome in time", () => {
    connection.start();
    sockets.last.open();
    clock.advance(ATTEMPT_TIMEOUT_MS - 1);
    expect(connection.status).toBe("connecting");
    clock.advance(1);
    expect(connection.status).toBe("reconnecting");
    expect(sockets.all[0]?.closedByClient).toBeDefined();
    expect(connection.lastError?.message).toMatch(/did not answer/);
  });

  it("reconnects at once on reconnectNow, skipping the rest of the delay", () => {
    connection.start();
    for (let i = 0; i < 5; i++) {
      sockets.last.serverClose();
      retry();
    }
    sockets.last.serverClose();
    expect(clock.scheduled()[0]).toBe(16000);
    connection.reconnectNow();
    expect(sockets.all).toHaveLength(7);
    connection.reconnectNow(); // an attempt is running: no second socket
    expect(sockets.all).toHaveLength(7);
  });

  it("treats an undecodable frame as a broken stream", () => {
    connection.start();
    accept();
    sockets.last.receiveRaw("not binary");
    expect(connection.status).toBe("reconnecting");
    expect(connection.lastError?.message).toMatch(/text frame/);
  });

  it("stops for good on stop()", () => {
    connection.start();
    accept();
    connection.stop();
    clock.advance(10 * RECONNECT_MAX_DELAY_MS);
    expect(sockets.all).toHaveLength(1);
    expect(statuses).toEqual(["connecting", "online", "offline"]);
  });
});

describe("server errors", () => {
  it("stops retrying on a bad credential and says why", () => {
    connection.start();
    sockets.last.open();
    sockets.last.receive({ body: { case: "error", value: { code: ErrorCode.BAD_CREDENTIAL, message: "unknown join code", fatal: true } } });
    clock.advance(10 * RECONNECT_MAX_DELAY_MS);
    expect(connection.status).toBe("offline");
    expect(connection.lastError).toEqual({ code: ErrorCode.BAD_CREDENTIAL, message: "unknown join code" });
    expect(sockets.all).toHaveLength(1);
    expect(received).toEqual(["error"]);
  });

  it("retries once without a remembered identity the server no longer accepts", () => {
    connection.start();
    accept();
    sockets.last.serverClose();
    clock.advance(500);
    sockets.last.open();
    sockets.last.receive({ body: { case: "error", value: { code: ErrorCode.BAD_CREDENTIAL, fatal: true } } });
    expect(connection.status).toBe("reconnecting");
    clock.advance(1000);
    sockets.last.open();
    const hello = sockets.last.sent[0]?.body;
    expect(hello?.case === "hello" && hello.value.participantId).toBe("");
    sockets.last.receive({ body: { case: "error", value: { code: ErrorCode.BAD_CREDENTIAL, fatal: true } } });
    expect(connection.status).toBe("offline");
    // Refusals never wipe the identity: only a Welcome with a new one replaces it.
    expect(new IdentityStore(storage, "w1", "joinCode").load()?.participantId).toBe("p1");
  });

  it("stops on a protocol version mismatch in Welcome", () => {
    connection.start();
    accept({ protocolVersion: 2 });
    expect(connection.status).toBe("offline");
    expect(connection.lastError?.code).toBe(ErrorCode.PROTOCOL_VERSION);
    expect(received).toEqual([]);
  });

  it("reconnects after a fatal error that retrying can fix", () => {
    connection.start();
    accept();
    sockets.last.receive({ body: { case: "error", value: { code: ErrorCode.SLOW_CONSUMER, message: "too slow", fatal: true } } });
    expect(connection.status).toBe("reconnecting");
    clock.advance(500);
    expect(sockets.all).toHaveLength(2);
  });

  it("stays online after a non-fatal error", () => {
    connection.start();
    accept();
    sockets.last.receive({ body: { case: "error", value: { code: ErrorCode.RATE_LIMITED, message: "slow down" } } });
    expect(connection.status).toBe("online");
    expect(received).toEqual(["welcome", "error"]);
  });
});

describe("a second Welcome on one socket (the role changed)", () => {
  it("is passed on to the board and keeps one ping loop", () => {
    connection.start();
    sockets.last.open();
    clock.advance(300);
    const serverAhead = 60_000;
    sockets.last.receive(welcome({ serverTimeMs: BigInt(clock.now() - 150 + serverAhead) }));
    expect(connection.clockOffsetMs).toBe(serverAhead);
    clock.advance(1_000); // a facilitator promotes this person
    sockets.last.receive(welcome({ serverTimeMs: BigInt(clock.now() + serverAhead + 7_000) }));
    expect(received).toEqual(["welcome", "welcome"]);
    expect(statuses).toEqual(["connecting", "online"]);
    const before = sockets.last.sent.length;
    clock.advance(PING_INTERVAL_MS);
    expect(sockets.last.sent.slice(before).filter((m) => m.body.case === "ping")).toHaveLength(1);
  });
});

describe("ping and clock", () => {
  it("estimates the clock offset from Welcome and refines it with pongs", () => {
    connection.start();
    sockets.last.open();
    clock.advance(300); // Hello → Welcome took 300 ms (a snapshot)
    const serverAhead = 60_000;
    sockets.last.receive(welcome({ serverTimeMs: BigInt(clock.now() - 150 + serverAhead + 40) }));
    expect(connection.clockOffsetMs).toBe(serverAhead + 40);

    clock.advance(PING_INTERVAL_MS);
    const ping = sockets.last.sent.at(-1)?.body;
    expect(ping?.case).toBe("ping");
    if (ping?.case !== "ping") return;
    expect(ping.value.clientTimeMs).toBe(BigInt(clock.now()));
    // Round trip 20 ms; the server stamped its clock halfway.
    const sentAt = clock.now();
    clock.advance(20);
    sockets.last.receive({
      body: { case: "pong", value: { clientTimeMs: BigInt(sentAt), serverTimeMs: BigInt(sentAt + 10 + serverAhead) } },
    });
    expect(connection.clockOffsetMs).toBe(serverAhead);
  });

  it("pings every interval while online", () => {
    connection.start();
    accept();
    for (let i = 0; i < 3; i++) {
      clock.advance(PING_INTERVAL_MS);
      sockets.last.receive({ body: { case: "pong", value: { clientTimeMs: 1n, serverTimeMs: 2n } } });
    }
    expect(sockets.last.sentCases()).toEqual(["hello", "ping", "ping", "ping"]);
    expect(connection.status).toBe("online");
  });

  it("reconnects when the server has been silent too long", () => {
    connection.start();
    accept();
    clock.advance(SILENCE_TIMEOUT_MS + PING_INTERVAL_MS);
    expect(connection.status).toBe("reconnecting");
    expect(connection.lastError?.message).toMatch(/no answer/);
  });
});
