// End-to-end harness: the real werkstatt server binary, Debian's Chromium
// driven by playwright-core (never a downloaded browser), temporary data
// folders, screenshots under test-results/.
//
// WERKSTATT_BINARY names the server binary (CTest passes
// $<TARGET_FILE:werkstatt>); without it the harness looks in the build
// folders the README's commands create. CHROMIUM overrides /usr/bin/chromium.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const CLIENT_DIR = resolve(here, "..");
export const DIST_DIR = join(CLIENT_DIR, "dist");
export const RESULTS_DIR = join(CLIENT_DIR, "test-results");

export function serverBinary(): string {
  const fromEnv = process.env.WERKSTATT_BINARY;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`WERKSTATT_BINARY=${fromEnv} does not exist`);
    return fromEnv;
  }
  for (const preset of ["e2e", "release", "dev"]) {
    const candidate = resolve(CLIENT_DIR, "..", "build", preset, "server", "app", "werkstatt");
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(
    "No werkstatt binary: set WERKSTATT_BINARY, or build one with\n" +
      "  cmake --preset release -B build/e2e && cmake --build build/e2e --target werkstatt",
  );
}

export interface RunningServer {
  url: string;
  port: number;
  dataDir: string;
  logs: string[];
  /** SIGTERM and wait (graceful: acks what it took, closes with 1001). */
  stop(): Promise<void>;
  /** SIGKILL and wait (a crash). */
  kill(): Promise<void>;
}

/** Starts `werkstatt serve` on an ephemeral (or the given) port with the
 *  RocksDB journal in `dataDir` (a new temporary folder by default). */
export async function startServer(options: { dataDir?: string; port?: number; args?: string[] } = {}): Promise<RunningServer> {
  if (!existsSync(join(DIST_DIR, "index.html"))) throw new Error(`no built client in ${DIST_DIR}: run npm run build`);
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "werkstatt-e2e-"));
  const args = [
    "serve",
    "--bind", "127.0.0.1",
    "--port", String(options.port ?? 0),
    "--journal", "rocksdb",
    "--data", dataDir,
    "--static-dir", DIST_DIR,
    "--no-demo",
    "--threads", "2",
    "--log-level", process.env.E2E_LOG_LEVEL ?? "warn",
    "--shutdown-timeout", "5",
    ...(options.args ?? []),
  ];
  const child = spawn(serverBinary(), args, { stdio: ["ignore", "pipe", "pipe"] });
  const logs: string[] = [];
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`the server did not start in 20 s:\n${logs.join("")}`)), 20_000);
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      logs.push(text);
      // With --public-url the line names it, then where the server itself
      // listens: `url` is always the latter (what tests reach directly).
      const m = /werkstatt is ready at (https?:\/\/[^\s]+?)\/?(?: \(listening on (http:\/\/[^\s]+?)\/?\))?\n/.exec(logs.join(""));
      const direct = m?.[2] ?? m?.[1];
      if (direct) {
        clearTimeout(timer);
        done(direct);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (c: Buffer) => logs.push(c.toString()));
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`the server (pid ${child.pid}, port ${options.port ?? 0}) exited with ${code ?? signal} before it was ready:\n${logs.join("")}`));
    });
  });
  const port = Number(new URL(url).port);
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return { url, port, dataDir, logs, stop: () => stopWith("SIGTERM"), kill: () => stopWith("SIGKILL") };
}

export interface Workshop {
  id: string;
  title: string;
  join_code: string;
  participant_url: string;
  facilitator_url: string;
  observer_url: string;
  facilitator_token: string;
  observer_token: string;
}

export async function createWorkshop(server: RunningServer, body: Record<string, string> = {}): Promise<Workshop> {
  const res = await fetch(`${server.url}/api/workshops`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ title: "E2E-Werkstatt", ...body }) });
  if (res.status !== 201) throw new Error(`creating a workshop: ${res.status} ${await res.text()}`);
  return (await res.json()) as Workshop;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** A fresh browser context (its own storage: one person's device). */
export async function newPerson(browser: Browser, options: { phone?: boolean; locale?: string } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: options.phone ? { width: 390, height: 800 } : { width: 1440, height: 900 },
    deviceScaleFactor: 1,
    locale: options.locale ?? "de-DE",
    hasTouch: options.phone ?? false,
    isMobile: options.phone ?? false,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  // CSP violations and script errors show up here; a test can assert none.
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return { context, page, errors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export type { ChildProcess };
