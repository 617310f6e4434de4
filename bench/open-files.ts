/**
 * The open-file limit of the processes the benchmark starts: every socket is
 * a file descriptor, on both ends. Node raises its own soft limit to the hard
 * one at start-up but cannot go past it; raising the hard limit takes the
 * privilege to (root with CAP_SYS_RESOURCE), and Node has no call for it, so
 * a child that needs more is started through `sh -c 'ulimit -n N && exec …'`.
 */
import { spawnSync, type ForkOptions } from "node:child_process";
import { readFileSync } from "node:fs";

/** Descriptors a process needs besides a case's sockets: Node-RED's own files, pipes, the flood connection, headroom. */
export const RESERVED_FILES = 1000;

export interface OpenFiles {
  /** The limit every process the benchmark starts has. */
  limit: number;
  /** What the node binary is started under to have it; empty when nothing needs raising. */
  launcher: string[];
  /** Said in the report when the limit is below what was wanted; else "". */
  shortfall: string;
}

/** The hard limit in a /proc/<pid>/limits text: "Max open files  <soft>  <hard>  files". */
export function hardFileLimit(limits: string): number {
  const hard = /^Max open files\s+\S+\s+(\S+)/m.exec(limits)?.[1];
  if (hard === undefined) {
    throw new Error("no 'Max open files' line in the limits");
  }
  return hard === "unlimited" ? Number.POSITIVE_INFINITY : Number(hard);
}

/** A command that runs the rest of its arguments with the open-file limit (soft and hard) set to `limit`. */
export function launcherFor(limit: number): string[] {
  return ["sh", "-c", `ulimit -n ${limit} && exec "$@"`, "sh"];
}

/** `fork` options that start a Node child under `launcher` (none for an empty one); IPC passes through the `exec`. */
export function forkOptionsFor(launcher: readonly string[]): ForkOptions {
  if (launcher.length === 0) {
    return {};
  }
  return { execPath: launcher[0]!, execArgv: [...launcher.slice(1), process.execPath, ...process.execArgv] };
}

/**
 * The limit to start the processes with for `wanted` descriptors: the hard
 * limit if it is enough, `wanted` if a shell may raise it that far, else the
 * hard limit, with why.
 */
export function openFilesFor(wanted: number): OpenFiles {
  const hard = hardFileLimit(readFileSync("/proc/self/limits", "utf8"));
  if (hard >= wanted) {
    return { limit: hard, launcher: [], shortfall: "" };
  }
  const probe = spawnSync("sh", ["-c", `ulimit -n ${wanted}`], { encoding: "utf8" });
  if (probe.status === 0) {
    return { limit: wanted, launcher: launcherFor(wanted), shortfall: "" };
  }
  const why = probe.stderr.trim().split("\n").pop() ?? "";
  return { limit: hard, launcher: [], shortfall: `the open-file limit is ${hard} (hard) and could not be raised to ${wanted} (${why})` };
}

/** How many connections of a case fit under `limit`, in whole thousands: at most `asked`. */
export function connectionsThatFit(asked: number, limit: number): number {
  return Math.min(asked, Math.floor((limit - RESERVED_FILES) / 1000) * 1000);
}
