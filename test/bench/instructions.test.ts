import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { COUNTED_NODE_ARGS, countingLauncher, expectValgrind, InstructionCounter } from "../../bench/instructions";

/** A Node process that waits for "spin N" lines, loops N times for each, and answers "done". */
const SPINNER = `
const lines = require("readline").createInterface({ input: process.stdin });
let sink = 0;
lines.on("line", (line) => {
  const n = Number(line.split(" ")[1]);
  for (let i = 0; i < n; i++) sink = (sink + i * 7) % 1000003;
  process.stdout.write("done " + sink + "\\n");
});
process.stdout.write("ready\\n");
`;

describe("the benchmark's instruction counts (--instructions)", function () {
  // Node starts some fifty times slower under callgrind.
  this.timeout(120000);

  it("counts what a process under callgrind executes between zero and read, in proportion to the work", async () => {
    expectValgrind();
    const dir = mkdtempSync(join(tmpdir(), "flowsocket-callgrind-"));
    const outFile = join(dir, "callgrind-test");
    const [command, ...args] = countingLauncher([], outFile);
    const child = spawn(command!, [...args, process.execPath, ...COUNTED_NODE_ARGS, "-e", SPINNER], { stdio: ["pipe", "pipe", "inherit"] });
    try {
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      const next = async (): Promise<string> => String((await lines.next()).value);
      assert.equal(await next(), "ready");
      const counter = new InstructionCounter(child.pid!, outFile);
      const counted = async (loops: number): Promise<number> => {
        counter.zero();
        child.stdin!.write(`spin ${loops}\n`);
        assert.match(await next(), /^done /);
        return counter.read();
      };
      // The first loop compiles the spinner; the counts after it are of the loop alone.
      await counted(1_000_000);
      const one = await counted(1_000_000);
      const four = await counted(4_000_000);
      counter.zero();
      await sleep(200);
      const idle = counter.read();
      assert.ok(one > 1_000_000, `a million loops took ${one} instructions`);
      assert.ok(four > 3 * one && four < 5 * one, `four times the loops took ${(four / one).toFixed(2)} times the instructions`);
      assert.ok(idle < one / 10, `${idle} instructions while idle, against ${one} for a million loops`);
    } finally {
      // The end of its input lets the spinner exit by itself, and valgrind
      // then removes the pipes it made for callgrind_control in /tmp, which a
      // killed one leaves behind; killed only if it has not exited in time.
      const exited = new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once("exit", resolve)));
      child.stdin!.end();
      const killer = setTimeout(() => child.kill("SIGKILL"), 30000);
      await exited;
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
