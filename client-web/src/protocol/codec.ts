// Binary codec of the wire protocol: one WebSocket frame is one serialized
// ClientMessage (client → server) or ServerMessage (server → client).
// Everything goes through the generated schemas; there is no hand-written
// encoding anywhere in the client.
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import {
  ClientMessageSchema,
  ServerMessageSchema,
  type ClientMessage,
  type ServerMessage,
} from "../gen/werkstatt/v1/protocol_pb";

export type ClientMessageInit = MessageInitShape<typeof ClientMessageSchema>;
export type ServerMessageInit = MessageInitShape<typeof ServerMessageSchema>;

/** A frame that is not a decodable ServerMessage. The connection treats it as
 *  a broken stream and reconnects; the message says what was wrong. */
export class CodecError extends Error {
  override readonly name = "CodecError";
}

export function encodeClientMessage(message: ClientMessage | ClientMessageInit): Uint8Array {
  return toBinary(ClientMessageSchema, create(ClientMessageSchema, message));
}

/**
 * Decodes one frame from the server into the messages it carries, in order.
 * A Batch is unwrapped into its messages (a batch inside a batch, which the
 * protocol rules out, is unwrapped too rather than lost). Messages with an
 * empty or unknown body (a newer server) are skipped: ignoring what we do not
 * understand is the forward-compatible choice for a display client.
 *
 * Throws CodecError if the frame is not binary or not a ServerMessage.
 */
export function decodeServerFrame(frame: unknown): ServerMessage[] {
  let bytes: Uint8Array;
  if (frame instanceof Uint8Array) bytes = frame;
  else if (frame instanceof ArrayBuffer) bytes = new Uint8Array(frame);
  else throw new CodecError("the server sent a text frame; the protocol uses binary frames only");
  let message: ServerMessage;
  try {
    message = fromBinary(ServerMessageSchema, bytes);
  } catch (e) {
    throw new CodecError(`the server sent an undecodable frame (${(e as Error).message})`);
  }
  const out: ServerMessage[] = [];
  flatten(message, out);
  return out;
}

function flatten(message: ServerMessage, out: ServerMessage[]): void {
  switch (message.body.case) {
    case "batch":
      for (const inner of message.body.value.messages) flatten(inner, out);
      return;
    case undefined:
      return;
    default:
      out.push(message);
  }
}

// The two directions below are what the server does; the client uses them only
// in tests and fakes (tree-shaken from the build).

export function encodeServerMessage(message: ServerMessage | ServerMessageInit): Uint8Array {
  return toBinary(ServerMessageSchema, create(ServerMessageSchema, message));
}

export function decodeClientMessage(bytes: Uint8Array): ClientMessage {
  return fromBinary(ClientMessageSchema, bytes);
}
