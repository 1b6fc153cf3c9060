// The organiser page's request bodies and link reading, without a DOM.
import { describe, expect, it } from "vitest";
import { createBody, tokenOfLink } from "./admin-app";

describe("organiser page", () => {
  it("creates from a built-in template or copies a saved one, leaving out what is empty", () => {
    expect(createBody({ title: " Klimarat ", template: "impuls-werkstatt", language: "de", date: "2026-12-03" })).toEqual({ title: "Klimarat", template: "impuls-werkstatt", language: "de", date: "2026-12-03" });
    expect(createBody({ title: "", template: "copy:w123", language: "en", date: "" })).toEqual({ copy_from: "w123", language: "en" });
    expect(createBody({ title: "x", template: "blank", language: "de", date: "3.12.2026" })).toEqual({ title: "x", template: "blank", language: "de" });
  });

  it("finds the facilitator token in a link's fragment (or query)", () => {
    expect(tokenOfLink("http://h/#w=abc&t=tok%2F1")).toBe("tok/1");
    expect(tokenOfLink("http://h/?w=abc&t=tok")).toBe("tok");
    expect(tokenOfLink("http://h/#w=abc&o=obs")).toBeUndefined();
    expect(tokenOfLink("not a link")).toBeUndefined();
  });
});
