import { describe, expect, it } from "vitest";
import { FakeClock } from "../test/fake-clock";
import { PRESENCE_INTERVAL_MS, PresenceSender, type OwnPresence } from "./presence";

describe("PresenceSender", () => {
  it("sends at most one message per interval, the latest state winning", () => {
    const clock = new FakeClock();
    const sent: OwnPresence[] = [];
    const sender = new PresenceSender((p) => (sent.push(p), true), clock);
    for (let i = 0; i < 100; i++) {
      sender.update({ cursor: { x: i, y: 0 } });
      clock.advance(5); // 200 updates per second from the mouse
    }
    clock.advance(PRESENCE_INTERVAL_MS);
    // 500 ms of movement: at most 20 per second, plus the last state.
    expect(sent.length).toBeLessThanOrEqual(11);
    expect(sent.at(-1)?.cursor).toMatchObject({ x: 99 });
  });

  it("keeps an unsent state until resend() after a reconnect", () => {
    const clock = new FakeClock();
    let online = false;
    const sent: OwnPresence[] = [];
    const sender = new PresenceSender((p) => online && (sent.push(p), true), clock);
    sender.update({ typingNoteId: "n1" });
    clock.advance(100);
    expect(sent).toEqual([]);
    online = true;
    sender.resend();
    clock.advance(100);
    expect(sent).toEqual([{ typingNoteId: "n1" }]);
  });
});
