import { describe, expect, it } from "vitest";
import { ProtocolVersion } from "../gen/werkstatt/v1/protocol_pb";
import { PROTOCOL_VERSION } from "./version";

describe("PROTOCOL_VERSION", () => {
  it("equals ProtocolVersion.CURRENT of the generated protocol", () => {
    expect(PROTOCOL_VERSION).toBe(ProtocolVersion.CURRENT);
  });

  it("is a real version, not the unspecified zero", () => {
    expect(PROTOCOL_VERSION).not.toBe(ProtocolVersion.UNSPECIFIED);
  });
});
