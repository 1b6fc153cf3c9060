import { describe, expect, it } from "vitest";
import { AREA_MAX_ZOOM, areaView, fitRect, MAX_ZOOM, panBy, PROJECTOR_ZOOM, READABLE_ZOOM, toScreen, toWorld, union, visibleRect, zoomAt } from "./camera";

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

describe("areaView", () => {
  it("fits an area's width but never below the readable zoom", () => {
    const area = { x: -1880, y: -800, width: 1200, height: 1600 };
    // A laptop: the area's width fits at about 1.1 (>= readable).
    const laptop = areaView(area, 1366, 700, READABLE_ZOOM);
    expect(laptop.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    expect(laptop.zoom).toBeCloseTo((1366 - 48) / 1200);
    const shown = visibleRect(laptop, 1366, 700);
    expect(shown.x).toBeLessThanOrEqual(area.x);
    expect(shown.x + shown.width).toBeGreaterThanOrEqual(area.x + area.width);
    expect(shown.y).toBeLessThan(area.y);
    // A narrow window: readable zoom, the area's left edge in view.
    const narrow = areaView(area, 800, 700, READABLE_ZOOM);
    expect(narrow.zoom).toBe(READABLE_ZOOM);
    expect(toScreen(narrow, { x: area.x, y: area.y }).x).toBeCloseTo(24);
    // A wide screen stops at the maximum; the projector's minimum wins over it.
    expect(areaView(area, 3840, 2000, READABLE_ZOOM).zoom).toBe(AREA_MAX_ZOOM);
    expect(areaView(area, 1000, 700, PROJECTOR_ZOOM).zoom).toBe(PROJECTOR_ZOOM);
  });
});
