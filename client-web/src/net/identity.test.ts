import { describe, expect, it } from "vitest";
import { IDENTITY_KEY_PREFIX, IdentityStore, type KeyValueStorage } from "./identity";

class MapStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.map.set(key, value);
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
}

const throwing: KeyValueStorage = {
  getItem: () => {
    throw new Error("SecurityError");
  },
  setItem: () => {
    throw new Error("QuotaExceededError");
  },
  removeItem: () => {
    throw new Error("SecurityError");
  },
};

describe("IdentityStore", () => {
  it("remembers the identity per workshop and credential kind across instances (reloads)", () => {
    const storage = new MapStorage();
    new IdentityStore(storage, "w1", "joinCode").save({ participantId: "p1", participantSecret: "s1" });
    expect(new IdentityStore(storage, "w1", "joinCode").load()).toEqual({ participantId: "p1", participantSecret: "s1" });
    expect(new IdentityStore(storage, "w2", "joinCode").load()).toBeUndefined();
    expect(new IdentityStore(storage, "w1", "facilitatorToken").load()).toBeUndefined();
  });

  it("forgets on clear", () => {
    const storage = new MapStorage();
    const ids = new IdentityStore(storage, "w1", "joinCode");
    ids.save({ participantId: "p1", participantSecret: "s1" });
    ids.clear();
    expect(ids.load()).toBeUndefined();
    expect(storage.map.size).toBe(0);
  });

  it("ignores a corrupt entry", () => {
    const storage = new MapStorage();
    const ids = new IdentityStore(storage, "w1", "joinCode");
    const key = `${IDENTITY_KEY_PREFIX}.w1.joinCode`;
    storage.map.set(key, "{not json");
    expect(ids.load()).toBeUndefined();
    storage.map.set(key, JSON.stringify({ participantId: 7 }));
    expect(ids.load()).toBeUndefined();
  });

  it("keeps the identity in memory when storage throws or is missing", () => {
    for (const storage of [throwing, undefined]) {
      const ids = new IdentityStore(storage, "w1", "joinCode");
      expect(ids.load()).toBeUndefined();
      ids.save({ participantId: "p1", participantSecret: "s1" });
      expect(ids.load()).toEqual({ participantId: "p1", participantSecret: "s1" });
    }
  });
});
