// Scripted participants for the end-to-end tests: a room of 25 is more than
// a 2-core machine can run as browser pages, so most of it joins as small
// WebSocket clients in node that speak the real protocol through the
// client's own codec (src/protocol/codec.ts) and generated schemas.
//
// Node 18 has no WebSocket, and no WebSocket package is installed, so this
// file speaks RFC 6455 itself over node:http's upgrade: binary frames only
// (the protocol has no text frames), masked from the client, unfragmented
// from the server (answers larger frames' continuations too), ping → pong,
// close. It is a test tool, not a general client.
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import type { Socket } from "node:net";
import type { ServerMessage, Welcome } from "../src/gen/werkstatt/v1/protocol_pb";
import type { OpInit } from "../src/state/board-store";
import { decodeServerFrame, encodeClientMessage } from "../src/protocol/codec";
import { CLIENT_NAME, PROTOCOL_VERSION } from "../src/protocol/version";

/** One WebSocket connection (binary frames). */
class RawSocket {
  private buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  onMessage: (data: Uint8Array) => void = () => undefined;
  onClose: () => void = () => undefined;

  constructor(private readonly socket: Socket, head: Buffer) {
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("close", () => this.onClose());
    socket.on("error", () => socket.destroy());
    if (head.length) this.receive(head);
  }

  static open(url: string, origin: string): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const req = request({
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        headers: {
          Connection: "Upgrade",
          Upgrade: "websocket",
          "Sec-WebSocket-Version": "13",
          "Sec-WebSocket-Key": randomBytes(16).toString("base64"),
          Origin: origin,
        },
      });
      req.on("upgrade", (_res, socket: Socket, head: Buffer) => resolve(new RawSocket(socket, head)));
      req.on("response", (res) => reject(new Error(`no WebSocket upgrade: HTTP ${res.statusCode}`)));
      req.on("error", reject);
      req.end();
    });
  }

  send(data: Uint8Array, opcode = 0x2): void {
    const len = data.length;
    const header = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
    header[0] = 0x80 | opcode;
    if (len < 126) header[1] = 0x80 | len;
    else if (len < 65536) {
      header[1] = 0x80 | 126;
      header.writeUInt16BE(len, 2);
    } else {
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(len), 2);
    }
    const mask = randomBytes(4);
    const payload = Buffer.from(data);
    for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number);
    this.socket.write(Buffer.concat([header, mask, payload]));
  }

  close(): void {
    try {
      this.send(new Uint8Array([0x03, 0xe8]), 0x8); // 1000
    } catch {
      // already gone
    }
    this.socket.end();
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length < 2) return;
      const b0 = this.buffer[0] as number;
      const b1 = this.buffer[1] as number;
      let len = b1 & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (this.buffer.length < 4) return;
        len = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (this.buffer.length < 10) return;
        len = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (this.buffer.length < offset + len) return;
      const payload = this.buffer.subarray(offset, offset + len);
      this.buffer = this.buffer.subarray(offset + len);
      const opcode = b0 & 0x0f;
      const fin = (b0 & 0x80) !== 0;
      if (opcode === 0x9) this.send(payload, 0xa);
      else if (opcode === 0x8) this.socket.end();
      else if (opcode === 0x2 || opcode === 0x0) {
        this.fragments.push(Buffer.from(payload));
        if (fin) {
          const whole = Buffer.concat(this.fragments);
          this.fragments = [];
          this.onMessage(new Uint8Array(whole));
        }
      }
    }
  }
}

/** A scripted participant: joins with the join code, sends ops, waits for
 *  their Ack (or Reject). */
export class Bot {
  participantId = "";
  welcome: Welcome | undefined;
  private socket: RawSocket | undefined;
  private next = 0;
  private readonly waiting = new Map<string, { resolve: (seq: bigint) => void; reject: (e: Error) => void }>();
  readonly received: ServerMessage[] = [];

  constructor(
    private readonly serverUrl: string,
    private readonly workshopId: string,
    private readonly joinCode: string,
    readonly name: string,
  ) {}

  async join(): Promise<void> {
    const ws = new URL("/ws", this.serverUrl);
    ws.protocol = "ws:";
    this.socket = await RawSocket.open(ws.toString(), new URL(this.serverUrl).origin);
    const welcomed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no Welcome in 15 s`)), 15_000);
      this.socket!.onMessage = (data) => {
        for (const m of decodeServerFrame(data)) {
          this.received.push(m);
          const b = m.body;
          if (b.case === "welcome") {
            this.welcome = b.value;
            this.participantId = b.value.participantId;
            clearTimeout(timer);
            resolve();
          } else if (b.case === "ack") this.waiting.get(b.value.clientOpId)?.resolve(b.value.seq);
          else if (b.case === "reject") this.waiting.get(b.value.clientOpId)?.reject(new Error(`${this.name}: rejected (${b.value.code}) ${b.value.reason}`));
          else if (b.case === "error") reject(new Error(`${this.name}: error ${b.value.code} ${b.value.message}`));
        }
      };
    });
    this.socket.send(
      encodeClientMessage({
        body: {
          case: "hello",
          value: {
            protocolVersion: PROTOCOL_VERSION,
            workshopId: this.workshopId,
            displayName: this.name,
            credential: { kind: { case: "joinCode", value: this.joinCode } },
            client: `${CLIENT_NAME} e2e-bot`,
          },
        },
      }),
    );
    await welcomed;
  }

  /** Sends `op`; resolves with its seq once acknowledged, rejects on Reject. */
  send(op: OpInit): Promise<bigint> {
    const clientOpId = `bot-${this.name.replace(/\W/g, "")}-${++this.next}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no answer to ${op.kind?.case} in 15 s`)), 15_000);
      this.waiting.set(clientOpId, {
        resolve: (seq) => (clearTimeout(timer), resolve(seq)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.socket!.send(encodeClientMessage({ body: { case: "op", value: { clientOpId, op } } }));
    });
  }

  close(): void {
    this.socket?.close();
  }
}
