// Vite builds the static client the C++ server serves; Vitest runs the unit
// tests beside the sources. See README.md for why each build option is set.
import { defineConfig } from "vitest/config";

export default defineConfig({
  // Absolute asset URLs: the server serves the client at the site root, and
  // "/" keeps asset URLs valid for any page path (e.g. /w/<id> links later).
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The server sends a strict CSP (no inline scripts). Vite's module
    // preload polyfill is an inline script, so it is turned off; every
    // browser we target supports <link rel="modulepreload"> or ignores it.
    modulePreload: { polyfill: false },
    // Never inline assets as data: URLs, which the CSP does not allow.
    assetsInlineLimit: 0,
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts", "scripts/**/*.test.mjs"],
  },
});
