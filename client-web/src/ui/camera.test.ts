import { describe, expect, it } from "vitest";
import { fitRect, MAX_ZOOM, panBy, toScreen, toWorld, union, visibleRect, zoomAt } from "./camera";

describe("camera", () => {
  it("maps between world and screen and keeps the point under the pointer when zooming", () => {
    const cam = { x: 100, y: 50, zoom: 2 };
    expect(toScreen(cam, { x: 110, y: 60 })).toEqual({ x: 20, y: 20 });
    expect(toWorld(cam, { x: 20, y: 20 })).toEqual({ x: 110, y: 60 });
    const zoomed = zoomAt(cam, 1.5, { x: 300, y: 200 });
    expect(zoomed.zoom).toBe(3);
    const before = toWorld(cam, { x: 300, y: 200 });
    const after = toWorld(zoomed, { x: 300, y: 200 });
    expect(after.x).toBeCloseTo(before.x);
    expect(after.y).toBeCloseTo(before.y);
    expect(zoomAt(cam, 100, { x: 0, y: 0 }).zoom).toBe(MAX_ZOOM);
  });

  it("pans with the pointer and fits a rectangle centred", () => {
    expect(panBy({ x: 0, y: 0, zoom: 2 }, 20, -10)).toEqual({ x: -10, y: 5, zoom: 2 });
    const cam = fitRect({ x: -1880, y: -800, width: 3760, height: 1600 }, 1280, 800, 40);
    const shown = visibleRect(cam, 1280, 800);
    expect(shown.x).toBeLessThanOrEqual(-1880);
    expect(shown.x + shown.width).toBeGreaterThanOrEqual(1880);
    expect(shown.x + shown.width / 2).toBeCloseTo(0);
    expect(union([{ x: 0, y: 0, width: 10, height: 10 }, { x: -5, y: 5, width: 1, height: 20 }])).toEqual({ x: -5, y: 0, width: 15, height: 25 });
  });
});
