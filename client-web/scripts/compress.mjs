// Precompresses the built client for the server (run by `npm run build` after
// `vite build`): writes `<file>.gz` (gzip, level 9) and `<file>.br` (brotli,
// quality 11) beside every compressible file in dist/, so the server sends
// the smaller encoding a browser accepts without compressing anything per
// request (as nginx's gzip_static / brotli_static do).
//
// - Compressible: text formats and wasm (COMPRESSIBLE below). PNG, WOFF2 and
//   the like are compressed already and are left alone.
// - Files under MIN_BYTES are left alone: the headers outweigh the saving.
// - A variant is written only when it is smaller than the original; a stale
//   variant from an earlier run is removed when it no longer is.
// - Both use Node's own zlib (brotli is built in since Node 11): no extra
//   package. The output is deterministic for the same input.
//
// Usage: node scripts/compress.mjs [dir]   (default: dist beside this folder)
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, extname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const COMPRESSIBLE = new Set([
  ".js", ".mjs", ".css", ".html", ".svg", ".json", ".map", ".webmanifest", ".txt", ".wasm",
]);
export const MIN_BYTES = 256;

const ENCODINGS = [
  { suffix: ".gz", encode: (data) => gzipSync(data, { level: 9 }) },
  {
    suffix: ".br",
    encode: (data, text) =>
      brotliCompressSync(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
          [constants.BROTLI_PARAM_MODE]: text ? constants.BROTLI_MODE_TEXT : constants.BROTLI_MODE_GENERIC,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      }),
  },
];

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

// Returns one line per file compressed: { file, bytes, gz, br } (sizes, or
// null where no variant was written), relative to `dir`.
export function compressDir(dir) {
  const report = [];
  for (const file of [...files(dir)]) {
    const ext = extname(file).toLowerCase();
    if (!COMPRESSIBLE.has(ext)) continue;
    const data = readFileSync(file);
    const line = { file: relative(dir, file), bytes: data.length, gz: null, br: null };
    for (const { suffix, encode } of ENCODINGS) {
      const target = file + suffix;
      const packed = data.length >= MIN_BYTES ? encode(data, ext !== ".wasm") : null;
      if (packed && packed.length < data.length) {
        writeFileSync(target, packed);
        line[suffix.slice(1)] = packed.length;
      } else {
        rmSync(target, { force: true });  // never leave a variant of older contents behind
      }
    }
    report.push(line);
  }
  return report;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dir = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..", "dist"));
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    console.error(`compress: ${dir} is not a directory (run vite build first)`);
    process.exit(1);
  }
  for (const { file, bytes, gz, br } of compressDir(dir)) {
    if (gz === null && br === null) continue;
    console.log(`compress: ${file} ${bytes} B -> gzip ${gz ?? "-"} B, brotli ${br ?? "-"} B`);
  }
}
