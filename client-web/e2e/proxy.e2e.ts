// The browsers' path through the shipped HAProxy configuration (issue 13):
// deploy/haproxy/werkstatt.cfg, unchanged, terminates TLS with a
// self-signed certificate made here by openssl and speaks the PROXY
// protocol to werkstatt (--trusted-proxy 127.0.0.1 --proxy-protocol
// --public-url https://localhost:<port>). Two people in headless Chromium
// open the links the server built, over https:// and wss:// only: one adds
// a note, the other sees it.
//
// HAProxy is Debian's (deploy/install-deps.sh --test installs it); without
// it this test fails, it is never skipped. HAPROXY overrides /usr/sbin/haproxy.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { addNote, note, openBoard } from "./board";
import { CLIENT_DIR, launchBrowser, removeDir, screenshot, startServer, waitFor, type RunningServer, type Workshop } from "./harness";

const HAPROXY = process.env.HAPROXY ?? "/usr/sbin/haproxy";
const CONFIG = resolve(CLIENT_DIR, "..", "deploy", "haproxy", "werkstatt.cfg");
const ADMIN_TOKEN = "e2e-proxy-admin-token-0123456789abcdefghijklmnop";

let dir: string;
let cert: string;
let proxyPort: number;
let proxy: ChildProcess | undefined;
const proxyLogs: string[] = [];
let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const errors: string[][] = [];
const sockets: string[][] = [];

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address ? address.port : 0;
      s.close(() => done(port));
    });
  });
}

/** One HTTPS request through the proxy, trusting only the test's certificate. */
function https(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request(
      { host: "127.0.0.1", port: proxyPort, servername: "localhost", method, path, ca: readFileSync(cert), headers: { Host: `localhost:${proxyPort}`, ...headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => done({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", fail);
    req.setTimeout(5_000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

async function person(): Promise<Page> {
  // The certificate is the test's own: Chromium accepts it for this context only.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 }, locale: "de-DE" });
  contexts.push(context);
  const page = await context.newPage();
  const errs: string[] = [];
  const ws: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errs.push(m.text());
  });
  page.on("pageerror", (e) => errs.push(String(e)));
  page.on("websocket", (s) => ws.push(s.url()));
  errors.push(errs);
  sockets.push(ws);
  return page;
}

beforeAll(async () => {
  if (!existsSync(HAPROXY)) throw new Error(`haproxy not found at ${HAPROXY}: run deploy/install-deps.sh --test (this test is never skipped)`);
  dir = mkdtempSync(join(tmpdir(), "werkstatt-e2e-proxy-"));
  cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert], { stdio: "ignore" });
  writeFileSync(join(dir, "haproxy.pem"), readFileSync(cert, "utf8") + readFileSync(key, "utf8"));
  proxyPort = await freePort();
  // The admin token from the environment (not the command line, which
  // /proc shows; tests/proxy/ covers --admin-token-file).
  process.env.WERKSTATT_ADMIN_TOKEN = ADMIN_TOKEN;
  try {
    server = await startServer({
      args: ["--trusted-proxy", "127.0.0.1", "--proxy-protocol", "--public-url", `https://localhost:${proxyPort}`],
    });
  } finally {
    delete process.env.WERKSTATT_ADMIN_TOKEN;
  }
  proxy = spawn(HAPROXY, ["-db", "-f", CONFIG], {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      WERKSTATT_UNPRIVILEGED: "1",
      WERKSTATT_BIND: `127.0.0.1:${proxyPort}`,
      WERKSTATT_CERT: join(dir, "haproxy.pem"),
      WERKSTATT_SERVER: `127.0.0.1:${server.port}`,
    },
  });
  proxy.stdout?.on("data", (c: Buffer) => proxyLogs.push(c.toString()));
  proxy.stderr?.on("data", (c: Buffer) => proxyLogs.push(c.toString()));
  // Up when a health check through the proxy answers.
  await waitFor(async () => {
    if (proxy?.exitCode !== null) throw new Error(`haproxy exited with ${proxy?.exitCode}:\n${proxyLogs.join("")}`);
    try {
      return (await https("GET", "/healthz")).status === 200;
    } catch {
      return false;
    }
  }, 20_000, "the health check through HAProxy");
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  if (proxy && proxy.exitCode === null) {
    const exited = new Promise((done) => proxy?.once("exit", done));
    proxy.kill("SIGTERM");
    await exited;
  }
  await server?.stop();
  if (server) removeDir(server.dataDir);
  if (dir) removeDir(dir);
});

describe("werkstatt behind the shipped HAProxy config with TLS", () => {
  test("a workshop made through the proxy: two browsers join over wss:// and see each other's note", async () => {
    // Through a proxy the request is never "loopback": it needs the admin token.
    const refused = await https("POST", "/api/workshops", JSON.stringify({ title: "x" }), { "Content-Type": "application/json" });
    expect(refused.status).toBe(403);
    const made = await https("POST", "/api/workshops", JSON.stringify({ title: "Hinter dem Proxy" }), {
      "Content-Type": "application/json",
      Authorization: `Bearer ${ADMIN_TOKEN}`,
    });
    expect(made.status).toBe(201);
    const workshop = JSON.parse(made.body) as Workshop;
    const origin = `https://localhost:${proxyPort}`;
    // Links are built from --public-url: the proxy's https origin.
    expect(workshop.participant_url.startsWith(`${origin}/`)).toBe(true);
    expect(workshop.facilitator_url.startsWith(`${origin}/`)).toBe(true);

    const fac = await person();
    const anna = await person();
    await openBoard(fac, `${workshop.facilitator_url}&name=Kim`);
    await openBoard(anna, `${workshop.participant_url}&name=Anna`);
    await addNote(anna, "Herausforderungen", "Hinter dem Proxy notiert", { x: 0.3, y: 0.3 });
    await note(fac, "Hinter dem Proxy notiert").waitFor({ timeout: 10_000 });
    await expect(note(fac, "Hinter dem Proxy notiert").locator(".note-author").textContent()).resolves.toBe("Anna");
    await screenshot(fac, "proxy-facilitator");

    // Both pages came from the proxy and their board sockets went to it
    // over TLS, nowhere else.
    for (const p of [fac, anna]) expect(new URL(p.url()).origin).toBe(origin);
    for (const ws of sockets) {
      expect(ws.length).toBeGreaterThan(0);
      for (const url of ws) expect(url.startsWith(`wss://localhost:${proxyPort}/`)).toBe(true);
    }
    // The server saw the real client through the PROXY protocol, not a
    // forged header; and nobody's page reported an error (CSP included).
    for (const errs of errors) expect(errs).toEqual([]);
  });
});
