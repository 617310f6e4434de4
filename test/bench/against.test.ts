import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..", "..");

/**
 * The A/B mode for real, kept as short as it goes: HEAD built into a
 * temporary folder, both builds in Node-RED processes of their own, one cheap
 * case twice on each (a fresh pair of processes for each repeat). Timings are
 * not checked, only that a ratio comes out and that the temporary folder is
 * gone.
 */
describe("bench --against (end to end)", function () {
  this.timeout(180000);

  it("builds HEAD, runs a case on both builds in fresh processes for each repeat, prints now/ref and removes its temporary folder", async () => {
    const child = spawn(process.execPath, [join(ROOT, ".build", "bench", "run.js"), "--against", "HEAD", "--quick", "--repeats", "2", "--only", "echo, 1 client"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const [code] = (await once(child, "close")) as [number | null];
    assert.equal(code, 0, `the bench failed:\n${stdout}\n${stderr}`);

    assert.match(stdout, /^now: this working tree; ref: HEAD \([0-9a-f]{7}\)$/m);
    const cells = String.raw`\| echo, 1 client +\| round trips/s \(higher is better\) +\| [\d,]+ \[[\d,-]+\] +\| [\d,]+ \[[\d,-]+\] +`;
    const ratio = String.raw`\| \d\.\d{3}× \[\d\.\d{3}-\d\.\d{3}\] +\| (\d+\.\d% (better|worse)|even)[^|]* \|`;
    assert.match(stdout, new RegExp(`^${cells}${ratio}$`, "m"));
    assert.doesNotMatch(stdout, /\| (core|bare)/);
    const rounds = [...stderr.matchAll(/^repeat (\d) of 2: fresh Node-RED processes (\d+), (\d+)$/gm)];
    assert.deepEqual(rounds.map((round) => round[1]), ["1", "2"], stderr);
    assert.equal(new Set(rounds.flatMap((round) => [round[2], round[3]])).size, 4, "four processes, none used twice");
    const built = /^building HEAD \([0-9a-f]{7}\) in (.+)\/ref$/m.exec(stderr);
    assert.ok(built, `no build line in:\n${stderr}`);
    assert.equal(existsSync(built[1]!), false, `${built[1]} is left behind`);
  });
});
