import { describe, expect, it } from "vitest";
import { Listeners } from "./listeners";

describe("Listeners", () => {
  it("calls every listener until it is removed", () => {
    const list = new Listeners<number>();
    const seen: number[] = [];
    const remove = list.add((v) => seen.push(v));
    list.emit(1);
    remove();
    list.emit(2);
    expect(seen).toEqual([1]);
    expect(list.size).toBe(0);
  });

  it("keeps calling the others when one throws, and rethrows asynchronously", async () => {
    const list = new Listeners<string>();
    const seen: string[] = [];
    list.add(() => {
      throw new Error("broken view");
    });
    list.add((v) => seen.push(v));
    const rethrown = new Promise<unknown>((resolve) => {
      const original = globalThis.queueMicrotask;
      globalThis.queueMicrotask = (fn) => {
        globalThis.queueMicrotask = original;
        try {
          fn();
        } catch (e) {
          resolve(e);
        }
      };
    });
    list.emit("x");
    expect(seen).toEqual(["x"]);
    expect(await rethrown).toMatchObject({ message: "broken view" });
  });
});
