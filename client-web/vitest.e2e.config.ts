// End-to-end tests: the real server binary and Debian's Chromium (see
// e2e/harness.ts). Run with `npm run e2e`; one file at a time, in order,
// since each starts its own server and browser.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "node",
    include: ["e2e/**/*.e2e.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ["verbose"],
    pool: "forks",
  },
});
