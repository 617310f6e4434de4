/**
 * Instruction counts of a Node-RED process, for a paired run that has to
 * see a few percent (`--instructions`): the process runs under valgrind's
 * callgrind, which counts the instructions it executes, the same for the
 * same work whatever else the machine is doing, where CPU time moves by
 * 10-20% between neighbouring runs here. Around a case's window the counters
 * are zeroed and dumped with `callgrind_control`, and the dump's total is
 * the window's count.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname } from "node:path";

/**
 * Node's own flags under callgrind. V8 compiles and collects garbage on
 * threads of its own whose share of the work depends on timing; single
 * threaded and with fixed seeds (`--predictable`), the same script came out
 * within 0.001% between runs here, against 6% without.
 */
export const COUNTED_NODE_ARGS: readonly string[] = ["--predictable"];

/** How much slower Node runs under callgrind: a process start takes minutes. */
export const COUNTED_START_TIMEOUT_MS = 600000;

/**
 * How long a counted process may take to stop before it is killed: Node-RED
 * stops slowly under callgrind, and valgrind removes the pipes it made in
 * /tmp for callgrind_control only when the process exits by itself.
 */
export const COUNTED_STOP_GRACE_MS = 120000;

/**
 * What to start Node under so that its instructions are counted, after
 * `launcher` (the open-file limit's). The counts go to `outFile`, one file
 * per dump (`outFile.1`, `outFile.2`, ...).
 */
export function countingLauncher(launcher: readonly string[], outFile: string): string[] {
  return [...launcher, "valgrind", "--tool=callgrind", `--callgrind-out-file=${outFile}`, "--log-file=/dev/null"];
}

/** Fails at once, with what to install, where valgrind is missing. */
export function expectValgrind(): void {
  try {
    execFileSync("valgrind", ["--version"], { stdio: "ignore" });
    execFileSync("callgrind_control", ["--version"], { stdio: "ignore" });
  } catch {
    throw new Error("--instructions runs Node-RED under valgrind's callgrind: install valgrind (apt-get install valgrind)");
  }
}

/** The instructions one counted process executes between `zero()` and `read()`. */
export class InstructionCounter {
  constructor(
    private readonly pid: number,
    /** The process's `--callgrind-out-file`. */
    private readonly outFile: string,
  ) {}

  zero(): void {
    this.control("--zero");
  }

  /** Dumps the counters and returns the instructions since the last zero. */
  read(): number {
    this.control("--dump");
    const text = readFileSync(this.newestDump(), "utf8");
    const total = /^(?:summary|totals): (\d+)/m.exec(text)?.[1];
    if (total === undefined) {
      throw new Error(`no instruction total in callgrind's dump of process ${this.pid}`);
    }
    return Number(total);
  }

  /** callgrind_control reaches the process through valgrind's gdbserver, which wakes it even while it waits in a system call. */
  private control(command: string): void {
    execFileSync("callgrind_control", [command, String(this.pid)], { stdio: "ignore", timeout: 60000 });
  }

  /** Dumps are numbered in the order they were written: the highest number is the newest. */
  private newestDump(): string {
    const prefix = `${basename(this.outFile)}.`;
    const numbers = readdirSync(dirname(this.outFile))
      .filter((name) => name.startsWith(prefix) && /^\d+$/.test(name.slice(prefix.length)))
      .map((name) => Number(name.slice(prefix.length)));
    if (numbers.length === 0) {
      throw new Error(`callgrind wrote no dump for process ${this.pid}`);
    }
    return `${this.outFile}.${Math.max(...numbers)}`;
  }
}
