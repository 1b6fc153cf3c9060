import { afterEach, describe, expect, test, vi } from "vitest";
import { lookupCode } from "./join-screen";

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

describe("lookupCode", () => {
  afterEach(() => vi.unstubAllGlobals());

  test("a known code gives its workshop id", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => answer(200, { workshop_id: "w1234567" })));
    await expect(lookupCode("ABC234")).resolves.toBe("w1234567");
  });

  test("an unknown code, too many wrong codes, and a server without the lookup are told apart", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => answer(404, { error: "no workshop has this join code; check it or use the link or QR code" })));
    await expect(lookupCode("ZZZZZZ")).resolves.toBe("unknown");
    vi.stubGlobal("fetch", vi.fn(async () => answer(429, { error: "too many wrong join codes from your network; try again in a minute" })));
    await expect(lookupCode("ZZZZZZ")).resolves.toBe("limited");
    vi.stubGlobal("fetch", vi.fn(async () => answer(404, { error: "no such API endpoint" })));
    await expect(lookupCode("ZZZZZZ")).resolves.toBe("unavailable");
  });
});
