import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { Timer_State, TimerSchema } from "../gen/werkstatt/v1/board_pb";
import { formatDuration, timerRemaining } from "./format";

describe("timer display", () => {
  it("counts down in server time and rounds up to whole seconds", () => {
    const running = create(TimerSchema, { state: Timer_State.RUNNING, deadlineMs: 100_000n, durationMs: 60_000n });
    expect(formatDuration(timerRemaining(running, 100_000 - 61_500) ?? -1)).toBe("1:02");
    expect(formatDuration(timerRemaining(running, 100_000 - 1) ?? -1)).toBe("0:01");
    expect(formatDuration(timerRemaining(running, 200_000) ?? -1)).toBe("0:00");
    expect(timerRemaining(create(TimerSchema, { state: Timer_State.PAUSED, remainingMs: 5000n }), 0)).toBe(5000);
    expect(timerRemaining(create(TimerSchema), 0)).toBeUndefined();
    expect(formatDuration(3_725_000)).toBe("1:02:05");
  });
});
