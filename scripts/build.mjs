// Builds the package into dist/: the runtime compiled by tsc, the editor
// fragments joined into the node set's one .html file, and the catalogs and
// icons copied beside it, where Node-RED looks for them.
import { execFileSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.json")], { stdio: "inherit" });

const editorDir = join(root, "nodes", "editor");
const fragments = readdirSync(editorDir)
  .filter((name) => name.endsWith(".html"))
  .sort()
  .map((name) => readFileSync(join(editorDir, name), "utf8").trim());
writeFileSync(join(dist, "flowsocket.html"), `${fragments.join("\n\n")}\n`);

cpSync(join(root, "locales"), join(dist, "locales"), { recursive: true });
cpSync(join(root, "icons"), join(dist, "icons"), { recursive: true });
console.log("built dist/");
