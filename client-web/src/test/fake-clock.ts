// A manual clock implementing the Timers the connection uses. Time moves only
// when a test calls advance(), which runs due callbacks in time order.
import type { Timers } from "../net/connection";

interface Task {
  id: number;
  at: number;
  callback: () => void;
}

export class FakeClock implements Timers {
  time = 1_750_000_000_000;
  private tasks: Task[] = [];
  private nextId = 1;

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.tasks.push({ id, at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.tasks = this.tasks.filter((t) => t.id !== handle);
  }

  now(): number {
    return this.time;
  }

  /** Moves time forward by `ms`, running every callback that falls due. */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      const due = this.tasks.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.tasks = this.tasks.filter((t) => t !== due);
      this.time = due.at;
      due.callback();
    }
    this.time = target;
  }

  /** Delays (from now) of the callbacks still scheduled, soonest first. */
  scheduled(): number[] {
    return this.tasks.map((t) => t.at - this.time).sort((a, b) => a - b);
  }
}
