/** One run of one case on one target: the load generator drives it, the server's CPU and memory are read around it. */
import { readFile, rm } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Comparison } from "./ab-report";
import type { Endpoints, Result } from "./cases";
import type { Implementation } from "./flows";
import type { Generator } from "./generator";
import type { InstructionCounter } from "./instructions";
import { cpuMicros, rssBytes, waitUntilQuiet } from "./proc";
import type { BenchCase, GeneratorEvent, IdleCase } from "./protocol";

/**
 * In an A/B run against a ref, "now" is ours as built from the working tree
 * and "ref" ours as built from the ref; in a settings A/B, "defaults" and
 * "off" are ours with its listener settings at their defaults and off.
 */
export type TargetName = Implementation | "bare" | Comparison["tested"] | Comparison["baseline"];

/** What a case runs against: one implementation in a Node-RED process, or the bare server. */
export interface Target {
  name: TargetName;
  /** What the target is, whatever its name: "now" and "ref" are both ours. */
  impl: Implementation | "bare";
  /** The server process, to read its CPU time and memory. */
  pid: number;
  at: Endpoints;
  /** Where its Node-RED process writes its memory; none for the bare server. */
  memoryFile?: string;
  /** What the load generator's handshakes must send to pass its listeners' access check (a settings A/B's token). */
  headers?: Record<string, string>;
  /** Set where the process runs under callgrind (`--instructions`). */
  counter?: InstructionCounter;
}

/** What Node-RED's process.memoryUsage() said after a full garbage collection. */
interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
}

/**
 * Memory after a full garbage collection: Node-RED preloads node-red-preload,
 * which collects and writes process.memoryUsage() on SIGWINCH. The bare
 * server has no such hook: its memory is read from /proc, without a collection.
 */
async function memoryAfterGc(target: Target): Promise<Memory> {
  const memoryFile = target.memoryFile;
  if (!memoryFile) {
    return { rss: rssBytes(target.pid), heapUsed: 0, external: 0 };
  }
  await rm(memoryFile, { force: true });
  process.kill(target.pid, "SIGWINCH");
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    await sleep(50);
    try {
      return JSON.parse(await readFile(memoryFile, "utf8")) as Memory;
    } catch {
      // not written yet
    }
  }
  throw new Error("Node-RED did not report its memory");
}

/**
 * Runs one case and reads the server's CPU, and its instructions where they
 * are counted, at the window's edges. Each case first waits until all the
 * `servers` processes have settled from the last one.
 *
 * Zeroing and dumping the counts each take a few hundred milliseconds after
 * the generator's report. The load goes on through both in a timed window,
 * so the counted span is as long as the window, shifted by that delay; a
 * flood's first messages in the delay go uncounted, under 1% of the flood the
 * counted run sends.
 */
export async function measure(generator: Generator, servers: number[], target: Target, caseSpec: BenchCase): Promise<Result> {
  await Promise.all(servers.map((server) => waitUntilQuiet(server)));
  const spec = withHeaders(caseSpec, target.headers);
  if (spec.kind === "idle") {
    return measureIdle(generator, target, spec);
  }
  generator.send({ run: spec });
  const { cpu, instructions } = await countedWindow(generator, target, "window-closed");
  const end = await generator.expect("window-end");
  return { measured: end.result, cpu, ...(instructions === undefined ? {} : { instructions }) };
}

/**
 * The target's CPU time and, when counted, instructions from the generator's
 * window-start until it reports `end`, with that report.
 */
async function countedWindow<E extends "window-closed" | "idle-open">(
  generator: Generator,
  target: Target,
  end: E,
): Promise<{ report: Extract<GeneratorEvent, { event: E }>; cpu: number; instructions: number | undefined }> {
  await generator.expect("window-start");
  const cpuBefore = cpuMicros(target.pid);
  target.counter?.zero();
  const report = await generator.expect(end);
  const cpu = cpuMicros(target.pid) - cpuBefore;
  return { report, cpu, instructions: target.counter?.read() };
}

/** The case with the target's handshake headers, where the load generator's own clients connect (not to Node-RED's client connections). */
function withHeaders(spec: BenchCase, headers: Record<string, string> | undefined): BenchCase {
  switch (spec.kind) {
    case "echo":
    case "broadcast":
    case "idle":
      return headers ? { ...spec, headers } : spec;
    default:
      return spec;
  }
}

/**
 * Opens the idle connections (the window is their opening), reads the memory
 * they hold once the server has settled, and, when the case asks, the
 * server's CPU while they stay open and idle. Fails if the server closed any.
 */
async function measureIdle(generator: Generator, target: Target, spec: IdleCase): Promise<Result> {
  const before = await memoryAfterGc(target);
  generator.send({ run: spec });
  const { report: open, cpu, instructions } = await countedWindow(generator, target, "idle-open");
  await waitUntilQuiet(target.pid);
  const after = await memoryAfterGc(target);
  const idle = spec.holdMs > 0 ? await cpuWhileIdle(target.pid, spec.holdMs) : undefined;
  generator.send({ closeIdle: true });
  const { lost } = await generator.expect("idle-closed");
  if (lost > 0) {
    throw new Error(`${target.name} closed ${lost} of the ${open.result.count} idle connections`);
  }
  return {
    measured: open.result,
    cpu,
    rss: after.rss - before.rss,
    heap: after.heapUsed + after.external - (before.heapUsed + before.external),
    ...(idle ? { idle } : {}),
    ...(instructions === undefined ? {} : { instructions }),
  };
}

/** The server's CPU time over `ms` of wall time, in microseconds, and the time it was read over. */
async function cpuWhileIdle(pid: number, ms: number): Promise<{ cpu: number; seconds: number }> {
  const started = performance.now();
  const cpuBefore = cpuMicros(pid);
  await sleep(ms);
  return { cpu: cpuMicros(pid) - cpuBefore, seconds: (performance.now() - started) / 1000 };
}
