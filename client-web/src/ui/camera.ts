// The board camera: which part of the (infinite) board the screen shows.
//   screen = (world − origin) × zoom
// Pure functions, so pan/zoom/fit are tested without a browser.

export interface Camera {
  /** The world point at the screen's top-left corner. */
  x: number;
  y: number;
  zoom: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Pt {
  x: number;
  y: number;
}

/** Zoom range: 5 % shows a whole 3-area template on a phone; 400 % reads a
 *  note from across the room on the projector. */
export const MIN_ZOOM = 0.05;
export const MAX_ZOOM = 4;

/** The smallest zoom at which a note is readable and usable: note text is
 *  at least 15 board px (style.css, `.note-text.small` for notes of up to
 *  200 characters) and the vote buttons 28 board px, so at this zoom text
 *  renders >= 14 px and controls >= 24 px on screen. Every view opens at
 *  this zoom or closer; "show all" (further out) is an explicit choice. */
export const READABLE_ZOOM = 1;
/** The projector (observer) reads from across the room: one area at a time,
 *  at least this close. */
export const PROJECTOR_ZOOM = 1.35;
/** Opening an area never zooms in further than this (a wide screen would
 *  otherwise show four notes). */
export const AREA_MAX_ZOOM = 1.6;

export function clampZoom(z: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, z));
}

export function toScreen(cam: Camera, p: Pt): Pt {
  return { x: (p.x - cam.x) * cam.zoom, y: (p.y - cam.y) * cam.zoom };
}

export function toWorld(cam: Camera, p: Pt): Pt {
  return { x: p.x / cam.zoom + cam.x, y: p.y / cam.zoom + cam.y };
}

/** Zooms by `factor` keeping the world point under `screen` in place. */
export function zoomAt(cam: Camera, factor: number, screen: Pt): Camera {
  const zoom = clampZoom(cam.zoom * factor);
  const anchor = toWorld(cam, screen);
  return { zoom, x: anchor.x - screen.x / zoom, y: anchor.y - screen.y / zoom };
}

/** Moves the view by a screen-space delta (drag: the board follows the pointer). */
export function panBy(cam: Camera, dx: number, dy: number): Camera {
  return { ...cam, x: cam.x - dx / cam.zoom, y: cam.y - dy / cam.zoom };
}

/** The camera that shows `rect` whole and centred in a screen of the given
 *  size, with `padding` screen pixels around it. */
export function fitRect(rect: Rect, width: number, height: number, padding = 48): Camera {
  const w = Math.max(1, width - 2 * padding);
  const h = Math.max(1, height - 2 * padding);
  const zoom = clampZoom(Math.min(w / Math.max(1, rect.width), h / Math.max(1, rect.height)));
  return {
    zoom,
    x: rect.x + rect.width / 2 - width / 2 / zoom,
    y: rect.y + rect.height / 2 - height / 2 / zoom,
  };
}

/** The world rectangle a screen of this size shows. */
export function visibleRect(cam: Camera, width: number, height: number): Rect {
  return { x: cam.x, y: cam.y, width: width / cam.zoom, height: height / cam.zoom };
}

/** The smallest rectangle holding all of `rects` (undefined for none). */
export function union(rects: readonly Rect[]): Rect | undefined {
  if (rects.length === 0) return undefined;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const r of rects) {
    x0 = Math.min(x0, r.x);
    y0 = Math.min(y0, r.y);
    x1 = Math.max(x1, r.x + r.width);
    y1 = Math.max(y1, r.y + r.height);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export function contains(r: Rect, p: Pt): boolean {
  return p.x >= r.x && p.x <= r.x + r.width && p.y >= r.y && p.y <= r.y + r.height;
}

/** The camera that opens on `area`: its width fitted into the screen at a
 *  zoom between `minZoom` and `maxZoom`, its top edge (title) at the top.
 *  When the area is wider than the screen at `minZoom`, its left edge is
 *  shown (the rest is a pan away). */
export function areaView(area: Rect, width: number, height: number, minZoom: number, maxZoom = AREA_MAX_ZOOM, padding = 24): Camera {
  const fit = Math.max(1, width - 2 * padding) / Math.max(1, area.width);
  const zoom = clampZoom(Math.max(minZoom, Math.min(Math.max(minZoom, maxZoom), fit)));
  const shownWidth = width / zoom;
  const x = area.width + (2 * padding) / zoom <= shownWidth ? area.x + area.width / 2 - shownWidth / 2 : area.x - padding / zoom;
  void height;
  return { zoom, x, y: area.y - padding / zoom };
}
