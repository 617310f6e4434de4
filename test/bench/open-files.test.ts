import assert from "node:assert/strict";
import { execFileSync, fork } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectionsThatFit, forkOptionsFor, hardFileLimit, launcherFor } from "../../bench/open-files";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             95000                95000                processes
Max open files            1024                 20000                files
Max locked memory         8388608              8388608              bytes
`;

/** A limit under this process's hard one: lowering needs no privilege, so the launcher can be tested anywhere. */
const lower = Math.min(512, hardFileLimit(readFileSync("/proc/self/limits", "utf8")) - 1);

describe("the benchmark's open-file limit", () => {
  it("reads the hard limit, unlimited too", () => {
    assert.equal(hardFileLimit(LIMITS), 20000);
    assert.equal(hardFileLimit(LIMITS.replace("20000   ", "unlimited")), Number.POSITIVE_INFINITY);
    assert.throws(() => hardFileLimit("Max processes 1 1 processes"), /no 'Max open files' line/);
  });

  it("starts a command under the launcher with soft and hard limit set", () => {
    const [command, ...args] = launcherFor(lower);
    const limits = execFileSync(command!, [...args, process.execPath, "-e", 'process.stdout.write(require("fs").readFileSync("/proc/self/limits", "utf8"))'], {
      encoding: "utf8",
    });
    assert.match(limits, new RegExp(`^Max open files +${lower} +${lower} +files`, "m"));
  });

  it("forks a Node child under the launcher with its IPC channel working", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flowsocket-open-files-"));
    try {
      const script = join(dir, "child.js");
      writeFileSync(script, 'process.send(require("fs").readFileSync("/proc/self/limits", "utf8"), () => process.exit(0));\n');
      const child = fork(script, [], forkOptionsFor(launcherFor(lower)));
      const [limits] = (await once(child, "message")) as [string];
      await once(child, "exit");
      assert.match(limits, new RegExp(`^Max open files +${lower} +${lower} +files`, "m"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("forks as usual with an empty launcher", () => {
    assert.deepEqual(forkOptionsFor([]), {});
  });

  it("fits connections under a limit in whole thousands, leaving room for the process's own files", () => {
    assert.equal(connectionsThatFit(50000, 20000), 19000);
    assert.equal(connectionsThatFit(10000, 20000), 10000);
    assert.equal(connectionsThatFit(10000, 4096), 3000);
    assert.equal(connectionsThatFit(50000, Number.POSITIVE_INFINITY), 50000);
  });
});
