import { describe, expect, test } from "vitest";
import { PERSON_COLORS, contrastRatio, personColor } from "./dom";

describe("person colours", () => {
  test("white names and initials on every person colour reach 4.5:1 (WCAG 1.4.3)", () => {
    for (const c of PERSON_COLORS) expect(contrastRatio(c, "#ffffff"), c).toBeGreaterThanOrEqual(4.5);
  });
  test("the contrast formula gives the known values", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#7a7e8a", "#ffffff")).toBeCloseTo(4.05, 2);
  });
  test("a participant keeps one colour from the list", () => {
    expect(personColor("abc")).toBe(personColor("abc"));
    expect(PERSON_COLORS).toContain(personColor("some-participant-id"));
  });
});
