// A fake WebSocket plus a factory recording every socket a connection opens.
// Tests play the server: open(), receive(), serverClose().
import type { ClientMessage } from "../gen/werkstatt/v1/protocol_pb";
import { decodeClientMessage, encodeServerMessage, type ServerMessageInit } from "../protocol/codec";
import type { WebSocketLike } from "../net/connection";

export class FakeSocket implements WebSocketLike {
  binaryType: BinaryType = "blob";
  readyState = 0; // CONNECTING
  onopen: ((ev: Event) => void) | null = null;
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onclose: ((ev: CloseEvent) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  /** What the client sent, decoded. */
  readonly sent: ClientMessage[] = [];
  closedByClient: { code?: number; reason?: string } | undefined;

  constructor(readonly url: string) {}

  send(data: Uint8Array): void {
    if (this.readyState !== 1) throw new Error(`send on a socket in state ${this.readyState}`);
    this.sent.push(decodeClientMessage(data));
  }

  close(code?: number, reason?: string): void {
    this.closedByClient = { code, reason };
    this.readyState = 3;
  }

  // ---- the server's side

  open(): void {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }

  receive(message: ServerMessageInit): void {
    const bytes = encodeServerMessage(message);
    this.receiveRaw(bytes.slice().buffer);
  }

  receiveRaw(data: unknown): void {
    this.onmessage?.({ data } as MessageEvent);
  }

  serverClose(code = 1006, reason = ""): void {
    this.readyState = 3;
    this.onclose?.({ code, reason, wasClean: false } as CloseEvent);
  }

  /** The bodies the client sent, by case, e.g. ["hello", "op", "ping"]. */
  sentCases(): (string | undefined)[] {
    return this.sent.map((m) => m.body.case);
  }
}

export class FakeSockets {
  readonly all: FakeSocket[] = [];
  readonly factory = (url: string): FakeSocket => {
    const socket = new FakeSocket(url);
    this.all.push(socket);
    return socket;
  };

  get last(): FakeSocket {
    const socket = this.all[this.all.length - 1];
    if (!socket) throw new Error("no socket was opened");
    return socket;
  }
}
