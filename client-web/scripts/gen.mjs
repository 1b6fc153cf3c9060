// Generates TypeScript for the wire protocol from ../proto with the system
// protoc (Debian's protobuf-compiler) and the protoc-gen-es plugin from
// node_modules. The output in src/gen is not committed: it is rebuilt before
// every build, test and typecheck so it can never drift from the .proto files.
//
// PROTOC may name another protoc binary; the default is the one on PATH.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const protoRoot = join(root, "..", "proto");
const protoDir = join(protoRoot, "werkstatt", "v1");
const outDir = join(root, "src", "gen");
const plugin = join(root, "node_modules", ".bin", process.platform === "win32" ? "protoc-gen-es.cmd" : "protoc-gen-es");
const protoc = process.env.PROTOC || "protoc";

const files = readdirSync(protoDir)
  .filter((f) => f.endsWith(".proto"))
  .sort()
  .map((f) => relative(root, join(protoDir, f)));
if (files.length === 0) {
  console.error(`gen: no .proto files in ${protoDir}`);
  process.exit(1);
}

// Start from an empty directory so a removed .proto leaves no stale module.
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const args = [
  `--plugin=protoc-gen-es=${plugin}`,
  `--es_out=${relative(root, outDir)}`,
  "--es_opt=target=ts",
  `-I${relative(root, protoRoot)}`,
  ...files,
];
const result = spawnSync(protoc, args, { cwd: root, stdio: "inherit" });
if (result.error) {
  console.error(
    `gen: could not run ${protoc}: ${result.error.message}\n` +
      "Install protoc (Debian: apt-get install protobuf-compiler) or set PROTOC to its path, " +
      "and run npm ci so that node_modules/.bin/protoc-gen-es exists.",
  );
  process.exit(1);
}
if (result.status !== 0) {
  console.error(`gen: protoc exited with status ${result.status}`);
  process.exit(result.status ?? 1);
}
console.log(`gen: ${files.length} .proto files -> ${relative(root, outDir)}`);
