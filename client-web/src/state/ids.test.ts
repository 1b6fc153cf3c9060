import { describe, expect, it } from "vitest";
import { clientOpIdGenerator, randomId, RANDOM_ID_CHARS, type RandomBytes } from "./ids";

const VALID_ID = /^[A-Za-z0-9_-]{1,64}$/;

function fixedBytes(...values: number[]): RandomBytes {
  return (length) => Uint8Array.from({ length }, (_, i) => values[i % values.length] ?? 0);
}

describe("randomId", () => {
  it("maps every byte onto the server's id alphabet", () => {
    expect(randomId(fixedBytes(0, 25, 26, 51, 52, 61, 62, 63, 255))).toBe("AZaz09-__AZaz09-");
  });

  it("has the documented length and only valid characters", () => {
    const id = randomId(fixedBytes(200, 13, 77));
    expect(id).toHaveLength(RANDOM_ID_CHARS);
    expect(id).toMatch(VALID_ID);
  });

  it.skipIf(globalThis.crypto?.getRandomValues === undefined)("draws fresh ids from crypto by default", () => {
    const ids = new Set(Array.from({ length: 200 }, () => randomId()));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(VALID_ID);
  });
});

describe("clientOpIdGenerator", () => {
  it("numbers ops after one random prefix, within the 64-byte limit", () => {
    const next = clientOpIdGenerator(fixedBytes(1));
    expect(next()).toBe("BBBBBBBBBBBBBBBB-1");
    expect(next()).toBe("BBBBBBBBBBBBBBBB-2");
    for (let i = 0; i < 40; i++) next();
    expect(next()).toBe("BBBBBBBBBBBBBBBB-17"); // 43 in base 36
    expect(next()).toMatch(VALID_ID);
  });

  it("uses a new prefix per generator (page load), so ids never repeat across sessions", () => {
    const a = clientOpIdGenerator(fixedBytes(1))();
    const b = clientOpIdGenerator(fixedBytes(2))();
    expect(a).not.toBe(b);
  });
});
