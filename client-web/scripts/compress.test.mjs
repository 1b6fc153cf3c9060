// The build's precompression (scripts/compress.mjs) on a folder of real files:
// which files get .gz/.br, that they decode to the original bytes, and that
// nothing is written where it would not help.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { randomBytes } from "node:crypto";
import { MIN_BYTES, compressDir } from "./compress.mjs";

let dir;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "werkstatt-compress-"));
  mkdirSync(join(dir, "assets"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const text = (n) => "const board = new Board(); // werkstatt\n".repeat(Math.ceil(n / 40)).slice(0, n);

describe("compressDir", () => {
  it("writes .gz and .br beside text assets that decode to the original bytes", () => {
    const js = text(20_000);
    writeFileSync(join(dir, "assets", "index-abc.js"), js);
    writeFileSync(join(dir, "index.html"), `<!doctype html>${text(2_000)}`);
    const report = compressDir(dir);
    expect(report.map((r) => r.file).sort()).toEqual(["assets/index-abc.js", "index.html"]);
    const gz = readFileSync(join(dir, "assets", "index-abc.js.gz"));
    const br = readFileSync(join(dir, "assets", "index-abc.js.br"));
    expect(gunzipSync(gz).toString()).toBe(js);
    expect(brotliDecompressSync(br).toString()).toBe(js);
    expect(gz.length).toBeLessThan(js.length);
    expect(br.length).toBeLessThan(js.length);
    expect(existsSync(join(dir, "index.html.gz"))).toBe(true);
    expect(existsSync(join(dir, "index.html.br"))).toBe(true);
  });

  it("leaves small files, incompressible data and already-compressed formats alone", () => {
    writeFileSync(join(dir, "small.css"), "a{color:red}".repeat(Math.floor((MIN_BYTES - 1) / 12)));
    writeFileSync(join(dir, "noise.json"), randomBytes(4_000));  // gzip cannot make it smaller
    writeFileSync(join(dir, "logo.png"), text(10_000));  // compressible bytes, but PNG is not a type we compress
    writeFileSync(join(dir, "font.woff2"), text(10_000));
    compressDir(dir);
    for (const name of ["small.css", "noise.json", "logo.png", "font.woff2"]) {
      expect(existsSync(join(dir, `${name}.gz`)), name).toBe(false);
      expect(existsSync(join(dir, `${name}.br`)), name).toBe(false);
    }
  });

  it("removes a stale variant when the file no longer compresses", () => {
    const file = join(dir, "data.json");
    writeFileSync(file, text(5_000));
    compressDir(dir);
    expect(existsSync(`${file}.gz`)).toBe(true);
    writeFileSync(file, "{}");
    compressDir(dir);
    expect(existsSync(`${file}.gz`)).toBe(false);
    expect(existsSync(`${file}.br`)).toBe(false);
  });
});
