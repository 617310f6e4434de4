/**
 * Prints where a CPU profile (from `npm run bench -- --profile DIR`) spent its
 * time: the functions with the most self time, with their files.
 *
 *   node .build/bench/profile-summary.js profiles/CPU.*.cpuprofile [--top 30]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const top = args.includes("--top") ? Number(args[args.indexOf("--top") + 1]) : 30;
const file = args.find((arg) => arg.endsWith(".cpuprofile"));
if (!file) {
  console.error("usage: profile-summary.js <file.cpuprofile> [--top N]");
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const node = byId.get(id)!;
  const frame = node.callFrame;
  const where = frame.url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/(dist|nodes)\//, "$1/");
  const key = `${frame.functionName || "(anonymous)"}  ${where}:${frame.lineNumber + 1}`;
  const delta = profile.timeDeltas[i] ?? 0;
  selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
  total += delta;
});
const rows = [...selfMicros.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
for (const [key, micros] of rows) {
  console.log(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
}
