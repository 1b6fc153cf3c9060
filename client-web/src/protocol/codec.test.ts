import { create, toBinary } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { Color } from "../gen/werkstatt/v1/board_pb";
import { ServerMessageSchema } from "../gen/werkstatt/v1/protocol_pb";
import {
  CodecError,
  decodeClientMessage,
  decodeServerFrame,
  encodeClientMessage,
  encodeServerMessage,
} from "./codec";

describe("encodeClientMessage", () => {
  it("writes the protobuf wire format the server decodes", () => {
    // ClientMessage.ping = field 4, length-delimited (0x22), 2 bytes;
    // Ping.client_time_ms = field 1, varint (0x08), value 5.
    const bytes = encodeClientMessage({ body: { case: "ping", value: { clientTimeMs: 5n } } });
    expect(Array.from(bytes)).toEqual([0x22, 0x02, 0x08, 0x05]);
  });

  it("round-trips a Hello with a 64-bit last seen seq", () => {
    const bytes = encodeClientMessage({
      body: {
        case: "hello",
        value: {
          protocolVersion: 1,
          workshopId: "w1",
          credential: { kind: { case: "joinCode", value: "ABC-123" } },
          participantId: "p1",
          participantSecret: "s",
          lastSeenSeq: 2n ** 40n + 1n,
        },
      },
    });
    const back = decodeClientMessage(bytes);
    expect(back.body.case).toBe("hello");
    if (back.body.case !== "hello") return;
    expect(back.body.value.workshopId).toBe("w1");
    expect(back.body.value.lastSeenSeq).toBe(2n ** 40n + 1n);
    expect(back.body.value.credential?.kind).toEqual({ case: "joinCode", value: "ABC-123" });
  });
});

describe("decodeServerFrame", () => {
  it("returns a single message as a list of one", () => {
    const frame = encodeServerMessage({ body: { case: "ack", value: { clientOpId: "op-1", seq: 7n } } });
    const messages = decodeServerFrame(frame);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.body).toMatchObject({ case: "ack", value: { clientOpId: "op-1", seq: 7n } });
  });

  it("unwraps a Batch into its messages in order", () => {
    const frame = encodeServerMessage({
      body: {
        case: "batch",
        value: {
          messages: [
            { body: { case: "event", value: { seq: 4n, authorId: "a", op: { kind: { case: "castVote", value: { noteId: "n1" } } } } } },
            { body: { case: "ack", value: { clientOpId: "x", seq: 5n } } },
            { body: { case: "event", value: { seq: 6n, authorId: "b", op: { kind: { case: "createNote", value: { id: "n2", text: "Fahrradwege", color: Color.GREEN } } } } } },
          ],
        },
      },
    });
    const messages = decodeServerFrame(new Uint8Array(frame).buffer);
    expect(messages.map((m) => m.body.case)).toEqual(["event", "ack", "event"]);
    const last = messages[2]?.body;
    expect(last?.case === "event" && last.value.op?.kind.case === "createNote" && last.value.op.kind.value.text).toBe("Fahrradwege");
  });

  it("unwraps a batch nested in a batch instead of dropping it", () => {
    const inner = create(ServerMessageSchema, {
      body: { case: "batch", value: { messages: [{ body: { case: "pong", value: { clientTimeMs: 1n, serverTimeMs: 2n } } }] } },
    });
    const frame = toBinary(
      ServerMessageSchema,
      create(ServerMessageSchema, { body: { case: "batch", value: { messages: [inner, { body: { case: "ack", value: { seq: 1n } } }] } } }),
    );
    expect(decodeServerFrame(frame).map((m) => m.body.case)).toEqual(["pong", "ack"]);
  });

  it("skips messages with an empty body", () => {
    expect(decodeServerFrame(new Uint8Array(0))).toEqual([]);
  });

  it("rejects text frames", () => {
    expect(() => decodeServerFrame("hello")).toThrow(CodecError);
  });

  it("rejects bytes that are not a ServerMessage", () => {
    // Field 1 (welcome), length-delimited, claims 100 bytes but has 1.
    expect(() => decodeServerFrame(new Uint8Array([0x0a, 0x64, 0x00]))).toThrow(CodecError);
  });
});
