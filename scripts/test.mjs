// The test command: builds the package, compiles the tests, then runs every
// test twice, against Node-RED 4 on this Node and against Node-RED 5 on
// Node 22 (from the npm package node@22), and ends with one summary line.
import { execFileSync, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const mocha = require.resolve("mocha/bin/mocha.js");
const tsc = require.resolve("typescript/bin/tsc");
const files = [".build/test/transport/*.test.js", ".build/test/adapters/*.test.js", ".build/test/bench/*.test.js", ".build/test/nodes/*.test.js", ".build/test/package/*.test.js", ".build/test/e2e/*.test.js"];

execFileSync(process.execPath, [join(root, "scripts", "build.mjs")], { cwd: root, stdio: "inherit" });
// Compiled from scratch, so a test that was removed or renamed cannot linger.
rmSync(join(root, ".build"), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.test.json")], { cwd: root, stdio: "inherit" });

/** The Node 22 binary, fetched once by npx into its cache. */
function node22() {
  const out = execFileSync("npx", ["-y", "-p", "node@22", "node", "-e", "process.stdout.write(process.execPath)"], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return out.trim();
}

/** Runs mocha, echoing its output, and returns its counts. */
function run(label, node, env) {
  console.log(`\n=== ${label} ===`);
  return new Promise((resolve) => {
    const child = spawn(node, [mocha, ...files], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.on("close", (code) => {
      const count = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(output)?.[1] ?? 0);
      resolve({ label, code, passed: count("passing"), failed: count("failing"), pending: count("pending") });
    });
  });
}

const runs = [await run("Node-RED 4 on Node " + process.versions.node, process.execPath, {})];
runs.push(await run("Node-RED 5 on Node 22", node22(), { FLOWSOCKET_NODE_RED: "node-red-5" }));

let passed = 0;
let failed = 0;
for (const result of runs) {
  // A run that crashed or skipped tests counts as failed: nothing is skipped silently.
  const broken = result.code !== 0 || result.pending > 0 || result.passed === 0;
  console.log(`${result.label}: ${result.passed} passing, ${result.failed} failing, ${result.pending} pending, exit ${result.code}`);
  passed += result.passed;
  failed += result.failed + (broken && result.failed === 0 ? 1 : 0);
}
console.log(`\ntests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
