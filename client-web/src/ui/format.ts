// Small formatting helpers shared by the views.
import { Timer_State, type Timer } from "../gen/werkstatt/v1/board_pb";

/** m:ss (or h:mm:ss) for a duration in ms, rounded up to whole seconds so a
 *  countdown shows 0:00 only when the time is really up. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** What is left on the timer at server time `serverNow`, in ms, or
 *  undefined when no timer is set. */
export function timerRemaining(timer: Readonly<Timer>, serverNow: number): number | undefined {
  switch (timer.state) {
    case Timer_State.RUNNING:
      return Math.max(0, Number(timer.deadlineMs) - serverNow);
    case Timer_State.PAUSED:
      return Number(timer.remainingMs);
    case Timer_State.EXPIRED:
      return 0;
    default:
      return undefined;
  }
}

/** A clock time (HH:MM:SS) in the viewer's time zone. */
export function clockTime(ms: number, lang: string): string {
  return new Date(ms).toLocaleTimeString(lang === "de" ? "de-DE" : "en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}
